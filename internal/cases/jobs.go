package cases

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"banhao.dev/banhao/internal/platform/audit"
	"banhao.dev/banhao/internal/platform/clock"
	"banhao.dev/banhao/internal/platform/outbox"
)

// batch bounds the rows one job transaction handles.
const batch = 200

// AutoAcceptDue accepts every online submission whose pre-review limit has
// passed (art. 32: not told within the limit, the application counts as
// accepted from the day the materials were received). It returns how many
// cases it accepted.
func (s *Service) AutoAcceptDue(ctx context.Context, now time.Time) (int, error) {
	now = clock.Norm(now)
	total := 0
	for {
		var nos []string
		rows, err := s.db.R.QueryContext(ctx, `SELECT no FROM cases WHERE status = 'submitted' AND prereview_due <= $1
			ORDER BY prereview_due LIMIT $2`, now, batch)
		if err != nil {
			return total, fmt.Errorf("auto-accept: %w", err)
		}
		for rows.Next() {
			var no string
			if err := rows.Scan(&no); err != nil {
				rows.Close()
				return total, fmt.Errorf("auto-accept: %w", err)
			}
			nos = append(nos, no)
		}
		rows.Close()
		for _, no := range nos {
			ok, err := s.autoAccept(ctx, no, now)
			if err != nil {
				return total, err
			}
			if ok {
				total++
			}
		}
		if len(nos) < batch {
			return total, nil
		}
	}
}

func (s *Service) autoAccept(ctx context.Context, no string, now time.Time) (bool, error) {
	done := false
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		c, err := s.getCase(ctx, tx, no, s.db.ForUpdate())
		if err != nil {
			return err
		}
		// Re-check under the lock: a clerk may have acted meanwhile.
		if c.Status != Submitted || c.PreReviewDue == nil || c.PreReviewDue.After(now) {
			return nil
		}
		ev := &event{Action: ActAutoAccept, Actor: audit.System, At: now, Data: map[string]any{"pre_review_due": *c.PreReviewDue}}
		done = true
		return s.apply(ctx, tx, c, ev, func(ctx context.Context, tx *sql.Tx, c *Case, ev *event) error {
			ms, err := listMaterials(ctx, tx, c.ID)
			if err != nil {
				return err
			}
			c.AutoAccepted = true
			from := now
			if c.MaterialsReceivedAt != nil {
				from = *c.MaterialsReceivedAt
			}
			ev.Data["counted_from"] = from
			return s.accept(ctx, tx, c, ev, from, ms)
		})
	})
	if err != nil {
		return false, fmt.Errorf("auto-accept %s: %w", no, err)
	}
	return done, nil
}

