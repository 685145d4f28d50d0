package catalog

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"banhao.dev/banhao/internal/platform/audit"
	"banhao.dev/banhao/internal/platform/db"
)

// Create saves a new item as a draft (version 1).
func (s *Service) Create(ctx context.Context, c Caller, in Item) (*Item, error) {
	it := in
	if err := s.prepare(ctx, &it); err != nil {
		return nil, fmt.Errorf("create item %s: %w", in.Code, err)
	}
	if !c.canManage(it.RegionCode) {
		return nil, forbidden("新建事项")
	}
	now := s.now()
	it.Version, it.Status, it.State, it.UpdatedAt = 1, StatusDraft, StateDraft, now
	err := s.tx(ctx, func(tx *sql.Tx) error {
		return s.createTx(ctx, tx, c, &it, now, 0)
	})
	if errors.Is(err, db.ErrDuplicate) {
		return nil, ErrDuplicateCode.Withf("%s", it.Code).OnField("code")
	}
	if err != nil {
		return nil, fmt.Errorf("create item %s: %w", it.Code, err)
	}
	return &it, nil
}

func (s *Service) createTx(ctx context.Context, tx db.Q, c Caller, it *Item, now time.Time, batch int64) error {
	if err := insertItemRow(ctx, tx, it, now); err != nil {
		return err
	}
	if err := insertVersion(ctx, tx, it, c.UserID, now); err != nil {
		return err
	}
	if err := addChange(ctx, tx, Change{ItemCode: it.Code, Version: 1, At: now, Action: "created", Summary: "新建事项“" + it.Name + "”", BatchID: batch}, c.UserID); err != nil {
		return err
	}
	_, err := audit.Append(ctx, tx, now, c.actor(), "item/"+it.Code, "create", map[string]any{"after": it})
	return err
}

// Update replaces the working version's content; when the item has none
// (it is published), a new working version is opened. A version under review
// goes back to draft. The code cannot change.
func (s *Service) Update(ctx context.Context, c Caller, code string, in Item) (*Item, error) {
	it := in
	it.Code = code
	if err := s.prepare(ctx, &it); err != nil {
		return nil, fmt.Errorf("update item %s: %w", code, err)
	}
	now := s.now()
	err := s.tx(ctx, func(tx *sql.Tx) error {
		return s.updateTx(ctx, tx, c, &it, now)
	})
	if err != nil {
		return nil, fmt.Errorf("update item %s: %w", code, err)
	}
	return &it, nil
}

func (s *Service) updateTx(ctx context.Context, tx db.Q, c Caller, it *Item, now time.Time) error {
	row, err := getItemRow(ctx, tx, it.Code, s.db.ForUpdate())
	if err != nil {
		return err
	}
	if !c.canManage(row.RegionCode) || !c.canManage(it.RegionCode) {
		return forbidden("修改事项")
	}
	if row.Status == StatusAbolished {
		return ErrState.Withf("已取消的事项不能修改")
	}
	work, err := workingVersion(ctx, tx, it.Code)
	if err != nil {
		return err
	}
	it.Status, it.State, it.UpdatedAt = row.Status, StateDraft, now
	before := any(nil)
	if work != nil {
		it.Version = work.Version
		before = work
		if err := updateWorkingVersion(ctx, tx, it, now); err != nil {
			return err
		}
	} else {
		it.Version = row.CurrentVersion + 1
		if err := insertVersion(ctx, tx, it, c.UserID, now); err != nil {
			return err
		}
	}
	if row.Status == StatusReview {
		row.Status = StatusDraft
		it.Status = StatusDraft
	}
	if row.CurrentVersion == 0 {
		row.Name, row.Kind, row.OrgID, row.RegionCode = it.Name, it.Kind, it.OrgID, it.RegionCode
	}
	if err := updateItemRow(ctx, tx, row, now); err != nil {
		return err
	}
	_, err = audit.Append(ctx, tx, now, c.actor(), "item/"+it.Code, "update", map[string]any{"before": before, "after": it})
	return err
}

// Submit sends the working version for review.
func (s *Service) Submit(ctx context.Context, c Caller, code string) error {
	return s.transition(ctx, c, code, "submit", func(tx db.Q, row *itemRow, work *Item, now time.Time) error {
		if work == nil || work.State != StateDraft {
			return ErrState.Withf("只有草稿可以提交审核")
		}
		if row.Status == StatusDraft {
			row.Status = StatusReview
		}
		return setVersionState(ctx, tx, code, work.Version, StateDraft, StateReview, c.UserID, now)
	})
}

// Reject returns the version under review to draft with a reason.
func (s *Service) Reject(ctx context.Context, c Caller, code, reason string) error {
	return s.transition(ctx, c, code, "reject", func(tx db.Q, row *itemRow, work *Item, now time.Time) error {
		if work == nil || work.State != StateReview {
			return ErrState.Withf("没有待审核的版本")
		}
		if reason == "" {
			return ErrState.Withf("退回须写明理由")
		}
		if row.Status == StatusReview {
			row.Status = StatusDraft
		}
		return setVersionState(ctx, tx, code, work.Version, StateReview, StateDraft, c.UserID, now)
	}, "reason", reason)
}

