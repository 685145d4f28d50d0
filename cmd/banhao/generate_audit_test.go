package main

import (
	"context"
	"io"
	"testing"

	"banhao.dev/banhao/internal/platform/audit"
	"banhao.dev/banhao/internal/platform/config"
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
			blobs := t.TempDir()
			if code, stdout, stderr := cli(t, url, "generate", "--blob-dir", blobs, "--cases", "400", "--items", "10", "--seed", "7"); code != 0 {
				t.Fatalf("generate: exit %d: %s\n%s", code, stderr, stdout)
			}
			cfg := config.Default()
			cfg.DB, cfg.BlobDir = url, blobs
			a, err := open(ctx, cfg, &cliEnv{getenv: func(string) string { return "" }, stdout: io.Discard, stderr: io.Discard}, false)
			if err != nil {
				t.Fatal(err)
			}
			defer a.close()
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
