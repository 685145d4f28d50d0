package supervise

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"banhao.dev/banhao/internal/cases"
	"banhao.dev/banhao/internal/platform/auth"
	"banhao.dev/banhao/internal/platform/calendar"
	"banhao.dev/banhao/internal/platform/clock"
	"banhao.dev/banhao/internal/platform/ids"
)

// Group-by dimensions of the statistics.
var GroupBys = []string{"region", "hall", "org", "window", "staff", "item", "day", "month", "year"}

// StatsQuery selects the cases counted: received in [From, To] (Beijing
// dates, inclusive) in Region, optionally of one organization, window or item.
type StatsQuery struct {
	Region   string `json:"region,omitempty"`
	OrgID    int64  `json:"org,omitempty"`
	WindowID int64  `json:"window,omitempty"`
	Item     string `json:"item,omitempty"`
	From     string `json:"from"`
	To       string `json:"to"`
	GroupBy  string `json:"group_by,omitempty"`
}

// Stats are the counters and rates of one group (rates are fractions 0–1;
// a rate with a zero denominator is 0).
type Stats struct {
	Key               string  `json:"key"`
	Label             string  `json:"label"`
	Received          int     `json:"received"`
	Accepted          int     `json:"accepted"`
	Refused           int     `json:"refused"`
	Concluded         int     `json:"concluded"`
	Granted           int     `json:"granted"`
	Denied            int     `json:"denied"`
	Withdrawn         int     `json:"withdrawn"`
	CompletionRate    float64 `json:"completion_rate"` // 办结率 = concluded / accepted
	OnTimePromised    int     `json:"on_time_promised"`
	OnTimeLegal       int     `json:"on_time_legal"`
	OnTimeRate        float64 `json:"on_time_rate"`       // concluded within the promised limit / concluded
	OnTimeLegalRate   float64 `json:"on_time_legal_rate"` // within the legal limit / concluded
	AvgDays           float64 `json:"avg_working_days"`
	P90Days           float64 `json:"p90_working_days"`
	AvgPromisedDays   float64 `json:"avg_promised_days"`
	AvgLegalDays      float64 `json:"avg_legal_days"`
	Immediate         int     `json:"immediate"`
	ImmediateShare    float64 `json:"immediate_share"` // 即办件
	Online            int     `json:"online"`
	OnlineShare       float64 `json:"online_share"`
	Trips0            int     `json:"trips_0"`
	Trips1            int     `json:"trips_1"`
	Trips2Plus        int     `json:"trips_2_plus"`
	MaxOneTripRate    float64 `json:"max_one_trip_rate"` // 最多跑一次
	Corrected         int     `json:"corrected"`
	CorrectionRate    float64 `json:"correction_rate"`
	SecondCorrections int     `json:"second_corrections"`
	PendingCases      int     `json:"pending_cases"`     // 容缺受理
	PendingFulfilled  int     `json:"pending_fulfilled"` // all pending materials arrived
	RatingCount
	SatisfactionRate  float64 `json:"satisfaction_rate"` // ratings ≥ 3 / ratings
	CallbackRate      float64 `json:"callback_rate"`
	RectificationRate float64 `json:"rectification_rate"`
	ComplaintClosed   float64 `json:"complaint_closed_rate"`

	days []float64
	prom []float64
	legl []float64
}

// StatsResult is the answer of GET /api/v1/stats/cases.
type StatsResult struct {
	From    string  `json:"from"`
	To      string  `json:"to"`
	Region  string  `json:"region"`
	GroupBy string  `json:"group_by,omitempty"`
	Total   Stats   `json:"total"`
	Groups  []Stats `json:"groups"`
}

// period parses the inclusive Beijing dates; empty From is the first day
// of To's month, empty To is today.
func period(from, to string, now time.Time) (calendar.Date, calendar.Date, error) {
	t := calendar.DateOf(now)
	if to != "" {
		var err error
		if t, err = calendar.ParseDate(to); err != nil {
			return t, t, ErrPeriod.OnField("to")
		}
	}
	f := calendar.D(t.Year, t.Month, 1)
	if from != "" {
		var err error
		if f, err = calendar.ParseDate(from); err != nil {
			return f, t, ErrPeriod.OnField("from")
		}
	}
	if t.Before(f) {
		return f, t, ErrPeriod.OnField("from")
	}
	return f, t, nil
}

// CaseStats computes the statistics of q for p (supervisors and admins,
// within their region).
func (s *Service) CaseStats(ctx context.Context, p *auth.Principal, q StatsQuery) (StatsResult, error) {
	region, err := scope(p, q.Region)
	if err != nil {
		return StatsResult{}, err
	}
	q.Region = region
	return s.stats(ctx, q)
}

