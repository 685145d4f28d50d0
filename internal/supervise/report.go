package supervise

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"banhao.dev/banhao/internal/platform/auth"
	"banhao.dev/banhao/internal/platform/ids"
)

// OrgReport is one department of the monthly report.
type OrgReport struct {
	Stats
	Items    []Stats `json:"items"`
	Yellow   int     `json:"yellow_cards"`
	Red      int     `json:"red_cards"`
	Findings int     `json:"findings"`
}

// Report is the monthly report (月度通报) of a region.
type Report struct {
	Month  string      `json:"month"`
	Region string      `json:"region"`
	From   string      `json:"from"`
	To     string      `json:"to"`
	Total  Stats       `json:"total"`
	Orgs   []OrgReport `json:"orgs"`
}

// MonthlyReport computes the report of month (YYYY-MM) for p's region.
func (s *Service) MonthlyReport(ctx context.Context, p *auth.Principal, month, region string) (Report, error) {
	region, err := scope(p, region)
	if err != nil {
		return Report{}, err
	}
	return s.monthly(ctx, month, region)
}

func (s *Service) monthly(ctx context.Context, month, region string) (Report, error) {
	f, t, err := monthRange(month)
	if err != nil {
		return Report{}, err
	}
	q := StatsQuery{Region: region, From: f.String(), To: t.String(), GroupBy: "org"}
	byOrg, err := s.stats(ctx, q)
	if err != nil {
		return Report{}, err
	}
	rep := Report{Month: month, Region: region, From: q.From, To: q.To, Total: byOrg.Total}
	cards, err := s.monthCards(ctx, region, f.Start(), t.End())
	if err != nil {
		return rep, err
	}
	for _, g := range byOrg.Groups {
		id, _ := strconv.ParseInt(g.Key, 10, 64)
		iq := q
		iq.OrgID, iq.GroupBy = id, "item"
		items, err := s.stats(ctx, iq)
		if err != nil {
			return rep, err
		}
		c := cards[id]
		rep.Orgs = append(rep.Orgs, OrgReport{Stats: g, Items: items.Groups, Yellow: c[0], Red: c[1], Findings: c[2]})
	}
	return rep, nil
}

// monthCards counts the department cards and findings per organization.
func (s *Service) monthCards(ctx context.Context, region string, from, to any) (map[int64][3]int, error) {
	out := map[int64][3]int{}
	prefix := regionLike(region)
	rows, err := s.db.R.QueryContext(ctx, `SELECT org_id, color, COUNT(*) FROM supervise_cards WHERE scope = 'org'
		AND region_code LIKE $1 AND created_at >= $2 AND created_at < $3 GROUP BY org_id, color`, prefix, from, to)
	if err != nil {
		return nil, fmt.Errorf("report cards: %w", err)
	}
	for rows.Next() {
		var id int64
		var color string
		var n int
		if err := rows.Scan(&id, &color, &n); err != nil {
			rows.Close()
			return nil, err
		}
		c := out[id]
		if color == "red" {
			c[1] += n
		} else {
			c[0] += n
		}
		out[id] = c
	}
	rows.Close()
	rows, err = s.db.R.QueryContext(ctx, `SELECT org_id, COUNT(*) FROM supervise_findings WHERE region_code LIKE $1
		AND created_at >= $2 AND created_at < $3 AND status <> 'dismissed' GROUP BY org_id`, prefix, from, to)
	if err != nil {
		return nil, fmt.Errorf("report findings: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			return nil, err
		}
		c := out[id]
		c[2] = n
		out[id] = c
	}
	return out, rows.Err()
}

