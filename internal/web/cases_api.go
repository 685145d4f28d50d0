package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"banhao.dev/banhao/internal/cases"
	"banhao.dev/banhao/internal/platform/auth"
	"banhao.dev/banhao/internal/platform/blob"
	"banhao.dev/banhao/internal/platform/db"
	"banhao.dev/banhao/internal/platform/errs"
)

// The cases API (issue 4, item 9). Handlers parse and respond; the cases
// service decides state, authorization and every business rule.

// Errors of the cases API layer.
var (
	ErrActionUnknown   = errs.E(errs.NotFound, "action_unknown", "未知的办件操作")
	ErrMaterialFile    = errs.E(errs.Invalid, "material_file_missing", "材料文件不存在，请先上传后再提交")
	ErrCaseFileUnknown = errs.E(errs.NotFound, "case_file_not_found", "该办件没有这个材料文件")
	ErrTrackParams     = errs.E(errs.Invalid, "track_params_required", "请输入办件编号和查询码")
	ErrListParam       = errs.E(errs.Invalid, "bad_query", "查询参数不正确")
)

func (s *Server) registerCasesAPI() {
	s.api("POST /api/v1/cases", s.apiCaseSubmit)
	s.api("GET /api/v1/cases", s.apiCaseList)
	s.api("GET /api/v1/cases/{no}", s.apiCaseGet)
	s.api("POST /api/v1/cases/{no}/actions/{action}", s.apiCaseAction)
	s.api("GET /api/v1/cases/{no}/timeline", s.apiCaseTimeline)
	s.api("GET /api/v1/cases/{no}/files/{hash}", s.apiCaseFile)
	s.api("GET /api/v1/track", s.apiTrack)
	s.api("POST /api/v1/files", s.apiFileUpload)
	s.registerVerificationsAPI()
}

// hidePickupCode hides what only the applicant should see: the pickup code proves
// at the window that the person collecting is the applicant, so staff never
// read it from the API.
func hidePickupCode(p *auth.Principal, c *cases.Case) *cases.Case {
	if c != nil && (p == nil || p.UserID != c.Applicant.UserID) {
		c.PickupCode = ""
	}
	return c
}

func (s *Server) apiCaseSubmit(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	if err := auth.Require(p); err != nil {
		s.fail(w, r, err)
		return
	}
	var req cases.SubmitRequest
	if err := decode(r, &req); err != nil {
		s.fail(w, r, err)
		return
	}
	if err := s.materialFilesExist(r.Context(), req.Materials); err != nil {
		s.fail(w, r, err)
		return
	}
	res, err := s.Cases.Submit(r.Context(), p, req)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	hidePickupCode(p, res.Case)
	w.Header().Set("Location", "/api/v1/cases/"+url.PathEscape(res.Case.No))
	writeJSON(w, http.StatusCreated, res)
}

