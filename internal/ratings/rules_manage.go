package ratings

import (
	"context"
	"database/sql"
	"fmt"

	"banhao.dev/banhao/internal/platform/audit"
	"banhao.dev/banhao/internal/platform/auth"
	"banhao.dev/banhao/internal/platform/errs"
	"banhao.dev/banhao/internal/platform/ids"
)

// ErrRulesNotSet: a region without its own rules has nothing to remove.
var ErrRulesNotSet = errs.Field("region_code", "rating_rules_not_set", "该地区没有单独设置的评价规则，已在使用上级或默认规则")

// RulesWithin lists the regions in p's scope that set their own rules (p's
// region and the regions below it; every region for an admin without one),
// for the supervisor or admin who manages them.
func (s *Service) RulesWithin(ctx context.Context, p *auth.Principal) ([]Rules, error) {
	if err := auth.Require(p, auth.Supervisor, auth.Admin); err != nil {
		return nil, err
	}
	all, err := loadRules(ctx, s.db.R)
	if err != nil {
		return nil, err
	}
	out := []Rules{}
	for _, r := range all {
		if p.InRegion(r.RegionCode) {
			out = append(out, r)
		}
	}
	return out, nil
}

// RemoveRules deletes a region's own rules (supervisor or admin of that
// region), audited; the region falls back to the nearest region above it
// that has rules, else DefaultRules. Moments already open keep the window
// they were opened with.
func (s *Service) RemoveRules(ctx context.Context, p *auth.Principal, region string) error {
	if err := auth.Require(p, auth.Supervisor, auth.Admin); err != nil {
		return err
	}
	if !p.InRegion(region) {
		return auth.ErrOutOfScope
	}
	if _, err := ids.RegionCodeLevel(region); err != nil {
		return errs.Field("region_code", "region_invalid", "区划代码不正确")
	}
	now := s.now()
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		before, err := rulesFor(ctx, tx, region)
		if err != nil {
			return err
		}
		if before.RegionCode != region {
			return ErrRulesNotSet
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM rating_rules WHERE region_code = $1`, region); err != nil {
			return fmt.Errorf("remove rating rules %s: %w", region, err)
		}
		after, err := rulesFor(ctx, tx, region)
		if err != nil {
			return err
		}
		_, err = audit.Append(ctx, tx, now, p.Actor(p.PrimaryRole()), "rating-rules/"+region, "remove", map[string]any{"before": before, "after": after})
		return err
	})
}