// reportColumns are the columns of the summary sheet and the item tables.
var reportColumns = []struct {
	Title string
	Value func(Stats) any
}{
	{"收件数", func(g Stats) any { return g.Received }},
	{"受理数", func(g Stats) any { return g.Accepted }},
	{"不予受理", func(g Stats) any { return g.Refused }},
	{"办结数", func(g Stats) any { return g.Concluded }},
	{"准予许可", func(g Stats) any { return g.Granted }},
	{"不予许可", func(g Stats) any { return g.Denied }},
	{"撤回", func(g Stats) any { return g.Withdrawn }},
	{"办结率", func(g Stats) any { return Pct(g.CompletionRate) }},
	{"承诺时限内办结率", func(g Stats) any { return Pct(g.OnTimeRate) }},
	{"法定时限内办结率", func(g Stats) any { return Pct(g.OnTimeLegalRate) }},
	{"平均用时（工作日）", func(g Stats) any { return g.AvgDays }},
	{"90%用时（工作日）", func(g Stats) any { return g.P90Days }},
	{"平均承诺时限（工作日）", func(g Stats) any { return g.AvgPromisedDays }},
	{"即办件占比", func(g Stats) any { return Pct(g.ImmediateShare) }},
	{"网上申报占比", func(g Stats) any { return Pct(g.OnlineShare) }},
	{"零跑动", func(g Stats) any { return g.Trips0 }},
	{"跑一次", func(g Stats) any { return g.Trips1 }},
	{"跑两次及以上", func(g Stats) any { return g.Trips2Plus }},
	{"最多跑一次率", func(g Stats) any { return Pct(g.MaxOneTripRate) }},
	{"补正率", func(g Stats) any { return Pct(g.CorrectionRate) }},
	{"二次补正数", func(g Stats) any { return g.SecondCorrections }},
	{"容缺受理数", func(g Stats) any { return g.PendingCases }},
	{"容缺材料已补齐", func(g Stats) any { return g.PendingFulfilled }},
	{"评价数", func(g Stats) any { return g.Ratings }},
	{"满意率", func(g Stats) any { return Pct(g.SatisfactionRate) }},
	{"差评数", func(g Stats) any { return g.Bad }},
	{"回访率", func(g Stats) any { return Pct(g.CallbackRate) }},
	{"整改率", func(g Stats) any { return Pct(g.RectificationRate) }},
	{"投诉数", func(g Stats) any { return g.Complaints }},
	{"投诉办结数", func(g Stats) any { return g.ComplaintsClosed }},
}

// SummarySheet is the name of the report's first sheet.
const SummarySheet = "汇总"

// WriteExcel writes the report as an .xlsx workbook: a summary sheet (one
// row per department and a total) and one sheet per department (its figures
// and one row per item).
func (r Report) WriteExcel(w io.Writer) error {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", SummarySheet); err != nil {
		return err
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return err
	}
	title := fmt.Sprintf("%s 政务服务办件情况月度通报（%s 至 %s）", r.Month, r.From, r.To)
	set := func(sheet string, col, row int, v any) {
		cell, _ := excelize.CoordinatesToCellName(col, row)
		_ = f.SetCellValue(sheet, cell, v)
	}
	set(SummarySheet, 1, 1, title)
	header := func(sheet string, row int, first string) {
		set(sheet, 1, row, first)
		for i, c := range reportColumns {
			set(sheet, i+2, row, c.Title)
		}
		a, _ := excelize.CoordinatesToCellName(1, row)
		b, _ := excelize.CoordinatesToCellName(len(reportColumns)+1, row)
		_ = f.SetCellStyle(sheet, a, b, bold)
	}
	line := func(sheet string, row int, name string, g Stats) {
		set(sheet, 1, row, name)
		for i, c := range reportColumns {
			set(sheet, i+2, row, c.Value(g))
		}
	}
	header(SummarySheet, 3, "部门")
	row := 4
	for _, o := range r.Orgs {
		line(SummarySheet, row, o.Label, o.Stats)
		row++
	}
	line(SummarySheet, row, "合计", r.Total)
	used := map[string]bool{SummarySheet: true}
	for _, o := range r.Orgs {
		name := sheetName(o.Label, used)
		if _, err := f.NewSheet(name); err != nil {
			return fmt.Errorf("sheet %s: %w", name, err)
		}
		set(name, 1, 1, o.Label+" "+r.Month)
		set(name, 1, 2, "黄牌")
		set(name, 2, 2, o.Yellow)
		set(name, 3, 2, "红牌")
		set(name, 4, 2, o.Red)
		set(name, 5, 2, "监察发现")
		set(name, 6, 2, o.Findings)
		header(name, 4, "事项")
		rr := 5
		for _, it := range o.Items {
			line(name, rr, it.Label, it)
			rr++
		}
		line(name, rr, "部门合计", o.Stats)
	}
	_, err = f.WriteTo(w)
	return err
}