// Publish publishes the reviewed working version: it becomes the current
// version, is frozen, and replaces the item in search.
func (s *Service) Publish(ctx context.Context, c Caller, code string) (*Item, error) {
	var published *Item
	err := s.transition(ctx, c, code, "publish", func(tx db.Q, row *itemRow, work *Item, now time.Time) error {
		it, err := s.publishTx(ctx, tx, c, row, work, now, 0)
		published = it
		return err
	})
	if err != nil {
		return nil, err
	}
	s.afterChange(published)
	return published, nil
}

func (s *Service) publishTx(ctx context.Context, tx db.Q, c Caller, row *itemRow, work *Item, now time.Time, batch int64) (*Item, error) {
	if work == nil || work.State != StateReview {
		return nil, ErrState.Withf("须先提交审核，审核通过后才能发布")
	}
	if err := setVersionState(ctx, tx, row.Code, work.Version, StateReview, StatePublished, c.UserID, now); err != nil {
		return nil, err
	}
	if row.Status != StatusSuspended {
		row.Status = StatusPublished
	}
	row.CurrentVersion, row.Name, row.Kind, row.OrgID, row.RegionCode = work.Version, work.Name, work.Kind, work.OrgID, work.RegionCode
	summary := work.ChangeNote
	if summary == "" {
		summary = fmt.Sprintf("发布第 %d 版", work.Version)
	}
	if err := addChange(ctx, tx, Change{ItemCode: row.Code, Version: work.Version, At: now, Action: "published", Summary: summary, BatchID: batch}, c.UserID); err != nil {
		return nil, err
	}
	it := *work
	it.State, it.Status, it.PublishedAt = StatePublished, row.Status, &now
	return &it, nil
}

// Suspend stops accepting applications for a published item.
func (s *Service) Suspend(ctx context.Context, c Caller, code, reason string) error {
	return s.setStatus(ctx, c, code, "suspend", StatusPublished, StatusSuspended, "suspended", reason)
}

// Resume makes a suspended item available again.
func (s *Service) Resume(ctx context.Context, c Caller, code, reason string) error {
	return s.setStatus(ctx, c, code, "resume", StatusSuspended, StatusPublished, "resumed", reason)
}

// Abolish cancels an item for good; its published versions stay viewable.
func (s *Service) Abolish(ctx context.Context, c Caller, code, reason string) error {
	return s.setStatus(ctx, c, code, "abolish", "", StatusAbolished, "abolished", reason)
}

func (s *Service) setStatus(ctx context.Context, c Caller, code, action string, from, to Status, change, reason string) error {
	if reason == "" {
		return ErrState.Withf("须写明理由")
	}
	var after *Item
	err := s.transition(ctx, c, code, action, func(tx db.Q, row *itemRow, _ *Item, now time.Time) error {
		if (from != "" && row.Status != from) || row.Status == to {
			return ErrState.Withf("事项当前为“%s”", row.Status.Label())
		}
		row.Status = to
		if err := addChange(ctx, tx, Change{ItemCode: code, Version: row.CurrentVersion, At: now, Action: change, Summary: reason}, c.UserID); err != nil {
			return err
		}
		if row.CurrentVersion > 0 {
			it, err := getVersion(ctx, tx, code, row.CurrentVersion)
			if err != nil {
				return err
			}
			it.Status = to
			after = it
		}
		return nil
	}, "reason", reason)
	if err == nil && after != nil {
		s.afterChange(after)
	}
	return err
}

// transition runs a state change with the item row locked, checks the
// caller's region, writes the item row and the audit event.
func (s *Service) transition(ctx context.Context, c Caller, code, action string, fn func(tx db.Q, row *itemRow, work *Item, now time.Time) error, extra ...string) error {
	now := s.now()
	err := s.tx(ctx, func(tx *sql.Tx) error {
		row, err := getItemRow(ctx, tx, code, s.db.ForUpdate())
		if err != nil {
			return err
		}
		if !c.canManage(row.RegionCode) {
			return forbidden("管理事项")
		}
		work, err := workingVersion(ctx, tx, code)
		if err != nil {
			return err
		}
		before := row.Status
		if err := fn(tx, &row, work, now); err != nil {
			return err
		}
		if err := updateItemRow(ctx, tx, row, now); err != nil {
			return err
		}
		data := map[string]any{"before": before, "after": row.Status, "version": row.CurrentVersion}
		if work != nil {
			data["working_version"] = work.Version
		}
		for i := 0; i+1 < len(extra); i += 2 {
			data[extra[i]] = extra[i+1]
		}
		_, err = audit.Append(ctx, tx, now, c.actor(), "item/"+code, action, data)
		return err
	})
	return wrapf(err, "%s item %s", action, code)
}

