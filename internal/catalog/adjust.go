package catalog

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"banhao.dev/banhao/internal/platform/audit"
	"banhao.dev/banhao/internal/platform/clock"
	"banhao.dev/banhao/internal/platform/db"
	"banhao.dev/banhao/internal/platform/errs"
)

// Catalog adjustments (权力清单动态调整): a batch decided by a document
// (title, document number) changes the catalog on its effective date. The
// batch is prepared as a draft, published (the public sees what will change
// and when), and applied by the ApplyDueAdjustments job on its date, which
// writes the change log of every item it touches.

// AdjustmentKind is what an entry does.
type AdjustmentKind string

const (
	AdjCancel   AdjustmentKind = "cancel"    // 取消: the item is abolished
	AdjHandDown AdjustmentKind = "hand_down" // 下放: a lower level takes it; the old item is abolished
	AdjTakeOver AdjustmentKind = "take_over" // 承接: this region takes over an item from above
	AdjAdd      AdjustmentKind = "add"       // 新增
	AdjMerge    AdjustmentKind = "merge"     // 合并: sources are abolished into the target item
	AdjChange   AdjustmentKind = "change"    // 变更: a new version of the item
)

var adjustmentLabels = []label{{"cancel", "取消"}, {"hand_down", "下放"}, {"take_over", "承接"}, {"add", "新增"}, {"merge", "合并"}, {"change", "变更"}}

// Label is the Chinese name of the kind.
func (k AdjustmentKind) Label() string { return zhOf(adjustmentLabels, string(k)) }

// Batch is an adjustment batch.
type Batch struct {
	ID            int64      `json:"id"`
	RegionCode    string     `json:"region_code"`
	Title         string     `json:"title"`
	DocNo         string     `json:"doc_no"`
	EffectiveDate string     `json:"effective_date"` // YYYY-MM-DD, Shanghai
	Status        string     `json:"status"`         // draft | published | applied
	Entries       []Entry    `json:"entries"`
	CreatedAt     time.Time  `json:"created_at"`
	PublishedAt   *time.Time `json:"published_at,omitempty"`
	AppliedAt     *time.Time `json:"applied_at,omitempty"`
}

// Entry is one change of a batch. Code names the existing item (cancel,
// hand_down, change); Item carries the new content (add, take_over, change,
// hand_down: the item at its new level, merge: the target); Sources are the
// items a merge absorbs.
type Entry struct {
	Kind    AdjustmentKind `json:"kind"`
	Code    string         `json:"code,omitempty"`
	Sources []string       `json:"sources,omitempty"`
	Item    *Item          `json:"item,omitempty"`
	Note    string         `json:"note,omitempty"`
}

// ErrBatchState is returned when a batch is not in the state an action needs.
var ErrBatchState = errs.E(errs.Conflict, "adjustment_state", "调整批次当前状态不允许该操作")

// ErrBatchNotFound is returned for an unknown batch.
var ErrBatchNotFound = errs.E(errs.NotFound, "adjustment_not_found", "调整批次不存在")

