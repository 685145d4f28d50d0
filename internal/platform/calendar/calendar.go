package calendar

import (
	"context"
	"fmt"
	"sync"
	"time"

	"banhao.dev/banhao/internal/platform/clock"
	"banhao.dev/banhao/internal/platform/db"
	"banhao.dev/banhao/internal/platform/errs"
)

// ErrYearMissing is returned when an operation touches a date of a year whose
// schedule is not loaded. Compare with errors.Is; the returned copy names the
// year in its message and carries Extra["year"].
var ErrYearMissing = errs.E(errs.FailedPrecondition, "calendar_year_missing", "工作日历缺少该年份的节假日安排")

// ErrNegativeDays is returned for a negative number of working days.
var ErrNegativeDays = errs.E(errs.Invalid, "calendar_negative_days", "工作日天数不能为负数")

func yearMissing(year int) error {
	e := ErrYearMissing.With("year", year)
	e.Message = fmt.Sprintf("尚未载入%d年的工作日历（国务院节假日安排），无法按工作日计算；请管理员在“工作日历”中导入%d年的安排", year, year)
	return e
}

// recheckEvery bounds how stale a node's cache can be after another node's edit.
const recheckEvery = time.Second

// versionKey is the settings row bumped by every calendar change.
const versionKey = "calendar_version"

// Calendar answers working-day questions from an in-memory copy of the
// national schedule (empty region_code), safe for concurrent use.
type Calendar struct {
	db  *db.DB
	clk clock.Clock

	mu      sync.Mutex
	snap    *snapshot
	checked time.Time // clock time of the last version check
}

// snapshot is an immutable copy of the calendar tables.
type snapshot struct {
	version string
	days    map[Date]Day
	years   map[int]Year
}

// Year is a year whose schedule is loaded.
type Year struct {
	Year     int       `json:"year"`
	Source   string    `json:"source"`
	LoadedAt time.Time `json:"loaded_at"`
}

// New returns a Calendar reading d; clk drives the cache re-check and open
// clock stops.
func New(d *db.DB, clk clock.Clock) *Calendar {
	return &Calendar{db: d, clk: clk}
}

// load returns a current snapshot, re-reading the version row at most once
// per recheckEvery of the clock (or whenever the clock moved backwards).
func (c *Calendar) load(ctx context.Context) (*snapshot, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.clk.Now()
	if c.snap != nil {
		if since := now.Sub(c.checked); since >= 0 && since < recheckEvery {
			return c.snap, nil
		}
		v, err := readVersion(ctx, c.db.R)
		if err != nil {
			return nil, fmt.Errorf("calendar: %w", err)
		}
		if v == c.snap.version {
			c.checked = now
			return c.snap, nil
		}
	}
	s, err := readSnapshot(ctx, c.db.R)
	if err != nil {
		return nil, fmt.Errorf("calendar: %w", err)
	}
	c.snap, c.checked = s, now
	return s, nil
}

// invalidate makes the next call reload (after a local write).
func (c *Calendar) invalidate() {
	c.mu.Lock()
	c.snap = nil
	c.mu.Unlock()
}

// status classifies d: working or not, and the name of its exception row.
func (s *snapshot) status(d Date) (working bool, day Day, ok bool, err error) {
	if _, loaded := s.years[d.Year]; !loaded {
		return false, Day{}, false, yearMissing(d.Year)
	}
	if day, ok := s.days[d]; ok {
		return day.Kind == KindWork, day, true, nil
	}
	return !d.IsWeekend(), Day{}, false, nil
}

// addWorking returns the n-th working day after from (from not counted);
// from itself when n is 0.
func (s *snapshot) addWorking(from Date, n int) (Date, error) {
	if n < 0 {
		return Date{}, ErrNegativeDays
	}
	d := from
	for n > 0 {
		d = d.AddDays(1)
		w, _, _, err := s.status(d)
		if err != nil {
			return Date{}, err
		}
		if w {
			n--
		}
	}
	return d, nil
}

// IsWorking reports whether d is a working day. name is the holiday name of
// a day off or the name of an adjusted working day ("春节调休上班"), and ""
// for an ordinary weekday or weekend (callers say 周末 themselves).
func (c *Calendar) IsWorking(ctx context.Context, d Date) (working bool, name string, err error) {
	s, err := c.load(ctx)
	if err != nil {
		return false, "", err
	}
	w, day, _, err := s.status(d)
	return w, day.Name, err
}

// AddWorkingDays returns the n-th working day after from; from itself is not
// counted, whether or not it is a working day. n = 0 returns from unchanged
// (a same-day limit ends on the day itself). n < 0 is ErrNegativeDays.
func (c *Calendar) AddWorkingDays(ctx context.Context, from Date, n int) (Date, error) {
	s, err := c.load(ctx)
	if err != nil {
		return Date{}, err
	}
	return s.addWorking(from, n)
}

// NextWorkingDay returns the first working day after d (d not included).
func (c *Calendar) NextWorkingDay(ctx context.Context, d Date) (Date, error) {
	return c.AddWorkingDays(ctx, d, 1)
}

// MissingNextYear reports whether, from 1 December on (Beijing time), next
// year's schedule is still missing — the dashboard warns the admin then.
func (c *Calendar) MissingNextYear(ctx context.Context, now time.Time) (bool, error) {
	today := DateOf(now)
	if today.Month != time.December {
		return false, nil
	}
	s, err := c.load(ctx)
	if err != nil {
		return false, err
	}
	_, ok := s.years[today.Year+1]
	return !ok, nil
}
