package supervise

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"banhao.dev/banhao/internal/cases"
	"banhao.dev/banhao/internal/platform/clock"
	"banhao.dev/banhao/internal/platform/ids"
)

// statBody is what statistics read of a case body before migration 0060
// copied these fields to columns.
type statBody struct {
	AcceptedBy int64             `json:"accepted_by"`
	Stops      []cases.ClockStop `json:"stops"`
	ItemSnap   struct {
		PromisedLimit cases.Limit `json:"promised_limit"`
		LegalLimit    cases.Limit `json:"legal_limit"`
	} `json:"item_snapshot"`
}

// bodyCaseRows is the former reading of the cases of a period: every row
// with its whole JSON body, pending materials grouped over the whole
// table. Tests compare the statistics computed from it with the columns'.
func (s *Service) bodyCaseRows(ctx context.Context, q StatsQuery, from, to time.Time, each func(*statRow) error) error {
	rows, err := s.db.R.QueryContext(ctx, `SELECT c.no, c.region_code, c.item_code, c.item_name, c.case_type, c.channel, c.status,
		c.decision, c.org_id, COALESCE(c.window_id, 0), COALESCE(w.hall_id, 0), c.trips, c.corrections, c.second_correction,
		COALESCE(pn.n, 0), COALESCE(pn.s, 0), c.submitted_at, c.accepted_at, c.concluded_at, c.promised_due, c.legal_due, c.body
		FROM cases c LEFT JOIN windows w ON w.id = c.window_id
		LEFT JOIN (SELECT case_id, COUNT(*) AS n, COUNT(supplied_at) AS s FROM case_pending GROUP BY case_id) pn ON pn.case_id = c.id
		WHERE c.submitted_at >= $1 AND c.submitted_at < $2 AND c.region_code LIKE $3
		AND ($4 = 0 OR c.org_id = $4) AND ($5 = 0 OR c.window_id = $5) AND ($6 = '' OR c.item_code = $6)`,
		clock.Norm(from), clock.Norm(to), ids.RegionPrefix(q.Region)+"%", q.OrgID, q.WindowID, q.Item)
	if err != nil {
		return fmt.Errorf("statistics: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var r statRow
		var acc, con, prom, legal sql.NullTime
		var body string
		if err := rows.Scan(&r.no, &r.region, &r.item, &r.itemName, &r.caseType, &r.channel, &r.status, &r.decision, &r.org,
			&r.window, &r.hall, &r.trips, &r.corrections, &r.second, &r.pendingN, &r.pendingSupplied, &r.submitted,
			&acc, &con, &prom, &legal, &body); err != nil {
			return fmt.Errorf("statistics: %w", err)
		}
		var b statBody
		if err := json.Unmarshal([]byte(body), &b); err != nil {
			return fmt.Errorf("statistics: case %s: %w", r.no, err)
		}
		r.acceptedBy, r.stopList = b.AcceptedBy, b.Stops
		r.promisedDays, r.legalDays = b.ItemSnap.PromisedLimit.Days, b.ItemSnap.LegalLimit.Days
		r.accepted, r.concluded, r.promised, r.legal = tp(acc), tp(con), tp(prom), tp(legal)
		if err := each(&r); err != nil {
			return err
		}
	}
	return rows.Err()
}

// StatsFromBodies computes the statistics of q as they were computed before
// migration 0060, from the case bodies, which must hold their item snapshot
// inline as before migration 0062 (for the external demo test).
func StatsFromBodies(ctx context.Context, s *Service, q StatsQuery) (StatsResult, error) {
	return s.statsOf(ctx, q, s.bodyCaseRows)
}

// StatsFromColumns computes the statistics of q without authorization.
func StatsFromColumns(ctx context.Context, s *Service, q StatsQuery) (StatsResult, error) {
	return s.stats(ctx, q)
}
