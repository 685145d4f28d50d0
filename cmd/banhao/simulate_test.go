package main

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
)

func TestSimulateFillsDaysThroughTheAPIAndPrintsStatistics(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the real server for a few simulated days")
	}
	code, stdout, stderr := cli(t, "", "simulate", "--days", "3", "--scale", "0.5")
	if code != 0 {
		t.Fatalf("simulate: exit %d: %s\n%s", code, stderr, stdout)
	}
	m := regexp.MustCompile(`申报 (\d+) 件，API 调用 (\d+) 次，失败 (\d+) 次`).FindStringSubmatch(stdout)
	if m == nil {
		t.Fatalf("no summary line in:\n%s", stdout)
	}
	filed, _ := strconv.Atoi(m[1])
	failed, _ := strconv.Atoi(m[3])
	if filed < 20 {
		t.Errorf("got %d filings in three days at scale 0.5, want at least 20", filed)
	}
	if failed != 0 {
		t.Errorf("got %d failed API calls, want 0:\n%s", failed, stdout)
	}
	for _, want := range []string{"监督统计", "办结率", "最多跑一次", "满意率"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, stdout)
		}
	}
}

func TestSimulateRejectsBadFlags(t *testing.T) {
	for _, args := range [][]string{{"simulate", "--days", "0"}, {"simulate", "--scale", "-1"}} {
		if code, _, _ := cli(t, "", args...); code == 0 {
			t.Errorf("%v: got exit 0, want a usage error", args)
		}
	}
}
