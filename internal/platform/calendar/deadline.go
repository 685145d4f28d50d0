package calendar

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"

	"banhao.dev/banhao/internal/platform/errs"
)

// workingDay is the length of a working date: 00:00–24:00 Beijing time.
const workingDay = 24 * time.Hour

// ErrStopInvalid is returned for a clock stop without a start or ending
// before it starts.
var ErrStopInvalid = errs.E(errs.Invalid, "calendar_stop_invalid", "中止时间段不正确")

// Interval is a clock stop (中止): the limit does not run from From to To.
// A zero To means the stop has not ended yet (it lasts until now).
type Interval struct {
	From   time.Time `json:"from"`
	To     time.Time `json:"to"`
	Reason string    `json:"reason"`
}

// Deadline is when a working-day limit expires, with how it was derived.
type Deadline struct {
	At         time.Time  `json:"at"`   // UTC instant of expiry (24:00 Beijing time of Date)
	Date       Date       `json:"date"` // the last working day of the limit
	Derivation Derivation `json:"derivation"`
}

// NamedDate is a date with its holiday or adjusted-working-day name.
type NamedDate struct {
	Date Date   `json:"date"`
	Name string `json:"name"`
}

// StopExtension is one (merged) clock stop and what it added.
type StopExtension struct {
	From        time.Time `json:"from"`
	To          time.Time `json:"to"`
	Open        bool      `json:"open"` // not ended; To is "now"
	Reason      string    `json:"reason"`
	WorkingTime float64   `json:"working_time"`       // working days covered, exact
	DaysAdded   int       `json:"working_days_added"` // WorkingTime rounded up
	Ignored     bool      `json:"ignored"`            // began after the deadline had passed
}

// Derivation explains a deadline to the citizen and the clerk.
type Derivation struct {
	Rule          string          `json:"rule"`
	Start         time.Time       `json:"start"`
	AcceptanceDay Date            `json:"acceptance_day"`
	WorkingDays   int             `json:"working_days"` // the limit N
	StopDays      int             `json:"stop_days"`    // added by clock stops
	Counted       []Date          `json:"counted"`      // the working days counted, in order
	Weekends      []Date          `json:"skipped_weekends"`
	Holidays      []NamedDate     `json:"skipped_holidays"`
	Adjusted      []NamedDate     `json:"adjusted_working_days"`
	Stops         []StopExtension `json:"stops"`
	LastDay       Date            `json:"last_day"`
	At            time.Time       `json:"at"`
}

// Rule returns the Chinese one-line statement of the deadline rule for a
// limit of n working days.
func Rule(n int) string {
	return "期限按工作日计算（《行政许可法》第八十二条）：受理当日不计入，自次日起算第" + strconv.Itoa(n) + "个工作日24:00（北京时间）届满；" +
		"周末和法定节假日不计入，调休上班日计入；中止期间（第四十五条所列听证、检验检测、专家评审等及补正）所占工作日时间向上取整为整工作日后顺延。"
}

// Deadline returns when a limit of n working days from acceptance at start
// expires, pushed back by the clock stops; see the package comment for the
// rule. A year without calendar data anywhere on the way is ErrYearMissing.
func (c *Calendar) Deadline(ctx context.Context, start time.Time, n int, stops []Interval) (Deadline, error) {
	if n < 0 {
		return Deadline{}, ErrNegativeDays
	}
	merged, err := mergeStops(stops, c.clk.Now())
	if err != nil {
		return Deadline{}, err
	}
	s, err := c.load(ctx)
	if err != nil {
		return Deadline{}, err
	}
	accept := DateOf(start)
	total := n
	last, err := s.addWorking(accept, total)
	if err != nil {
		return Deadline{}, err
	}
	der := Derivation{Rule: Rule(n), Start: start.UTC(), AcceptanceDay: accept, WorkingDays: n,
		Counted: []Date{}, Weekends: []Date{}, Holidays: []NamedDate{}, Adjusted: []NamedDate{}, Stops: []StopExtension{}}
	floor := accept.End() // nothing on the acceptance day counts, stopped or not
	for _, st := range merged {
		ext := StopExtension{From: st.From.UTC(), To: st.To.UTC(), Open: st.open, Reason: st.Reason}
		if !st.From.Before(last.End()) {
			ext.Ignored = true
			der.Stops = append(der.Stops, ext)
			continue
		}
		dur, err := s.workingDuration(maxTime(st.From, floor), st.To)
		if err != nil {
			return Deadline{}, err
		}
		ext.WorkingTime = dur.Hours() / 24
		ext.DaysAdded = int((dur + workingDay - 1) / workingDay)
		der.Stops = append(der.Stops, ext)
		if ext.DaysAdded > 0 {
			total += ext.DaysAdded
			if last, err = s.addWorking(accept, total); err != nil {
				return Deadline{}, err
			}
		}
	}
	der.StopDays = total - n
	for d := accept.AddDays(1); !d.After(last); d = d.AddDays(1) {
		working, day, listed, _ := s.status(d) // every date up to last was checked by addWorking
		switch {
		case working && listed:
			der.Adjusted = append(der.Adjusted, NamedDate{d, day.Name})
			der.Counted = append(der.Counted, d)
		case working:
			der.Counted = append(der.Counted, d)
		case listed:
			der.Holidays = append(der.Holidays, NamedDate{d, offName(day.Name)})
		default:
			der.Weekends = append(der.Weekends, d)
		}
	}
	der.LastDay, der.At = last, last.End().UTC()
	return Deadline{At: der.At, Date: last, Derivation: der}, nil
}

