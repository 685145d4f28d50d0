package calendar

import (
	"fmt"
	"time"

	"banhao.dev/banhao/internal/platform/clock"
	"banhao.dev/banhao/internal/platform/errs"
)

// Date is a civil date in Asia/Shanghai, without time or zone. The zero
// value is not a valid date. Dates compare with Compare/Before/After and
// print and marshal as "YYYY-MM-DD".
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// ErrDateInvalid is returned by ParseDate for malformed input.
var ErrDateInvalid = errs.E(errs.Invalid, "date_invalid", "日期格式不正确，应为YYYY-MM-DD，如2026-01-01")

// D builds a date; out-of-range parts are normalized like time.Date does.
func D(year int, month time.Month, day int) Date {
	return dateOfUTC(time.Date(year, month, day, 0, 0, 0, 0, time.UTC))
}

// DateOf returns the Beijing-time date of the instant t.
func DateOf(t time.Time) Date {
	y, m, d := t.In(clock.Shanghai).Date()
	return Date{y, m, d}
}

func dateOfUTC(t time.Time) Date {
	y, m, d := t.Date()
	return Date{y, m, d}
}

// ParseDate parses exactly "YYYY-MM-DD" (as time.Parse with
// time.DateOnly would, without its cost: stored deadlines hold dozens of
// dates that every read of a case parses).
func ParseDate(s string) (Date, error) {
	if len(s) == 10 && s[4] == '-' && s[7] == '-' {
		y, m, d := digits(s[0:4]), digits(s[5:7]), digits(s[8:10])
		if y >= 0 && m >= 1 && m <= 12 && d >= 1 && d <= daysIn(time.Month(m), y) {
			return Date{y, time.Month(m), d}, nil
		}
	}
	return Date{}, ErrDateInvalid.Withf("“%s”", clip(s, 40))
}

// digits is the value of a string of ASCII digits, -1 if it is not one.
func digits(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return -1
		}
		n = n*10 + int(s[i]-'0')
	}
	return n
}

// daysIn is the number of days of month m of year y.
func daysIn(m time.Month, y int) int {
	return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

func (d Date) String() string { return string(d.appendText(make([]byte, 0, 10))) }

// appendText appends "YYYY-MM-DD" without fmt: derivations print and
// marshal dozens of dates for every case read and written.
func (d Date) appendText(b []byte) []byte {
	if d.Year < 0 || d.Year > 9999 || d.Month < 0 || d.Month > 99 || d.Day < 0 || d.Day > 99 {
		return fmt.Appendf(b, "%04d-%02d-%02d", d.Year, int(d.Month), d.Day)
	}
	y, m := d.Year, int(d.Month)
	return append(b, byte('0'+y/1000), byte('0'+y/100%10), byte('0'+y/10%10), byte('0'+y%10), '-',
		byte('0'+m/10), byte('0'+m%10), '-', byte('0'+d.Day/10), byte('0'+d.Day%10))
}

// IsZero reports whether d is the zero Date.
func (d Date) IsZero() bool { return d == Date{} }

// Start is the instant 00:00 Beijing time of d.
func (d Date) Start() time.Time {
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, clock.Shanghai)
}

// End is 24:00 Beijing time of d, i.e. the start of the next day: the
// instant a deadline falling on d expires.
func (d Date) End() time.Time { return d.AddDays(1).Start() }

// AddDays returns the date n calendar days later (earlier when n < 0).
func (d Date) AddDays(n int) Date {
	return dateOfUTC(time.Date(d.Year, d.Month, d.Day+n, 0, 0, 0, 0, time.UTC))
}

// Weekday is the day of the week of d.
func (d Date) Weekday() time.Weekday {
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC).Weekday()
}

// IsWeekend reports whether d is a Saturday or Sunday.
func (d Date) IsWeekend() bool {
	w := d.Weekday()
	return w == time.Saturday || w == time.Sunday
}

// Compare returns -1, 0 or +1 as d is before, equal to or after e.
func (d Date) Compare(e Date) int {
	switch {
	case d.Year != e.Year:
		return cmp(d.Year, e.Year)
	case d.Month != e.Month:
		return cmp(int(d.Month), int(e.Month))
	default:
		return cmp(d.Day, e.Day)
	}
}

func cmp(a, b int) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// Before reports whether d is before e.
func (d Date) Before(e Date) bool { return d.Compare(e) < 0 }

// After reports whether d is after e.
func (d Date) After(e Date) bool { return d.Compare(e) > 0 }

// MarshalText writes "YYYY-MM-DD".
func (d Date) MarshalText() ([]byte, error) { return d.appendText(make([]byte, 0, 10)), nil }

// UnmarshalText reads "YYYY-MM-DD".
func (d *Date) UnmarshalText(b []byte) error {
	v, err := ParseDate(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

var weekdayNames = [...]string{"周日", "周一", "周二", "周三", "周四", "周五", "周六"}

// WeekdayName is the Chinese short name of d's weekday ("周一"…"周日").
func (d Date) WeekdayName() string { return weekdayNames[d.Weekday()] }

func clip(s string, n int) string {
	r := []rune(s)
	if len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}
