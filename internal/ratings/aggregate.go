package ratings

import (
	"context"
	"fmt"
	"sort"
	"time"

	"banhao.dev/banhao/internal/platform/clock"
	"banhao.dev/banhao/internal/platform/errs"
)

// Filter selects what Aggregate counts. Zero fields do not filter; From is
// inclusive and To exclusive (ratings by when they were given, defaults by
// when their window closed, complaints by when they were filed).
type Filter struct {
	Region   string    `json:"region,omitempty"` // region code; covers its sub-regions
	OrgID    int64     `json:"org_id,omitempty"`
	WindowID int64     `json:"window_id,omitempty"`
	StaffID  int64     `json:"staff_id,omitempty"`
	Item     string    `json:"item,omitempty"`
	From     time.Time `json:"from,omitempty"`
	To       time.Time `json:"to,omitempty"`
}

// Aggregate is what statistics and the public pages read. It never names a
// rater. Ratings excluded by an upheld appeal are not counted (Excluded
// tells how many were kept out); default-satisfied moments are counted only
// in DefaultSatisfied, never as ratings.
type Aggregate struct {
	ByLevel        map[int]int `json:"by_level"` // level 1–5 → count of real ratings
	Total          int         `json:"total"`
	Satisfied      int         `json:"satisfied"`       // level ≥ 3
	SatisfiedShare float64     `json:"satisfied_share"` // Satisfied / Total (0 when none)
	Bad            int         `json:"bad"`             // levels 1–2 (差评)
	Excluded       int         `json:"excluded"`        // kept out by upheld appeals

	DefaultSatisfied int `json:"default_satisfied"` // 默认好评, reported separately

	CallbacksDone           int     `json:"callbacks_done"`
	CallbacksOnTime         int     `json:"callbacks_on_time"`
	CallbacksRequired       int     `json:"callbacks_required"`
	CallbackRate            float64 `json:"callback_rate"`
	RectificationsDone      int     `json:"rectifications_done"`
	RectificationsRequired  int     `json:"rectifications_required"`
	RectificationRate       float64 `json:"rectification_rate"`
	ComplaintsReceived      int     `json:"complaints_received"`
	ComplaintsClosed        int     `json:"complaints_closed"`
	ComplaintsRectifiedRate float64 `json:"complaints_closed_rate"`
}

func share(n, d int) float64 {
	if d == 0 {
		return 0
	}
	return float64(n) / float64(d)
}

