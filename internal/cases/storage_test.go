package cases

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strings"
	"testing"

	"banhao.dev/banhao/internal/platform/db"
	"banhao.dev/banhao/internal/platform/dbtest"
)

// On PostgreSQL a case's row is kept whole (migration 0063): a body of a
// few KB, compressible or not, stays in the row instead of going out of
// line into the TOAST table, which every action would write and every
// read fetch back.
func TestCaseRowStaysWholeOnPostgres(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		if d.Engine != db.Postgres {
			t.Skip("PostgreSQL storage only")
		}
		ctx := context.Background()
		e := newEnv(t, d, bj(2026, 3, 2, 9, 0))
		c := e.mustSubmitOnline(t, itemPromised)
		var toast string
		if err := d.R.QueryRowContext(ctx, `SELECT reltoastrelid::regclass::text FROM pg_class
			WHERE relname = 'cases' AND relnamespace = current_schema()::regnamespace`).Scan(&toast); err != nil {
			t.Fatal(err)
		}
		noise := func(n int) string { // hex that no compression shrinks
			b := make([]byte, n/2)
			if _, err := rand.Read(b); err != nil {
				t.Fatal(err)
			}
			return hex.EncodeToString(b)
		}
		for _, tc := range []struct {
			name, body string
		}{
			{"as written by the service", ""},
			{"3 KB that does not compress", fmt.Sprintf(`{"noise": %q}`, noise(3000))},
			{"12 KB that compresses", fmt.Sprintf(`{"lines": %q}`, strings.Repeat("受理时间 2026-03-02 09:00（北京时间），受理当日不计入期限", 150))},
		} {
			if tc.body != "" {
				if _, err := d.W.ExecContext(ctx, `UPDATE cases SET body = $2 WHERE no = $1`, c.No, tc.body); err != nil {
					t.Fatal(err)
				}
			}
			if n := count(t, d, `SELECT COUNT(*) FROM `+toast); n != 0 {
				t.Fatalf("%s: got %d TOAST chunks of cases, want 0", tc.name, n)
			}
			var got string
			if err := d.R.QueryRowContext(ctx, `SELECT body FROM cases WHERE no = $1`, c.No).Scan(&got); err != nil || (tc.body != "" && got != tc.body) {
				t.Fatalf("%s: body read back: err %v, equal %v", tc.name, err, got == tc.body)
			}
		}
	})
}
