package ratings

import (
	"context"
	"fmt"
	"time"

	"banhao.dev/banhao/internal/platform/clock"
)

// CaseCount are the rating and complaint counts of one case (or, with an
// empty CaseNo, of one department's complaints not about a case). It never
// names a rater. Supervision statistics read it through an adapter
// (supervise.RatingsStats): data flows from ratings to supervision.
type CaseCount struct {
	CaseNo           string
	OrgID            int64
	Ratings          int // real ratings, not excluded by an upheld appeal
	Satisfied        int // level ≥ 3
	Bad              int // level 1–2 (差评)
	Defaults         int // default 满意, reported apart
	CallbacksDue     int // bad ratings and complaints to call back
	CallbacksDone    int // called back within the limit
	Rectifications   int // rectifications opened
	Rectified        int // fixed, rectified or explained
	Complaints       int // complaints and 办不成事 reports received
	ComplaintsClosed int // closed after the callback
}

// CaseCounts are the rating, default,
// rectification and complaint counts per case of the region prefix, for the
// cases received in [from, to). A rating, default or complaint about a case
// can only come after the case was received, so everything given since from
// is read and statistics keep the rows of the cases they selected. Complaints
// not about a case are rows with an empty CaseNo, attributed to their
// department and counted by when they were filed in [from, to).
//
// Ratings excluded by an upheld appeal are not counted (国办发〔2019〕51号:
// a rating found malicious is kept on record but out of the results);
// default-satisfied moments are counted only in Defaults. Rows carry counts,
// never a rater.
func (s *Service) CaseCounts(ctx context.Context, regionPrefix string, from, to time.Time) ([]CaseCount, error) {
	type key struct {
		no  string
		org int64
	}
	acc := map[key]*CaseCount{}
	var order []key
	row := func(no string, org int64) *CaseCount {
		k := key{no, org}
		c := acc[k]
		if c == nil {
			c = &CaseCount{CaseNo: no, OrgID: org}
			acc[k] = c
			order = append(order, k)
		}
		return c
	}
	like, since, until := regionPrefix+"%", clock.Norm(from), clock.Norm(to)
	scan := func(what, q string, args []any, add func(c *CaseCount, a, b, d int)) error {
		rows, err := s.db.R.QueryContext(ctx, q, args...)
		if err != nil {
			return fmt.Errorf("rating counts: %s: %w", what, err)
		}
		defer rows.Close()
		for rows.Next() {
			var no string
			var org int64
			var a, b, d int
			if err := rows.Scan(&no, &org, &a, &b, &d); err != nil {
				return fmt.Errorf("rating counts: %s: %w", what, err)
			}
			add(row(no, org), a, b, d)
		}
		return rows.Err()
	}
	err := scan("ratings", `SELECT case_no, org_id, COUNT(*),
			COALESCE(SUM(CASE WHEN level >= 3 THEN 1 ELSE 0 END), 0),
			COALESCE(SUM(CASE WHEN bad THEN 1 ELSE 0 END), 0)
		FROM ratings WHERE excluded = false AND region_code LIKE $1 AND created_at >= $2
		GROUP BY case_no, org_id`, []any{like, since},
		func(c *CaseCount, n, sat, bad int) { c.Ratings += n; c.Satisfied += sat; c.Bad += bad })
	if err != nil {
		return nil, err
	}
	err = scan("defaults", `SELECT case_no, org_id, COUNT(*), 0, 0
		FROM rating_moments WHERE status = 'defaulted' AND region_code LIKE $1 AND moment_at >= $2
		GROUP BY case_no, org_id`, []any{like, since},
		func(c *CaseCount, n, _, _ int) { c.Defaults += n })
	if err != nil {
		return nil, err
	}
	// Every bad rating opens a rectification with a callback due; the
	// callback counts when it was recorded within the limit, the
	// rectification once it was fixed, rectified or explained.
	err = scan("rectifications", `SELECT r.case_no, r.org_id, COUNT(*),
			COALESCE(SUM(CASE WHEN x.callback_at IS NOT NULL AND x.callback_at <= x.callback_due THEN 1 ELSE 0 END), 0),
			COALESCE(SUM(CASE WHEN x.done_at IS NOT NULL OR x.status = 'closed' THEN 1 ELSE 0 END), 0)
		FROM rectifications x JOIN ratings r ON r.id = x.rating_id
		WHERE r.excluded = false AND r.region_code LIKE $1 AND r.created_at >= $2
		GROUP BY r.case_no, r.org_id`, []any{like, since},
		func(c *CaseCount, n, cb, done int) {
			c.CallbacksDue += n
			c.CallbacksDone += cb
			c.Rectifications += n
			c.Rectified += done
		})
	if err != nil {
		return nil, err
	}
	// Complaints are called back like bad ratings, within their deadline.
	err = scan("complaints", `SELECT case_no, org_id, COUNT(*),
			COALESCE(SUM(CASE WHEN status = 'closed' THEN 1 ELSE 0 END), 0),
			COALESCE(SUM(CASE WHEN callback_at IS NOT NULL AND callback_at <= due_at THEN 1 ELSE 0 END), 0)
		FROM complaints WHERE region_code LIKE $1 AND created_at >= $2 AND (case_no <> '' OR created_at < $3)
		GROUP BY case_no, org_id`, []any{like, since, until},
		func(c *CaseCount, n, closed, cb int) {
			c.Complaints += n
			c.ComplaintsClosed += closed
			c.CallbacksDue += n
			c.CallbacksDone += cb
		})
	if err != nil {
		return nil, err
	}
	out := make([]CaseCount, 0, len(order))
	for _, k := range order {
		out = append(out, *acc[k])
	}
	return out, nil
}
