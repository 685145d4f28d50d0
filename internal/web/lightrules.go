package web

import (
	"net/http"
	"strconv"
	"strings"

	"banhao.dev/banhao/internal/cases"
	"banhao.dev/banhao/internal/platform/auth"
	"banhao.dev/banhao/internal/platform/errs"
)

// Yellow-light thresholds per region (spec 50: configurable per region).
func (s *Server) registerLightRules() {
	s.page("GET /supervise/light-rules", s.lightRulesPage)
	s.page("POST /supervise/light-rules", s.lightRulesSubmit)
	s.api("GET /api/v1/light-rules", s.apiLightRules)
	s.api("PUT /api/v1/light-rules/{region}", s.apiLightRuleSet)
	s.nav(41, "预警阈值", "/supervise/light-rules", auth.Supervisor, auth.Admin)
}

type lightRulesData struct {
	Default cases.LightRule         `json:"default"`
	Rules   []cases.RegionLightRule `json:"rules"`
}

func (s *Server) lightRules(r *http.Request) (lightRulesData, error) {
	def, rules, err := s.Cases.LightRules(r.Context())
	if rules == nil {
		rules = []cases.RegionLightRule{}
	}
	return lightRulesData{Default: def, Rules: rules}, err
}

func (s *Server) lightRulesPage(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.requirePage(w, r, auth.Supervisor, auth.Admin); !ok {
		return
	}
	d, err := s.lightRules(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "lightrules", s.newPage(w, r, "预警阈值", d))
}

// parseRule reads a rule from form values; a share is typed in percent.
func parseRule(days, percent string) (cases.LightRule, error) {
	var fe errs.Fields
	var r cases.LightRule
	var err error
	if days = strings.TrimSpace(days); days != "" {
		if r.YellowDays, err = strconv.ParseFloat(days, 64); err != nil {
			fe.Add("yellow_days", "剩余工作日阈值应为数字")
		}
	}
	if percent = strings.TrimSpace(percent); percent != "" {
		p, err := strconv.ParseFloat(percent, 64)
		if err != nil {
			fe.Add("yellow_share", "剩余时限比例应为数字（百分比）")
		}
		r.YellowShare = p / 100
	}
	return r, fe.Err()
}

func (s *Server) lightRulesSubmit(w http.ResponseWriter, r *http.Request) {
	p, ok := s.requirePage(w, r, auth.Supervisor, auth.Admin)
	if !ok {
		return
	}
	region := strings.TrimSpace(r.PostFormValue("region_code"))
	rule, err := parseRule(r.PostFormValue("yellow_days"), r.PostFormValue("yellow_percent"))
	if err == nil {
		err = s.Cases.SetLightRule(r.Context(), p, region, rule)
	}
	if err != nil {
		d, lerr := s.lightRules(r)
		if lerr != nil {
			s.fail(w, r, lerr)
			return
		}
		s.formError(w, r, "lightrules", s.newPage(w, r, "预警阈值", d), err)
		return
	}
	redirect(w, r, "/supervise/light-rules", "已保存 "+region+" 的预警阈值，之后受理、中止或延期的办件按新阈值计算")
}

func (s *Server) apiLightRules(w http.ResponseWriter, r *http.Request) {
	if err := auth.Require(principal(r), auth.Supervisor, auth.Admin); err != nil {
		s.fail(w, r, err)
		return
	}
	d, err := s.lightRules(r)
	s.reply(w, r, http.StatusOK, d, err)
}

func (s *Server) apiLightRuleSet(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	if err := auth.Require(p, auth.Supervisor, auth.Admin); err != nil {
		s.fail(w, r, err)
		return
	}
	var rule cases.LightRule
	if err := decode(r, &rule); err != nil {
		s.fail(w, r, err)
		return
	}
	region := r.PathValue("region")
	if err := s.Cases.SetLightRule(r.Context(), p, region, rule); err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, cases.RegionLightRule{RegionCode: region, LightRule: rule})
}
