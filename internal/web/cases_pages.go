package web

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"banhao.dev/banhao/internal/cases"
	"banhao.dev/banhao/internal/platform/auth"
	"banhao.dev/banhao/internal/platform/errs"
)

// Case pages for the three sides: the applicant (apply, my cases, track),
// the window (cases_pages_window.go) and the back office (inbox). Every
// action goes through one POST route per action (cases_pages_actions.go);
// the cases service decides who may do what, the pages only hide the
// actions the viewer's role can never do.

func (s *Server) registerCasePages() {
	s.page("GET /apply/{code}", s.applyForm)
	s.page("POST /apply/{code}", s.applySubmit)
	s.page("GET /my/cases", s.myCases)
	s.page("GET /my/cases/{no}", s.myCaseRedirect)
	s.page("GET /cases/{no}", s.caseDetail)
	s.page("POST /cases/{no}/actions/{action}", s.caseAction)
	s.page("GET /cases/{no}/qr.png", s.caseQR)
	s.page("GET /cases/{no}/documents/{doc}", s.caseDocument)
	s.page("GET /track", s.track)
	s.page("GET /window", s.counterHome)
	s.page("GET /window/new", s.counterForm)
	s.page("POST /window/new", s.counterSubmit)
	s.page("GET /inbox", s.inbox)
	s.nav(5, "办件查询", "/track")
	s.nav(1, "我的办件", "/my/cases", auth.Applicant)
	s.nav(2, "窗口受理", "/window", auth.Clerk)
	s.nav(2, "待办件", "/inbox", auth.Reviewer, auth.Approver)
	s.registerVerificationPages()
}

// lightLabel is the Chinese name of a light.
func lightLabel(l cases.Light) string {
	switch l {
	case cases.Green:
		return "正常"
	case cases.Yellow:
		return "预警"
	case cases.Red:
		return "超期"
	}
	return ""
}

// actionRoles are the roles that can ever do an action; the service still
// decides on each request (window authorization, organization, step).
var actionRoles = map[cases.Action][]auth.Role{
	cases.ActAccept:            {auth.Clerk},
	cases.ActRequestCorrection: {auth.Clerk, auth.Supervisor},
	cases.ActRefuse:            {auth.Clerk},
	cases.ActAcceptWithPending: {auth.Clerk},
	cases.ActDecideOnSpot:      {auth.Clerk},
	cases.ActStopClock:         {auth.Reviewer, auth.Approver},
	cases.ActResumeClock:       {auth.Reviewer, auth.Approver},
	cases.ActExtend:            {auth.Approver},
	cases.ActConclude:          {auth.Clerk, auth.Approver},
	cases.ActDeliver:           {auth.Clerk, auth.Approver},
}

// viewerActions are the actions of c's allowed list that p's role can do.
func viewerActions(p *auth.Principal, c *cases.Case) map[string]bool {
	owner := p != nil && p.Has(auth.Applicant) && c.Applicant.UserID == p.UserID
	out := map[string]bool{}
	for _, a := range c.Allowed {
		ok := false
		switch a {
		case cases.ActResubmit, cases.ActSupplyPending, cases.ActWithdraw, cases.ActSubmit:
			ok = owner || p.Has(auth.Clerk)
		case cases.ActReview, cases.ActReturn, cases.ActDecide:
			ok = c.CurrentStep != nil && p.Has(auth.Role(c.CurrentStep.Role))
		case cases.ActRequestCorrection:
			ok = p.Has(auth.Clerk) || p.Has(auth.Supervisor) && c.Corrections > 0
		default:
			ok = p.HasAny(actionRoles[a]...)
		}
		if ok {
			out[string(a)] = true
		}
	}
	return out
}

// timelineEntry is a timeline event with its data decoded for display.
type timelineEntry struct {
	cases.TimelineEvent
	Reason  string
	Opinion string
	Docs    []string
}

func decodeTimeline(evs []cases.TimelineEvent) []timelineEntry {
	out := make([]timelineEntry, len(evs))
	for i, e := range evs {
		var d struct {
			Reason  string   `json:"reason"`
			Opinion string   `json:"opinion"`
			Docs    []string `json:"documents"`
		}
		_ = json.Unmarshal(e.Data, &d)
		out[i] = timelineEntry{TimelineEvent: e, Reason: d.Reason, Opinion: d.Opinion, Docs: d.Docs}
	}
	return out
}

// option is a value and its Chinese label for selects and radios.
type option struct{ Value, Label string }

var stopKindOptions = []option{{"hearing", "听证"}, {"tendering", "招标"}, {"auction", "拍卖"}, {"inspection", "检验（现场勘查）"},
	{"testing", "检测"}, {"quarantine", "检疫"}, {"appraisal", "鉴定"}, {"expert_review", "专家评审"}, {"public_notice", "公示"}}

// caseView is what the case page shows.
type caseView struct {
	C         *cases.Case
	Timeline  []timelineEntry
	Can       map[string]bool
	Owner     bool
	Staff     bool
	StopKinds []option
	Remedies  string
	Open      string   // the action whose form failed, shown expanded
	Allowed   []string // labels of the allowed actions after an illegal transition
	Resubmit  []matRef // materials named by the open correction notice
	Supply    []matRef // pending (容缺) materials not yet supplied
	Checklist []cases.ItemMaterial
	PickupFor bool // the viewer may see the pickup code (the applicant)
}

