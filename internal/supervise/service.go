package supervise

import (
	"context"
	"time"

	"banhao.dev/banhao/internal/platform/auth"
	"banhao.dev/banhao/internal/platform/calendar"
	"banhao.dev/banhao/internal/platform/clock"
	"banhao.dev/banhao/internal/platform/db"
	"banhao.dev/banhao/internal/platform/errs"
)

// WorkingDays measures working time with the calendar (art. 82).
type WorkingDays interface {
	WorkingDaysBetween(ctx context.Context, from, to time.Time, stops []calendar.Interval) (float64, error)
}

// Fee is one charge of an item's fee list.
type Fee struct {
	Name   string
	Amount float64 // yuan; 0 when the standard is a description
}

// FeeSource returns the fee list of an item version.
type FeeSource interface {
	Fees(ctx context.Context, itemCode string, version int) ([]Fee, error)
}

// Rules are the configurable supervision thresholds.
type Rules struct {
	// OffSystemMargin: an acceptance time earlier than the entry time by
	// more than this is 体外循环. Default one day.
	OffSystemMargin time.Duration
	// MinReasonRunes: reasons shorter than this are "without reasons".
	// Default 6.
	MinReasonRunes int
}

// DefaultRules are the defaults.
var DefaultRules = Rules{OffSystemMargin: 24 * time.Hour, MinReasonRunes: 6}

// Deps are what the service is built from.
type Deps struct {
	DB       *db.DB
	Clock    clock.Clock
	Calendar WorkingDays
	Fees     FeeSource   // nil: every fee is unlisted unless the item has none
	Ratings  RatingStats // nil: NoRatings (counted as zero)
	Rules    Rules       // zero: DefaultRules
}

// Service is e-supervision and statistics.
type Service struct {
	db      *db.DB
	clk     clock.Clock
	cal     WorkingDays
	fees    FeeSource
	ratings RatingStats
	rules   Rules
}

// NewService builds a Service.
func NewService(d Deps) *Service {
	s := &Service{db: d.DB, clk: d.Clock, cal: d.Calendar, fees: d.Fees, ratings: d.Ratings, rules: d.Rules}
	if s.ratings == nil {
		s.ratings = NoRatings{}
	}
	if s.rules.OffSystemMargin == 0 {
		s.rules.OffSystemMargin = DefaultRules.OffSystemMargin
	}
	if s.rules.MinReasonRunes == 0 {
		s.rules.MinReasonRunes = DefaultRules.MinReasonRunes
	}
	return s
}

func (s *Service) now() time.Time { return clock.Norm(s.clk.Now()) }

// Errors of the supervision area.
var (
	ErrFindingNotFound  = errs.E(errs.NotFound, "finding_not_found", "监察发现不存在")
	ErrFindingState     = errs.E(errs.Conflict, "finding_state", "该监察发现已处理，不能再执行该操作")
	ErrFindingAction    = errs.E(errs.Invalid, "finding_action", "操作须为确认、驳回或责令整改")
	ErrDismissReason    = errs.E(errs.Invalid, "dismiss_reason_required", "驳回须写明理由")
	ErrRectifyDeadline  = errs.E(errs.Invalid, "rectify_deadline_invalid", "整改期限须为今天以后的日期（YYYY-MM-DD）")
	ErrMonth            = errs.E(errs.Invalid, "month_invalid", "月份格式应为 YYYY-MM")
	ErrPeriod           = errs.E(errs.Invalid, "period_invalid", "日期格式应为 YYYY-MM-DD，且起始日不晚于截止日")
	ErrGroupBy          = errs.E(errs.Invalid, "group_by_invalid", "分组须为 region、hall、org、window、staff、item、day、month 或 year")
	ErrFindingFilter    = errs.E(errs.Invalid, "filter_invalid", "筛选条件不正确：状态或监察类型不存在")
	ErrRegionInvalid    = errs.E(errs.Invalid, "region_invalid", "区划代码不正确")
	ErrFeeCharge        = errs.E(errs.Invalid, "fee_charge_invalid", "收费记录须有收费项目名称和不小于零的金额")
	ErrRegionOutOfScope = errs.E(errs.Forbidden, "out_of_scope", "该区域不在您的管辖范围内")
)

// staffViewers may read statistics and the dashboard of their region.
var viewers = []auth.Role{auth.Supervisor, auth.Admin}

// scope returns the region a principal may look at, narrowed by the
// requested region. An empty result with a nil error means everything
// (an admin without a region).
func scope(p *auth.Principal, requested string) (string, error) {
	if err := auth.Require(p, viewers...); err != nil {
		return "", err
	}
	if requested == "" {
		return p.RegionCode, nil
	}
	if !p.InRegion(requested) {
		return "", ErrRegionOutOfScope
	}
	return requested, nil
}
