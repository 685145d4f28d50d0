package calendar

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"

	"banhao.dev/banhao/internal/platform/clock"
	"banhao.dev/banhao/internal/platform/db"
)

// national is the region_code of the State Council schedule.
const national = ""

func readVersion(ctx context.Context, q db.Q) (string, error) {
	var v string
	err := q.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = $1`, versionKey).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("read calendar version: %w", err)
	}
	return v, nil
}

// bumpVersion increments calendar_version in the caller's transaction, so
// the change and the signal to other nodes commit together. The increment is
// done by the database so concurrent writers never publish the same value.
func bumpVersion(ctx context.Context, q db.Q, at time.Time) error {
	_, err := q.ExecContext(ctx, `INSERT INTO settings (key, value, updated_at) VALUES ($1, '1', $2)
		ON CONFLICT (key) DO UPDATE SET value = CAST(CAST(settings.value AS BIGINT) + 1 AS TEXT), updated_at = excluded.updated_at`,
		versionKey, clock.Norm(at))
	if err != nil {
		return fmt.Errorf("bump calendar version: %w", err)
	}
	return nil
}

// readSnapshot reads the version first: an edit committed while the rows are
// read leaves an older version in the snapshot, so the next check reloads.
func readSnapshot(ctx context.Context, q db.Q) (*snapshot, error) {
	v, err := readVersion(ctx, q)
	if err != nil {
		return nil, err
	}
	s := &snapshot{version: v, days: map[Date]Day{}, years: map[int]Year{}}
	days, err := readDays(ctx, q, "", "")
	if err != nil {
		return nil, err
	}
	for _, d := range days {
		s.days[d.Date] = d
	}
	years, err := readYears(ctx, q)
	if err != nil {
		return nil, err
	}
	for _, y := range years {
		s.years[y.Year] = y
	}
	return s, nil
}

// readDays returns the national days with from <= day <= to ("" = open).
func readDays(ctx context.Context, q db.Q, from, to string) ([]Day, error) {
	if to == "" {
		to = "9999-12-31"
	}
	rows, err := q.QueryContext(ctx, `SELECT day, kind, name FROM calendar_days
		WHERE region_code = $1 AND day >= $2 AND day <= $3 ORDER BY day`, national, from, to)
	if err != nil {
		return nil, fmt.Errorf("read calendar days: %w", err)
	}
	defer rows.Close()
	var out []Day
	for rows.Next() {
		var day, kind, name string
		if err := rows.Scan(&day, &kind, &name); err != nil {
			return nil, fmt.Errorf("read calendar days: %w", err)
		}
		d, err := ParseDate(day)
		if err != nil {
			return nil, fmt.Errorf("read calendar days: stored day %q: %w", day, err)
		}
		out = append(out, Day{Date: d, Kind: kind, Name: name})
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read calendar days: %w", err)
	}
	return out, nil
}

func readYears(ctx context.Context, q db.Q) ([]Year, error) {
	rows, err := q.QueryContext(ctx, `SELECT year, source, loaded_at FROM calendar_years ORDER BY year`)
	if err != nil {
		return nil, fmt.Errorf("read calendar years: %w", err)
	}
	defer rows.Close()
	var out []Year
	for rows.Next() {
		var y Year
		if err := rows.Scan(&y.Year, &y.Source, &y.LoadedAt); err != nil {
			return nil, fmt.Errorf("read calendar years: %w", err)
		}
		y.LoadedAt = y.LoadedAt.UTC()
		out = append(out, y)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read calendar years: %w", err)
	}
	return out, nil
}

func readYear(ctx context.Context, q db.Q, year int) (*Year, error) {
	var y Year
	err := q.QueryRowContext(ctx, `SELECT year, source, loaded_at FROM calendar_years WHERE year = $1`, year).
		Scan(&y.Year, &y.Source, &y.LoadedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read calendar year %d: %w", year, err)
	}
	y.LoadedAt = y.LoadedAt.UTC()
	return &y, nil
}

func readDay(ctx context.Context, q db.Q, d Date) (*Day, error) {
	days, err := readDays(ctx, q, d.String(), d.String())
	if err != nil || len(days) == 0 {
		return nil, err
	}
	return &days[0], nil
}

func yearBounds(year int) (string, string) {
	y := strconv.Itoa(year)
	return y + "-01-01", y + "-12-31"
}

func upsertDay(ctx context.Context, q db.Q, d Day) error {
	_, err := q.ExecContext(ctx, `INSERT INTO calendar_days (region_code, day, kind, name) VALUES ($1, $2, $3, $4)
		ON CONFLICT (region_code, day) DO UPDATE SET kind = excluded.kind, name = excluded.name`,
		national, d.Date.String(), d.Kind, d.Name)
	if err != nil {
		return fmt.Errorf("write calendar day %s: %w", d.Date, err)
	}
	return nil
}

func upsertYear(ctx context.Context, q db.Q, y Year) error {
	_, err := q.ExecContext(ctx, `INSERT INTO calendar_years (year, source, loaded_at) VALUES ($1, $2, $3)
		ON CONFLICT (year) DO UPDATE SET source = excluded.source, loaded_at = excluded.loaded_at`,
		y.Year, y.Source, clock.Norm(y.LoadedAt))
	if err != nil {
		return fmt.Errorf("mark calendar year %d loaded: %w", y.Year, err)
	}
	return nil
}
