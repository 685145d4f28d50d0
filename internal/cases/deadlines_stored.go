package cases

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"banhao.dev/banhao/internal/platform/calendar"
)

// Deadlines are stored without what the calendar regenerates: the Chinese
// derivation lines (calendar.Derivation.Steps) and, in the detail, the rule
// text and the counted days (Derivation.Restore) were ≈ 4 KB of a 5.2 KB
// body that every action decoded, encoded and wrote again. Users and the
// API still see the whole Deadline: decodeBody regenerates it. Bodies
// written before keep their lines and detail and are read as they are.

// storedDeadlines is Deadlines as stored: the four deadlines shadow the
// embedded ones; the rest (pre_review, delivery_yellow_at) is stored as is.
type storedDeadlines struct {
	*Deadlines
	Promised *storedDeadline `json:"promised"`
	Legal    *storedDeadline `json:"legal"`
	Step     *storedDeadline `json:"step,omitempty"`
	Delivery *storedDeadline `json:"delivery,omitempty"`
}

// storedDeadline is a Deadline as stored: either Calc, from which the lines
// and the detail are regenerated, or (calendar-day limits, bodies written
// before, anything Steps does not regenerate) the lines and the detail as
// they are.
type storedDeadline struct {
	Date       string          `json:"date"`
	At         time.Time       `json:"at"`
	Days       int             `json:"days"`
	Unit       string          `json:"unit"`
	Derivation []string        `json:"derivation,omitzero"`
	Detail     json.RawMessage `json:"detail,omitzero"`
	Calc       *storedCalc     `json:"calc,omitempty"`
	// The lines added around the calendar's (deadlines.go): the extension
	// line of art. 42 (its days) and the decision lines of art. 44.
	Art42 int  `json:"art42,omitempty"`
	Art44 bool `json:"art44,omitempty"`
}

// storedCalc is a calendar.Derivation without what Restore gives back: the
// rule, the counted days and the empty lists.
type storedCalc struct {
	Start         time.Time                `json:"start"`
	AcceptanceDay calendar.Date            `json:"acceptance_day"`
	WorkingDays   int                      `json:"working_days"`
	StopDays      int                      `json:"stop_days,omitempty"`
	Weekends      []calendar.Date          `json:"skipped_weekends,omitempty"`
	Holidays      []calendar.NamedDate     `json:"skipped_holidays,omitempty"`
	Adjusted      []calendar.NamedDate     `json:"adjusted_working_days,omitempty"`
	Stops         []calendar.StopExtension `json:"stops,omitempty"`
	LastDay       calendar.Date            `json:"last_day"`
	At            time.Time                `json:"at"`
}

// storeDeadlines is ds as stored; ext is the case's extension (art. 42).
func storeDeadlines(ds *Deadlines, ext int) storedDeadlines {
	return storedDeadlines{Deadlines: ds, Promised: storeDeadline(ds.Promised, ext), Legal: storeDeadline(ds.Legal, ext),
		Step: storeDeadline(ds.Step, ext), Delivery: storeDeadline(ds.Delivery, ext)}
}

// restore sets the embedded Deadlines' four deadlines from the stored ones.
func (sd storedDeadlines) restore() error {
	var err error
	for _, p := range []struct {
		to   **Deadline
		from *storedDeadline
	}{{&sd.Deadlines.Promised, sd.Promised}, {&sd.Deadlines.Legal, sd.Legal}, {&sd.Deadlines.Step, sd.Step}, {&sd.Deadlines.Delivery, sd.Delivery}} {
		if *p.to, err = p.from.deadline(); err != nil {
			return err
		}
	}
	return nil
}

// deadlineCalc is the calendar's derivation of a deadline with its lines
// (Steps) and its JSON (Deadline.Detail).
type deadlineCalc struct {
	der    calendar.Derivation
	steps  []string
	detail json.RawMessage
}

// parseCalc reads a deadline's detail; nil when the detail is not what
// Restore regenerates (e.g. a rule text of another version) or not a
// derivation at all: such a deadline is stored as it is.
func parseCalc(detail json.RawMessage) *deadlineCalc {
	var der calendar.Derivation
	if err := json.Unmarshal(detail, &der); err != nil || der.WorkingDays < 0 || der.StopDays < 0 {
		return nil
	}
	full := der
	full.Restore()
	if der.Rule != full.Rule || !slices.Equal(der.Counted, full.Counted) {
		return nil
	}
	return &deadlineCalc{der: der, steps: der.Steps(), detail: detail}
}

// storeDeadline stores d compactly when its lines and detail are exactly
// what the calendar regenerates, and as it is otherwise.
func storeDeadline(d *Deadline, ext int) *storedDeadline {
	if d == nil {
		return nil
	}
	sd := &storedDeadline{Date: d.Date, At: d.At, Days: d.Days, Unit: d.Unit, Derivation: d.Derivation, Detail: d.Detail}
	if len(d.Detail) == 0 {
		return sd // calendar days: a few lines, no detail
	}
	calc := d.calc
	if calc == nil || !bytes.Equal(calc.detail, d.Detail) {
		if calc = parseCalc(d.Detail); calc == nil {
			return sd
		}
	}
	for _, m := range []storedDeadline{{}, {Art42: ext}, {Art44: true}} {
		if slices.Equal(m.lines(calc.steps, calc.der.Start), d.Derivation) {
			der := calc.der
			sd.Derivation, sd.Detail, sd.Art42, sd.Art44 = nil, nil, m.Art42, m.Art44
			sd.Calc = &storedCalc{Start: der.Start, AcceptanceDay: der.AcceptanceDay, WorkingDays: der.WorkingDays,
				StopDays: der.StopDays, Weekends: der.Weekends, Holidays: der.Holidays, Adjusted: der.Adjusted,
				Stops: der.Stops, LastDay: der.LastDay, At: der.At}
			return sd
		}
	}
	return sd
}

// lines are the derivation lines of a deadline whose calendar lines are
// steps and whose calculation starts at start (a new slice: callers may
// change it).
func (sd storedDeadline) lines(steps []string, start time.Time) []string {
	out := slices.Clone(steps)
	if sd.Art44 {
		out = deliveryLines(out, start)
	}
	if sd.Art42 > 0 {
		out = append(out, extensionLine(sd.Art42))
	}
	return out
}

// deadline is the Deadline sd stores.
func (sd *storedDeadline) deadline() (*Deadline, error) {
	if sd == nil {
		return nil, nil
	}
	d := &Deadline{Date: sd.Date, At: sd.At, Days: sd.Days, Unit: sd.Unit, Derivation: sd.Derivation, Detail: sd.Detail}
	if sd.Calc == nil {
		return d, nil
	}
	c := sd.Calc
	der := calendar.Derivation{Start: c.Start, AcceptanceDay: c.AcceptanceDay, WorkingDays: c.WorkingDays,
		StopDays: c.StopDays, Weekends: c.Weekends, Holidays: c.Holidays, Adjusted: c.Adjusted,
		Stops: c.Stops, LastDay: c.LastDay, At: c.At}
	der.Restore()
	detail, err := der.AppendJSON(make([]byte, 0, 1024))
	if err != nil {
		return nil, fmt.Errorf("encode deadline detail: %w", err)
	}
	d.calc = &deadlineCalc{der: der, steps: der.Steps(), detail: detail}
	d.Detail, d.Derivation = detail, sd.lines(d.calc.steps, der.Start)
	return d, nil
}