// materialFilesExist checks that every file a material names was uploaded
// (and recorded) before the case refers to it, in one query.
func (s *Server) materialFilesExist(ctx context.Context, ms []cases.MaterialInput) error {
	var hashes []any
	at := map[string]int{}
	for i, m := range ms {
		h := strings.ToLower(m.File)
		if !blob.ValidHash(h) {
			continue // absent, or malformed: the service reports the latter
		}
		if _, dup := at[h]; !dup {
			at[h] = i
			hashes = append(hashes, h)
		}
	}
	if len(hashes) == 0 {
		return nil
	}
	rows, err := s.DB.R.QueryContext(ctx, `SELECT hash FROM blobs WHERE hash IN (`+db.Placeholders(1, len(hashes))+`)`, hashes...)
	if err != nil {
		return fmt.Errorf("check material files: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var h string
		if err := rows.Scan(&h); err != nil {
			return fmt.Errorf("check material files: %w", err)
		}
		delete(at, h)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("check material files: %w", err)
	}
	first := -1
	for _, i := range at {
		if first < 0 || i < first {
			first = i
		}
	}
	if first >= 0 {
		return ErrMaterialFile.OnField(fmt.Sprintf("materials[%d].file", first))
	}
	return nil
}

func (s *Server) apiCaseGet(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	if err := auth.Require(p); err != nil {
		s.fail(w, r, err)
		return
	}
	c, err := s.Cases.Get(r.Context(), p, r.PathValue("no"))
	s.reply(w, r, http.StatusOK, hidePickupCode(p, c), err)
}

// pageSize is the page length of GET /api/v1/cases.
const pageSize = 50

func (s *Server) apiCaseList(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	if err := auth.Require(p); err != nil {
		s.fail(w, r, err)
		return
	}
	f, err := caseFilter(r.URL.Query())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	cs, err := s.Cases.List(r.Context(), p, f)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	for _, c := range cs {
		hidePickupCode(p, c)
	}
	writeJSON(w, http.StatusOK, listOf(cs))
}

var caseStatuses = []cases.Status{cases.Draft, cases.Submitted, cases.Correction, cases.Accepted, cases.ClockStopped,
	cases.Decided, cases.Concluded, cases.Delivered, cases.Refused, cases.Withdrawn}

// caseFilter parses the list and inbox filters:
// status (repeated or comma-separated), inbox, role, light, item, org, mine, page.
func caseFilter(q url.Values) (cases.Filter, error) {
	f := cases.Filter{Limit: pageSize}
	for _, v := range q["status"] {
		for _, st := range strings.Split(v, ",") {
			st = strings.TrimSpace(st)
			if st == "" {
				continue
			}
			if !slices.Contains(caseStatuses, cases.Status(st)) {
				return f, ErrListParam.Withf("办件状态“%s”不存在", clipStr(st, 30)).OnField("status")
			}
			f.Status = append(f.Status, cases.Status(st))
		}
	}
	var err error
	if f.Inbox, err = queryBool(q, "inbox"); err != nil {
		return f, err
	}
	if f.Mine, err = queryBool(q, "mine"); err != nil {
		return f, err
	}
	if role := q.Get("role"); role != "" {
		if !auth.Role(role).Valid() {
			return f, ErrListParam.Withf("角色“%s”不存在", clipStr(role, 30)).OnField("role")
		}
		f.Role = role
	}
	switch l := cases.Light(q.Get("light")); l {
	case cases.NoLight, cases.Green, cases.Yellow, cases.Red:
		f.Light = l
	default:
		return f, ErrListParam.Withf("亮灯须为 green、yellow 或 red").OnField("light")
	}
	f.Item = strings.TrimSpace(q.Get("item"))
	if v := q.Get("org"); v != "" {
		if f.OrgID, err = strconv.ParseInt(v, 10, 64); err != nil || f.OrgID <= 0 {
			return f, ErrListParam.Withf("部门编号须为正整数").OnField("org")
		}
	}
	if v := q.Get("page"); v != "" {
		page, err := strconv.Atoi(v)
		if err != nil || page < 1 || page > 100000 {
			return f, ErrListParam.Withf("页码须为正整数").OnField("page")
		}
		f.Offset = (page - 1) * pageSize
	}
	return f, nil
}

func queryBool(q url.Values, name string) (bool, error) {
	switch q.Get(name) {
	case "", "false", "0":
		return false, nil
	case "true", "1":
		return true, nil
	}
	return false, ErrListParam.Withf("%s 须为 true 或 false", name).OnField(name)
}

func clipStr(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "") + "…"
}

func (s *Server) apiCaseTimeline(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	if err := auth.Require(p); err != nil {
		s.fail(w, r, err)
		return
	}
	evs, err := s.Cases.Timeline(r.Context(), p, r.PathValue("no"))
	s.reply(w, r, http.StatusOK, listOf(evs), err)
}

// apiTrack is the public tracking by case number and query code. It needs no
// login; a wrong code answers exactly like an unknown number (the service
// compares in constant time), so the endpoint leaks nothing a rate limiter
// in front of it would have to guard besides the guess itself.
func (s *Server) apiTrack(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	no, code := strings.ToUpper(strings.TrimSpace(q.Get("no"))), strings.TrimSpace(q.Get("code"))
	if no == "" || code == "" {
		s.fail(w, r, ErrTrackParams.OnField("code"))
		return
	}
	v, err := s.Cases.Track(r.Context(), no, code)
	s.reply(w, r, http.StatusOK, v, err)
}
