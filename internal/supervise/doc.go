// Package supervise is e-supervision (电子监察) and statistics: warnings and
// yellow/red cards when case lights change, findings (监察发现) worked like
// tickets, statistics per region, hall, department, window, staff member and
// item for any period, the monthly report (Excel and printable) and the
// public scoreboard (晒成绩单).
//
// # Inputs
//
// Supervision consumes the cases outbox: "case.light" messages (written by
// cases.RefreshLights, whose cost grows with the cases that change light,
// not with all open cases) become warnings and cards; "case.event" messages
// (every case transition) are checked against the supervision rules. Both
// handlers are idempotent, because outbox delivery is at least once.
//
// # Rules
//
//   - A step (or a case, by its promised deadline) turning yellow warns the
//     people who hold it; turning red warns the department head (approvers
//     of the organization) and the supervisors of the region. Each warning
//     is a yellow or red card kept per department and per person.
//   - Findings: a refusal (不予受理, 《行政许可法》第三十二条) or a denial
//     (第三十八条) whose reasons are missing or mere boilerplate; a second
//     correction notice (二次补正, 第三十二条 一次告知); 体外循环 — an
//     acceptance time earlier than the case's entry into the system by more
//     than the configured margin; a decision after the legal limit (第四十二条);
//     a fee not in the item's fee list (第五十八条: fees only as laws and
//     administrative regulations provide).
//   - A supervisor works a finding: confirm, dismiss with a reason, or send
//     for rectification with a deadline. Everything is in the audit trail.
//
// # Statistics
//
// A case belongs to the period in which it was received (submitted_at,
// Beijing date); each counter counts the cases of the period that reached
// that point. 办结率 = concluded / accepted. Working days taken are counted
// with the calendar from acceptance to conclusion, clock stops excluded.
// Ratings and complaints come through the RatingStats interface (the ratings
// package), and are published only in aggregate.
package supervise
