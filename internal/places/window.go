package places

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"banhao.dev/banhao/internal/platform/audit"
	"banhao.dev/banhao/internal/platform/auth"
	"banhao.dev/banhao/internal/platform/db"
	"banhao.dev/banhao/internal/platform/errs"
)

// Window is a service window of a hall. Domains and Items say what it
// serves (what the queue sends to it and the portal shows); what a clerk
// there may actually accept or decide is set by its authorizations.
type Window struct {
	ID        int64      `json:"id"`
	HallID    int64      `json:"hall_id"`
	AreaID    int64      `json:"area_id,omitempty"`
	Number    string     `json:"number"`
	Name      string     `json:"name"`
	Kind      WindowKind `json:"kind"`
	OrgID     int64      `json:"org_id,omitempty"` // the department of a single-department window
	Active    bool       `json:"active"`
	Domains   []string   `json:"domains"`
	Items     []string   `json:"items"`
	CreatedAt time.Time  `json:"created_at"`
	UpdatedAt time.Time  `json:"updated_at"`
}

// Title is how people name the window: "A01 综合窗口（商事登记）".
func (w Window) Title() string {
	t := w.Number + " " + w.Kind.Name()
	if w.Name != "" {
		t = w.Number + " " + w.Name
	}
	return t
}

const windowCols = `w.id, w.hall_id, COALESCE(w.area_id, 0), w.number, w.name, w.kind, COALESCE(w.org_id, 0), w.active, w.created_at, w.updated_at`

func scanWindow(row interface{ Scan(...any) error }) (Window, error) {
	var w Window
	err := row.Scan(&w.ID, &w.HallID, &w.AreaID, &w.Number, &w.Name, &w.Kind, &w.OrgID, &w.Active, &w.CreatedAt, &w.UpdatedAt)
	return w, err
}

// queryWindows runs a window query (aliased w) and loads the scopes.
func queryWindows(ctx context.Context, q db.Q, query string, args ...any) ([]Window, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("list windows: %w", err)
	}
	out := []Window{}
	var ids []int64
	for rows.Next() {
		w, err := scanWindow(rows)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("list windows: %w", err)
		}
		out = append(out, w)
		ids = append(ids, w.ID)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list windows: %w", err)
	}
	scopes, err := loadScopes(ctx, q, "window_scopes", "window_id", ids)
	if err != nil {
		return nil, err
	}
	for i := range out {
		sc := scopes[out[i].ID]
		out[i].Domains, out[i].Items = orEmpty(sc.Domains), orEmpty(sc.Items)
	}
	return out, nil
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func getWindow(ctx context.Context, q db.Q, id int64) (Window, error) {
	ws, err := queryWindows(ctx, q, `SELECT `+windowCols+` FROM windows w WHERE w.id = $1`, id)
	if err != nil {
		return Window{}, err
	}
	if len(ws) == 0 {
		return Window{}, fmt.Errorf("window %d: %w", id, ErrWindowNotFound)
	}
	return ws[0], nil
}

func (w Window) normalize() Window {
	w.Number = strings.ToUpper(strings.TrimSpace(w.Number))
	w.Name = strings.TrimSpace(w.Name)
	w.Kind = WindowKind(strings.TrimSpace(string(w.Kind)))
	w.Domains = cleanList(w.Domains)
	w.Items = cleanList(w.Items)
	sortDomains(w.Domains)
	return w
}

// validateWindow checks w whole against its hall h.
func validateWindow(ctx context.Context, q db.Q, h Hall, w Window) error {
	var fe errs.Fields
	if err := checkWindowNumber(ctx, q, w, &fe); err != nil {
		return err
	}
	if tooLong(w.Name, 50) {
		fe.Add("name", "窗口名称不能超过 50 个字")
	}
	if w.Kind == "" {
		fe.Add("kind", "请选择窗口类型")
	} else if !w.Kind.Valid() {
		fe.Addf("kind", "窗口类型应为：%s", names(WindowKinds))
	}
	if w.AreaID != 0 {
		a, err := getArea(ctx, q, w.AreaID)
		switch {
		case errors.Is(err, ErrAreaNotFound):
			fe.Addf("area_id", "服务区 %d 不存在", w.AreaID)
		case err != nil:
			return err
		case a.HallID != h.ID:
			fe.Addf("area_id", "服务区「%s」不属于%s", a.Name, h.Name)
		}
	}
	if err := checkOrgRef(ctx, q, "org_id", w.OrgID, h, &fe); err != nil {
		return err
	}
	if w.Kind == WindowSingle && w.OrgID == 0 {
		fe.Add("org_id", "专业窗口须选择所属部门")
	}
	checkScope(w.Items, w.Domains, &fe)
	if w.Kind.acceptsItems() && len(w.Items)+len(w.Domains) == 0 {
		fe.Addf("domains", "%s须至少选择一个办理领域或填写一个事项编码", w.Kind.Name())
	}
	return fe.Err()
}

