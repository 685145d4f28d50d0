package web

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"banhao.dev/banhao/internal/browsertest"
	"banhao.dev/banhao/internal/platform/auth"
	"banhao.dev/banhao/internal/platform/dbtest"
)

// A person logs in as several roles in a real browser, sees the navigation
// of that role, and switches the large-font mode, which sticks.
func TestBrowserLoginRolesAndElderlyMode(t *testing.T) {
	ctx := browsertest.New(t)
	e := newTestEnv(t, dbtest.SQLite(t))
	e.mustUser("adm", "990121", auth.Admin)
	e.mustUser("clk", "990121", auth.Clerk)
	if _, err := e.Auth.Register(context.Background(), auth.NewUser{Kind: auth.KindPerson, Name: "张三", IDNumber: "11010519491231002X", Phone: "13900000000", Password: "abc12345"}); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		login, password string
		wantNav         []string
		notNav          []string
		landing         string
	}{
		{"adm", "Passw0rd!", []string{"工作台", "用户与角色", "模拟时钟"}, []string{"我的办事"}, "/workbench"},
		{"clk", "Passw0rd!", []string{"工作台", "账号与令牌"}, []string{"用户与角色", "模拟时钟"}, "/workbench"},
		{"11010519491231002X", "abc12345", []string{"我的办事", "账号与令牌"}, []string{"工作台", "用户与角色"}, "/my"},
	}
	for _, c := range cases {
		t.Run(c.login, func(t *testing.T) {
			browsertest.Do(t, ctx,
				chromedp.Navigate(e.HTTP.URL+"/login"),
				browsertest.Fill("#login", c.login),
				browsertest.Fill("#password", c.password),
				chromedp.Click(chromedp.CSS("#login-submit")),
				chromedp.WaitVisible(chromedp.CSS("#logout")),
			)
			loc := browsertest.Eval[string](t, ctx, "location.pathname")
			if loc != c.landing {
				t.Fatalf("landed on %s, want %s", loc, c.landing)
			}
			nav := browsertest.Text(t, ctx, "nav.main-nav")
			for _, w := range c.wantNav {
				if !strings.Contains(nav, w) {
					t.Errorf("nav %q lacks %q", nav, w)
				}
			}
			for _, w := range c.notNav {
				if strings.Contains(nav, w) {
					t.Errorf("nav %q shows %q to %s", nav, w, c.login)
				}
			}
			browsertest.Do(t, ctx, chromedp.Click(chromedp.CSS("#logout")), chromedp.WaitVisible(chromedp.CSS(`nav.main-nav a[href="/login"]`)))
		})
	}
	// Large-font mode: toggled with the keyboard-reachable header button,
	// kept on the next page, computed font size really larger.
	browsertest.Do(t, ctx, chromedp.Navigate(e.HTTP.URL+"/"), chromedp.WaitVisible(chromedp.CSS("#elderly-toggle")))
	before := browsertest.Eval[string](t, ctx, "getComputedStyle(document.documentElement).fontSize")
	browsertest.Do(t, ctx, chromedp.Click(chromedp.CSS("#elderly-toggle")), chromedp.WaitVisible(chromedp.CSS("body.elderly")),
		chromedp.Navigate(e.HTTP.URL+"/login"), chromedp.WaitVisible(chromedp.CSS("#login")))
	if cls := browsertest.Eval[string](t, ctx, "document.body.className"); cls != "elderly" {
		t.Fatalf("after navigation body class %q, want elderly", cls)
	}
	after := browsertest.Eval[string](t, ctx, "getComputedStyle(document.documentElement).fontSize")
	if before != "16px" || after != "22px" {
		t.Fatalf("root font size %s → %s, want 16px → 22px", before, after)
	}
	if got := browsertest.Text(t, ctx, "#elderly-toggle"); got != "退出长辈模式" {
		t.Fatalf("toggle label %q", got)
	}
}
