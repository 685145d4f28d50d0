package main

import (
	"context"
	"testing"

	"banhao.dev/banhao/internal/platform/audit"
)

// A generated copy has no timeline of its own: its row must not carry the
// template's audit chain head, or the first action on it (e.g. the
// auto-acceptance job) writes an event that does not start its chain.
func TestGeneratedCasesStartTheirAuditChain(t *testing.T) {
	if testing.Short() {
		t.Skip("seeds the demo")
	}
	for engine, url := range dbURLs(t) {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			a, _ := generated(t, url, "400", "10")
			var n int
			if err := a.db.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM cases c WHERE no LIKE '%-5_____-%' AND audit_seq <> 0`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			if n != 0 {
				t.Errorf("%d generated cases carry an audit head but have no events", n)
			}
			acc, err := a.cas.AutoAcceptDue(ctx, a.clk.Now().AddDate(0, 1, 0))
			if err != nil {
				t.Fatal(err)
			}
			res, err := audit.Verify(ctx, a.db.R, "case/")
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Broken) != 0 {
				t.Errorf("after auto-accepting %d cases: %d broken chains, first %+v", acc, len(res.Broken), res.Broken[0])
			}
		})
	}
}
