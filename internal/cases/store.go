package cases

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"banhao.dev/banhao/internal/platform/db"
	"banhao.dev/banhao/internal/platform/errs"
)

// ErrNotFound is returned for an unknown case number (and, to the public
// tracker, for a wrong query code: it must not reveal which one failed).
var ErrNotFound = errs.E(errs.NotFound, "case_not_found", "办件不存在")

// nextSerial returns the next serial of region on day. The upsert is one
// atomic statement on both engines: PostgreSQL locks the conflicting row,
// SQLite has one writer, so concurrent callers never share a serial.
func nextSerial(ctx context.Context, q db.Q, region, day string) (int, error) {
	var n int
	err := q.QueryRowContext(ctx, `INSERT INTO case_serials (region_code, day, last) VALUES ($1, $2, 1)
		ON CONFLICT (region_code, day) DO UPDATE SET last = case_serials.last + 1 RETURNING last`, region, day).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("next case serial %s %s: %w", region, day, err)
	}
	return n, nil
}

const caseCols = `id, no, query_hash, region_code, item_code, item_version, item_name, org_id, domain, case_type,
	channel, status, COALESCE(applicant_id, 0), COALESCE(window_id, 0), step_index, step_role, step_org_id, light, step_light,
	promised_due, legal_due, step_due, case_yellow_at, step_yellow_at, next_light_change_at, prereview_due,
	trips, corrections, second_correction, pending_count, auto_accepted, extended, decision,
	submitted_at, accepted_at, decided_at, concluded_at, closed_at, body, created_at, updated_at, audit_seq, audit_hash`

func scanCase(sc interface{ Scan(...any) error }) (*Case, error) {
	c := &Case{}
	var applicantID int64
	var promised, legal, stepDue sql.NullTime
	var caseY, stepY, next, pre, sub, acc, dec, con, closed sql.NullTime
	var body string
	err := sc.Scan(&c.ID, &c.No, &c.queryHash, &c.RegionCode, &c.Item, &c.Version, &c.ItemName, &c.OrgID, &c.Domain, &c.CaseType,
		&c.Channel, &c.Status, &applicantID, &c.WindowID, &c.StepIndex, &c.StepRole, &c.StepOrgID, &c.Light, &c.StepLight,
		&promised, &legal, &stepDue, &caseY, &stepY, &next, &pre,
		&c.Trips, &c.Corrections, &c.SecondCorrection, &c.PendingCount, &c.AutoAccepted, &c.Extended, &c.DecisionKind,
		&sub, &acc, &dec, &con, &closed, &body, &c.CreatedAt, &c.UpdatedAt, &c.auditHead.Seq, &c.auditHead.Hash)
	if err != nil {
		return nil, err
	}
	if err := decodeBody([]byte(body), c); err != nil {
		return nil, err
	}
	c.CaseYellowAt, c.StepYellowAt, c.NextLightChangeAt, c.PreReviewDue = tp(caseY), tp(stepY), tp(next), tp(pre)
	c.SubmittedAt, c.AcceptedAt, c.DecidedAt, c.ConcludedAt, c.ClosedAt = tp(sub), tp(acc), tp(dec), tp(con), tp(closed)
	c.CreatedAt, c.UpdatedAt = c.CreatedAt.UTC(), c.UpdatedAt.UTC()
	c.StatusLabel = c.Status.Label()
	c.CurrentStep = c.current()
	return c, nil
}

func tp(t sql.NullTime) *time.Time {
	if !t.Valid {
		return nil
	}
	u := t.Time.UTC()
	return &u
}

func nt(t *time.Time) any {
	if t == nil {
		return nil
	}
	return t.UTC()
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// getCase reads a case by number; lock adds the engine's row lock.
func (s *Service) getCase(ctx context.Context, q db.Q, no, lock string) (*Case, error) {
	c, err := scanCase(q.QueryRowContext(ctx, `SELECT `+caseCols+` FROM cases WHERE no = $1`+lock, no))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound.Withf("%s", clip(no, 40))
	}
	if err != nil {
		return nil, fmt.Errorf("read case %s: %w", clip(no, 40), err)
	}
	return c, s.resolve(ctx, q, c)
}

