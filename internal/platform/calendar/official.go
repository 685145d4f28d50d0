package calendar

import (
	"bytes"
	"context"
	"embed"
	"fmt"
	"io/fs"
	"time"

	"banhao.dev/banhao/internal/platform/audit"
	"banhao.dev/banhao/internal/platform/db"
)

// data holds the shipped State Council schedules, one import-format JSON
// file per year, transcribed from 国务院办公厅关于2024/2025/2026年部分节假日安排的通知.
// Breaks include their weekend days ("与周末连休"), named like the holiday.
//
//go:embed data/*.json
var data embed.FS

// Official returns the shipped schedules, oldest first.
func Official() ([]Schedule, error) {
	names, err := fs.Glob(data, "data/*.json")
	if err != nil {
		return nil, err
	}
	var out []Schedule
	for _, name := range names {
		b, err := data.ReadFile(name)
		if err != nil {
			return nil, err
		}
		s, err := ParseImport(bytes.NewReader(b), FormatJSON)
		if err != nil {
			return nil, fmt.Errorf("shipped calendar %s: %w", name, err)
		}
		out = append(out, s)
	}
	return out, nil
}

// SeedOfficial loads every shipped year that is not loaded yet, in q's
// transaction (used by migrate/seed). Years already loaded are left alone,
// so admin edits survive and running it twice changes nothing.
func SeedOfficial(ctx context.Context, q db.Q, at time.Time) error {
	schedules, err := Official()
	if err != nil {
		return err
	}
	for _, s := range schedules {
		y, err := readYear(ctx, q, s.Year)
		if err != nil {
			return err
		}
		if y != nil {
			continue
		}
		if _, err := replaceYear(ctx, q, s, at, audit.System, "seed_year"); err != nil {
			return fmt.Errorf("seed calendar %d: %w", s.Year, err)
		}
	}
	return nil
}
