package calendar

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"time"

	"banhao.dev/banhao/internal/platform/audit"
	"banhao.dev/banhao/internal/platform/db"
	"banhao.dev/banhao/internal/platform/errs"
)

// Stream is the audit stream of every calendar change.
const Stream = "calendar"

// Errors of admin edits.
var (
	ErrDayNotFound = errs.E(errs.NotFound, "calendar_day_not_found", "该日期没有节假日或调休上班记录")
	ErrYearEmpty   = errs.E(errs.FailedPrecondition, "calendar_year_empty", "该年份还没有任何放假记录，请先录入节假日再标记为已载入")
)

// ImportResult tells what an import wrote.
type ImportResult struct {
	Year     int `json:"year"`
	Days     int `json:"days"`     // days written
	Replaced int `json:"replaced"` // days of that year stored before, now replaced
}

// yearState is the audited before/after of a whole year.
type yearState struct {
	Loaded *Year `json:"loaded"`
	Days   []Day `json:"days"`
}

// SetDay creates or changes the exception for date d (kind KindOff or
// KindWork, name required; work only on a weekend). The year need not be
// loaded yet: an admin may enter next year's days one by one and then call
// MarkYearLoaded. Validation errors name the form inputs date, kind, name.
func (c *Calendar) SetDay(ctx context.Context, actor audit.Actor, d Date, kind, name string) error {
	var fe errs.Fields
	day, _, _ := checkEntry(entry{date: d.String(), kind: kind, name: name}, 0, &fe)
	if !fe.Has("date") && (d.Year < 2000 || d.Year > 2100) {
		fe.Add("date", "日期应在2000–2100年之间")
	}
	if err := fe.Err(); err != nil {
		return err
	}
	at := c.clk.Now()
	err := c.db.Tx(ctx, func(tx *sql.Tx) error {
		before, err := readDay(ctx, tx, d)
		if err != nil {
			return err
		}
		if err := upsertDay(ctx, tx, day); err != nil {
			return err
		}
		return changed(ctx, tx, at, actor, "set_day", map[string]any{"date": d, "before": before, "after": day})
	})
	c.invalidate()
	if err != nil {
		return fmt.Errorf("set calendar day %s: %w", d, err)
	}
	return nil
}

// DeleteDay removes the exception for d, making it an ordinary day again.
func (c *Calendar) DeleteDay(ctx context.Context, actor audit.Actor, d Date) error {
	at := c.clk.Now()
	err := c.db.Tx(ctx, func(tx *sql.Tx) error {
		before, err := readDay(ctx, tx, d)
		if err != nil {
			return err
		}
		if before == nil {
			return ErrDayNotFound.Withf("%s", d)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM calendar_days WHERE region_code = $1 AND day = $2`, national, d.String()); err != nil {
			return err
		}
		return changed(ctx, tx, at, actor, "delete_day", map[string]any{"date": d, "before": before, "after": nil})
	})
	c.invalidate()
	if err != nil {
		return fmt.Errorf("delete calendar day %s: %w", d, err)
	}
	return nil
}

// MarkYearLoaded declares year's schedule complete: from now on dates of
// that year are computed. It refuses a year without any day off, since
// every year has at least 元旦 and a blank year would silently count every
// holiday as a working day.
func (c *Calendar) MarkYearLoaded(ctx context.Context, actor audit.Actor, year int, source string) error {
	if year < 2000 || year > 2100 {
		return errs.Field("year", "calendar_year_range", "年份应在2000–2100之间")
	}
	at := c.clk.Now()
	err := c.db.Tx(ctx, func(tx *sql.Tx) error {
		from, to := yearBounds(year)
		var offs int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM calendar_days
			WHERE region_code = $1 AND day >= $2 AND day <= $3 AND kind = 'off'`, national, from, to).Scan(&offs); err != nil {
			return err
		}
		if offs == 0 {
			return ErrYearEmpty.Withf("%d年", year)
		}
		before, err := readYear(ctx, tx, year)
		if err != nil {
			return err
		}
		after := Year{Year: year, Source: source, LoadedAt: at}
		if err := upsertYear(ctx, tx, after); err != nil {
			return err
		}
		return changed(ctx, tx, at, actor, "mark_year_loaded", map[string]any{"year": year, "before": before, "after": after})
	})
	c.invalidate()
	if err != nil {
		return fmt.Errorf("mark calendar year %d loaded: %w", year, err)
	}
	return nil
}

// ListYear returns the stored exceptions of year in date order, whether or
// not the year is marked loaded.
func (c *Calendar) ListYear(ctx context.Context, year int) ([]Day, error) {
	from, to := yearBounds(year)
	return readDays(ctx, c.db.R, from, to)
}

// Years returns the loaded years in order.
func (c *Calendar) Years(ctx context.Context) ([]Year, error) {
	return readYears(ctx, c.db.R)
}

// Import reads a schedule file (see Schedule for the JSON and CSV formats),
// replaces that year's national days with it and marks the year loaded, in
// one audited transaction. An invalid file writes nothing; the error lists
// every bad line.
func (c *Calendar) Import(ctx context.Context, actor audit.Actor, r io.Reader, format string) (ImportResult, error) {
	s, err := ParseImport(r, format)
	if err != nil {
		return ImportResult{}, err
	}
	if s.Source == "" {
		s.Source = "文件导入（" + format + "）"
	}
	at := c.clk.Now()
	var res ImportResult
	err = c.db.Tx(ctx, func(tx *sql.Tx) error {
		res, err = replaceYear(ctx, tx, s, at, actor, "import_year")
		return err
	})
	c.invalidate()
	if err != nil {
		return ImportResult{}, fmt.Errorf("import calendar %d: %w", s.Year, err)
	}
	return res, nil
}

// replaceYear swaps the national days of s.Year for s.Days, marks the year
// loaded, bumps the version and audits before/after, all in q's transaction.
func replaceYear(ctx context.Context, q db.Q, s Schedule, at time.Time, actor audit.Actor, action string) (ImportResult, error) {
	from, to := yearBounds(s.Year)
	var before yearState
	var err error
	if before.Days, err = readDays(ctx, q, from, to); err != nil {
		return ImportResult{}, err
	}
	if before.Loaded, err = readYear(ctx, q, s.Year); err != nil {
		return ImportResult{}, err
	}
	if _, err := q.ExecContext(ctx, `DELETE FROM calendar_days WHERE region_code = $1 AND day >= $2 AND day <= $3`, national, from, to); err != nil {
		return ImportResult{}, fmt.Errorf("clear calendar %d: %w", s.Year, err)
	}
	for _, d := range s.Days {
		if err := upsertDay(ctx, q, d); err != nil {
			return ImportResult{}, err
		}
	}
	loaded := Year{Year: s.Year, Source: s.Source, LoadedAt: at}
	if err := upsertYear(ctx, q, loaded); err != nil {
		return ImportResult{}, err
	}
	after := yearState{Loaded: &loaded, Days: s.Days}
	if err := changed(ctx, q, at, actor, action, map[string]any{"year": s.Year, "before": before, "after": after}); err != nil {
		return ImportResult{}, err
	}
	return ImportResult{Year: s.Year, Days: len(s.Days), Replaced: len(before.Days)}, nil
}

// changed bumps the version and appends the audit event, in q's transaction.
func changed(ctx context.Context, q db.Q, at time.Time, actor audit.Actor, action string, data any) error {
	if err := bumpVersion(ctx, q, at); err != nil {
		return err
	}
	if _, err := audit.Append(ctx, q, at, actor, Stream, action, data); err != nil {
		return err
	}
	return nil
}