// stats computes without authorization (the scoreboard publishes aggregates).
func (s *Service) stats(ctx context.Context, q StatsQuery) (StatsResult, error) {
	return s.statsOf(ctx, q, s.caseRows)
}

// caseReader calls each for every case of q received in [from, to), one
// row at a time: a month of a province is too many cases to hold at once.
type caseReader func(ctx context.Context, q StatsQuery, from, to time.Time, each func(*statRow) error) error

// statsOf computes the statistics of the cases read reads (a parameter so
// tests can compare against the former reading of whole case bodies).
func (s *Service) statsOf(ctx context.Context, q StatsQuery, read caseReader) (StatsResult, error) {
	if q.GroupBy != "" && !contains(GroupBys, q.GroupBy) {
		return StatsResult{}, ErrGroupBy.OnField("group_by")
	}
	from, to, err := period(q.From, q.To, s.now())
	if err != nil {
		return StatsResult{}, err
	}
	res := StatsResult{From: from.String(), To: to.String(), Region: q.Region, GroupBy: q.GroupBy, Groups: []Stats{}}
	groups := map[string]*Stats{}
	total := &Stats{Key: "total", Label: "合计"}
	byCase := map[string]string{}
	var timed []timedCase
	err = read(ctx, q, from.Start(), to.End(), func(r *statRow) error {
		key := r.key(q.GroupBy)
		byCase[r.no] = key
		g := groups[key]
		if g == nil {
			g = &Stats{Key: key}
			if q.GroupBy == "item" {
				g.Label = r.itemName
			}
			groups[key] = g
		}
		g.add(r)
		total.add(r)
		if r.concluded != nil && r.accepted != nil && s.cal != nil {
			timed = append(timed, timedCase{g: g, no: r.no, accepted: *r.accepted, concluded: *r.concluded, stops: r.stops(),
				promised: r.promisedDays, legal: r.legalDays})
		}
		return nil
	})
	if err != nil {
		return res, err
	}
	// Working days are counted once the rows are closed: the calendar may
	// reload itself through the same connection pool, which concurrent
	// statistics holding their rows open could otherwise exhaust.
	for _, t := range timed {
		days, err := s.cal.WorkingDaysBetween(ctx, t.accepted, t.concluded, t.stops)
		if err != nil {
			return res, fmt.Errorf("working days of %s: %w", t.no, err)
		}
		t.g.addDays(days, t.promised, t.legal)
		total.addDays(days, t.promised, t.legal)
	}
	rc, err := s.ratings.RatingCounts(ctx, ids.RegionPrefix(q.Region), from.Start(), to.End())
	if err != nil {
		return res, fmt.Errorf("rating counts: %w", err)
	}
	for _, c := range rc {
		key, ok := byCase[c.CaseNo]
		if !ok && c.CaseNo == "" && q.GroupBy == "org" {
			key, ok = strconv.FormatInt(c.OrgID, 10), true
		}
		if c.CaseNo != "" && !ok {
			continue // a case outside the selection
		}
		// A complaint not about a case belongs to its department only: it
		// is outside a selection of another department, a window or an item.
		if c.CaseNo == "" && (q.WindowID != 0 || q.Item != "" || (q.OrgID != 0 && c.OrgID != q.OrgID)) {
			continue
		}
		total.RatingCount.plus(c)
		if g := groups[key]; ok && g != nil {
			g.RatingCount.plus(c)
		}
	}
	total.finish()
	res.Total = *total
	for _, g := range groups {
		g.finish()
		res.Groups = append(res.Groups, *g)
	}
	if err := s.label(ctx, q.GroupBy, res.Groups); err != nil {
		return res, err
	}
	sort.Slice(res.Groups, func(i, j int) bool { return res.Groups[i].Key < res.Groups[j].Key })
	return res, nil
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

func (a *RatingCount) plus(b RatingCount) {
	a.Ratings += b.Ratings
	a.Satisfied += b.Satisfied
	a.Bad += b.Bad
	a.Defaults += b.Defaults
	a.CallbacksDue += b.CallbacksDue
	a.CallbacksDone += b.CallbacksDone
	a.Rectifications += b.Rectifications
	a.Rectified += b.Rectified
	a.Complaints += b.Complaints
	a.ComplaintsClosed += b.ComplaintsClosed
}

// statRow is one case as statistics see it: narrow columns only, never
// the JSON body (migration 0060 copied the body fields read here to columns).
type statRow struct {
	no, region, item, itemName, caseType, channel, status, decision string
	org, window, hall, acceptedBy                                   int64
	trips, corrections, pendingN, pendingSupplied                   int
	second                                                          bool
	submitted                                                       time.Time
	accepted, concluded, promised, legal                            *time.Time
	stopList                                                        []cases.ClockStop
	promisedDays, legalDays                                         float64
}

func (r *statRow) stops() []calendar.Interval {
	out := make([]calendar.Interval, 0, len(r.stopList))
	for _, st := range r.stopList {
		iv := calendar.Interval{From: st.From}
		if st.To != nil {
			iv.To = *st.To
		} else if r.concluded != nil {
			iv.To = *r.concluded
		}
		out = append(out, iv)
	}
	return out
}

func (r *statRow) key(groupBy string) string {
	switch groupBy {
	case "region":
		return r.region
	case "hall":
		return strconv.FormatInt(r.hall, 10)
	case "org":
		return strconv.FormatInt(r.org, 10)
	case "window":
		return strconv.FormatInt(r.window, 10)
	case "staff":
		return strconv.FormatInt(r.acceptedBy, 10)
	case "item":
		return r.item
	case "day":
		return clock.Day(r.submitted)
	case "month":
		return clock.Day(r.submitted)[:7]
	case "year":
		return clock.Day(r.submitted)[:4]
	}
	return "total"
}

// statsQuery reads the cases of a period. Every column of cases it reads is
// in the SQLite index cases_stats (submitted_at first), so SQLite never
// touches the table rows with their large bodies; pending materials are
// counted only for the cases of the period.
const statsQuery = `SELECT c.no, c.region_code, c.item_code, c.item_name, c.case_type, c.channel, c.status,
	c.decision, c.org_id, COALESCE(c.window_id, 0), COALESCE(w.hall_id, 0), c.trips, c.corrections, c.second_correction,
	COALESCE(pn.n, 0), COALESCE(pn.s, 0), c.submitted_at, c.accepted_at, c.concluded_at, c.promised_due, c.legal_due,
	c.accepted_by, c.clock_stops, c.promised_limit_days, c.legal_limit_days
	FROM cases c LEFT JOIN windows w ON w.id = c.window_id
	LEFT JOIN (SELECT p.case_id, COUNT(*) AS n, COUNT(p.supplied_at) AS s FROM case_pending p
		JOIN cases pc ON pc.id = p.case_id WHERE pc.submitted_at >= $1 AND pc.submitted_at < $2
		GROUP BY p.case_id) pn ON pn.case_id = c.id
	WHERE c.submitted_at >= $1 AND c.submitted_at < $2 AND c.region_code LIKE $3
	AND ($4 = 0 OR c.org_id = $4) AND ($5 = 0 OR c.window_id = $5) AND ($6 = '' OR c.item_code = $6)`

func (s *Service) caseRows(ctx context.Context, q StatsQuery, from, to time.Time, each func(*statRow) error) error {
	rows, err := s.db.R.QueryContext(ctx, statsQuery,
		clock.Norm(from), clock.Norm(to), ids.RegionPrefix(q.Region)+"%", q.OrgID, q.WindowID, q.Item)
	if err != nil {
		return fmt.Errorf("statistics: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var r statRow
		var acc, con, prom, legal sql.NullTime
		var stops sql.NullString
		if err := rows.Scan(&r.no, &r.region, &r.item, &r.itemName, &r.caseType, &r.channel, &r.status, &r.decision, &r.org,
			&r.window, &r.hall, &r.trips, &r.corrections, &r.second, &r.pendingN, &r.pendingSupplied, &r.submitted,
			&acc, &con, &prom, &legal, &r.acceptedBy, &stops, &r.promisedDays, &r.legalDays); err != nil {
			return fmt.Errorf("statistics: %w", err)
		}
		if stops.Valid && stops.String != "" {
			if err := json.Unmarshal([]byte(stops.String), &r.stopList); err != nil {
				return fmt.Errorf("statistics: case %s: clock stops: %w", r.no, err)
			}
		}
		r.accepted, r.concluded, r.promised, r.legal = tp(acc), tp(con), tp(prom), tp(legal)
		if err := each(&r); err != nil {
			return err
		}
	}
	return rows.Err()
}

// timedCase is a concluded case whose working days are still to count.
type timedCase struct {
	g                   *Stats
	no                  string
	accepted, concluded time.Time
	stops               []calendar.Interval
	promised, legal     float64
}

// addDays records the working time a concluded case took, with its limits.
func (g *Stats) addDays(days, promised, legal float64) {
	if days >= 0 {
		g.days = append(g.days, days)
		g.prom = append(g.prom, promised)
		g.legl = append(g.legl, legal)
	}
}

// add counts one case (its working days are counted with addDays).
func (g *Stats) add(r *statRow) {
	g.Received++
	if r.accepted != nil {
		g.Accepted++
	}
	switch cases.Status(r.status) {
	case cases.Refused:
		g.Refused++
	case cases.Withdrawn:
		g.Withdrawn++
	}
	switch r.decision {
	case "grant":
		g.Granted++
	case "deny":
		g.Denied++
	}
	if r.concluded != nil {
		g.Concluded++
		if r.promised != nil && !r.concluded.After(*r.promised) {
			g.OnTimePromised++
		}
		if r.legal != nil && !r.concluded.After(*r.legal) {
			g.OnTimeLegal++
		}
	}
	if r.caseType == "immediate" {
		g.Immediate++
	}
	if r.channel == string(cases.Online) {
		g.Online++
	}
	switch {
	case r.trips == 0:
		g.Trips0++
	case r.trips == 1:
		g.Trips1++
	default:
		g.Trips2Plus++
	}
	if r.corrections > 0 {
		g.Corrected++
	}
	if r.second {
		g.SecondCorrections++
	}
	if r.pendingN > 0 {
		g.PendingCases++
		if r.pendingSupplied == r.pendingN {
			g.PendingFulfilled++
		}
	}
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

func (g *Stats) finish() {
	g.CompletionRate = ratio(g.Concluded, g.Accepted)
	g.OnTimeRate = ratio(g.OnTimePromised, g.Concluded)
	g.OnTimeLegalRate = ratio(g.OnTimeLegal, g.Concluded)
	g.ImmediateShare = ratio(g.Immediate, g.Received)
	g.OnlineShare = ratio(g.Online, g.Received)
	g.MaxOneTripRate = ratio(g.Trips0+g.Trips1, g.Received)
	g.CorrectionRate = ratio(g.Corrected, g.Received)
	g.SatisfactionRate = ratio(g.Satisfied, g.Ratings)
	g.CallbackRate = ratio(g.CallbacksDone, g.CallbacksDue)
	g.RectificationRate = ratio(g.Rectified, g.Rectifications)
	g.ComplaintClosed = ratio(g.ComplaintsClosed, g.Complaints)
	g.AvgDays, g.P90Days = round2(mean(g.days)), round2(percentile(g.days, 0.9))
	g.AvgPromisedDays, g.AvgLegalDays = round2(mean(g.prom)), round2(mean(g.legl))
}

func mean(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	var s float64
	for _, x := range v {
		s += x
	}
	return s / float64(len(v))
}

// percentile is the nearest-rank percentile: the smallest value with at
// least p of the values at or below it.
func percentile(v []float64, p float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	i := int(math.Ceil(p*float64(len(s)))) - 1
	if i < 0 {
		i = 0
	}
	return s[i]
}

func round2(v float64) float64 { return math.Round(v*100) / 100 }

// Pct formats a fraction as a percentage with one decimal (97.8%).
func Pct(v float64) string { return strconv.FormatFloat(math.Round(v*1000)/10, 'f', 1, 64) + "%" }

// label names the groups: regions, halls, organizations, windows, staff,
// items; days and months are their own labels.
func (s *Service) label(ctx context.Context, groupBy string, gs []Stats) error {
	var q string
	switch groupBy {
	case "region":
		q = `SELECT code, name FROM regions`
	case "hall":
		q = `SELECT CAST(id AS TEXT), name FROM halls`
	case "org":
		q = `SELECT CAST(id AS TEXT), name FROM orgs`
	case "window":
		q = `SELECT CAST(w.id AS TEXT), h.name || ' ' || w.number || '窗口' FROM windows w JOIN halls h ON h.id = w.hall_id`
	case "staff":
		q = `SELECT CAST(id AS TEXT), name FROM users WHERE kind = 'staff'`
	case "item":
		return nil // labelled from the cases themselves
	default:
		for i := range gs {
			gs[i].Label = gs[i].Key
		}
		return nil
	}
	names := map[string]string{}
	rows, err := s.db.R.QueryContext(ctx, q)
	if err != nil {
		return fmt.Errorf("statistics labels: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var k, n string
		if err := rows.Scan(&k, &n); err != nil {
			return fmt.Errorf("statistics labels: %w", err)
		}
		names[k] = n
	}
	for i := range gs {
		gs[i].Label = names[gs[i].Key]
		if gs[i].Label == "" {
			gs[i].Label = map[bool]string{true: "（未指定）", false: gs[i].Key}[gs[i].Key == "0" || gs[i].Key == ""]
		}
	}
	return rows.Err()
}

// regionLike is the LIKE pattern of the cases in region ("" is all).
func regionLike(region string) string { return ids.RegionPrefix(region) + "%" }

// trimLabel keeps labels short in charts.
func trimLabel(s string, n int) string {
	r := []rune(strings.TrimSpace(s))
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
