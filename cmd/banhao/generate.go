package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"banhao.dev/banhao/internal/cases"
	"banhao.dev/banhao/internal/platform/clock"
	"banhao.dev/banhao/internal/platform/config"
	"banhao.dev/banhao/internal/platform/db"
)

const generateUsage = "用法：banhao generate [--db URL] [--blob-dir DIR] [--cases N] [--items N] [--seed S]"

// genOpenDays is how far back open (not yet concluded) generated cases are
// filed: a real center concludes almost everything within a few weeks, so
// older cases are generated closed.
const genOpenDays = 20

// genFirstSerial keeps generated case numbers apart from the serials the
// service hands out to real submissions of the same day.
const genFirstSerial = 500000

// cmdGenerate fills a database with a large, consistent data set for scale
// measurements: it loads the demo seed when the database is empty, then
// clones the demo's cases and published items by batched multi-row INSERTs
// inside transactions. Each generated row is a copy of a row written by the
// real services, with its number, code and times moved, so every page and
// job reads it as it reads a real one.
func cmdGenerate(ctx context.Context, env *cliEnv, args []string) error {
	cfg := config.Default()
	fs := newFlags("generate", env, &cfg, "db", "blob-dir", "log-format", "log-level")
	nCases := fs.Int("cases", 1_000_000, "生成的办件数")
	nItems := fs.Int("items", 30_000, "生成的事项数")
	seed := fs.Uint64("seed", 1, "随机数种子（相同种子得到相同的数据）")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *nCases < 0 || *nItems < 0 {
		return usageError{"--cases 与 --items 须 ≥ 0。" + generateUsage}
	}
	a, err := open(ctx, cfg, env, true)
	if err != nil {
		return err
	}
	defer a.close()
	start := time.Now()
	if err := a.seedDemo(ctx); err != nil {
		return err
	}
	g := &generator{d: a.db, rng: rand.New(rand.NewPCG(*seed, *seed^0x9e3779b97f4a7c15)), now: clock.Norm(a.clk.Now())}
	if err := g.items(ctx, *nItems); err != nil {
		return err
	}
	itemsDone := time.Since(start)
	if err := g.cases(ctx, *nCases); err != nil {
		return err
	}
	fmt.Fprintf(env.stdout, "已生成 %d 件办件、%d 个事项，用时 %s（事项 %s）\n", *nCases, *nItems,
		time.Since(start).Round(time.Millisecond), itemsDone.Round(time.Millisecond))
	return nil
}

type generator struct {
	d   *db.DB
	rng *rand.Rand
	now time.Time
}

// rowSet is template rows of one table read with SELECT *.
type rowSet struct {
	cols []string
	rows [][]any
}

func (r rowSet) col(name string) int {
	for i, c := range r.cols {
		if c == name {
			return i
		}
	}
	return -1
}

func readRows(ctx context.Context, q db.Q, query string, args ...any) (rowSet, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return rowSet{}, fmt.Errorf("read templates: %w", err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return rowSet{}, err
	}
	out := rowSet{cols: cols}
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return rowSet{}, err
		}
		for i, v := range vals {
			if b, ok := v.([]byte); ok {
				vals[i] = string(b)
			}
		}
		out.rows = append(out.rows, vals)
	}
	return out, rows.Err()
}

// inserter writes rows of one table in multi-row INSERT statements, one
// transaction per flush, keeping under both engines' bound-parameter limits.
type inserter struct {
	d     *db.DB
	table string
	cols  []string
	per   int // rows per statement
	stmts int // statements per transaction
	buf   [][]any
}

func newInserter(d *db.DB, table string, cols []string) *inserter {
	per := min(1000, 30000/len(cols))
	return &inserter{d: d, table: table, cols: cols, per: per, stmts: 20}
}

func (in *inserter) add(ctx context.Context, row []any) error {
	in.buf = append(in.buf, row)
	if in.full() {
		return in.flush(ctx)
	}
	return nil
}

func (in *inserter) full() bool { return len(in.buf) >= in.per*in.stmts }

