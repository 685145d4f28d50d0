package supervise

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"banhao.dev/banhao/internal/platform/db"
)

// fixCase is a case row written directly, for statistics fixtures and the
// benchmark (going through the service for 13 000 cases would only be slow).
type fixCase struct {
	no, item, caseType, channel, status, decision string
	org, window                                   int64
	trips, corrections                            int
	second                                        bool
	submitted                                     time.Time
	accepted, concluded, promised, legal, next    *time.Time
	caseYellow                                    *time.Time
	body                                          string
}

var fixCols = []string{"no", "query_hash", "region_code", "item_code", "item_version", "item_name", "org_id", "case_type", "channel",
	"status", "window_id", "trips", "corrections", "second_correction", "decision", "submitted_at", "accepted_at", "concluded_at",
	"promised_due", "legal_due", "next_light_change_at", "case_yellow_at", "light", "applicant_name", "body", "created_at", "updated_at",
	"accepted_by", "clock_stops", "promised_limit_days", "legal_limit_days"}

func (c fixCase) values() []any {
	var window any
	if c.window != 0 {
		window = c.window
	}
	item := c.item
	if item == "" {
		item = itemReview
	}
	body := c.body
	if body == "" {
		body = `{"item_snapshot":{"promised_limit":{"days":10,"unit":"working_day"},"legal_limit":{"days":20,"unit":"working_day"}}}`
	}
	light := ""
	if c.accepted != nil && c.concluded == nil {
		light = "green"
	}
	// The columns migration 0060 copies from the body, as the cases store
	// writes them.
	var b statBody
	if err := json.Unmarshal([]byte(body), &b); err != nil {
		panic(fmt.Sprintf("fixture %s: body: %v", c.no, err))
	}
	var stops any
	if len(b.Stops) > 0 {
		j, err := json.Marshal(b.Stops)
		if err != nil {
			panic(err)
		}
		stops = string(j)
	}
	return []any{c.no, "h", "990121", item, 1, "食品经营许可", c.org, or(c.caseType, "promised"), or(c.channel, "window"),
		c.status, window, c.trips, c.corrections, c.second, c.decision, c.submitted, nt(c.accepted), nt(c.concluded),
		nt(c.promised), nt(c.legal), nt(c.next), nt(c.caseYellow), light, "王五", body, c.submitted, c.submitted,
		b.AcceptedBy, stops, b.ItemSnap.PromisedLimit.Days, b.ItemSnap.LegalLimit.Days}
}

func or(a, b string) string {
	if a == "" {
		return b
	}
	return a
}

func nt(t *time.Time) any {
	if t == nil {
		return nil
	}
	return t.UTC()
}

// insertCases writes rows with one prepared statement in one transaction
// (a huge multi-row INSERT costs SQLite more to parse than it saves).
func insertCases(t testing.TB, d *db.DB, rows []fixCase) {
	t.Helper()
	ctx := context.Background()
	err := d.Tx(ctx, func(tx *sql.Tx) error {
		st, err := tx.PrepareContext(ctx, "INSERT INTO cases ("+strings.Join(fixCols, ", ")+") VALUES ("+db.Placeholders(1, len(fixCols))+")")
		if err != nil {
			return err
		}
		defer st.Close()
		for _, r := range rows {
			if _, err := st.ExecContext(ctx, r.values()...); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("insert cases: %v", err)
	}
}

func tptr(t time.Time) *time.Time { return &t }

func fixNo(i int) string { return fmt.Sprintf("990121-20260302-%06d-0", i) }
