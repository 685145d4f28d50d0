package reform

import (
	"context"
	"fmt"
	"slices"

	"banhao.dev/banhao/internal/platform/auth"
	"banhao.dev/banhao/internal/platform/calendar"
)

// ReportRow counts the tasks due in a month for one lead unit (or all).
type ReportRow struct {
	Unit       Unit `json:"lead_unit"`
	Due        int  `json:"due"`
	DoneOnTime int  `json:"done_on_time"`
	DoneLate   int  `json:"done_late"`
	Overdue    int  `json:"overdue"`     // not done, deadline passed
	InProgress int  `json:"in_progress"` // not done, deadline not passed yet (includes not started)
	// CompletionRate is done (on time or late) / due; OnTimeRate is done on
	// time / due. Both are 0 when nothing is due.
	CompletionRate float64 `json:"completion_rate"`
	OnTimeRate     float64 `json:"on_time_rate"`
}

func (r *ReportRow) add(t *Task) {
	r.Due++
	switch {
	case t.stored == Done && t.OnTime():
		r.DoneOnTime++
	case t.stored == Done:
		r.DoneLate++
	case t.Status == Overdue:
		r.Overdue++
	default:
		r.InProgress++
	}
}

func (r *ReportRow) rates() {
	if r.Due == 0 {
		return
	}
	r.CompletionRate = float64(r.DoneOnTime+r.DoneLate) / float64(r.Due)
	r.OnTimeRate = float64(r.DoneOnTime) / float64(r.Due)
}

// MonthlyReport is the completion report of the tasks due in a month, as of
// a day (the report of a past month is final once its tasks are done).
type MonthlyReport struct {
	Month      string        `json:"month"`
	RegionCode string        `json:"region_code"`
	AsOf       calendar.Date `json:"as_of"`
	Rows       []ReportRow   `json:"rows"` // per lead unit, in organization order
	Total      ReportRow     `json:"total"`
	Tasks      []Task        `json:"tasks"`
}

// MonthlyReport reports the tasks of p's region due in month ("YYYY-MM"; ""
// for the current month). Supervisors only.
func (s *Service) MonthlyReport(ctx context.Context, p *auth.Principal, month string) (MonthlyReport, error) {
	if err := requireSupervisor(p); err != nil {
		return MonthlyReport{}, err
	}
	today := calendar.DateOf(s.now())
	if month == "" {
		month = MonthOf(today)
	}
	if _, err := ParseMonth(month); err != nil {
		return MonthlyReport{}, err
	}
	ts, err := listTasks(ctx, s.db.R, Filter{Month: month})
	if err != nil {
		return MonthlyReport{}, err
	}
	rep := MonthlyReport{Month: month, RegionCode: p.RegionCode, AsOf: today, Tasks: []Task{}, Rows: []ReportRow{}}
	byLead := map[int64]*ReportRow{}
	for _, t := range ts {
		if !IsSupervisor(p, t.RegionCode) {
			continue
		}
		if err := decorate(ctx, s.cal, &t, today); err != nil {
			return MonthlyReport{}, fmt.Errorf("monthly report %s: %w", month, err)
		}
		row, ok := byLead[t.Lead.ID]
		if !ok {
			row = &ReportRow{Unit: t.Lead}
			byLead[t.Lead.ID] = row
		}
		row.add(&t)
		rep.Total.add(&t)
		rep.Tasks = append(rep.Tasks, t)
	}
	for _, r := range byLead {
		r.rates()
		rep.Rows = append(rep.Rows, *r)
	}
	slices.SortFunc(rep.Rows, func(a, b ReportRow) int { return int(a.Unit.ID - b.Unit.ID) })
	rep.Total.Unit = Unit{Name: "合计"}
	rep.Total.rates()
	return rep, nil
}