// CreateBatch validates and saves a draft batch.
func (s *Service) CreateBatch(ctx context.Context, c Caller, b Batch) (Batch, error) {
	if !c.canManage(b.RegionCode) {
		return Batch{}, forbidden("编制调整批次")
	}
	if err := s.validateBatch(ctx, c, &b); err != nil {
		return Batch{}, fmt.Errorf("create adjustment batch: %w", err)
	}
	now := s.now()
	b.Status, b.CreatedAt = "draft", now
	err := s.tx(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, `INSERT INTO adjustment_batches (region_code, title, doc_no, effective_date, status, created_at, created_by)
			VALUES ($1, $2, $3, $4, 'draft', $5, $6) RETURNING id`, b.RegionCode, b.Title, b.DocNo, b.EffectiveDate, now, nullID(c.UserID)).Scan(&b.ID); err != nil {
			return fmt.Errorf("insert batch: %w", err)
		}
		for i, e := range b.Entries {
			raw, err := json.Marshal(e)
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO adjustment_entries (batch_id, seq, kind, item_code, body) VALUES ($1, $2, $3, $4, $5)`,
				b.ID, i+1, e.Kind, entryCode(e), string(raw)); err != nil {
				return fmt.Errorf("insert entry: %w", err)
			}
		}
		_, err := audit.Append(ctx, tx, now, c.actor(), fmt.Sprintf("adjustment/%d", b.ID), "create", map[string]any{"after": b})
		return err
	})
	if err != nil {
		return Batch{}, err
	}
	return b, nil
}

func entryCode(e Entry) string {
	if e.Code != "" {
		return e.Code
	}
	if e.Item != nil {
		return e.Item.Code
	}
	return ""
}

func (s *Service) validateBatch(ctx context.Context, c Caller, b *Batch) error {
	var fe errs.Fields
	b.Title, b.DocNo = strings.TrimSpace(b.Title), strings.TrimSpace(b.DocNo)
	if b.Title == "" {
		fe.Add("title", "请填写调整批次标题")
	}
	if b.DocNo == "" {
		fe.Add("doc_no", "请填写文号")
	}
	if _, err := time.Parse(time.DateOnly, b.EffectiveDate); err != nil {
		fe.Add("effective_date", "生效日期格式应为 YYYY-MM-DD")
	}
	if len(b.Entries) == 0 {
		fe.Add("entries", "调整批次至少包含一项调整")
	}
	exists := func(code string) bool {
		r, err := getItemRow(ctx, s.db.R, code, "")
		return err == nil && r.Status != StatusAbolished
	}
	for i := range b.Entries {
		e := &b.Entries[i]
		p := fmt.Sprintf("entries[%d]", i)
		needCode := e.Kind == AdjCancel || e.Kind == AdjHandDown || e.Kind == AdjChange
		needItem := e.Kind != AdjCancel
		if _, ok := codeOf(adjustmentLabels, string(e.Kind)); !ok || e.Kind == "" {
			fe.Add(p+".kind", "调整类型应为取消、下放、承接、新增、合并或变更")
			continue
		}
		if needCode && !exists(e.Code) {
			fe.Addf(p+".code", "事项 %s 不存在或已取消", e.Code)
		}
		for j, src := range e.Sources {
			if !exists(src) {
				fe.Addf(fmt.Sprintf("%s.sources[%d]", p, j), "被合并的事项 %s 不存在或已取消", src)
			}
		}
		if e.Kind == AdjMerge && len(e.Sources) == 0 {
			fe.Add(p+".sources", "合并须列出被合并的事项")
		}
		if !needItem {
			continue
		}
		if e.Item == nil {
			fe.Add(p+".item", "请填写调整后的事项内容")
			continue
		}
		if e.Kind == AdjChange {
			e.Item.Code = e.Code
		}
		if (e.Kind == AdjAdd || e.Kind == AdjTakeOver || e.Kind == AdjHandDown) && exists(e.Item.Code) {
			fe.Addf(p+".item.code", "事项编码 %s 已存在", e.Item.Code)
		}
		if err := s.prepare(ctx, e.Item); err != nil {
			if ee, ok := errs.As(err); ok {
				for _, f := range ee.Fields {
					fe.Add(p+".item."+f.Field, f.Message)
				}
			} else {
				return err
			}
		} else if !c.canManage(e.Item.RegionCode) {
			fe.Add(p+".item.region_code", "无权管理该区划的事项")
		}
	}
	return fe.Err()
}

// PublishBatch makes a draft batch public; it takes effect on its date.
func (s *Service) PublishBatch(ctx context.Context, c Caller, id int64) error {
	now := s.now()
	return s.tx(ctx, func(tx *sql.Tx) error {
		b, err := getBatch(ctx, tx, id)
		if err != nil {
			return err
		}
		if !c.canManage(b.RegionCode) {
			return forbidden("发布调整批次")
		}
		if b.Status != "draft" {
			return ErrBatchState.Withf("只有草稿批次可以发布")
		}
		if _, err := tx.ExecContext(ctx, `UPDATE adjustment_batches SET status = 'published', published_at = $2 WHERE id = $1`, id, now); err != nil {
			return fmt.Errorf("publish batch %d: %w", id, err)
		}
		_, err = audit.Append(ctx, tx, now, c.actor(), fmt.Sprintf("adjustment/%d", id), "publish", map[string]any{"effective_date": b.EffectiveDate})
		return err
	})
}

// ApplyDueAdjustments applies every published batch whose effective date
// (Shanghai) is on or before now, each in one transaction. It is the job
// "catalog-adjustments"; now comes from the injected clock. A batch that
// fails stays published and the error is returned after the others ran.
func (s *Service) ApplyDueAdjustments(ctx context.Context, now time.Time) ([]int64, error) {
	now = clock.Norm(now)
	rows, err := s.db.R.QueryContext(ctx, `SELECT id FROM adjustment_batches WHERE status = 'published' AND effective_date <= $1 ORDER BY effective_date, id`, clock.Day(now))
	if err != nil {
		return nil, fmt.Errorf("due adjustments: %w", err)
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, err
		}
		ids = append(ids, id)
	}
	rows.Close()
	var applied []int64
	var errList []error
	for _, id := range ids {
		var touched []*Item
		done := false
		err := s.tx(ctx, func(tx *sql.Tx) error {
			var err error
			touched, done, err = s.applyBatchTx(ctx, tx, id, now)
			return err
		})
		if err != nil {
			errList = append(errList, fmt.Errorf("apply adjustment batch %d: %w", id, err))
			continue
		}
		if !done {
			continue // applied meanwhile by another node
		}
		for _, it := range touched {
			s.afterChange(it)
		}
		applied = append(applied, id)
	}
	return applied, errors.Join(errList...)
}

func (s *Service) applyBatchTx(ctx context.Context, tx *sql.Tx, id int64, now time.Time) ([]*Item, bool, error) {
	// Lock the batch before reading its status: a second applier (another
	// node whose run overlaps) waits here, then sees it applied and stops,
	// instead of abolishing and publishing everything again.
	if _, err := tx.ExecContext(ctx, `SELECT id FROM adjustment_batches WHERE id = $1`+s.db.ForUpdate(), id); err != nil {
		return nil, false, fmt.Errorf("lock batch %d: %w", id, err)
	}
	b, err := getBatch(ctx, tx, id)
	if err != nil {
		return nil, false, err
	}
	if b.Status != "published" {
		return nil, false, nil // applied meanwhile by another node
	}
	var touched []*Item
	abolish := func(code, summary string, kind AdjustmentKind) error {
		row, err := getItemRow(ctx, tx, code, s.db.ForUpdate())
		if err != nil {
			return err
		}
		before := row.Status
		row.Status = StatusAbolished
		if err := updateItemRow(ctx, tx, row, now); err != nil {
			return err
		}
		if err := addChange(ctx, tx, Change{ItemCode: code, Version: row.CurrentVersion, At: now, Action: string(kind), Summary: summary, BatchID: id}, 0); err != nil {
			return err
		}
		if _, err := audit.Append(ctx, tx, now, audit.System, "item/"+code, "abolish", map[string]any{"before": before, "after": StatusAbolished, "batch_id": id}); err != nil {
			return err
		}
		touched = append(touched, &Item{Code: code, Status: StatusAbolished})
		return nil
	}
	publish := func(it *Item, kind AdjustmentKind, summary string) error {
		c := *it
		if err := s.prepare(ctx, &c); err != nil {
			return err
		}
		c.ChangeNote = summary
		if err := s.publishDirectTx(ctx, tx, System, &c, now, id, string(kind), summary); err != nil {
			return err
		}
		touched = append(touched, &c)
		return nil
	}
	doc := fmt.Sprintf("依据《%s》（%s）", b.Title, b.DocNo)
	for _, e := range b.Entries {
		summary := e.Kind.Label() + "：" + doc
		if e.Note != "" {
			summary += "，" + e.Note
		}
		switch e.Kind {
		case AdjCancel:
			err = abolish(e.Code, summary, e.Kind)
		case AdjAdd, AdjTakeOver, AdjChange:
			err = publish(e.Item, e.Kind, summary)
		case AdjHandDown:
			if err = publish(e.Item, e.Kind, summary); err == nil {
				err = abolish(e.Code, fmt.Sprintf("%s，由 %s 承接", summary, e.Item.Code), e.Kind)
			}
		case AdjMerge:
			if err = publish(e.Item, e.Kind, summary); err == nil {
				for _, src := range e.Sources {
					if src != e.Item.Code {
						if err = abolish(src, fmt.Sprintf("%s，并入 %s", summary, e.Item.Code), e.Kind); err != nil {
							break
						}
					}
				}
			}
		}
		if err != nil {
			return nil, false, fmt.Errorf("%s %s: %w", e.Kind, entryCode(e), err)
		}
	}
	if _, err := tx.ExecContext(ctx, `UPDATE adjustment_batches SET status = 'applied', applied_at = $2 WHERE id = $1`, id, now); err != nil {
		return nil, false, fmt.Errorf("mark batch %d applied: %w", id, err)
	}
	if _, err := audit.Append(ctx, tx, now, audit.System, fmt.Sprintf("adjustment/%d", id), "apply", map[string]any{"entries": len(b.Entries)}); err != nil {
		return nil, false, err
	}
	return touched, true, nil
}

func getBatch(ctx context.Context, q db.Q, id int64) (Batch, error) {
	var b Batch
	var pub, app sql.NullTime
	err := q.QueryRowContext(ctx, `SELECT id, region_code, title, doc_no, effective_date, status, created_at, published_at, applied_at
		FROM adjustment_batches WHERE id = $1`, id).Scan(&b.ID, &b.RegionCode, &b.Title, &b.DocNo, &b.EffectiveDate, &b.Status, &b.CreatedAt, &pub, &app)
	if errors.Is(err, sql.ErrNoRows) {
		return b, ErrBatchNotFound
	}
	if err != nil {
		return b, fmt.Errorf("get batch %d: %w", id, err)
	}
	if pub.Valid {
		t := pub.Time.UTC()
		b.PublishedAt = &t
	}
	if app.Valid {
		t := app.Time.UTC()
		b.AppliedAt = &t
	}
	rows, err := q.QueryContext(ctx, `SELECT body FROM adjustment_entries WHERE batch_id = $1 ORDER BY seq`, id)
	if err != nil {
		return b, fmt.Errorf("entries of batch %d: %w", id, err)
	}
	defer rows.Close()
	for rows.Next() {
		var raw string
		var e Entry
		if err := rows.Scan(&raw); err != nil {
			return b, err
		}
		if err := json.Unmarshal([]byte(raw), &e); err != nil {
			return b, fmt.Errorf("decode entry of batch %d: %w", id, err)
		}
		b.Entries = append(b.Entries, e)
	}
	return b, rows.Err()
}

// Batch returns a batch; drafts only to those who manage its region.
func (s *Service) Batch(ctx context.Context, c Caller, id int64) (Batch, error) {
	b, err := getBatch(ctx, s.db.R, id)
	if err != nil {
		return b, err
	}
	if b.Status == "draft" && !c.canSeeDrafts(b.RegionCode) {
		return Batch{}, ErrBatchNotFound
	}
	return b, nil
}

// Batches lists batches newest first; the public sees published and applied ones.
func (s *Service) Batches(ctx context.Context, c Caller) ([]Batch, error) {
	rows, err := s.db.R.QueryContext(ctx, `SELECT id FROM adjustment_batches ORDER BY effective_date DESC, id DESC`)
	if err != nil {
		return nil, fmt.Errorf("list batches: %w", err)
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, err
		}
		ids = append(ids, id)
	}
	rows.Close()
	var out []Batch
	for _, id := range ids {
		b, err := s.Batch(ctx, c, id)
		if errors.Is(err, ErrBatchNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	return out, nil
}

// BatchChanges is the change log a batch produced once applied.
func (s *Service) BatchChanges(ctx context.Context, id int64) ([]Change, error) {
	return listChanges(ctx, s.db.R, "batch_id = $1", id)
}
