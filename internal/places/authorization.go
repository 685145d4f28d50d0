package places

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"banhao.dev/banhao/internal/platform/auth"
	"banhao.dev/banhao/internal/platform/db"
	"banhao.dev/banhao/internal/platform/errs"
)

// Authorization is a window authorization (窗口授权书): the department OrgID
// lets the window accept (CanAccept) and/or decide on the spot (CanDecide)
// the listed items and every item of the listed domains, from ValidFrom to
// ValidTo inclusive (calendar dates, Asia/Shanghai). It is revoked, never
// deleted.
type Authorization struct {
	ID           int64      `json:"id"`
	WindowID     int64      `json:"window_id"`
	OrgID        int64      `json:"org_id"`
	DocNo        string     `json:"doc_no"`
	CanAccept    bool       `json:"can_accept"`
	CanDecide    bool       `json:"can_decide"`
	ValidFrom    string     `json:"valid_from"`
	ValidTo      string     `json:"valid_to"`
	Items        []string   `json:"items"`
	Domains      []string   `json:"domains"`
	RevokedAt    *time.Time `json:"revoked_at,omitempty"`
	RevokedBy    int64      `json:"revoked_by,omitempty"`
	RevokeReason string     `json:"revoke_reason,omitempty"`
	CreatedAt    time.Time  `json:"created_at"`
	UpdatedAt    time.Time  `json:"updated_at"`
}

// Covers reports whether a names the item by code or its domain.
func (a Authorization) Covers(itemCode, domain string) bool {
	return itemCode != "" && slices.Contains(a.Items, itemCode) || domain != "" && slices.Contains(a.Domains, domain)
}

// ValidOn reports whether a is unrevoked and day (YYYY-MM-DD) is inside its validity.
func (a Authorization) ValidOn(day string) bool {
	return a.RevokedAt == nil && a.ValidFrom <= day && day <= a.ValidTo
}

// Status is the Chinese state of a on day: 已撤销, 未生效, 已过期 or 有效.
func (a Authorization) Status(day string) string {
	switch {
	case a.RevokedAt != nil:
		return "已撤销"
	case day < a.ValidFrom:
		return "未生效"
	case day > a.ValidTo:
		return "已过期"
	}
	return "有效"
}

// Powers is what a allows in Chinese: 受理、当场决定.
func (a Authorization) Powers() string {
	var p []string
	if a.CanAccept {
		p = append(p, "受理")
	}
	if a.CanDecide {
		p = append(p, "当场决定")
	}
	return strings.Join(p, "、")
}

const authCols = `a.id, a.window_id, a.org_id, a.doc_no, a.can_accept, a.can_decide, a.valid_from, a.valid_to,
	a.revoked_at, COALESCE(a.revoked_by, 0), a.revoke_reason, a.created_at, COALESCE(a.updated_at, a.created_at)`

func scanAuthorization(row interface{ Scan(...any) error }) (Authorization, error) {
	var a Authorization
	var revoked sql.NullTime
	err := row.Scan(&a.ID, &a.WindowID, &a.OrgID, &a.DocNo, &a.CanAccept, &a.CanDecide, &a.ValidFrom, &a.ValidTo,
		&revoked, &a.RevokedBy, &a.RevokeReason, &a.CreatedAt, &a.UpdatedAt)
	a.RevokedAt = timePtr(revoked)
	return a, err
}

// queryAuthorizations runs an authorization query (aliased a) and loads the scopes.
func queryAuthorizations(ctx context.Context, q db.Q, query string, args ...any) ([]Authorization, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("list authorizations: %w", err)
	}
	out := []Authorization{}
	var ids []int64
	for rows.Next() {
		a, err := scanAuthorization(rows)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("list authorizations: %w", err)
		}
		out = append(out, a)
		ids = append(ids, a.ID)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list authorizations: %w", err)
	}
	scopes, err := loadScopes(ctx, q, "window_authorization_scopes", "authorization_id", ids)
	if err != nil {
		return nil, err
	}
	for i := range out {
		sc := scopes[out[i].ID]
		out[i].Items, out[i].Domains = orEmpty(sc.Items), orEmpty(sc.Domains)
	}
	return out, nil
}

func getAuthorization(ctx context.Context, q db.Q, id int64) (Authorization, error) {
	as, err := queryAuthorizations(ctx, q, `SELECT `+authCols+` FROM window_authorizations a WHERE a.id = $1`, id)
	if err != nil {
		return Authorization{}, err
	}
	if len(as) == 0 {
		return Authorization{}, fmt.Errorf("authorization %d: %w", id, ErrAuthorizationNotFound)
	}
	return as[0], nil
}

