package db

import (
	"database/sql"
	"errors"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"

	"banhao.dev/banhao/internal/platform/errs"
)

// Domain errors for constraint violations. Stores that know which constraint
// failed should return a more specific error; these are the fallback.
var (
	ErrDuplicate = errs.E(errs.Conflict, "duplicate", "记录已存在，不能重复")
	ErrReference = errs.E(errs.Invalid, "reference", "引用的记录不存在或仍被使用")
	ErrCheck     = errs.E(errs.Invalid, "constraint", "数据不符合约束")
	ErrNotFound  = errs.E(errs.NotFound, "not_found", "记录不存在")
)

// Translate maps driver errors to domain errors by SQLSTATE or SQLite
// extended result code, never by message text. Other errors pass through.
func (d *DB) Translate(err error) error {
	if err == nil {
		return nil
	}
	if _, ok := errs.As(err); ok {
		return err
	}
	if errors.Is(err, sql.ErrNoRows) {
		return wrap(ErrNotFound, err)
	}
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		switch pg.Code {
		case "23505":
			return wrap(ErrDuplicate, err)
		case "23503":
			return wrap(ErrReference, err)
		case "23514", "23502":
			return wrap(ErrCheck, err)
		}
		return err
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() {
		case 2067, 1555: // SQLITE_CONSTRAINT_UNIQUE, SQLITE_CONSTRAINT_PRIMARYKEY
			return wrap(ErrDuplicate, err)
		case 787: // SQLITE_CONSTRAINT_FOREIGNKEY
			return wrap(ErrReference, err)
		case 275, 1299: // SQLITE_CONSTRAINT_CHECK, SQLITE_CONSTRAINT_NOTNULL
			return wrap(ErrCheck, err)
		}
	}
	return err
}

func wrap(e *errs.Error, cause error) error {
	c := *e
	c.Err = cause
	return &c
}

// IsDuplicate reports whether err is a unique violation (translated or not).
func IsDuplicate(err error) bool { return errors.Is(err, ErrDuplicate) }

func retryable(err error) bool {
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		return pg.Code == "40001" || pg.Code == "40P01"
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code()&0xff == 5 // SQLITE_BUSY and its extended codes
	}
	return false
}