func checkWindowNumber(ctx context.Context, q db.Q, w Window, fe *errs.Fields) error {
	if w.Number == "" {
		fe.Add("number", "请填写窗口编号")
		return nil
	}
	if len(w.Number) > 10 || strings.IndexFunc(w.Number, func(r rune) bool {
		return !(r >= '0' && r <= '9' || r >= 'A' && r <= 'Z' || r == '-')
	}) >= 0 {
		fe.Add("number", "窗口编号只能包含字母、数字和“-”，最长 10 位，例如 A01")
		return nil
	}
	var id int64
	err := q.QueryRowContext(ctx, `SELECT id FROM windows WHERE hall_id = $1 AND number = $2`, w.HallID, w.Number).Scan(&id)
	if err == nil && id != w.ID {
		fe.Addf("number", "该大厅已有 %s 号窗口，窗口编号在大厅内不能重复", w.Number)
		return nil
	}
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	return nil
}

// checkOrgRef records a field error unless id (when set) names an
// organization whose region contains or lies within the hall's.
func checkOrgRef(ctx context.Context, q db.Q, field string, id int64, h Hall, fe *errs.Fields) error {
	if id == 0 {
		return nil
	}
	o, err := getOrg(ctx, q, id)
	if errors.Is(err, ErrOrgNotFound) {
		fe.Addf(field, "单位 %d 不存在", id)
		return nil
	}
	if err != nil {
		return err
	}
	if !related(o.RegionCode, h.RegionCode) {
		fe.Addf(field, "「%s」（%s）与%s（%s）不在同一行政区域内", o.Name, o.RegionCode, h.Name, h.RegionCode)
	}
	return nil
}

// checkScope validates item codes and domains.
func checkScope(items, domains []string, fe *errs.Fields) {
	for _, it := range items {
		if !validItemCode(it) {
			fe.Addf("items", "事项编码「%s」格式不正确：只能包含字母、数字、“-”、“_”和“.”，最长 64 位", it)
			break
		}
	}
	for _, d := range domains {
		if !ValidDomain(d) {
			fe.Addf("domains", "未知的办理领域「%s」，应为：%s", d, strings.Join(Domains, "、"))
			break
		}
	}
}

// WindowFilter narrows a window list.
type WindowFilter struct {
	HallID     int64
	Region     string // windows of halls inside this region
	Kind       WindowKind
	Domain     string // windows serving this domain
	ActiveOnly bool
}

// ListWindows lists windows; anyone may read them.
func (s *Service) ListWindows(ctx context.Context, p *auth.Principal, f WindowFilter) ([]Window, error) {
	where, args := []string{"h.region_code LIKE $1"}, []any{within(f.Region)}
	if f.HallID != 0 {
		args = append(args, f.HallID)
		where = append(where, fmt.Sprintf("w.hall_id = $%d", len(args)))
	}
	if f.Kind != "" {
		args = append(args, string(f.Kind))
		where = append(where, fmt.Sprintf("w.kind = $%d", len(args)))
	}
	if f.Domain != "" {
		args = append(args, f.Domain)
		where = append(where, fmt.Sprintf("EXISTS (SELECT 1 FROM window_scopes s WHERE s.window_id = w.id AND s.kind = 'domain' AND s.value = $%d)", len(args)))
	}
	if f.ActiveOnly {
		where = append(where, "w.active = true")
	}
	return queryWindows(ctx, s.db.R, `SELECT `+windowCols+` FROM windows w JOIN halls h ON h.id = w.hall_id WHERE `+
		strings.Join(where, " AND ")+` ORDER BY w.hall_id, w.number`, args...)
}

// Window returns one window; anyone may read it.
func (s *Service) Window(ctx context.Context, p *auth.Principal, id int64) (Window, error) {
	return getWindow(ctx, s.db.R, id)
}

// WindowsOfUser lists the windows user staffs, active or not.
func (s *Service) WindowsOfUser(ctx context.Context, userID int64) ([]Window, error) {
	return queryWindows(ctx, s.db.R, `SELECT `+windowCols+` FROM windows w JOIN window_staff ws ON ws.window_id = w.id
		WHERE ws.user_id = $1 ORDER BY w.hall_id, w.number`, userID)
}

