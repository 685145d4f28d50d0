package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"

	"banhao.dev/banhao/internal/cases"
	"banhao.dev/banhao/internal/catalog"
	"banhao.dev/banhao/internal/platform/auth"
	"banhao.dev/banhao/internal/platform/clock"
	"banhao.dev/banhao/internal/platform/errs"
	"banhao.dev/banhao/internal/platform/ids"
)

// coveredItem is an item some window of the clerk is authorized to accept.
type coveredItem struct {
	Item      catalog.Summary
	CanDecide bool
	DocNo     string
}

// coveredItems lists the published items of the clerk's region that an
// authorization of one of the clerk's windows covers today (the service
// checks again on every action).
func (s *Server) coveredItems(ctx context.Context, p *auth.Principal) ([]coveredItem, error) {
	windows, err := s.Places.WindowsOfUser(ctx, p.UserID)
	if err != nil {
		return nil, err
	}
	day := clock.Day(s.Clock.Now())
	items, err := s.Catalog.Summaries(ctx, p.RegionCode)
	if err != nil {
		return nil, err
	}
	var out []coveredItem
	for _, it := range items {
		var best *coveredItem
		for _, w := range windows {
			as, err := s.Places.AuthorizationsFor(ctx, w.ID, it.Code, it.Domain, day)
			if err != nil {
				return nil, err
			}
			for _, a := range as {
				if a.OrgID != it.OrgID || !a.CanAccept {
					continue
				}
				if best == nil || a.CanDecide && !best.CanDecide {
					best = &coveredItem{Item: it, CanDecide: a.CanDecide, DocNo: a.DocNo}
				}
			}
		}
		if best != nil {
			out = append(out, *best)
		}
	}
	return out, nil
}

// counterHomeView is the clerk's start page.
type counterHomeView struct {
	Queue     []*cases.Case // online submissions awaiting pre-review
	Waiting   []*cases.Case // correction notices the applicant has not answered
	Steps     []*cases.Case // accepted, at a clerk step (e.g. 受理, 制证) the window must finish
	Handout   []*cases.Case // concluded, awaiting hand-out
	Covered   []coveredItem
	Windows   []string
	LightText func(cases.Light) string
}

func (s *Server) counterHome(w http.ResponseWriter, r *http.Request) {
	p, ok := s.requirePage(w, r, auth.Clerk)
	if !ok {
		return
	}
	pg, err := s.counterHomePage(w, r, p)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	pg.Form = r.URL.Query()
	s.render(w, r, http.StatusOK, "cases_window", pg)
}

func (s *Server) counterHomePage(w http.ResponseWriter, r *http.Request, p *auth.Principal) (*Page, error) {
	ctx := r.Context()
	cov, err := s.coveredItems(ctx, p)
	if err != nil {
		return nil, err
	}
	codes := map[string]bool{}
	for _, c := range cov {
		codes[c.Item.Code] = true
	}
	v := &counterHomeView{Covered: cov}
	lists := []struct {
		st  cases.Status
		out *[]*cases.Case
	}{{cases.Submitted, &v.Queue}, {cases.Correction, &v.Waiting}, {cases.Concluded, &v.Handout}}
	for _, l := range lists {
		cs, err := s.Cases.List(ctx, p, cases.Filter{Status: []cases.Status{l.st}, Limit: 200})
		if err != nil {
			return nil, err
		}
		for _, c := range cs {
			if codes[c.Item] || l.st == cases.Concluded {
				*l.out = append(*l.out, c)
			}
		}
	}
	inbox, err := s.Cases.List(ctx, p, cases.Filter{Inbox: true, Role: string(auth.Clerk), Status: []cases.Status{cases.Accepted, cases.ClockStopped}, Limit: 200})
	if err != nil {
		return nil, err
	}
	v.Steps = inbox
	ws, err := s.Places.WindowsOfUser(ctx, p.UserID)
	if err != nil {
		return nil, err
	}
	for _, win := range ws {
		v.Windows = append(v.Windows, win.Title())
	}
	return s.newPage(w, r, "窗口受理", v), nil
}

// counterFormView is the acceptance form at the window.
type counterFormView struct {
	Kind      string
	IDNumber  string
	Known     bool // the applicant has an account
	Covered   []coveredItem
	Item      *coveredItem
	Guide     *catalog.Item // the chosen item's current version
	Checklist catalog.Checklist
	Situation []catalog.Situation
	Materials []matRef
	Outcomes  []option
	StopKinds []option
}