// sheetName makes a valid, unique sheet name (≤ 31 characters, none of
// []:*?/\) from a department name.
func sheetName(s string, used map[string]bool) string {
	s = strings.Map(func(r rune) rune {
		if strings.ContainsRune(`[]:*?/\`, r) {
			return '_'
		}
		return r
	}, s)
	if s == "" {
		s = "部门"
	}
	base := []rune(s)
	if len(base) > 28 {
		base = base[:28]
	}
	name := string(base)
	for i := 2; used[name]; i++ {
		name = fmt.Sprintf("%s(%d)", string(base), i)
	}
	used[name] = true
	return name
}

// ScoreRow is one department on the public scoreboard (晒成绩单).
type ScoreRow struct {
	Rank             int      `json:"rank"`
	OrgID            int64    `json:"org_id"`
	Name             string   `json:"name"`
	Accepted         int      `json:"accepted"`
	Concluded        int      `json:"concluded"`
	CompletionRate   float64  `json:"completion_rate"`
	OnTimeRate       float64  `json:"on_time_rate"`
	SatisfactionRate *float64 `json:"satisfaction_rate"` // null below MinPublishedRatings
	MaxOneTripRate   float64  `json:"max_one_trip_rate"`
	AvgDays          float64  `json:"avg_working_days"`
	AvgPromisedDays  float64  `json:"avg_promised_days"`
}

// MinPublishedRatings: a satisfaction rate over fewer ratings is not
// published, so that a single rater's verdict cannot be read off the board.
const MinPublishedRatings = 5

// Scoreboard ranks the departments of region for month by 办结率, then
// on-time rate, satisfaction, 最多跑一次 rate and speed against the promised
// limit. Anyone may read it: it holds aggregates only.
func (s *Service) Scoreboard(ctx context.Context, month, region string) ([]ScoreRow, error) {
	if _, err := ids.RegionCodeLevel(region); region != "" && err != nil {
		return nil, ErrRegionInvalid.OnField("region")
	}
	rep, err := s.monthly(ctx, month, region)
	if err != nil {
		return nil, err
	}
	out := []ScoreRow{}
	for _, o := range rep.Orgs {
		if o.Accepted == 0 {
			continue
		}
		id, _ := strconv.ParseInt(o.Key, 10, 64)
		r := ScoreRow{OrgID: id, Name: o.Label, Accepted: o.Accepted, Concluded: o.Concluded, CompletionRate: o.CompletionRate,
			OnTimeRate: o.OnTimeRate, MaxOneTripRate: o.MaxOneTripRate, AvgDays: o.AvgDays, AvgPromisedDays: o.AvgPromisedDays}
		if o.Ratings >= MinPublishedRatings {
			v := o.SatisfactionRate
			r.SatisfactionRate = &v
		}
		out = append(out, r)
	}
	sat := func(r ScoreRow) float64 {
		if r.SatisfactionRate == nil {
			return -1
		}
		return *r.SatisfactionRate
	}
	speed := func(r ScoreRow) float64 { return r.AvgDays - r.AvgPromisedDays }
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		switch {
		case a.CompletionRate != b.CompletionRate:
			return a.CompletionRate > b.CompletionRate
		case a.OnTimeRate != b.OnTimeRate:
			return a.OnTimeRate > b.OnTimeRate
		case sat(a) != sat(b):
			return sat(a) > sat(b)
		case a.MaxOneTripRate != b.MaxOneTripRate:
			return a.MaxOneTripRate > b.MaxOneTripRate
		}
		return speed(a) < speed(b)
	})
	for i := range out {
		out[i].Rank = i + 1
	}
	return out, nil
}