// Aggregate counts ratings, defaults, rectifications and complaints under f.
func (s *Service) Aggregate(ctx context.Context, f Filter) (Aggregate, error) {
	a := Aggregate{ByLevel: map[int]int{1: 0, 2: 0, 3: 0, 4: 0, 5: 0}}
	w := &where{}
	w.scope(f, "", "created_at")
	rows, err := s.db.R.QueryContext(ctx, `SELECT level, excluded, COUNT(*) FROM ratings`+w.sql()+` GROUP BY level, excluded`, w.args...)
	if err != nil {
		return a, fmt.Errorf("aggregate ratings: %w", err)
	}
	for rows.Next() {
		var level, n int
		var excluded bool
		if err := rows.Scan(&level, &excluded, &n); err != nil {
			rows.Close()
			return a, fmt.Errorf("aggregate ratings: %w", err)
		}
		if excluded {
			a.Excluded += n
			continue
		}
		a.ByLevel[level] += n
		a.Total += n
		if level >= 3 {
			a.Satisfied += n
		}
		if IsBad(level) {
			a.Bad += n
		}
	}
	rows.Close()
	a.SatisfiedShare = share(a.Satisfied, a.Total)

	w = &where{}
	w.raw("status = 'defaulted'")
	w.scope(f, "", "closes_at")
	if err := s.db.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM rating_moments`+w.sql(), w.args...).Scan(&a.DefaultSatisfied); err != nil {
		return a, fmt.Errorf("aggregate defaults: %w", err)
	}

	w = &where{}
	w.raw("r.excluded = false")
	w.scope(f, "r.", "r.created_at")
	err = s.db.R.QueryRowContext(ctx, `SELECT COUNT(*),
			COALESCE(SUM(CASE WHEN x.callback_at IS NOT NULL THEN 1 ELSE 0 END), 0),
			COALESCE(SUM(CASE WHEN x.callback_at IS NOT NULL AND x.callback_at <= x.callback_due THEN 1 ELSE 0 END), 0),
			COALESCE(SUM(CASE WHEN x.status = 'closed' THEN 1 ELSE 0 END), 0)
		FROM rectifications x JOIN ratings r ON r.id = x.rating_id`+w.sql(), w.args...).
		Scan(&a.CallbacksRequired, &a.CallbacksDone, &a.CallbacksOnTime, &a.RectificationsDone)
	if err != nil {
		return a, fmt.Errorf("aggregate rectifications: %w", err)
	}
	a.RectificationsRequired = a.CallbacksRequired
	a.CallbackRate, a.RectificationRate = share(a.CallbacksDone, a.CallbacksRequired), share(a.RectificationsDone, a.RectificationsRequired)

	w = &where{}
	w.scope(f, "", "created_at")
	err = s.db.R.QueryRowContext(ctx, `SELECT COUNT(*), COALESCE(SUM(CASE WHEN status = 'closed' THEN 1 ELSE 0 END), 0) FROM complaints`+w.sql(), w.args...).
		Scan(&a.ComplaintsReceived, &a.ComplaintsClosed)
	if err != nil {
		return a, fmt.Errorf("aggregate complaints: %w", err)
	}
	a.ComplaintsRectifiedRate = share(a.ComplaintsClosed, a.ComplaintsReceived)
	return a, nil
}

// ErrMonth rejects a month that is not YYYY-MM.
var ErrMonth = errs.E(errs.Invalid, "month_invalid", "月份格式须为 YYYY-MM")

// MonthRange is [first day, first day of next month) of month in Beijing time.
func MonthRange(month string) (time.Time, time.Time, error) {
	t, err := time.ParseInLocation("2006-01", month, clock.Shanghai)
	if err != nil {
		return time.Time{}, time.Time{}, ErrMonth.OnField("month")
	}
	return t.UTC(), t.AddDate(0, 1, 0).UTC(), nil
}

// Row is one published line: a department or an item with its aggregate.
type Row struct {
	Key  string    `json:"key"` // org id or item code
	Name string    `json:"name"`
	Agg  Aggregate `json:"aggregate"`
}

// Published is the public aggregate page (公开评价结果): per department and
// per item in region for [from, to), never naming a rater.
type Published struct {
	Region string    `json:"region"`
	From   time.Time `json:"from"`
	To     time.Time `json:"to"`
	Total  Aggregate `json:"total"`
	Orgs   []Row     `json:"orgs"`
	Items  []Row     `json:"items"`
}

// Publish computes the published aggregates of region for [from, to).
func (s *Service) Publish(ctx context.Context, region string, from, to time.Time) (Published, error) {
	f := Filter{Region: region, From: from, To: to}
	out := Published{Region: region, From: from, To: to}
	var err error
	if out.Total, err = s.Aggregate(ctx, f); err != nil {
		return out, err
	}
	w := &where{}
	w.scope(f, "r.", "r.created_at")
	rows, err := s.db.R.QueryContext(ctx, `SELECT DISTINCT r.org_id, COALESCE(o.name, ''), r.item_code, r.item_name
		FROM ratings r LEFT JOIN orgs o ON o.id = r.org_id`+w.sql(), w.args...)
	if err != nil {
		return out, fmt.Errorf("published keys: %w", err)
	}
	orgs, items := map[int64]string{}, map[string]string{}
	for rows.Next() {
		var org int64
		var oname, code, iname string
		if err := rows.Scan(&org, &oname, &code, &iname); err != nil {
			rows.Close()
			return out, err
		}
		orgs[org], items[code] = oname, iname
	}
	rows.Close()
	for org, name := range orgs {
		f2 := f
		f2.OrgID = org
		a, err := s.Aggregate(ctx, f2)
		if err != nil {
			return out, err
		}
		out.Orgs = append(out.Orgs, Row{Key: itoa(org), Name: name, Agg: a})
	}
	for code, name := range items {
		f2 := f
		f2.Item = code
		a, err := s.Aggregate(ctx, f2)
		if err != nil {
			return out, err
		}
		out.Items = append(out.Items, Row{Key: code, Name: name, Agg: a})
	}
	for _, rs := range [][]Row{out.Orgs, out.Items} {
		sort.Slice(rs, func(i, j int) bool {
			if rs[i].Agg.Total != rs[j].Agg.Total {
				return rs[i].Agg.Total > rs[j].Agg.Total
			}
			return rs[i].Key < rs[j].Key
		})
	}
	return out, nil
}