// counterForm shows, after the applicant is identified, the items the window
// may accept and, once one is chosen (or a checklist number loaded), the
// material check with the acceptance decision.
func (s *Server) counterForm(w http.ResponseWriter, r *http.Request) {
	p, ok := s.requirePage(w, r, auth.Clerk)
	if !ok {
		return
	}
	pg, v, err := s.counterFormPage(w, r, p, r.URL.Query())
	if err != nil {
		s.counterHomeError(w, r, p, err)
		return
	}
	if pg.Form == nil {
		pg.Form = r.URL.Query()
	}
	if v.Known && pg.Form.Get("name") == "" {
		if u, err := s.Auth.UserByLogin(r.Context(), v.IDNumber); err == nil {
			pg.Form.Set("name", u.Name)
			pg.Form.Set("phone", u.Phone)
		}
	}
	s.render(w, r, http.StatusOK, "cases_window_form", pg)
}

// counterHomeError shows the window start page again with the search error.
func (s *Server) counterHomeError(w http.ResponseWriter, r *http.Request, p *auth.Principal, err error) {
	e, ok := errs.As(err)
	if !ok {
		s.fail(w, r, err)
		return
	}
	pg, perr := s.counterHomePage(w, r, p)
	if perr != nil {
		s.fail(w, r, perr)
		return
	}
	pg.Form, pg.Error, pg.Errors = r.URL.Query(), e.Message, map[string]string{}
	for _, f := range e.Fields {
		pg.Errors[f.Field] = f.Message
	}
	s.render(w, r, e.Kind.Status(), "cases_window", pg)
}

// validateIDNumber checks a citizen ID (GB 11643) or USCC (GB 32100) by its
// check character.
func (s *Server) validateIDNumber(kind, id string) error {
	var err error
	if kind == "enterprise" {
		err = ids.ValidateUSCC(id)
	} else {
		err = ids.ValidateCitizenID(id, s.Clock.Now())
	}
	if e, ok := errs.As(err); ok {
		return e.OnField("id_number")
	}
	return err
}

func (s *Server) counterFormPage(w http.ResponseWriter, r *http.Request, p *auth.Principal, q url.Values) (*Page, *counterFormView, error) {
	ctx := r.Context()
	v := &counterFormView{Kind: q.Get("kind"), IDNumber: strings.ToUpper(strings.TrimSpace(q.Get("id_number"))), StopKinds: stopKindOptions}
	if v.Kind != "enterprise" {
		v.Kind = "person"
	}
	code := strings.TrimSpace(q.Get("item"))
	var answers map[string]string
	if n := strings.TrimSpace(q.Get("checklist")); n != "" {
		cl, err := s.Catalog.LoadChecklist(ctx, n)
		if err != nil {
			if e, ok := errs.As(err); ok {
				return nil, nil, e.OnField("checklist")
			}
			return nil, nil, err
		}
		code, answers = cl.Code, cl.Answers
	}
	if v.IDNumber == "" {
		return nil, nil, errs.Field("id_number", "id_number_required", "请填写申请人的公民身份号码或统一社会信用代码")
	}
	if err := s.validateIDNumber(v.Kind, v.IDNumber); err != nil {
		return nil, nil, err
	}
	if _, err := s.Auth.UserByLogin(ctx, v.IDNumber); err == nil {
		v.Known = true
	}
	cov, err := s.coveredItems(ctx, p)
	if err != nil {
		return nil, nil, err
	}
	v.Covered = cov
	title := "窗口受理：选择事项"
	if code != "" {
		for i := range cov {
			if cov[i].Item.Code == code {
				v.Item = &cov[i]
			}
		}
		if v.Item == nil {
			return nil, nil, cases.ErrNoWindowAuthorization.Withf("%s", code).OnField("item")
		}
		if v.Guide, err = s.Catalog.Guide(ctx, code, 0); err != nil {
			return nil, nil, err
		}
		if answers == nil {
			answers = map[string]string{}
			for _, sit := range v.Guide.Situations {
				if a := q.Get("answer." + sit.ID); a != "" {
					answers[sit.ID] = a
				}
			}
		}
		if v.Checklist, err = catalog.ComputeChecklist(v.Guide, answers); err != nil {
			return nil, nil, err
		}
		v.Situation, v.Materials = v.Guide.Situations, refsOf(v.Checklist.Materials)
		v.Outcomes = counterOutcomes(v.Item)
		title = "窗口受理：" + v.Guide.Name
	}
	return s.newPage(w, r, title, v), v, nil
}

// counterOutcomes are the decisions a clerk may take on the spot for item.
func counterOutcomes(it *coveredItem) []option {
	out := []option{{"accept", "材料齐全，予以受理"}, {"correction", "材料不齐全或不符合法定形式，一次性告知补正"},
		{"refuse", "不予受理"}, {"pending", "容缺受理（申请人承诺限期补齐）"}}
	if it.CanDecide && it.Item.CaseType == catalog.Immediate {
		out = append(out, option{"onspot", "即办：当场作出决定"})
	}
	return out
}
