package cases

import (
	"context"
	"fmt"
	"math"
	"time"

	"banhao.dev/banhao/internal/platform/clock"
)

// LightRule sets when a light turns yellow: when the remaining working time
// is at most YellowDays or at most YellowShare of the limit, whichever comes
// first (spec 50: default 1 working day or 20 %; configurable per region).
type LightRule struct {
	YellowDays  float64 `json:"yellow_days"`
	YellowShare float64 `json:"yellow_share"`
}

// DefaultLightRule is the spec's default.
var DefaultLightRule = LightRule{YellowDays: 1, YellowShare: 0.2}

// threshold is the remaining working time, in working days, at which a limit
// of limit working days turns yellow.
func (r LightRule) threshold(limit int) float64 {
	return math.Max(r.YellowDays, r.YellowShare*float64(limit))
}

// wholeDays rounds a limit up to whole days: a half-day limit (e.g. 公章刻制
// 0.5) still ends at the close of a day.
func wholeDays(d float64) int {
	if d <= 0 {
		return 0
	}
	return int(math.Ceil(d - 1e-9))
}

// intervals returns the case's clock stops for the calendar.
func (c *Case) intervals() []Interval {
	out := make([]Interval, 0, len(c.Stops))
	for _, st := range c.Stops {
		iv := Interval{From: st.From, Reason: stopLabel(st.Kind)}
		if st.To != nil {
			iv.To = *st.To
		}
		out = append(out, iv)
	}
	return out
}

func (c *Case) extensionDays() int {
	if c.Extension == nil {
		return 0
	}
	return c.Extension.Days
}

// limitDeadline computes the deadline of a limit from start: working days
// with the calendar (art. 82), or calendar days when the catalog says so.
func (s *Service) limitDeadline(ctx context.Context, start time.Time, l Limit, ext int, stops []Interval) (*Deadline, error) {
	n := wholeDays(l.Days) + ext
	var d Deadline
	if l.Unit == "calendar_day" {
		d = calendarDayDeadline(start, n, stops, s.clk.Now())
	} else {
		var err error
		if d, err = s.cal.Deadline(ctx, start, n, stops); err != nil {
			return nil, err
		}
		d.Unit = "working_day"
	}
	d.Days = n
	if ext > 0 {
		d.Derivation = append(d.Derivation, extensionLine(ext))
	}
	return &d, nil
}

// extensionLine ends the derivation of a limit extended by ext days.
func extensionLine(ext int) string {
	return fmt.Sprintf("经批准延期%d日（《行政许可法》第四十二条），已计入上述期限", ext)
}

// deliveryLines are the calendar's lines of the art. 44 deadline of a
// decision at at: the decision, not the acceptance, starts it.
func deliveryLines(steps []string, at time.Time) []string {
	out := []string{"《行政许可法》第四十四条：准予许可的，自作出决定之日起十日内颁发、送达许可证件"}
	if len(steps) > 0 {
		out = append(out, fmt.Sprintf("决定时间 %s（北京时间），决定当日不计入期限", at.In(clock.Shanghai).Format("2006-01-02 15:04")))
		out = append(out, steps[1:]...)
	}
	return out
}

// calendarDayDeadline counts natural days: the acceptance day does not count,
// stops add their length rounded up to whole days.
func calendarDayDeadline(start time.Time, n int, stops []Interval, now time.Time) Deadline {
	add := 0
	for _, st := range stops {
		to := st.To
		if to.IsZero() {
			to = now
		}
		if to.After(st.From) {
			add += int(math.Ceil(to.Sub(st.From).Hours()/24 - 1e-9))
		}
	}
	s := start.In(clock.Shanghai)
	last := time.Date(s.Year(), s.Month(), s.Day()+n+add, 0, 0, 0, 0, clock.Shanghai)
	at := last.AddDate(0, 0, 1).UTC()
	lines := []string{
		fmt.Sprintf("受理时间 %s（北京时间），受理当日不计入期限", s.Format("2006-01-02 15:04")),
		fmt.Sprintf("期限按自然日计算：%d日", n),
	}
	if add > 0 {
		lines = append(lines, fmt.Sprintf("中止期间顺延%d日", add))
	}
	lines = append(lines, fmt.Sprintf("期限至 %s 24:00（北京时间）", last.Format(time.DateOnly)))
	return Deadline{Date: last.Format(time.DateOnly), At: at, Unit: "calendar_day", Derivation: lines}
}

// stepDays returns, for the step at idx, the cumulative working days from
// acceptance at which it is due and its own share of the limit. Steps that
// stop the clock have no share: they state their own duration.
func stepDays(steps []CaseStep, idx, limit int) (due, own int) {
	var total, cum, prev float64
	for _, st := range steps {
		if !st.StopsClock {
			total += st.Share
		}
	}
	for i, st := range steps {
		if st.StopsClock {
			continue
		}
		prev = cum
		cum += st.Share
		if i == idx {
			break
		}
	}
	if total <= 0 {
		return limit, limit
	}
	due = int(math.Ceil(cum/total*float64(limit) - 1e-9))
	before := int(math.Ceil(prev/total*float64(limit) - 1e-9))
	if due > limit {
		due = limit
	}
	return due, due - before
}