func insertCase(ctx context.Context, q db.Q, c *Case) error {
	body, err := encodeBody(c)
	if err != nil {
		return err
	}
	sc, err := statCols(c)
	if err != nil {
		return err
	}
	err = q.QueryRowContext(ctx, `INSERT INTO cases (no, query_hash, region_code, item_code, item_version, item_name, org_id,
		domain, case_type, channel, status, applicant_id, applicant_name, window_id, body, created_at, updated_at,
		accepted_by, clock_stops, promised_limit_days, legal_limit_days)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $16, $17, $18, $19, $20) RETURNING id`,
		c.No, c.queryHash, c.RegionCode, c.Item, c.Version, c.ItemName, c.OrgID, c.Domain, c.CaseType, c.Channel, c.Status,
		nullID(c.Applicant.UserID), c.Applicant.Name, nullID(c.WindowID), string(body), c.CreatedAt,
		sc.acceptedBy, sc.stops, sc.promisedDays, sc.legalDays).Scan(&c.ID)
	if err != nil {
		return fmt.Errorf("insert case %s: %w", c.No, err)
	}
	return nil
}

// statFields are the body fields statistics read, kept in columns too
// (migration 0060) so statistics never decode bodies.
type statFields struct {
	acceptedBy              int64
	stops                   any // JSON array of the clock stops; NULL when none
	promisedDays, legalDays float64
}

func statCols(c *Case) (statFields, error) {
	sc := statFields{acceptedBy: c.AcceptedBy, promisedDays: c.ItemSnap.PromisedLimit.Days, legalDays: c.ItemSnap.LegalLimit.Days}
	if len(c.Stops) > 0 {
		b, err := json.Marshal(c.Stops)
		if err != nil {
			return sc, fmt.Errorf("case %s: encode stops: %w", c.No, err)
		}
		sc.stops = string(b)
	}
	return sc, nil
}

// updateCase writes every mutable column of c (the number too: Submit
// numbers a new case last).
func updateCase(ctx context.Context, q db.Execer, c *Case) error {
	body, err := encodeBody(c)
	if err != nil {
		return err
	}
	sc, err := statCols(c)
	if err != nil {
		return err
	}
	var promised, legal, stepDue *time.Time
	if d := c.Deadlines.Promised; d != nil {
		promised = &d.At
	}
	if d := c.Deadlines.Legal; d != nil {
		legal = &d.At
	}
	if d := c.Deadlines.Step; d != nil {
		stepDue = &d.At
	}
	_, err = q.ExecContext(ctx, `UPDATE cases SET status = $2, window_id = $3, step_index = $4, step_role = $5, step_org_id = $6,
		light = $7, step_light = $8, promised_due = $9, legal_due = $10, step_due = $11, case_yellow_at = $12,
		step_yellow_at = $13, next_light_change_at = $14, prereview_due = $15, trips = $16, corrections = $17,
		second_correction = $18, pending_count = $19, auto_accepted = $20, extended = $21, decision = $22,
		submitted_at = $23, accepted_at = $24, decided_at = $25, concluded_at = $26, closed_at = $27, body = $28,
		updated_at = $29, no = $30, accepted_by = $31, clock_stops = $32, promised_limit_days = $33, legal_limit_days = $34,
		audit_seq = $35, audit_hash = $36 WHERE id = $1`,
		c.ID, c.Status, nullID(c.WindowID), c.StepIndex, c.StepRole, c.StepOrgID, c.Light, c.StepLight,
		nt(promised), nt(legal), nt(stepDue), nt(c.CaseYellowAt), nt(c.StepYellowAt), nt(c.NextLightChangeAt), nt(c.PreReviewDue),
		c.Trips, c.Corrections, c.SecondCorrection, c.PendingCount, c.AutoAccepted, c.Extended, c.DecisionKind,
		nt(c.SubmittedAt), nt(c.AcceptedAt), nt(c.DecidedAt), nt(c.ConcludedAt), nt(c.ClosedAt), string(body), c.UpdatedAt, c.No,
		sc.acceptedBy, sc.stops, sc.promisedDays, sc.legalDays, c.auditHead.Seq, c.auditHead.Hash)
	if err != nil {
		return fmt.Errorf("update case %s: %w", c.No, err)
	}
	return nil
}

// upsertMaterial writes one material row of a case.
func upsertMaterial(ctx context.Context, q db.Execer, caseID int64, m CaseMaterial) error {
	_, err := q.ExecContext(ctx, `INSERT INTO case_materials (case_id, material_id, name, source, blob_hash, license_ref, status,
		changed_round, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
		ON CONFLICT (case_id, material_id) DO UPDATE SET source = excluded.source, blob_hash = excluded.blob_hash,
		license_ref = excluded.license_ref, status = excluded.status, changed_round = excluded.changed_round,
		updated_at = excluded.updated_at`,
		caseID, m.MaterialID, m.Name, m.Source, m.BlobHash, m.LicenseRef, m.Status, m.ChangedRound, m.UpdatedAt)
	if err != nil {
		return fmt.Errorf("write material %s: %w", m.MaterialID, err)
	}
	return nil
}

