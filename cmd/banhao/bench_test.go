package main

import (
	"context"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"banhao.dev/banhao/internal/platform/db"
)

func TestBenchCasesReportsThroughputAndLatencies(t *testing.T) {
	if testing.Short() {
		t.Skip("seeds the demo and runs the server")
	}
	url := "sqlite:" + filepath.Join(t.TempDir(), "bench.db")
	code, stdout, stderr := cli(t, "", "bench", "cases", "--db", url, "--lifecycles", "6", "--clients", "2")
	if code != 0 {
		t.Fatalf("bench: exit %d\n%s\n%s", code, stdout, stderr)
	}
	// Each client applies as its own enterprise; a second run on the same
	// database reuses them.
	if code, out, errout := cli(t, "", "bench", "cases", "--db", url, "--lifecycles", "2", "--clients", "2"); code != 0 {
		t.Fatalf("second bench on the same database: exit %d\n%s\n%s", code, out, errout)
	}
	d, err := db.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	var applicants, cases int
	if err := d.R.QueryRow(`SELECT COUNT(DISTINCT c.applicant_id), COUNT(*) FROM cases c JOIN users u ON u.id = c.applicant_id
		WHERE u.login LIKE '91990121MA0BC%'`).Scan(&applicants, &cases); err != nil {
		t.Fatal(err)
	}
	if applicants != 2 || cases != 8 {
		t.Fatalf("bench applicants: got %d applicants with %d cases, want 2 with 8", applicants, cases)
	}
	if !regexp.MustCompile(`完成 6 个全流程，失败 0`).MatchString(stdout) || !strings.Contains(stdout, "lifecycles/s") {
		t.Fatalf("bench output lacks the completed count or rate:\n%s", stdout)
	}
	for _, step := range benchSteps {
		if !regexp.MustCompile(`(?m)^` + step + `\s+6\s+[0-9.]+ms\s+[0-9.]+ms`).MatchString(stdout) {
			t.Errorf("no p50/p99 line with 6 samples for %s:\n%s", step, stdout)
		}
	}
}

func TestBenchRejectsBadArguments(t *testing.T) {
	for _, args := range [][]string{{"bench"}, {"bench", "catalog"}, {"bench", "cases", "--clients", "0"}, {"bench", "cases", "--duration", "-1s"}} {
		if code, _, _ := cli(t, "", args...); code != 2 {
			t.Errorf("%v: exit %d, want 2 (usage)", args, code)
		}
	}
}