func (s *Server) caseView(r *http.Request, c *cases.Case) (*caseView, error) {
	p := principal(r)
	evs, err := s.Cases.Timeline(r.Context(), p, c.No)
	if err != nil {
		return nil, err
	}
	v := &caseView{C: c, Timeline: decodeTimeline(evs), Can: viewerActions(p, c), StopKinds: stopKindOptions,
		Owner: p.Has(auth.Applicant) && c.Applicant.UserID == p.UserID, Staff: p.HasAny(auth.StaffRoles...)}
	v.Remedies = remediesText(c)
	v.Resubmit, v.Supply = resubmitRefs(c), supplyRefs(c)
	v.Checklist = c.ItemSnap.Checklist
	v.PickupFor = v.Owner && c.PickupCode != ""
	return v, nil
}

// remediesText is the default remedies line of a denial (art. 38).
func remediesText(c *cases.Case) string {
	var parts []string
	if c.ItemSnap.Reconsider != "" {
		parts = append(parts, "如不服本决定，可自收到本决定书之日起六十日内向"+c.ItemSnap.Reconsider+"申请行政复议")
	}
	if c.ItemSnap.Litigation != "" {
		parts = append(parts, "或者自收到之日起六个月内向"+c.ItemSnap.Litigation+"提起行政诉讼")
	}
	if len(parts) == 0 {
		return "如不服本决定，可依法申请行政复议或者提起行政诉讼。"
	}
	return strings.Join(parts, "，") + "。"
}

func (s *Server) myCases(w http.ResponseWriter, r *http.Request) {
	p, ok := s.requirePage(w, r, auth.Applicant)
	if !ok {
		return
	}
	list, err := s.Cases.List(r.Context(), p, cases.Filter{Mine: true, Limit: 200})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "cases_my", s.newPage(w, r, "我的办件", list))
}

// myCaseRedirect is the link in the applicant's notifications.
func (s *Server) myCaseRedirect(w http.ResponseWriter, r *http.Request) {
	http.Redirect(w, r, "/cases/"+url.PathEscape(r.PathValue("no")), http.StatusSeeOther)
}

func (s *Server) caseDetail(w http.ResponseWriter, r *http.Request) {
	p, ok := s.requirePage(w, r)
	if !ok {
		return
	}
	c, err := s.Cases.Get(r.Context(), p, r.PathValue("no"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v, err := s.caseView(r, c)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "cases_detail", s.newPage(w, r, "办件 "+c.No, v))
}

// trackView is the public tracking page.
type trackView struct {
	Found bool
	V     cases.TrackView
}

func (s *Server) track(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	pg := s.newPage(w, r, "办件进度查询", &trackView{})
	pg.Form = q
	no, code := strings.TrimSpace(q.Get("no")), strings.TrimSpace(q.Get("code"))
	if no == "" && code == "" {
		s.render(w, r, http.StatusOK, "cases_track", pg)
		return
	}
	if no == "" || code == "" {
		pg.Errors = map[string]string{}
		if no == "" {
			pg.Errors["no"] = "请填写办件编号"
		}
		if code == "" {
			pg.Errors["code"] = "请填写查询码"
		}
		pg.Error = "请填写办件编号和查询码"
		s.render(w, r, http.StatusUnprocessableEntity, "cases_track", pg)
		return
	}
	v, err := s.Cases.Track(r.Context(), strings.ToUpper(no), code)
	if err != nil {
		e, ok := errs.As(err)
		if !ok {
			s.fail(w, r, err)
			return
		}
		pg.Error = e.Message
		if e.Kind == errs.NotFound {
			pg.Error = "办件编号或查询码不正确，请核对后重试"
		}
		s.render(w, r, e.Kind.Status(), "cases_track", pg)
		return
	}
	pg.Data = &trackView{Found: true, V: v}
	s.render(w, r, http.StatusOK, "cases_track", pg)
}

// allowedLabels turns an illegal-transition error's allowed list into labels.
func allowedLabels(e *errs.Error) []string {
	raw, ok := e.Extra["allowed"]
	if !ok {
		return nil
	}
	var out []string
	switch as := raw.(type) {
	case []cases.Action:
		for _, a := range as {
			out = append(out, a.Label())
		}
	case []any:
		for _, a := range as {
			if str, ok := a.(string); ok {
				out = append(out, cases.Action(str).Label())
			}
		}
	}
	if len(out) == 0 {
		out = []string{"（当前无可执行的操作）"}
	}
	return slices.Clip(out)
}

// resubmitRefs are the materials a correction notice asks for, with the
// reason of the latest notice.
func resubmitRefs(c *cases.Case) []matRef {
	reasons := map[string]string{}
	for _, n := range c.CorrectionLog {
		for _, it := range n.Items {
			reasons[it.MaterialID] = it.Reason
		}
	}
	var out []matRef
	for _, m := range c.Materials {
		if m.Status == cases.MatDefective {
			out = append(out, matRef{ID: m.MaterialID, Name: m.Name, Required: true, Reason: reasons[m.MaterialID]})
		}
	}
	return out
}

func supplyRefs(c *cases.Case) []matRef {
	var out []matRef
	for _, pd := range c.Pending {
		if pd.SuppliedAt == nil {
			out = append(out, matRef{ID: pd.MaterialID, Name: pd.Name, Required: true, Notes: "承诺于 " + pd.DueDate + " 前补齐"})
		}
	}
	return out
}