// CreateWindow adds a window to a hall.
func (s *Service) CreateWindow(ctx context.Context, p *auth.Principal, w Window) (Window, error) {
	if err := auth.Require(p, windowManagers...); err != nil {
		return Window{}, err
	}
	w = w.normalize()
	w.ID = 0
	w.Active = true // a new window opens; deactivating is an update
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		h, err := hallInScope(ctx, tx, p, w.HallID)
		if err != nil {
			return err
		}
		if err := validateWindow(ctx, tx, h, w); err != nil {
			return err
		}
		w, err = insertWindow(ctx, tx, s.clk.Now(), actor(p, windowManagers...), w)
		return err
	})
	if err != nil {
		return Window{}, fmt.Errorf("create window %s: %w", w.Number, err)
	}
	return w, nil
}

func insertWindow(ctx context.Context, q db.Q, at time.Time, who audit.Actor, w Window) (Window, error) {
	w.CreatedAt, w.UpdatedAt = at, at
	err := q.QueryRowContext(ctx, `INSERT INTO windows (hall_id, area_id, number, name, kind, org_id, active, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING id`,
		w.HallID, nullInt(w.AreaID), w.Number, w.Name, string(w.Kind), nullInt(w.OrgID), w.Active, at).Scan(&w.ID)
	if err != nil {
		return Window{}, err
	}
	if err := writeScopes(ctx, q, "window_scopes", "window_id", w.ID, itemScope{Items: w.Items, Domains: w.Domains}); err != nil {
		return Window{}, err
	}
	_, err = audit.Append(ctx, q, at, who, fmt.Sprintf("window/%d", w.ID), "window.create", change{After: w})
	return w, err
}

// UpdateWindow changes a window; it stays in its hall. Deactivate a window
// (Active false) rather than delete one that has served cases.
func (s *Service) UpdateWindow(ctx context.Context, p *auth.Principal, w Window) (Window, error) {
	if err := auth.Require(p, windowManagers...); err != nil {
		return Window{}, err
	}
	w = w.normalize()
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		before, err := getWindow(ctx, tx, w.ID)
		if err != nil {
			return err
		}
		h, err := hallInScope(ctx, tx, p, before.HallID)
		if err != nil {
			return err
		}
		w.HallID = before.HallID
		if err := validateWindow(ctx, tx, h, w); err != nil {
			return err
		}
		now := s.clk.Now()
		w.CreatedAt, w.UpdatedAt = before.CreatedAt, now
		if _, err := tx.ExecContext(ctx, `UPDATE windows SET area_id = $1, number = $2, name = $3, kind = $4, org_id = $5, active = $6, updated_at = $7 WHERE id = $8`,
			nullInt(w.AreaID), w.Number, w.Name, string(w.Kind), nullInt(w.OrgID), w.Active, now, w.ID); err != nil {
			return err
		}
		if err := writeScopes(ctx, tx, "window_scopes", "window_id", w.ID, itemScope{Items: w.Items, Domains: w.Domains}); err != nil {
			return err
		}
		_, err = audit.Append(ctx, tx, now, actor(p, windowManagers...), fmt.Sprintf("window/%d", w.ID), "window.update", change{Before: before, After: w})
		return err
	})
	if err != nil {
		return Window{}, fmt.Errorf("update window %d: %w", w.ID, err)
	}
	return w, nil
}

// DeleteWindow removes a window that never held an authorization; its
// staff assignments go with it.
func (s *Service) DeleteWindow(ctx context.Context, p *auth.Principal, id int64) error {
	if err := auth.Require(p, windowManagers...); err != nil {
		return err
	}
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		before, err := getWindow(ctx, tx, id)
		if err != nil {
			return err
		}
		if _, err := hallInScope(ctx, tx, p, before.HallID); err != nil {
			return err
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM window_authorizations WHERE window_id = $1`, id).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return ErrInUse.Withf("%s 号窗口有 %d 份授权书，请改为停用", before.Number, n)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM windows WHERE id = $1`, id); err != nil {
			return inUse(s.db.Translate(err))
		}
		_, err = audit.Append(ctx, tx, s.clk.Now(), actor(p, windowManagers...), fmt.Sprintf("window/%d", id), "window.delete", change{Before: before})
		return err
	})
	if err != nil {
		return fmt.Errorf("delete window %d: %w", id, err)
	}
	return nil
}