// RemindPending sends the reminders for pending (容缺) materials whose
// reminder time has come, once each. It returns how many it sent.
func (s *Service) RemindPending(ctx context.Context, now time.Time) (int, error) {
	now = clock.Norm(now)
	sent := 0
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT p.id, c.no, c.item_name, c.body, p.name, p.due_date FROM case_pending p
			JOIN cases c ON c.id = p.case_id
			WHERE p.remind_at <= $1 AND p.reminded_at IS NULL AND p.supplied_at IS NULL ORDER BY p.remind_at LIMIT $2`, now, batch)
		if err != nil {
			return err
		}
		type due struct {
			id                   int64
			no, item, name, date string
			body                 string
		}
		var list []due
		for rows.Next() {
			var d due
			if err := rows.Scan(&d.id, &d.no, &d.item, &d.body, &d.name, &d.date); err != nil {
				rows.Close()
				return err
			}
			list = append(list, d)
		}
		rows.Close()
		for _, d := range list {
			// Lock the case row before its pending row, in the order of
			// the actions (SupplyPending locks the row, then updates
			// case_pending): the other order deadlocks with them.
			caseID, head, err := s.lockAuditHead(ctx, tx, d.no)
			if err != nil {
				return err
			}
			// Claim the row: an overlapping run (another node whose
			// lease overlapped) read it too; its UPDATE waits for ours to
			// commit, then matches nothing, so it sends nothing. Nor is a
			// material supplied since the list was read reminded.
			res, err := tx.ExecContext(ctx, `UPDATE case_pending SET reminded_at = $2 WHERE id = $1 AND reminded_at IS NULL
				AND supplied_at IS NULL`, d.id, now)
			if err != nil {
				return err
			}
			claimed, err := res.RowsAffected()
			if err != nil {
				return err
			}
			if claimed == 0 {
				continue
			}
			c := &Case{No: d.no}
			if err := jsonUnmarshal(d.body, &c.Body); err != nil {
				return err
			}
			n := Notice{UserID: c.Applicant.UserID, Phone: c.Applicant.Phone, Title: "容缺材料补齐提醒：" + d.item,
				Body: fmt.Sprintf("您的办件 %s 承诺于 %s 前补齐“%s”，请按时提交。", d.no, d.date, d.name), Link: "/my/cases/" + d.no}
			if err := s.notify.Notify(ctx, tx, now, n); err != nil {
				return err
			}
			e, err := audit.AppendAfter(ctx, tx, head, now, audit.System, c.stream(), "pending-reminder", map[string]any{"material": d.name, "due_date": d.date})
			if err != nil {
				return err
			}
			if err := saveAuditHead(ctx, tx, caseID, audit.Head{Seq: e.Seq, Hash: e.Hash}); err != nil {
				return err
			}
			sent++
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("remind pending: %w", err)
	}
	return sent, nil
}

// lockAuditHead locks case no's row and returns its id and the head of its
// audit chain, for an event that changes nothing else on the case: append
// it after the head, then move the head with saveAuditHead (actions do the
// same through record and updateCase).
func (s *Service) lockAuditHead(ctx context.Context, tx *sql.Tx, no string) (int64, audit.Head, error) {
	var id int64
	var head audit.Head
	if err := tx.QueryRowContext(ctx, `SELECT id, audit_seq, audit_hash FROM cases WHERE no = $1`+s.db.ForUpdate(), no).Scan(&id, &head.Seq, &head.Hash); err != nil {
		return 0, audit.Head{}, fmt.Errorf("case %s: audit head: %w", no, err)
	}
	return id, head, nil
}

// saveAuditHead writes the head of case id's audit chain to its row.
func saveAuditHead(ctx context.Context, tx *sql.Tx, id int64, h audit.Head) error {
	if _, err := tx.ExecContext(ctx, `UPDATE cases SET audit_seq = $2, audit_hash = $3 WHERE id = $1`, id, h.Seq, h.Hash); err != nil {
		return fmt.Errorf("case %d: audit head: %w", id, err)
	}
	return nil
}

// RefreshLights updates the lights of the cases whose next light change has
// come (next_light_change_at <= now, indexed). Lights and the next change
// are computed from the stored instants alone, so the tick needs neither the
// calendar nor the case bodies; its cost grows with the cases that change.
// Every change is published on the outbox (TopicLight) for warnings.
func (s *Service) RefreshLights(ctx context.Context, now time.Time) (int, error) {
	now = clock.Norm(now)
	total := 0
	for {
		n, err := s.refreshBatch(ctx, now)
		total += n
		if err != nil {
			return total, fmt.Errorf("refresh lights: %w", err)
		}
		if n < batch {
			return total, nil
		}
	}
}

type lightRow struct {
	id                     int64
	no, status             string
	orgID, stepOrg         int64
	stepRole               string
	light, stepLight       Light
	promised, stepDue      sql.NullTime
	caseYellow, stepYellow sql.NullTime
}

func (s *Service) refreshBatch(ctx context.Context, now time.Time) (int, error) {
	n := 0
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT id, no, status, org_id, step_org_id, step_role, light, step_light,
			promised_due, step_due, case_yellow_at, step_yellow_at FROM cases
			WHERE next_light_change_at <= $1 ORDER BY next_light_change_at LIMIT $2`+s.db.SkipLocked(), now, batch)
		if err != nil {
			return err
		}
		var list []lightRow
		for rows.Next() {
			var r lightRow
			if err := rows.Scan(&r.id, &r.no, &r.status, &r.orgID, &r.stepOrg, &r.stepRole, &r.light, &r.stepLight,
				&r.promised, &r.stepDue, &r.caseYellow, &r.stepYellow); err != nil {
				rows.Close()
				return err
			}
			list = append(list, r)
		}
		rows.Close()
		for _, r := range list {
			if err := s.refreshOne(ctx, tx, r, now); err != nil {
				return err
			}
		}
		n = len(list)
		return nil
	})
	return n, err
}

func (s *Service) refreshOne(ctx context.Context, tx *sql.Tx, r lightRow, now time.Time) error {
	stopped := Status(r.status) == ClockStopped
	var promised, step *Deadline
	if r.promised.Valid {
		promised = &Deadline{At: r.promised.Time}
	}
	if r.stepDue.Valid {
		step = &Deadline{At: r.stepDue.Time}
	}
	light := r.light
	if !stopped {
		light = lightAt(now, tp(r.caseYellow), promised)
	}
	stepLight := lightAt(now, tp(r.stepYellow), step)
	var cand []*time.Time
	if !stopped && promised != nil {
		cand = append(cand, tp(r.caseYellow), &promised.At)
	}
	if step != nil {
		cand = append(cand, tp(r.stepYellow), &step.At)
	}
	next := nextAfter(now, cand)
	if _, err := tx.ExecContext(ctx, `UPDATE cases SET light = $2, step_light = $3, next_light_change_at = $4 WHERE id = $1`,
		r.id, light, stepLight, nt(next)); err != nil {
		return err
	}
	if light == r.light && stepLight == r.stepLight {
		return nil
	}
	return outbox.Enqueue(ctx, tx, now, TopicLight, map[string]any{"no": r.no, "light": light, "before": r.light,
		"step_light": stepLight, "step_before": r.stepLight, "org_id": r.orgID, "step_org_id": r.stepOrg, "step_role": r.stepRole, "at": now})
}
