package web

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"banhao.dev/banhao/internal/places"
	"banhao.dev/banhao/internal/platform/auth"
	"banhao.dev/banhao/internal/platform/errs"
	"banhao.dev/banhao/internal/platform/ids"
	"banhao.dev/banhao/internal/ratings"
)

// Rating rules per region (评价规则): rateable moments, the rating window,
// 默认好评, and the callback, rectification and complaint limits. The page
// is the form over ratings.Service's rules; the service decides who may
// change which region's rules.
func (s *Server) registerRatingRules() {
	s.page("GET /supervise/rating-rules", s.ratingRulesPage)
	s.page("POST /supervise/rating-rules", s.ratingRulesSubmit)
	s.nav(41, "评价规则", "/supervise/rating-rules", auth.Supervisor, auth.Admin)
}

// ratingRulesData is the page: the rules in force for the user's region
// and the regions of the user's scope that set their own.
type ratingRulesData struct {
	Default ratings.Rules
	Region  string        // the user's region; "" for a platform admin
	InForce ratings.Rules // rules of Region; RegionCode is where they come from ("" = the defaults)
	Rules   []ratings.Rules
	Names   map[string]string // region code → name
	Stages  []ratings.Stage
}

func (s *Server) ratingRules(r *http.Request, p *auth.Principal) (ratingRulesData, error) {
	ctx := r.Context()
	d := ratingRulesData{Default: ratings.DefaultRules(), Region: p.RegionCode, Names: map[string]string{},
		Stages: []ratings.Stage{ratings.StageAccept, ratings.StageConclude}}
	var err error
	if d.Rules, err = s.Ratings.RulesWithin(ctx, p); err != nil {
		return d, err
	}
	if d.InForce, err = s.Ratings.RulesFor(ctx, p.RegionCode); err != nil {
		return d, err
	}
	codes := []string{p.RegionCode, d.InForce.RegionCode}
	for _, rr := range d.Rules {
		codes = append(codes, rr.RegionCode)
	}
	for _, c := range codes {
		if _, done := d.Names[c]; c == "" || done {
			continue
		}
		reg, err := s.Places.Region(ctx, p, c)
		if err != nil && !errors.Is(err, places.ErrRegionNotFound) {
			return d, err
		}
		d.Names[c] = reg.Name
	}
	return d, nil
}

// ratingRulesForm is the form filled with a region's rules in force.
func ratingRulesForm(region string, r ratings.Rules) url.Values {
	f := url.Values{"region_code": {region}, "window_days": {strconv.Itoa(r.WindowDays)},
		"callback_days": {strconv.Itoa(r.CallbackDays)}, "rectify_days": {strconv.Itoa(r.RectifyDays)},
		"complaint_days": {strconv.Itoa(r.ComplaintDays)}}
	for _, st := range r.Stages {
		f.Add("stages", string(st))
	}
	if r.DefaultSatisfied {
		f.Set("default_satisfied", "1")
	}
	return f
}

func (s *Server) ratingRulesPage(w http.ResponseWriter, r *http.Request) {
	p, ok := s.requirePage(w, r, auth.Supervisor, auth.Admin)
	if !ok {
		return
	}
	d, err := s.ratingRules(r, p)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	// ?region= fills the form with that region's rules in force (the
	// "修改" links of the table); the user's own region by default.
	region, edit := p.RegionCode, d.InForce
	if q := strings.TrimSpace(r.URL.Query().Get("region")); q != "" && q != region {
		if _, err := ids.RegionCodeLevel(q); err == nil {
			if edit, err = s.Ratings.RulesFor(r.Context(), q); err != nil {
				s.fail(w, r, err)
				return
			}
			region = q
		}
	}
	pg := s.newPage(w, r, "评价规则", d)
	pg.Form = ratingRulesForm(region, edit)
	s.render(w, r, http.StatusOK, "ratingrules", pg)
}

// parseRatingRules reads the rules from form values: day counts must be
// whole numbers and the region an existing one; ranges and stages are
// checked by the service.
func (s *Server) parseRatingRules(ctx context.Context, p *auth.Principal, r *http.Request) (ratings.Rules, error) {
	var fe errs.Fields
	out := ratings.Rules{RegionCode: strings.TrimSpace(r.PostFormValue("region_code")),
		DefaultSatisfied: r.PostFormValue("default_satisfied") == "1"}
	for _, st := range r.PostForm["stages"] {
		out.Stages = append(out.Stages, ratings.Stage(st))
	}
	for _, f := range []struct {
		name string
		v    *int
	}{{"window_days", &out.WindowDays}, {"callback_days", &out.CallbackDays}, {"rectify_days", &out.RectifyDays}, {"complaint_days", &out.ComplaintDays}} {
		n, err := strconv.Atoi(strings.TrimSpace(r.PostFormValue(f.name)))
		if err != nil {
			fe.Add(f.name, "请填写整数（工作日数）")
		}
		*f.v = n
	}
	if err := s.checkRuleRegion(ctx, p, out.RegionCode); err != nil {
		e, ok := errs.As(err)
		if !ok || len(e.Fields) == 0 {
			return out, err
		}
		fe = append(fe, e.Fields...)
	}
	return out, fe.Err()
}

// checkRuleRegion reports a region code that is malformed or names no region.
func (s *Server) checkRuleRegion(ctx context.Context, p *auth.Principal, code string) error {
	if _, err := ids.RegionCodeLevel(code); err != nil {
		return errs.Field("region_code", "region_invalid", "区划代码格式不正确：应为 6、9 或 12 位数字，如 990121")
	}
	if _, err := s.Places.Region(ctx, p, code); errors.Is(err, places.ErrRegionNotFound) {
		return errs.Field("region_code", "region_not_found", "区划代码 "+code+" 不存在")
	} else if err != nil {
		return err
	}
	return nil
}

func (s *Server) ratingRulesSubmit(w http.ResponseWriter, r *http.Request) {
	p, ok := s.requirePage(w, r, auth.Supervisor, auth.Admin)
	if !ok {
		return
	}
	ctx := r.Context()
	region := strings.TrimSpace(r.PostFormValue("region_code"))
	var err error
	msg := "已保存 " + region + " 的评价规则，之后开始的评价期限、差评回访、整改和投诉按新规则计算"
	if r.PostFormValue("op") == "remove" {
		msg = "已删除 " + region + " 单独设置的评价规则，改用上级地区或默认规则"
		if err = s.checkRuleRegion(ctx, p, region); err == nil {
			err = s.Ratings.RemoveRules(ctx, p, region)
		}
	} else {
		var rules ratings.Rules
		if rules, err = s.parseRatingRules(ctx, p, r); err == nil {
			_, err = s.Ratings.SetRules(ctx, p, rules)
		}
	}
	if err != nil {
		d, lerr := s.ratingRules(r, p)
		if lerr != nil {
			s.fail(w, r, lerr)
			return
		}
		s.formError(w, r, "ratingrules", s.newPage(w, r, "评价规则", d), err)
		return
	}
	redirect(w, r, "/supervise/rating-rules?region="+url.QueryEscape(region), msg)
}