func (in *inserter) flush(ctx context.Context) error {
	if len(in.buf) == 0 {
		return nil
	}
	err := in.d.Tx(ctx, func(tx *sql.Tx) error {
		for from := 0; from < len(in.buf); from += in.per {
			chunk := in.buf[from:min(from+in.per, len(in.buf))]
			var b strings.Builder
			fmt.Fprintf(&b, "INSERT INTO %s (%s) VALUES ", in.table, strings.Join(in.cols, ", "))
			args := make([]any, 0, len(chunk)*len(in.cols))
			for i, row := range chunk {
				if i > 0 {
					b.WriteString(", ")
				}
				if in.d.Engine == db.SQLite {
					// modernc binds a "$N" parameter by searching every name of
					// the statement (quadratic in its size); "?" binds by position.
					b.WriteString("(" + strings.Repeat("?, ", len(row)-1) + "?)")
				} else {
					b.WriteString("(" + db.Placeholders(len(args)+1, len(row)) + ")")
				}
				args = append(args, row...)
			}
			if _, err := tx.ExecContext(ctx, b.String(), args...); err != nil {
				return fmt.Errorf("insert into %s: %w", in.table, err)
			}
		}
		return nil
	})
	in.buf = in.buf[:0]
	return err
}

// items clones the published demo items n times under new codes (a fresh
// 10-digit basic code in the same region), with their published versions.
func (g *generator) items(ctx context.Context, n int) error {
	if n == 0 {
		return nil
	}
	tpl, err := readRows(ctx, g.d.R, `SELECT * FROM items WHERE status = 'published' AND code NOT LIKE '8%' ORDER BY code`)
	if err != nil {
		return err
	}
	if len(tpl.rows) == 0 {
		return fmt.Errorf("generate items: no published item to copy")
	}
	vers, err := readRows(ctx, g.d.R, `SELECT * FROM item_versions WHERE state = 'published' AND item_code NOT LIKE '8%' ORDER BY item_code, version`)
	if err != nil {
		return err
	}
	var start int
	if err := g.d.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM items WHERE code LIKE '8%'`).Scan(&start); err != nil {
		return fmt.Errorf("count generated items: %w", err)
	}
	ci, ni, ri := tpl.col("code"), tpl.col("name"), tpl.col("region_code")
	vc, vb := vers.col("item_code"), vers.col("body")
	byItem := map[string][][]any{}
	for _, v := range vers.rows {
		byItem[v[vc].(string)] = append(byItem[v[vc].(string)], v)
	}
	itemIns := newInserter(g.d, "items", tpl.cols)
	verIns := newInserter(g.d, "item_versions", vers.cols)
	for i := range n {
		t := tpl.rows[g.rng.IntN(len(tpl.rows))]
		oldCode, oldName := t[ci].(string), t[ni].(string)
		region := t[ri].(string)
		seq := start + i + 1
		code := fmt.Sprintf("8%09d-%s-01", seq, region)
		name := fmt.Sprintf("%s（第%d号）", oldName, seq)
		row := append([]any(nil), t...)
		row[ci], row[ni] = code, name
		itemIns.buf = append(itemIns.buf, row)
		for _, v := range byItem[oldCode] {
			vr := append([]any(nil), v...)
			vr[vc] = code
			body := strings.ReplaceAll(v[vb].(string), `"`+oldCode+`"`, `"`+code+`"`)
			vr[vb] = strings.ReplaceAll(body, `"`+oldName+`"`, `"`+name+`"`)
			verIns.buf = append(verIns.buf, vr)
		}
		// Versions reference their item: write the items first.
		if itemIns.full() || verIns.full() {
			if err := itemIns.flush(ctx); err != nil {
				return err
			}
			if err := verIns.flush(ctx); err != nil {
				return err
			}
		}
	}
	if err := itemIns.flush(ctx); err != nil {
		return err
	}
	return verIns.flush(ctx)
}

// caseTemplate is one demo case row and its body shifted by whole days.
type caseTemplate struct {
	row    []any
	open   bool
	bodies map[int]string
	stops  map[int]string // the clock_stops column (JSON) shifted likewise
}

// cases clones the demo's filed cases n times over the past year: open ones
// only within the last genOpenDays days (so the supervision tick sees what
// a real center has in progress), closed ones over the whole year. Every
// timestamp of a copy, in its columns and in its JSON body, moves by the
// same whole number of days, so deadlines, lights and steps stay consistent.
func (g *generator) cases(ctx context.Context, n int) error {
	if n == 0 {
		return nil
	}
	tpl, err := readRows(ctx, g.d.R, `SELECT * FROM cases WHERE status <> 'draft' AND no NOT LIKE '%-5_____-%' ORDER BY id`)
	if err != nil {
		return err
	}
	cols := tpl.cols[1:] // drop id
	noI, stI, regI, crI, bodyI := tpl.col("no")-1, tpl.col("status")-1, tpl.col("region_code")-1, tpl.col("created_at")-1, tpl.col("body")-1
	stopsI := tpl.col("clock_stops") - 1
	// A copy has no timeline: its audit chain starts empty (migration 0061
	// keeps the chain's head on the row; the template's would make the
	// copy's first event continue a chain it does not have).
	seqI, hashI := tpl.col("audit_seq")-1, tpl.col("audit_hash")-1
	var open, closed []*caseTemplate
	for _, r := range tpl.rows {
		t := &caseTemplate{row: r[1:], bodies: map[int]string{}, stops: map[int]string{}}
		if cases.Status(t.row[stI].(string)).Open() {
			t.open = true
			open = append(open, t)
		} else {
			closed = append(closed, t)
		}
	}
	if len(open) == 0 || len(closed) == 0 {
		return fmt.Errorf("generate cases: the demo seed has %d open and %d closed cases to copy, need both", len(open), len(closed))
	}
	serials := map[string]int{}
	ins := newInserter(g.d, "cases", cols)
	for range n {
		// Arrivals fall on working days mostly; a case is open only if recent.
		day := g.rng.IntN(365)
		var t *caseTemplate
		if day < genOpenDays && g.rng.IntN(10) < 6 {
			t = open[g.rng.IntN(len(open))]
		} else {
			t = closed[g.rng.IntN(len(closed))]
		}
		created := t.row[crI].(time.Time)
		// Move the copy so it was created `day` days before now.
		shift := int(g.now.Sub(created).Hours()/24) - day
		if d := created.AddDate(0, 0, shift).In(clock.Shanghai).Weekday(); d == time.Saturday || d == time.Sunday {
			shift -= 2
		}
		row := append([]any(nil), t.row...)
		for i, v := range row {
			if tv, ok := v.(time.Time); ok {
				row[i] = clock.Norm(tv.AddDate(0, 0, shift))
			}
		}
		row[seqI], row[hashI] = int64(0), ""
		body, ok := t.bodies[shift]
		if !ok {
			if body, err = shiftBody(t.row[bodyI].(string), shift); err != nil {
				return err
			}
			t.bodies[shift] = body
		}
		row[bodyI] = body
		if stops, ok := row[stopsI].(string); ok {
			shifted, ok := t.stops[shift]
			if !ok {
				if shifted, err = shiftBody(stops, shift); err != nil {
					return err
				}
				t.stops[shift] = shifted
			}
			row[stopsI] = shifted
		}
		region := t.row[regI].(string)
		at := row[crI].(time.Time).In(clock.Shanghai)
		key := region + "-" + at.Format("20060102") + "-"
		if _, ok := serials[key]; !ok {
			// Continue after the generated numbers of an earlier run.
			var last sql.NullString
			if err := g.d.R.QueryRowContext(ctx, `SELECT MAX(no) FROM cases WHERE no >= $1 AND no < $2`, key+"5", key+"6").Scan(&last); err != nil {
				return fmt.Errorf("generate: last number: %w", err)
			}
			serials[key] = 0
			if last.Valid {
				if n, err := strconv.Atoi(last.String[16:22]); err == nil {
					serials[key] = n - genFirstSerial
				}
			}
		}
		serials[key]++
		no, err := cases.FormatNumber(region, at, genFirstSerial+serials[key])
		if err != nil {
			return err
		}
		row[noI] = no
		if err := ins.add(ctx, row); err != nil {
			return err
		}
	}
	return ins.flush(ctx)
}

// shiftBody moves every timestamp and calendar date in a case body by days.
// Deadlines are stored as dates only (their lines are regenerated on read,
// cases/deadlines_stored.go), so a copy's derivation names its own dates.
func shiftBody(body string, days int) (string, error) {
	var v any
	if err := json.Unmarshal([]byte(body), &v); err != nil {
		return "", fmt.Errorf("generate: decode case body: %w", err)
	}
	var walk func(any) any
	walk = func(x any) any {
		switch x := x.(type) {
		case map[string]any:
			for k, e := range x {
				x[k] = walk(e)
			}
		case []any:
			for i, e := range x {
				x[i] = walk(e)
			}
		case string:
			if len(x) == 10 {
				if d, err := time.Parse(time.DateOnly, x); err == nil {
					return d.AddDate(0, 0, days).Format(time.DateOnly)
				}
			} else if len(x) >= 20 && len(x) <= 40 {
				if t, err := time.Parse(time.RFC3339Nano, x); err == nil {
					return t.AddDate(0, 0, days).Format(time.RFC3339Nano)
				}
			}
		}
		return x
	}
	out, err := json.Marshal(walk(v))
	if err != nil {
		return "", err
	}
	return string(out), nil
}
