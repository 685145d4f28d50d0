package auth_test

import (
	"context"
	"errors"
	"testing"

	"banhao.dev/banhao/internal/platform/auth"
	"banhao.dev/banhao/internal/platform/db"
	"banhao.dev/banhao/internal/platform/dbtest"
)

func TestBearerTokenCache(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		s, clk := setup(t, d)
		ctx := context.Background()
		adm, err := s.CreateUser(ctx, auth.SystemPrincipal(), auth.NewUser{Login: "adm", Name: "管理员", Password: "Passw0rd1", Roles: []auth.Role{auth.Admin}, RegionCode: "990121"})
		if err != nil {
			t.Fatal(err)
		}
		app, err := s.Register(ctx, auth.NewUser{Kind: auth.KindPerson, Name: "张三", IDNumber: "11010519491231002X", Phone: "13900000000", Password: "abc12345"})
		if err != nil {
			t.Fatal(err)
		}
		newToken := func(t *testing.T) (string, auth.Token) {
			t.Helper()
			secret, tok, err := s.CreateToken(ctx, auth.SystemPrincipal(), "11010519491231002X", "test")
			if err != nil {
				t.Fatal(err)
			}
			if p, err := s.PrincipalByToken(ctx, secret); err != nil || p.UserID != app.ID {
				t.Fatalf("fresh token: got %v, %v; want user %d", p, err, app.ID)
			}
			return secret, tok
		}

		t.Run("a resolved token is served from the cache until the TTL passes", func(t *testing.T) {
			secret, tok := newToken(t)
			// Revoke behind the service's back: only the cache still knows the token.
			if _, err := d.W.ExecContext(ctx, `UPDATE api_tokens SET revoked_at = $1 WHERE id = $2`, clk.Now(), tok.ID); err != nil {
				t.Fatal(err)
			}
			if _, err := s.PrincipalByToken(ctx, secret); err != nil {
				t.Fatalf("within the TTL: got %v, want the cached principal", err)
			}
			clk.Advance(auth.TokenCacheTTL)
			if _, err := s.PrincipalByToken(ctx, secret); !errors.Is(err, auth.ErrBadToken) {
				t.Fatalf("after the TTL: got %v, want %v", err, auth.ErrBadToken)
			}
		})
		t.Run("revoking a token refuses it at once", func(t *testing.T) {
			secret, tok := newToken(t)
			if err := s.RevokeToken(ctx, adm.Principal(), tok.ID); err != nil {
				t.Fatal(err)
			}
			if _, err := s.PrincipalByToken(ctx, secret); !errors.Is(err, auth.ErrBadToken) {
				t.Fatalf("got %v, want %v", err, auth.ErrBadToken)
			}
		})
		t.Run("disabling the user refuses the token at once", func(t *testing.T) {
			secret, _ := newToken(t)
			if _, err := s.UpdateUser(ctx, adm.Principal(), app.ID, auth.UserUpdate{Disabled: true}); err != nil {
				t.Fatal(err)
			}
			if _, err := s.PrincipalByToken(ctx, secret); !errors.Is(err, auth.ErrDisabled) {
				t.Fatalf("got %v, want %v", err, auth.ErrDisabled)
			}
		})
	})
}