// readList runs one of the list reads below through q (a transaction, or a
// pool outside DB.Pipeline).
func readList[T any](ctx context.Context, q db.Q, caseID int64, read func(int64, *[]T) db.Read) ([]T, error) {
	var out []T
	if err := db.ReadWith(ctx, q, read(caseID, &out)); err != nil {
		return nil, fmt.Errorf("case %d: %w", caseID, err)
	}
	return out, nil
}

func listMaterials(ctx context.Context, q db.Q, caseID int64) ([]CaseMaterial, error) {
	return readList(ctx, q, caseID, materialsRead)
}

func materialsRead(caseID int64, out *[]CaseMaterial) db.Read {
	return db.Read{SQL: `SELECT material_id, name, source, blob_hash, license_ref, status, changed_round, updated_at
		FROM case_materials WHERE case_id = $1 ORDER BY id`, Args: []any{caseID}, Scan: func(rows db.Rows) error {
		*out = []CaseMaterial{}
		for rows.Next() {
			var m CaseMaterial
			if err := rows.Scan(&m.MaterialID, &m.Name, &m.Source, &m.BlobHash, &m.LicenseRef, &m.Status, &m.ChangedRound, &m.UpdatedAt); err != nil {
				return fmt.Errorf("list materials: %w", err)
			}
			m.UpdatedAt = m.UpdatedAt.UTC()
			*out = append(*out, m)
		}
		return nil
	}}
}

