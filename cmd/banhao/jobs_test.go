package main

import (
	"context"
	"database/sql"
	"strings"
	"testing"
	"time"

	"banhao.dev/banhao/internal/platform/dbtest"
	"banhao.dev/banhao/internal/platform/notify"
)

// `job run outbox` delivers what serve would deliver: an SMS queued by a
// business transaction lands in the development sink.
func TestJobListAndRunOutbox(t *testing.T) {
	for engine, url := range dbURLs(t) {
		t.Run(engine, func(t *testing.T) {
			if code, _, stderr := cli(t, url, "migrate"); code != 0 {
				t.Fatalf("migrate: %d %s", code, stderr)
			}
			code, stdout, stderr := cli(t, url, "job", "list", "--db", url)
			if code != 0 || !strings.Contains(stdout, "outbox") || !strings.Contains(stdout, "尚未运行") {
				t.Fatalf("job list before any run: exit %d %q %s, want outbox 尚未运行", code, stdout, stderr)
			}
			ctx := context.Background()
			d := dbtest.Open(t, url)
			at := time.Now().Add(-time.Minute)
			if err := d.Tx(ctx, func(tx *sql.Tx) error {
				return notify.Send(ctx, tx, at, notify.Notice{Title: "请补正材料", SMS: true, Phone: "13800000001"})
			}); err != nil {
				t.Fatal(err)
			}
			cases := []struct {
				name     string
				args     []string
				wantCode int
				wantOut  string
			}{
				{"an unknown job fails", []string{"job", "run", "nope"}, 1, "没有这个后台任务"},
				{"a missing name is a usage error", []string{"job", "run"}, 2, "缺少任务名"},
				{"outbox runs with the name first", []string{"job", "run", "outbox", "--db", url}, 0, "任务 outbox 已运行完成"},
				{"outbox runs with flags first", []string{"job", "run", "--db", url, "outbox"}, 0, "任务 outbox 已运行完成"},
			}
			for _, c := range cases {
				t.Run(c.name, func(t *testing.T) {
					code, stdout, stderr := cli(t, url, c.args...)
					if code != c.wantCode || !strings.Contains(stdout+stderr, c.wantOut) {
						t.Fatalf("got exit %d %q %q, want %d with %q", code, stdout, stderr, c.wantCode, c.wantOut)
					}
				})
			}
			ms, err := notify.ListDevMessages(ctx, d.R, 10)
			if err != nil || len(ms) != 1 || ms[0].Recipient != "13800000001" {
				t.Fatalf("dev messages after job run: got %+v %v, want the one SMS (delivered once)", ms, err)
			}
			code, stdout, _ = cli(t, url, "job", "list")
			outboxLine := ""
			for _, l := range strings.Split(stdout, "\n") {
				if strings.HasPrefix(l, "outbox ") {
					outboxLine = l
				}
			}
			if code != 0 || !strings.Contains(outboxLine, "空闲") {
				t.Fatalf("job list after run: exit %d %q, want outbox 空闲", code, stdout)
			}
		})
	}
}