// Guide returns a published version: version 0 is the current one of a
// published item; an explicit version is shown as long as it was published
// (cases filed under it keep their guide), whatever the item's status now.
func (s *Service) Guide(ctx context.Context, code string, version int) (*Item, error) {
	current := version == 0
	if current {
		sum, ok, err := s.publicItem(ctx, code)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, ErrItemNotFound
		}
		version = sum.Version
		// Only the current version is cached: its status is the one the
		// summaries hold, while an explicit version reports the item's
		// status now (cases refuse items no longer published).
		if it, ok := s.guides.Get(guideKey(code, version)); ok {
			return it, nil
		}
	}
	it, err := getVersion(ctx, s.db.R, code, version)
	if err != nil {
		return nil, err
	}
	if it.State != StatePublished {
		return nil, ErrVersionNotFound
	}
	if current {
		prepareConditions(it)
		s.guides.Put(guideKey(it.Code, it.Version), it)
	}
	return it, nil
}

// Working returns what an admin edits: the working version, or the
// current version when there is none.
func (s *Service) Working(ctx context.Context, c Caller, code string) (*Item, error) {
	row, err := getItemRow(ctx, s.db.R, code, "")
	if err != nil {
		return nil, err
	}
	if !c.canSeeDrafts(row.RegionCode) {
		return nil, forbidden("查看事项草稿")
	}
	work, err := workingVersion(ctx, s.db.R, code)
	if err != nil || work != nil {
		return work, err
	}
	return getVersion(ctx, s.db.R, code, row.CurrentVersion)
}

// Version returns any version; unpublished ones only for staff of the region.
func (s *Service) Version(ctx context.Context, c Caller, code string, version int) (*Item, error) {
	it, err := getVersion(ctx, s.db.R, code, version)
	if err != nil {
		return nil, err
	}
	if it.State != StatePublished && !c.canSeeDrafts(it.RegionCode) {
		return nil, ErrVersionNotFound
	}
	return it, nil
}

// Versions lists the versions of an item, newest first; the public sees
// published ones only.
func (s *Service) Versions(ctx context.Context, c Caller, code string) ([]VersionInfo, error) {
	row, err := getItemRow(ctx, s.db.R, code, "")
	if err != nil {
		return nil, err
	}
	all, err := listVersions(ctx, s.db.R, code)
	if err != nil {
		return nil, err
	}
	if c.canSeeDrafts(row.RegionCode) {
		return all, nil
	}
	var out []VersionInfo
	for _, v := range all {
		if v.State == StatePublished {
			out = append(out, v)
		}
	}
	if len(out) == 0 {
		return nil, ErrItemNotFound
	}
	return out, nil
}

// Changes is the public change log of an item.
func (s *Service) Changes(ctx context.Context, code string) ([]Change, error) {
	return listChanges(ctx, s.db.R, "item_code = $1", code)
}

// AdminList lists every item of the caller's region with its status, for
// the admin pages (including drafts and abolished items).
func (s *Service) AdminList(ctx context.Context, c Caller) ([]ItemSummary, error) {
	if !c.isSystem() && !c.HasRole(RoleCatalogAdmin) && !c.HasRole("supervisor") {
		return nil, forbidden("查看事项清单")
	}
	rows, err := s.db.R.QueryContext(ctx, `SELECT i.code, i.name, i.kind, i.status, i.current_version, i.org_id, COALESCE(o.name, ''), i.region_code, i.updated_at,
		COALESCE((SELECT MAX(v.version) FROM item_versions v WHERE v.item_code = i.code AND v.state <> 'published'), 0)
		FROM items i LEFT JOIN orgs o ON o.id = i.org_id ORDER BY i.code`)
	if err != nil {
		return nil, fmt.Errorf("admin list: %w", err)
	}
	defer rows.Close()
	var out []ItemSummary
	for rows.Next() {
		var r ItemSummary
		if err := rows.Scan(&r.Code, &r.Name, &r.Kind, &r.Status, &r.Version, &r.OrgID, &r.Org, &r.RegionCode, &r.UpdatedAt, &r.WorkingVersion); err != nil {
			return nil, fmt.Errorf("scan item: %w", err)
		}
		if c.canSeeDrafts(r.RegionCode) {
			out = append(out, r)
		}
	}
	return out, rows.Err()
}

// ItemSummary is one row of the admin list.
type ItemSummary struct {
	Code           string    `json:"code"`
	Name           string    `json:"name"`
	Kind           Kind      `json:"kind"`
	Status         Status    `json:"status"`
	Version        int       `json:"version"`         // current published, 0 if never
	WorkingVersion int       `json:"working_version"` // draft/review version, 0 if none
	OrgID          int64     `json:"org_id"`
	Org            string    `json:"org"`
	RegionCode     string    `json:"region_code"`
	UpdatedAt      time.Time `json:"updated_at"`
}
