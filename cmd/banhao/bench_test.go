package main

import (
	"regexp"
	"strings"
	"testing"
)

func TestBenchCasesReportsThroughputAndLatencies(t *testing.T) {
	if testing.Short() {
		t.Skip("seeds the demo and runs the server")
	}
	code, stdout, stderr := cli(t, "", "bench", "cases", "--lifecycles", "6", "--clients", "2")
	if code != 0 {
		t.Fatalf("bench: exit %d\n%s\n%s", code, stdout, stderr)
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
