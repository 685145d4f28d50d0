// Package calendar is banhao's working-day calendar: which dates are working
// days, how many working days lie between two instants, and when a deadline
// of "N working days" falls.
//
// # Working days
//
// Administrative License Law art. 82 counts limits in working days, statutory
// holidays excluded. A date is a working day when it is Monday–Friday and not
// declared a day off, or when it is a weekend day declared an adjusted
// working day (调休上班). The exceptions are data, one row per date in
// calendar_days, loaded per year from the State Council notice
// (国务院办公厅关于某年部分节假日安排的通知). A year is usable only once it is
// marked loaded in calendar_years; touching any date of another year returns
// ErrYearMissing (failed_precondition, "calendar_year_missing") — the
// calendar never guesses. Schedules for 2024–2026 are shipped (SeedOfficial);
// later years are imported by an admin (Import, file format in schedule.go).
//
// Dates are civil dates in Asia/Shanghai (type Date); a working day lasts
// from 00:00 to 24:00 Beijing time.
//
// # The deadline rule
//
// A limit of N working days from acceptance ends at 24:00 Beijing time (that
// is, 00:00 of the next calendar day) of the N-th working day after the
// acceptance day. The acceptance day itself never counts, whatever the hour
// of acceptance and whether or not it is a working day. N = 0 (即办件) ends at
// 24:00 of the acceptance day. Weekends and holidays are skipped; adjusted
// working days count.
//
// Clock stops (中止: 补正 correction, hearing, inspection, expert review… —
// Administrative License Law art. 45 excludes their time from the limit) are
// merged where they overlap, clipped so that nothing before the end of the
// acceptance day counts, and processed in time order. Each stop that begins
// before the deadline as extended so far adds the working time it covers
// (the part of its interval that falls on working dates), rounded UP to whole
// working days; the deadline moves that many working days later and still
// ends at 24:00. A stop that begins after the deadline has passed adds
// nothing. A stop that has not ended (To is zero) is taken to last until now,
// so the deadline shown is the one that holds if the clock restarts now.
// Rounding up keeps every deadline at the close of a working day and never
// shortens the time the office is given back.
//
// Elapsed and remaining time (WorkingDaysBetween, RemainingWorking) are exact:
// the working time between two instants, in days of 24 hours of working
// dates, minus the working time covered by stops.
//
// # Cache
//
// A Calendar keeps every day and year in memory. Every change bumps the
// settings row 'calendar_version' in the same transaction; a Calendar
// re-reads that row at most once per second of its clock and reloads when it
// changed, so every node sees an admin's edit within about a second.
package calendar