func insertCorrection(ctx context.Context, q db.Q, caseID int64, n CorrectionNotice) error {
	items, _ := json.Marshal(n.Items)
	_, err := q.ExecContext(ctx, `INSERT INTO case_corrections (case_id, round, second, override_reason, items, issued_by, issued_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, caseID, n.Round, n.Second, n.OverrideReason, string(items), n.IssuedBy, n.IssuedAt)
	if err != nil {
		return fmt.Errorf("write correction notice: %w", err)
	}
	return nil
}

func resolveCorrections(ctx context.Context, q db.Q, caseID int64, at time.Time) error {
	_, err := q.ExecContext(ctx, `UPDATE case_corrections SET resolved_at = $2 WHERE case_id = $1 AND resolved_at IS NULL`, caseID, at)
	if err != nil {
		return fmt.Errorf("resolve correction notice: %w", err)
	}
	return nil
}

func listCorrections(ctx context.Context, q db.Q, caseID int64) ([]CorrectionNotice, error) {
	return readList(ctx, q, caseID, correctionsRead)
}

func correctionsRead(caseID int64, out *[]CorrectionNotice) db.Read {
	return db.Read{SQL: `SELECT round, second, override_reason, items, issued_by, issued_at, resolved_at
		FROM case_corrections WHERE case_id = $1 ORDER BY round`, Args: []any{caseID}, Scan: func(rows db.Rows) error {
		*out = []CorrectionNotice{}
		for rows.Next() {
			var n CorrectionNotice
			var items string
			var resolved sql.NullTime
			if err := rows.Scan(&n.Round, &n.Second, &n.OverrideReason, &items, &n.IssuedBy, &n.IssuedAt, &resolved); err != nil {
				return fmt.Errorf("list corrections: %w", err)
			}
			if err := json.Unmarshal([]byte(items), &n.Items); err != nil {
				return fmt.Errorf("list corrections: %w", err)
			}
			n.IssuedAt, n.ResolvedAt = n.IssuedAt.UTC(), tp(resolved)
			*out = append(*out, n)
		}
		return nil
	}}
}

func insertPending(ctx context.Context, q db.Q, caseID int64, p Pending, at time.Time) error {
	_, err := q.ExecContext(ctx, `INSERT INTO case_pending (case_id, material_id, name, commitment, due_date, due_at, remind_at, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, caseID, p.MaterialID, p.Name, p.Commitment, p.DueDate, p.DueAt, p.RemindAt, at)
	if err != nil {
		return fmt.Errorf("write pending material %s: %w", p.MaterialID, err)
	}
	return nil
}

func listPending(ctx context.Context, q db.Q, caseID int64) ([]Pending, error) {
	return readList(ctx, q, caseID, pendingRead)
}

func pendingRead(caseID int64, out *[]Pending) db.Read {
	return db.Read{SQL: `SELECT material_id, name, commitment, due_date, due_at, remind_at, reminded_at, supplied_at
		FROM case_pending WHERE case_id = $1 ORDER BY id`, Args: []any{caseID}, Scan: func(rows db.Rows) error {
		*out = []Pending{}
		for rows.Next() {
			var p Pending
			var reminded, supplied sql.NullTime
			if err := rows.Scan(&p.MaterialID, &p.Name, &p.Commitment, &p.DueDate, &p.DueAt, &p.RemindAt, &reminded, &supplied); err != nil {
				return fmt.Errorf("list pending: %w", err)
			}
			p.DueAt, p.RemindAt, p.RemindedAt, p.SuppliedAt = p.DueAt.UTC(), p.RemindAt.UTC(), tp(reminded), tp(supplied)
			*out = append(*out, p)
		}
		return nil
	}}
}

func insertVerification(ctx context.Context, q db.Q, caseID int64, v Verification) error {
	_, err := q.ExecContext(ctx, `INSERT INTO case_verifications (case_id, material_id, name, org_id, status, created_at)
		VALUES ($1, $2, $3, $4, 'open', $5)`, caseID, v.MaterialID, v.Name, v.OrgID, v.CreatedAt)
	if err != nil {
		return fmt.Errorf("write verification task %s: %w", v.MaterialID, err)
	}
	return nil
}

// Verifications lists the verification tasks (核查) of an organization; status "" lists all.
func listVerifications(ctx context.Context, q db.Q, orgID int64, status string) ([]Verification, error) {
	rows, err := q.QueryContext(ctx, `SELECT v.id, c.no, v.material_id, v.name, v.org_id, v.status, v.created_at, v.closed_at, v.note
		FROM case_verifications v JOIN cases c ON c.id = v.case_id
		WHERE v.org_id = $1 AND ($2 = '' OR v.status = $2) ORDER BY v.id`, orgID, status)
	if err != nil {
		return nil, fmt.Errorf("list verifications: %w", err)
	}
	defer rows.Close()
	out := []Verification{}
	for rows.Next() {
		var v Verification
		var closed sql.NullTime
		if err := rows.Scan(&v.ID, &v.CaseNo, &v.MaterialID, &v.Name, &v.OrgID, &v.Status, &v.CreatedAt, &closed, &v.Note); err != nil {
			return nil, fmt.Errorf("list verifications: %w", err)
		}
		v.CreatedAt, v.ClosedAt = v.CreatedAt.UTC(), tp(closed)
		out = append(out, v)
	}
	return out, rows.Err()
}

// insertDocument writes d, numbered prefix + its ordinal among the case's
// documents of its kind (counted in the same statement: the case row is
// locked, so no other document of the case is being written).
func insertDocument(ctx context.Context, q db.Q, caseID int64, prefix string, d *Document) error {
	err := q.QueryRowContext(ctx, `INSERT INTO case_documents (case_id, kind, number, title, org_id, issued_at, data)
		SELECT $1, $2, CAST($3 AS TEXT) || CAST((SELECT COUNT(*) + 1 FROM case_documents WHERE case_id = $1 AND kind = $2) AS TEXT),
			$4, $5, $6, $7
		RETURNING id, number`, caseID, d.Kind, prefix, d.Title, d.OrgID, d.IssuedAt, string(d.Data)).Scan(&d.ID, &d.Number)
	if err != nil {
		return fmt.Errorf("write document %s: %w", prefix, err)
	}
	return nil
}

func listDocuments(ctx context.Context, q db.Q, caseID int64) ([]Document, error) {
	return readList(ctx, q, caseID, documentsRead)
}

func documentsRead(caseID int64, out *[]Document) db.Read {
	return db.Read{SQL: `SELECT id, kind, number, title, org_id, issued_at, data FROM case_documents
		WHERE case_id = $1 ORDER BY id`, Args: []any{caseID}, Scan: func(rows db.Rows) error {
		*out = []Document{}
		for rows.Next() {
			var d Document
			var data string
			if err := rows.Scan(&d.ID, &d.Kind, &d.Number, &d.Title, &d.OrgID, &d.IssuedAt, &data); err != nil {
				return fmt.Errorf("list documents: %w", err)
			}
			d.Data = json.RawMessage(data)
			d.IssuedAt = d.IssuedAt.UTC()
			*out = append(*out, d)
		}
		return nil
	}}
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "") + "…"
}

func jsonUnmarshal(s string, v any) error {
	if err := json.Unmarshal([]byte(s), v); err != nil {
		return fmt.Errorf("decode: %w", err)
	}
	return nil
}
