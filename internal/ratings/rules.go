package ratings

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"

	"banhao.dev/banhao/internal/platform/audit"
	"banhao.dev/banhao/internal/platform/auth"
	"banhao.dev/banhao/internal/platform/db"
	"banhao.dev/banhao/internal/platform/errs"
	"banhao.dev/banhao/internal/platform/ids"
)

// Rules are a region's rating rules.
type Rules struct {
	RegionCode string  `json:"region_code"`
	Stages     []Stage `json:"stages"`      // rateable moments
	WindowDays int     `json:"window_days"` // rating window in working days after the moment
	// DefaultSatisfied counts a moment not rated within the window as 默认好评;
	// such defaults are reported separately, never as ratings.
	DefaultSatisfied bool `json:"default_satisfied"`
	CallbackDays     int  `json:"callback_days"`  // 回访核实 limit for a bad rating
	RectifyDays      int  `json:"rectify_days"`   // default rectification deadline
	ComplaintDays    int  `json:"complaint_days"` // answer limit of a complaint
}

// DefaultRules apply where no region sets its own: both moments rateable,
// 5 working days to rate, no default-satisfied, callback within 1 working
// day, rectification within 15, complaints answered within 5.
func DefaultRules() Rules {
	return Rules{Stages: []Stage{StageAccept, StageConclude}, WindowDays: 5, CallbackDays: 1, RectifyDays: 15, ComplaintDays: 5}
}

// Enabled reports whether st is a rateable moment under r.
func (r Rules) Enabled(st Stage) bool { return slices.Contains(r.Stages, st) }

func (r Rules) validate() error {
	var fe errs.Fields
	if _, err := ids.RegionCodeLevel(r.RegionCode); err != nil {
		fe.Add("region_code", "区划代码不正确")
	}
	if len(r.Stages) == 0 {
		fe.Add("stages", "至少选择一个可评价环节")
	}
	for _, st := range r.Stages {
		if !st.valid() {
			fe.Add("stages", "可评价环节须为 accept（受理后）或 conclude（办结后）")
		}
	}
	check := func(field string, v, lo, hi int) {
		if v < lo || v > hi {
			fe.Addf(field, "须在 %d 至 %d 个工作日之间", lo, hi)
		}
	}
	check("window_days", r.WindowDays, 1, 60)
	check("callback_days", r.CallbackDays, 1, 30)
	check("rectify_days", r.RectifyDays, 1, 90)
	check("complaint_days", r.ComplaintDays, 1, 60)
	return fe.Err()
}

// RulesFor returns the rules that apply to region code: its own row, else
// the nearest ancestor's, else DefaultRules.
func (s *Service) RulesFor(ctx context.Context, code string) (Rules, error) {
	return rulesFor(ctx, s.db.R, code)
}

func rulesFor(ctx context.Context, q db.Q, code string) (Rules, error) {
	all, err := loadRules(ctx, q)
	if err != nil {
		return Rules{}, err
	}
	best := DefaultRules()
	best.RegionCode = ""
	for _, r := range all {
		if ids.InRegion(code, r.RegionCode) && len(r.RegionCode) > len(best.RegionCode) {
			best = r
		}
	}
	return best, nil
}

// loadRules reads every region's own rules, in region code order. The table
// holds a row per region that sets rules: a few hundred at most.
func loadRules(ctx context.Context, q db.Q) ([]Rules, error) {
	rows, err := q.QueryContext(ctx, `SELECT region_code, stages, window_days, default_satisfied, callback_days, rectify_days, complaint_days FROM rating_rules ORDER BY region_code`)
	if err != nil {
		return nil, fmt.Errorf("rating rules: %w", err)
	}
	defer rows.Close()
	var out []Rules
	for rows.Next() {
		var r Rules
		var stages string
		if err := rows.Scan(&r.RegionCode, &stages, &r.WindowDays, &r.DefaultSatisfied, &r.CallbackDays, &r.RectifyDays, &r.ComplaintDays); err != nil {
			return nil, fmt.Errorf("rating rules: %w", err)
		}
		for _, st := range strings.Split(stages, ",") {
			if st != "" {
				r.Stages = append(r.Stages, Stage(st))
			}
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// SetRules stores a region's rules (supervisor or admin of that region).
func (s *Service) SetRules(ctx context.Context, p *auth.Principal, r Rules) (Rules, error) {
	if err := auth.Require(p, auth.Supervisor, auth.Admin); err != nil {
		return Rules{}, err
	}
	// Scope before validation: who may change a region's rules does not
	// depend on what they send.
	if !p.InRegion(r.RegionCode) {
		return Rules{}, auth.ErrOutOfScope
	}
	if err := r.validate(); err != nil {
		return Rules{}, err
	}
	now := s.now()
	var stages []string
	for _, st := range r.Stages {
		if !slices.Contains(stages, string(st)) {
			stages = append(stages, string(st))
		}
	}
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		before, err := rulesFor(ctx, tx, r.RegionCode)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO rating_rules (region_code, stages, window_days, default_satisfied, callback_days, rectify_days, complaint_days, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
			ON CONFLICT (region_code) DO UPDATE SET stages = excluded.stages, window_days = excluded.window_days,
				default_satisfied = excluded.default_satisfied, callback_days = excluded.callback_days,
				rectify_days = excluded.rectify_days, complaint_days = excluded.complaint_days, updated_at = excluded.updated_at`,
			r.RegionCode, strings.Join(stages, ","), r.WindowDays, r.DefaultSatisfied, r.CallbackDays, r.RectifyDays, r.ComplaintDays, now)
		if err != nil {
			return fmt.Errorf("save rating rules: %w", err)
		}
		_, err = audit.Append(ctx, tx, now, p.Actor(p.PrimaryRole()), "rating-rules/"+r.RegionCode, "set", map[string]any{"before": before, "after": r})
		return err
	})
	if err != nil {
		return Rules{}, err
	}
	return s.RulesFor(ctx, r.RegionCode)
}