// Restore sets what follows from the rest of a derivation, so a stored
// one may leave it out: the rule, the counted days and, as empty lists, the
// lists left out because they were empty.
func (d *Derivation) Restore() {
	d.Rule = Rule(d.WorkingDays)
	// Deadline counts every date after the acceptance day up to the last day
	// that it does not skip as a weekend or a holiday; both lists are in
	// date order, as Deadline builds them.
	d.Counted = make([]Date, 0, max(d.WorkingDays+d.StopDays, 0))
	w, h := d.Weekends, d.Holidays
	for x := d.AcceptanceDay.AddDays(1); !x.After(d.LastDay); x = x.AddDays(1) {
		for len(w) > 0 && w[0].Before(x) {
			w = w[1:]
		}
		for len(h) > 0 && h[0].Date.Before(x) {
			h = h[1:]
		}
		if (len(w) == 0 || w[0] != x) && (len(h) == 0 || h[0].Date != x) {
			d.Counted = append(d.Counted, x)
		}
	}
	if d.Weekends == nil {
		d.Weekends = []Date{}
	}
	if d.Holidays == nil {
		d.Holidays = []NamedDate{}
	}
	if d.Adjusted == nil {
		d.Adjusted = []NamedDate{}
	}
	if d.Stops == nil {
		d.Stops = []StopExtension{}
	}
}

func offName(name string) string {
	if name == "" {
		return "休息日"
	}
	return name
}

// WorkingDaysBetween returns the working time from from to to, in working
// days of 24 hours (fractions kept), minus the working time covered by the
// stops. It is negative when to is before from. Every date touched must lie
// in a loaded year.
func (c *Calendar) WorkingDaysBetween(ctx context.Context, from, to time.Time, stops []Interval) (float64, error) {
	if to.Before(from) {
		v, err := c.WorkingDaysBetween(ctx, to, from, stops)
		return -v, err
	}
	merged, err := mergeStops(stops, c.clk.Now())
	if err != nil {
		return 0, err
	}
	s, err := c.load(ctx)
	if err != nil {
		return 0, err
	}
	total, err := s.workingDuration(from, to)
	if err != nil {
		return 0, err
	}
	for _, st := range merged {
		a, b := maxTime(st.From, from), minTime(st.To, to)
		if !a.Before(b) {
			continue
		}
		d, err := s.workingDuration(a, b)
		if err != nil {
			return 0, err
		}
		total -= d
	}
	return total.Hours() / 24, nil
}

// RemainingWorking returns the working time left from now until deadline,
// in working days; negative once the deadline has passed (overdue time).
// Stops between now and the deadline are subtracted.
func (c *Calendar) RemainingWorking(ctx context.Context, now, deadline time.Time, stops []Interval) (float64, error) {
	return c.WorkingDaysBetween(ctx, now, deadline, stops)
}

// workingDuration is the part of [from, to) that falls on working dates.
func (s *snapshot) workingDuration(from, to time.Time) (time.Duration, error) {
	var total time.Duration
	for d := DateOf(from); d.Start().Before(to); d = d.AddDays(1) {
		a, b := maxTime(from, d.Start()), minTime(to, d.End())
		if !a.Before(b) {
			continue
		}
		w, _, _, err := s.status(d)
		if err != nil {
			return 0, err
		}
		if w {
			total += b.Sub(a)
		}
	}
	return total, nil
}

type stop struct {
	Interval
	open bool
}

// mergeStops validates the stops, closes open ones at now, sorts them and
// merges overlapping ones so no time is subtracted twice.
func mergeStops(in []Interval, now time.Time) ([]stop, error) {
	out := make([]stop, 0, len(in))
	for i, iv := range in {
		st := stop{Interval: iv}
		switch {
		case iv.From.IsZero():
			return nil, ErrStopInvalid.Withf("第%d个中止缺少开始时间", i+1)
		case iv.To.IsZero():
			st.open, st.To = true, maxTime(now, iv.From)
		case iv.To.Before(iv.From):
			return nil, ErrStopInvalid.Withf("第%d个中止的结束时间早于开始时间", i+1)
		}
		out = append(out, st)
	}
	slices.SortStableFunc(out, func(a, b stop) int { return a.From.Compare(b.From) })
	merged := out[:0]
	for _, st := range out {
		if n := len(merged); n > 0 && !st.From.After(merged[n-1].To) {
			m := &merged[n-1]
			m.To = maxTime(m.To, st.To)
			m.open = m.open || st.open
			if st.Reason != "" && !strings.Contains(m.Reason, st.Reason) {
				m.Reason = strings.TrimPrefix(m.Reason+"、"+st.Reason, "、")
			}
			continue
		}
		merged = append(merged, st)
	}
	return merged, nil
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}
