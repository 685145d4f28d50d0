package reform

import (
	"context"
	"errors"
	"fmt"

	"banhao.dev/banhao/internal/platform/calendar"
)

// Calendar is the working-day calendar the lights need
// (*calendar.Calendar satisfies it).
type Calendar interface {
	IsWorking(ctx context.Context, d calendar.Date) (working bool, name string, err error)
}

// Light thresholds (spec 50 "lights like cases"): a task turns yellow when
// at most YellowDays working days are left or less than YellowShare of its
// span remains, and red the day after its deadline.
const (
	YellowDays  = 5
	YellowShare = 0.2
)

// working reports whether d is a working day. A deadline may lie in a year
// whose State Council schedule is not published yet; weekdays count then,
// which is what the schedule will say for all but a handful of days.
func working(ctx context.Context, cal Calendar, d calendar.Date) (bool, error) {
	w, _, err := cal.IsWorking(ctx, d)
	if errors.Is(err, calendar.ErrYearMissing) {
		return !d.IsWeekend(), nil
	}
	return w, err
}

// workingDays counts the working days from..to, both included.
func workingDays(ctx context.Context, cal Calendar, from, to calendar.Date) (int, error) {
	n := 0
	for d := from; !d.After(to); d = d.AddDays(1) {
		w, err := working(ctx, cal, d)
		if err != nil {
			return 0, fmt.Errorf("working days %s..%s: %w", from, to, err)
		}
		if w {
			n++
		}
	}
	return n, nil
}

// lightOf returns the light of an open task on today and the working days
// left (today included when it is a working day, the deadline day included).
// The span is counted from the start date, so a task with a long runway
// turns yellow earlier than five days before its deadline.
func lightOf(ctx context.Context, cal Calendar, start, deadline, today calendar.Date) (Light, int, error) {
	if today.After(deadline) {
		return Red, 0, nil
	}
	left, err := workingDays(ctx, cal, today, deadline)
	if err != nil {
		return NoLight, 0, err
	}
	from := start
	if today.Before(from) {
		from = today
	}
	span, err := workingDays(ctx, cal, from, deadline)
	if err != nil {
		return NoLight, 0, err
	}
	if left <= YellowDays || float64(left) < YellowShare*float64(span) {
		return Yellow, left, nil
	}
	return Green, left, nil
}

// decorate sets the effective status and the light of t on today.
func decorate(ctx context.Context, cal Calendar, t *Task, today calendar.Date) error {
	t.Status = t.stored
	t.Light = NoLight
	t.DaysLeft = 0
	if t.stored == Done {
		return nil
	}
	if today.After(t.Deadline) {
		t.Status = Overdue
	}
	l, left, err := lightOf(ctx, cal, t.StartDate, t.Deadline, today)
	if err != nil {
		return err
	}
	t.Light, t.DaysLeft = l, left
	return nil
}
