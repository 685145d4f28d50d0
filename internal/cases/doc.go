// Package cases is the case lifecycle (办件): one application of one item
// version by one applicant, from submission to delivery, under the
// Administrative License Law (行政许可法).
//
// # States
//
//	draft → submitted → accepted (in process, one template step after another)
//	      → decided (grant / deny) → concluded → delivered
//
// Side states: correction (waiting for the applicant after the one-time
// correction notice), refused (不予受理, terminal), withdrawn (terminal),
// clock_stopped (特别程序, art. 45, inside processing). An extension (art. 42)
// is a flag on an accepted case, not a state. Every action is checked against
// the table in machine.go; an action out of order is ErrIllegalTransition with
// Extra["allowed"] listing the actions the current state allows.
//
// # Rules enforced here
//
//   - One correction notice per case (art. 32 一次告知); a second one only
//     names materials changed in the resubmission, or is a supervisor
//     override with a written reason, and is flagged second_correction.
//   - An online submission not pre-reviewed within the item's pre-review
//     limit (default 5 working days, art. 32) is accepted by AutoAcceptDue,
//     counted from the day the materials were received.
//   - 容缺: only materials flagged pending_allowed in the item version; no
//     conclusion while anything is pending; reminders before the deadline.
//   - 告知承诺: a commitment replaces a proof where the version allows it, and
//     acceptance opens a verification task for the responsible department.
//   - Deadlines (promised and legal) are computed on acceptance with the
//     working-day calendar (art. 82) and move with clock stops (art. 45) and
//     the one extension (art. 42). Each carries its derivation.
//
// # Case numbers
//
// A case number is RRRRRR-YYYYMMDD-NNNNNN-C: the six-digit region code of the
// item (GB/T 2260, county level), the Beijing date the application was
// received, a serial per region and day (case_serials, incremented by an
// atomic upsert, so concurrent submissions on either engine never share a
// serial) and a check character computed with ISO 7064 MOD 11-2 over the 20
// digits — the algorithm of the citizen ID (GB 11643): weights 2^(i-1) mod 11
// for position i counted from the right with the check character at i = 1,
// check = (12 − Σ mod 11) mod 11, written 0–9 or X. It catches every single
// wrong digit and every swap of two adjacent digits.
//
// # Lights
//
// A case (by its promised deadline) and its current step are green, yellow
// (remaining working time at most YellowDays or less than YellowShare of the
// limit) or red (overdue). The instants at which they turn yellow and red are
// computed with the calendar whenever the deadlines change, and the earliest
// future one is stored in next_light_change_at (indexed). RefreshLights reads
// only the cases whose next change has come, so a supervision tick costs in
// proportion to the cases that change light. While the clock is stopped the
// case light is frozen (the stopped time does not count).
package cases