// computeDeadlines recomputes the promised, legal and step deadlines of an
// accepted case, and its lights.
func (s *Service) computeDeadlines(ctx context.Context, c *Case, now time.Time) error {
	if c.AcceptedAt == nil {
		return nil
	}
	stops, ext := c.intervals(), c.extensionDays()
	rule, err := s.LightRuleFor(ctx, c.RegionCode)
	if err != nil {
		return err
	}
	if c.Deadlines.Promised, err = s.limitDeadline(ctx, *c.AcceptedAt, c.ItemSnap.PromisedLimit, ext, stops); err != nil {
		return fmt.Errorf("promised deadline: %w", err)
	}
	if c.Deadlines.Legal, err = s.limitDeadline(ctx, *c.AcceptedAt, c.ItemSnap.LegalLimit, ext, stops); err != nil {
		return fmt.Errorf("legal deadline: %w", err)
	}
	c.Deadlines.Step, c.StepYellowAt = nil, nil
	promisedDays := c.Deadlines.Promised.Days
	caseYellow, err := s.yellowAt(ctx, rule, c.Deadlines.Promised, promisedDays)
	if err != nil {
		return err
	}
	c.CaseYellowAt = &caseYellow
	if st := c.current(); st != nil && st.StartedAt != nil {
		var d Deadline
		var own int
		if st.StopsClock {
			own = wholeDays(st.Days)
			d, err = s.cal.Deadline(ctx, *st.StartedAt, own, nil)
		} else {
			var due int
			due, own = stepDays(c.Steps, c.StepIndex, promisedDays)
			d, err = s.cal.Deadline(ctx, *c.AcceptedAt, due, stops)
		}
		if err != nil {
			return fmt.Errorf("step deadline: %w", err)
		}
		d.Days, d.Unit = own, "working_day"
		c.Deadlines.Step = &d
		y, err := s.yellowAt(ctx, rule, &d, own)
		if err != nil {
			return err
		}
		c.StepYellowAt = &y
	}
	s.setLights(c, now)
	return nil
}

// yellowAt is the instant from which at most the rule's threshold of
// working time remains before d: walking back from the deadline's last day,
// each working day gives 24 hours of working time.
func (s *Service) yellowAt(ctx context.Context, rule LightRule, d *Deadline, limit int) (time.Time, error) {
	budget := rule.threshold(limit)
	end := d.At // 24:00 of the last day
	day := end.Add(-time.Hour)
	for i := 0; i < 800; i++ {
		working, err := s.cal.IsWorking(ctx, day)
		if err != nil {
			return time.Time{}, fmt.Errorf("yellow threshold: %w", err)
		}
		dayEnd := startOfDay(day).AddDate(0, 0, 1)
		if working {
			if budget <= 1 {
				return dayEnd.Add(-time.Duration(budget * float64(24*time.Hour))).UTC(), nil
			}
			budget--
		}
		day = day.AddDate(0, 0, -1)
	}
	return time.Time{}, fmt.Errorf("yellow threshold: no working day found before %s", d.Date)
}

func startOfDay(t time.Time) time.Time {
	s := t.In(clock.Shanghai)
	return time.Date(s.Year(), s.Month(), s.Day(), 0, 0, 0, 0, clock.Shanghai)
}

// lightAt is the light at now for a deadline due and its yellow instant.
func lightAt(now time.Time, yellow *time.Time, due *Deadline) Light {
	switch {
	case due == nil:
		return NoLight
	case !now.Before(due.At):
		return Red
	case yellow != nil && !now.Before(*yellow):
		return Yellow
	}
	return Green
}

// setLights sets the case and step lights at now and the next instant one
// of them changes. The case light is frozen while the clock is stopped.
func (s *Service) setLights(c *Case, now time.Time) {
	stopped := c.Status == ClockStopped
	if !stopped {
		c.Light = lightAt(now, c.CaseYellowAt, c.Deadlines.Promised)
	}
	c.StepLight = lightAt(now, c.StepYellowAt, c.Deadlines.Step)
	var cand []*time.Time
	if c.Status == Accepted || c.Status == ClockStopped {
		if !stopped && c.Deadlines.Promised != nil {
			cand = append(cand, c.CaseYellowAt, &c.Deadlines.Promised.At)
		}
		if c.Deadlines.Step != nil {
			cand = append(cand, c.StepYellowAt, &c.Deadlines.Step.At)
		}
	}
	c.NextLightChangeAt = nextAfter(now, cand)
}

func nextAfter(now time.Time, ts []*time.Time) *time.Time {
	var best *time.Time
	for _, t := range ts {
		if t != nil && t.After(now) && (best == nil || t.Before(*best)) {
			v := *t
			best = &v
		}
	}
	return best
}

// DeliveryDays is the limit of art. 44: a granted license is issued and
// delivered within 10 days of the decision, counted in working days (art. 82).
const DeliveryDays = 10

// deliveryDeadline sets the art. 44 deadline of a grant decided at at, with
// its derivation and the instant its light turns yellow.
func (s *Service) deliveryDeadline(ctx context.Context, c *Case, at time.Time) error {
	d, err := s.cal.Deadline(ctx, at, DeliveryDays, nil)
	if err != nil {
		return fmt.Errorf("delivery deadline: %w", err)
	}
	d.Days, d.Unit = DeliveryDays, "working_day"
	d.Derivation = deliveryLines(d.Derivation, at)
	rule, err := s.LightRuleFor(ctx, c.RegionCode)
	if err != nil {
		return err
	}
	y, err := s.yellowAt(ctx, rule, &d, DeliveryDays)
	if err != nil {
		return err
	}
	c.Deadlines.Delivery, c.Deadlines.DeliveryYellow = &d, &y
	return nil
}

// deliveryLight is the art. 44 light at now: running until the result is
// delivered, then fixed by whether it was delivered in time.
func (c *Case) deliveryLight(now time.Time) Light {
	d := c.Deadlines.Delivery
	switch {
	case d == nil:
		return NoLight
	case c.DeliveredAt != nil && c.DeliveredAt.Before(d.At):
		return Green
	case c.DeliveredAt != nil:
		return Red
	}
	return lightAt(now, c.Deadlines.DeliveryYellow, d)
}
