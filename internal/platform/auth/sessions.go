package auth

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"banhao.dev/banhao/internal/platform/audit"
	"banhao.dev/banhao/internal/platform/errs"
)

var (
	ErrBadCredentials = errs.E(errs.Unauthenticated, "bad_credentials", "账号或密码错误")
	ErrThrottled      = errs.E(errs.TooMany, "login_throttled", "登录失败次数过多，请 15 分钟后再试")
	ErrDisabled       = errs.E(errs.Unauthenticated, "account_disabled", "该账号已停用，请联系管理员")
	ErrBadToken       = errs.E(errs.Unauthenticated, "bad_token", "访问令牌无效或已撤销")
)

// Session is a logged-in browser.
type Session struct {
	Token     string // cookie value; only its hash is stored
	CSRF      string
	ExpiresAt time.Time
	Principal *Principal
}

func hashToken(t string) string {
	h := sha256.Sum256([]byte(t))
	return hex.EncodeToString(h[:])
}

// Login checks a password and opens a session. Failed attempts are counted
// per account and per address; past the limits the login is refused without
// checking the password, so guessing is slow whichever way it is spread.
func (s *Service) Login(ctx context.Context, login, password, ip string) (Session, error) {
	login = strings.TrimSpace(login)
	now := s.wall.Now()
	since := now.Add(-s.ThrottleWindow)
	var byLogin, byIP int
	if err := s.d.R.QueryRowContext(ctx, `SELECT
		(SELECT COUNT(*) FROM login_failures WHERE login = $1 AND at > $3),
		(SELECT COUNT(*) FROM login_failures WHERE ip = $2 AND at > $3)`, login, ip, since).Scan(&byLogin, &byIP); err != nil {
		return Session{}, fmt.Errorf("login throttle: %w", err)
	}
	if byLogin >= s.MaxFailuresPerLogin || byIP >= s.MaxFailuresPerIP {
		return Session{}, ErrThrottled
	}
	u, hash, err := s.userByLogin(ctx, login)
	ok := false
	if err == nil {
		ok, err = CheckPassword(hash, password)
	} else if errors.Is(err, ErrUserNotFound) {
		// Spend the same work as a real check so timing does not reveal accounts.
		_, _ = CheckPassword("$argon2id$v=19$m=64,t=1,p=1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g", password)
		err = nil
	}
	if err != nil {
		return Session{}, fmt.Errorf("login: %w", err) // no login: it may be a citizen ID
	}
	if !ok {
		if _, err := s.d.W.ExecContext(ctx, `INSERT INTO login_failures (login, ip, at) VALUES ($1, $2, $3)`, login, ip, now); err != nil {
			return Session{}, fmt.Errorf("record login failure: %w", err)
		}
		return Session{}, ErrBadCredentials
	}
	if u.Disabled {
		return Session{}, ErrDisabled
	}
	sess := Session{Token: randomToken(32), CSRF: randomToken(24), ExpiresAt: now.Add(s.SessionTTL), Principal: u.Principal()}
	err = s.d.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM login_failures WHERE login = $1`, login); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE expires_at < $1`, now); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, expires_at, ip) VALUES ($1, $2, $3, $4, $5, $6)`,
			hashToken(sess.Token), u.ID, sess.CSRF, now, sess.ExpiresAt, ip)
		return err
	})
	if err != nil {
		return Session{}, fmt.Errorf("open session: %w", err)
	}
	return sess, nil
}

// SessionByToken resolves a session cookie; an unknown or expired token is
// ErrUnauthenticated.
func (s *Service) SessionByToken(ctx context.Context, token string) (Session, error) {
	if token == "" {
		return Session{}, ErrUnauthenticated
	}
	var userID int64
	var sess Session
	err := s.d.R.QueryRowContext(ctx, `SELECT user_id, csrf_token, expires_at FROM sessions WHERE id_hash = $1 AND expires_at > $2`,
		hashToken(token), s.wall.Now()).Scan(&userID, &sess.CSRF, &sess.ExpiresAt)
	if errors.Is(err, sql.ErrNoRows) {
		return Session{}, ErrUnauthenticated
	}
	if err != nil {
		return Session{}, fmt.Errorf("load session: %w", err)
	}
	u, err := s.UserByID(ctx, userID)
	if err != nil {
		return Session{}, err
	}
	if u.Disabled {
		return Session{}, ErrDisabled
	}
	sess.Token = token
	sess.Principal = u.Principal()
	return sess, nil
}

// Logout ends a session.
func (s *Service) Logout(ctx context.Context, token string) error {
	_, err := s.d.W.ExecContext(ctx, `DELETE FROM sessions WHERE id_hash = $1`, hashToken(token))
	if err != nil {
		return fmt.Errorf("logout: %w", err)
	}
	return nil
}

// Token is an API bearer token's metadata (the secret is shown once).
type Token struct {
	ID         int64      `json:"id"`
	UserID     int64      `json:"user_id"`
	Name       string     `json:"name"`
	CreatedAt  time.Time  `json:"created_at"`
	LastUsedAt *time.Time `json:"last_used_at,omitempty"`
	RevokedAt  *time.Time `json:"revoked_at,omitempty"`
}

// tokenPrefix marks banhao tokens so secret scanners can find leaked ones.
const tokenPrefix = "bh_"

// CreateToken issues a bearer token for login and returns the secret once.
// Only its SHA-256 is stored. p must be the user itself or an admin.
func (s *Service) CreateToken(ctx context.Context, p *Principal, login, name string) (string, Token, error) {
	u, err := s.UserByLogin(ctx, login)
	if err != nil {
		return "", Token{}, err
	}
	if p == nil || (p.UserID != u.ID && !p.Has(Admin)) {
		return "", Token{}, ErrForbidden
	}
	if u.Disabled {
		return "", Token{}, ErrDisabled
	}
	if utf8.RuneCountInString(strings.TrimSpace(name)) > 60 {
		return "", Token{}, errs.Field("name", "token_name", "令牌用途说明不能超过 60 个字")
	}
	secret := tokenPrefix + randomToken(32)
	now := s.clk.Now()
	t := Token{UserID: u.ID, Name: strings.TrimSpace(name), CreatedAt: now}
	err = s.d.Tx(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, `INSERT INTO api_tokens (user_id, name, token_hash, created_at) VALUES ($1, $2, $3, $4) RETURNING id`,
			u.ID, t.Name, hashToken(secret), now).Scan(&t.ID); err != nil {
			return err
		}
		_, err := audit.Append(ctx, tx, now, p.Actor(p.PrimaryRole()), fmt.Sprintf("user/%d", u.ID), "token.create", map[string]any{"token_id": t.ID, "name": t.Name})
		return err
	})
	if err != nil {
		return "", Token{}, fmt.Errorf("create token for user %d: %w", u.ID, err)
	}
	return secret, t, nil
}

// PrincipalByToken resolves a bearer token.
func (s *Service) PrincipalByToken(ctx context.Context, secret string) (*Principal, error) {
	if !strings.HasPrefix(secret, tokenPrefix) {
		return nil, ErrBadToken
	}
	var userID int64
	var lastUsed sql.NullTime
	h := hashToken(secret)
	if p, ok := s.tokens.get(h, s.wall.Now()); ok {
		return p, nil
	}
	err := s.d.R.QueryRowContext(ctx, `SELECT user_id, last_used_at FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL`, h).Scan(&userID, &lastUsed)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrBadToken
	}
	if err != nil {
		return nil, fmt.Errorf("load token: %w", err)
	}
	// Record use at most once a minute, so a busy integration does not turn
	// every read into a write.
	if now := s.wall.Now(); !lastUsed.Valid || now.Sub(lastUsed.Time) > time.Minute {
		if _, err := s.d.W.ExecContext(ctx, `UPDATE api_tokens SET last_used_at = $1 WHERE token_hash = $2`, now, h); err != nil {
			return nil, fmt.Errorf("record token use: %w", err)
		}
	}
	u, err := s.UserByID(ctx, userID)
	if err != nil {
		return nil, err
	}
	if u.Disabled {
		return nil, ErrDisabled
	}
	p := u.Principal()
	s.tokens.put(h, p, s.wall.Now())
	return p, nil
}

// ListTokens lists the tokens of a user (itself or admin).
func (s *Service) ListTokens(ctx context.Context, p *Principal, userID int64) ([]Token, error) {
	if p == nil || (p.UserID != userID && !p.Has(Admin)) {
		return nil, ErrForbidden
	}
	rows, err := s.d.R.QueryContext(ctx, `SELECT id, user_id, name, created_at, last_used_at, revoked_at FROM api_tokens WHERE user_id = $1 ORDER BY id`, userID)
	if err != nil {
		return nil, fmt.Errorf("list tokens: %w", err)
	}
	defer rows.Close()
	var out []Token
	for rows.Next() {
		var t Token
		var used, revoked sql.NullTime
		if err := rows.Scan(&t.ID, &t.UserID, &t.Name, &t.CreatedAt, &used, &revoked); err != nil {
			return nil, err
		}
		if used.Valid {
			t.LastUsedAt = &used.Time
		}
		if revoked.Valid {
			t.RevokedAt = &revoked.Time
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// ErrTokenNotFound is returned when revoking an unknown token.
var ErrTokenNotFound = errs.E(errs.NotFound, "token_not_found", "访问令牌不存在")

// RevokeToken revokes a token (its owner or an admin); later requests with
// it get 401.
func (s *Service) RevokeToken(ctx context.Context, p *Principal, id int64) error {
	now := s.clk.Now()
	defer s.tokens.reset()
	return s.d.Tx(ctx, func(tx *sql.Tx) error {
		var owner int64
		err := tx.QueryRowContext(ctx, `SELECT user_id FROM api_tokens WHERE id = $1`, id).Scan(&owner)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrTokenNotFound
		}
		if err != nil {
			return err
		}
		if p == nil || (p.UserID != owner && !p.Has(Admin)) {
			return ErrForbidden
		}
		if _, err := tx.ExecContext(ctx, `UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL`, now, id); err != nil {
			return err
		}
		_, err = audit.Append(ctx, tx, now, p.Actor(p.PrimaryRole()), fmt.Sprintf("user/%d", owner), "token.revoke", map[string]any{"token_id": id})
		return err
	})
}
