package cases

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"banhao.dev/banhao/internal/platform/audit"
	"banhao.dev/banhao/internal/platform/auth"
	"banhao.dev/banhao/internal/platform/db"
	"banhao.dev/banhao/internal/platform/errs"
	"banhao.dev/banhao/internal/platform/ids"
	"banhao.dev/banhao/internal/platform/settings"
)

// Spec 50: the yellow threshold is configurable per region. Rules are kept
// in the shared settings table (one small JSON document, so every node sees
// the same rules); a case uses the rule of the nearest region above it, or
// the service default. A rule applies to deadlines computed after it is set
// (acceptance, clock stops, extensions), never rewriting past lights.
const lightRulesKey = "case_light_rules"

// RegionLightRule is the light rule of one region.
type RegionLightRule struct {
	RegionCode string `json:"region_code"`
	LightRule
}

// LightRules lists the per-region rules and the default.
func (s *Service) LightRules(ctx context.Context) (def LightRule, rules []RegionLightRule, err error) {
	m, err := s.loadLightRules(ctx)
	if err != nil {
		return LightRule{}, nil, err
	}
	for code, r := range m {
		rules = append(rules, RegionLightRule{RegionCode: code, LightRule: r})
	}
	sort.Slice(rules, func(i, j int) bool { return rules[i].RegionCode < rules[j].RegionCode })
	return s.lights, rules, nil
}

// LightRulesCacheTTL is how long a node reuses the light rules it read: every
// acceptance and step computes lights, and the rules change a few times a
// year. A change is immediate on the node that made it and reaches the other
// nodes of a multi-node deployment within this time.
const LightRulesCacheTTL = 5 * time.Second

// rulesCache holds the last light rules read (the map is never mutated).
// gen counts the changes made on this node: a read that began before a
// change must not store what it read after it.
type rulesCache struct {
	mu    sync.Mutex
	m     map[string]LightRule
	until time.Time
	gen   uint64
}

func (s *Service) loadLightRules(ctx context.Context) (map[string]LightRule, error) {
	now := s.wall.Now()
	s.rules.mu.Lock()
	m, fresh, gen := s.rules.m, now.Before(s.rules.until), s.rules.gen
	s.rules.mu.Unlock()
	if fresh {
		return m, nil
	}
	m, err := loadLightRules(ctx, s.db.R)
	if err != nil {
		return nil, err
	}
	s.rules.mu.Lock()
	if s.rules.gen == gen {
		s.rules.m, s.rules.until = m, now.Add(LightRulesCacheTTL)
	}
	s.rules.mu.Unlock()
	return m, nil
}

// forgetLightRules makes the next read go to the database.
func (s *Service) forgetLightRules() {
	s.rules.mu.Lock()
	s.rules.m, s.rules.until = nil, time.Time{}
	s.rules.gen++
	s.rules.mu.Unlock()
}

// LightRuleFor is the rule that applies to a case of region code: the rule
// of the longest region prefix that has one, else the default.
func (s *Service) LightRuleFor(ctx context.Context, region string) (LightRule, error) {
	m, err := s.loadLightRules(ctx)
	if err != nil {
		return LightRule{}, err
	}
	best, bestLen := s.lights, -1
	for code, r := range m {
		if p := ids.RegionPrefix(code); strings.HasPrefix(region, p) && len(p) > bestLen {
			best, bestLen = r, len(p)
		}
	}
	return best, nil
}

// SetLightRule sets (or, with a zero rule, removes) the yellow threshold of a
// region: a supervisor or admin of the region (or above it), audited.
func (s *Service) SetLightRule(ctx context.Context, p *auth.Principal, region string, r LightRule) error {
	if err := auth.Require(p, auth.Supervisor, auth.Admin); err != nil {
		return err
	}
	if _, err := ids.RegionCodeLevel(region); err != nil {
		return errs.Field("region_code", "region_code_format", "行政区划代码格式不正确")
	}
	if err := auth.RequireRegion(p, region, auth.Supervisor, auth.Admin); err != nil {
		return err
	}
	var fe errs.Fields
	remove := r == (LightRule{})
	if !remove {
		if r.YellowDays < 0 || r.YellowDays > 10 {
			fe.Add("yellow_days", "剩余工作日阈值应在 0–10 之间")
		}
		if r.YellowShare < 0 || r.YellowShare > 0.9 {
			fe.Add("yellow_share", "剩余时限比例阈值应在 0–0.9 之间（如 0.2 表示 20%）")
		}
		if r.YellowDays == 0 && r.YellowShare == 0 {
			fe.Add("yellow_days", "至少设置一个黄灯阈值")
		}
	}
	if err := fe.Err(); err != nil {
		return err
	}
	defer s.forgetLightRules()
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		m, err := loadLightRules(ctx, tx)
		if err != nil {
			return err
		}
		before, had := m[region]
		if remove {
			delete(m, region)
		} else {
			m[region] = r
		}
		raw, err := json.Marshal(m)
		if err != nil {
			return err
		}
		now := s.clk.Now()
		if err := settings.Set(ctx, tx, now, lightRulesKey, string(raw)); err != nil {
			return err
		}
		data := map[string]any{"region_code": region, "after": r}
		if had {
			data["before"] = before
		}
		_, err = audit.Append(ctx, tx, now, p.Actor(p.PrimaryRole()), "light-rules/"+region, "set", data)
		return err
	})
}

func loadLightRules(ctx context.Context, q db.Q) (map[string]LightRule, error) {
	raw, err := settings.Get(ctx, q, lightRulesKey)
	if err != nil || raw == "" {
		return map[string]LightRule{}, err
	}
	m := map[string]LightRule{}
	if err := json.Unmarshal([]byte(raw), &m); err != nil {
		return nil, fmt.Errorf("decode light rules: %w", err)
	}
	return m, nil
}
