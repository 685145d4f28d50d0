package calendar

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"banhao.dev/banhao/internal/platform/audit"
	"banhao.dev/banhao/internal/platform/clock"
	"banhao.dev/banhao/internal/platform/db"
)

var seedAt = time.Date(2026, 11, 21, 8, 0, 0, 0, time.UTC)

// mustSeeded seeds the shipped schedules into d and returns a Calendar on a
// frozen clock.
func mustSeeded(t testing.TB, d *db.DB) (*Calendar, *clock.Sim) {
	t.Helper()
	ctx := context.Background()
	if err := d.Tx(ctx, func(tx *sql.Tx) error { return SeedOfficial(ctx, tx, seedAt) }); err != nil {
		t.Fatalf("seed: %v", err)
	}
	clk := clock.NewFrozen(seedAt)
	return New(d, clk), clk
}

// mustDate parses s or fails the test.
func mustDate(t testing.TB, s string) Date {
	t.Helper()
	d, err := ParseDate(s)
	if err != nil {
		t.Fatalf("ParseDate(%q): %v", s, err)
	}
	return d
}

// bj returns the instant "YYYY-MM-DD HH:MM" in Beijing time.
func bj(t testing.TB, s string) time.Time {
	t.Helper()
	v, err := time.ParseInLocation("2006-01-02 15:04", s, clock.Shanghai)
	if err != nil {
		t.Fatalf("bj(%q): %v", s, err)
	}
	return v
}

var adminActor = audit.Actor{ID: 42, Role: "admin"}