func (a Authorization) normalize() Authorization {
	a.DocNo = strings.TrimSpace(a.DocNo)
	a.ValidFrom = strings.TrimSpace(a.ValidFrom)
	a.ValidTo = strings.TrimSpace(a.ValidTo)
	a.Items = cleanList(a.Items)
	a.Domains = cleanList(a.Domains)
	sortDomains(a.Domains)
	return a
}

// validateAuthorization checks a whole against its window's hall h.
func validateAuthorization(ctx context.Context, q db.Q, h Hall, a Authorization) error {
	var fe errs.Fields
	if a.OrgID == 0 {
		fe.Add("org_id", "请选择授权部门")
	} else if err := checkOrgRef(ctx, q, "org_id", a.OrgID, h, &fe); err != nil {
		return err
	}
	switch {
	case a.DocNo == "":
		fe.Add("doc_no", "请填写授权书文号，例如 示市监授〔2026〕1号")
	case tooLong(a.DocNo, 50):
		fe.Add("doc_no", "授权书文号不能超过 50 个字")
	}
	for _, d := range []struct{ field, value, what string }{{"valid_from", a.ValidFrom, "起始"}, {"valid_to", a.ValidTo, "截止"}} {
		switch {
		case d.value == "":
			fe.Addf(d.field, "请填写有效期%s日期", d.what)
		case !validDay(d.value):
			fe.Addf(d.field, "有效期%s日期「%s」格式不正确，应为 YYYY-MM-DD，例如 2026-01-01", d.what, d.value)
		}
	}
	if !fe.Has("valid_from") && !fe.Has("valid_to") && a.ValidTo < a.ValidFrom {
		fe.Addf("valid_to", "有效期截止日期 %s 早于起始日期 %s", a.ValidTo, a.ValidFrom)
	}
	if !a.CanAccept && !a.CanDecide {
		fe.Add("can_accept", "请至少授权“受理”或“当场决定”中的一项")
	}
	if len(a.Items)+len(a.Domains) == 0 {
		fe.Add("items", "请至少填写一个事项编码或选择一个办理领域")
	}
	checkScope(a.Items, a.Domains, &fe)
	return fe.Err()
}

// checkOverlap rejects a when another unrevoked authorization of the same
// department for the same window shares an item or domain and its validity
// overlaps: two live delegations of one power would leave it unclear which
// one a case was accepted under.
func checkOverlap(ctx context.Context, q db.Q, a Authorization) error {
	others, err := queryAuthorizations(ctx, q, `SELECT `+authCols+` FROM window_authorizations a
		WHERE a.window_id = $1 AND a.org_id = $2 AND a.id <> $3 AND a.revoked_at IS NULL
		AND a.valid_from <= $4 AND a.valid_to >= $5 ORDER BY a.id`,
		a.WindowID, a.OrgID, a.ID, a.ValidTo, a.ValidFrom)
	if err != nil {
		return err
	}
	for _, o := range others {
		common := append(shared(a.Items, o.Items), shared(a.Domains, o.Domains)...)
		if len(common) == 0 {
			continue
		}
		msg := fmt.Sprintf("与已有的第 %d 号授权书（文号 %s，有效期 %s 至 %s）重叠：同一部门对同一窗口的「%s」授权有效期不能交叉，请先撤销原授权书或调整有效期",
			o.ID, o.DocNo, o.ValidFrom, o.ValidTo, strings.Join(common, "、"))
		e := ErrAuthorizationOverlap.With("existing_id", o.ID)
		e.Message = msg
		e.Fields = []errs.FieldError{{Field: "valid_from", Message: msg}}
		return e
	}
	return nil
}

// windowForWrite loads the window an authorization is for, checks p's scope
// over its hall and locks the window row so concurrent authorizations for
// it are checked for overlap one after the other.
func windowForWrite(ctx context.Context, q db.Q, p *auth.Principal, id int64) (Window, Hall, error) {
	if id == 0 {
		return Window{}, Hall{}, errs.Field("window_id", "window_required", "请选择窗口")
	}
	w, err := getWindow(ctx, q, id)
	if errors.Is(err, ErrWindowNotFound) {
		return Window{}, Hall{}, errs.Field("window_id", "window_not_found", fmt.Sprintf("窗口 %d 不存在", id))
	}
	if err != nil {
		return Window{}, Hall{}, err
	}
	h, err := hallInScope(ctx, q, p, w.HallID)
	if err != nil {
		return Window{}, Hall{}, err
	}
	// An UPDATE locks the row on PostgreSQL and needs no dialect; SQLite
	// already serializes write transactions.
	if _, err := q.ExecContext(ctx, `UPDATE windows SET updated_at = updated_at WHERE id = $1`, id); err != nil {
		return Window{}, Hall{}, err
	}
	return w, h, nil
}
