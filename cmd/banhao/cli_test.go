package main

import (
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"banhao.dev/banhao/internal/platform/config"
	"banhao.dev/banhao/internal/platform/dbtest"
)

// banhao help lists every configuration flag with its BANHAO_* variable.
func TestHelpListsEveryFlagWithItsEnvName(t *testing.T) {
	code, stdout, _ := cli(t, "", "help")
	if code != 0 {
		t.Fatalf("help: exit %d", code)
	}
	cfg := config.Default()
	fs := flag.NewFlagSet("x", flag.ContinueOnError)
	cfg.Flags(fs, func(string) string { return "" })
	fs.VisitAll(func(f *flag.Flag) {
		env := "BANHAO_" + strings.ToUpper(strings.ReplaceAll(f.Name, "-", "_"))
		if !strings.Contains(stdout, "-"+f.Name) || !strings.Contains(stdout, env) {
			t.Errorf("help lacks --%s or %s", f.Name, env)
		}
	})
}

// Operator errors are Chinese and exit non-zero; the error kind/code prefix
// meant for logs is not shown.
func TestCommandErrorsAreChineseAndNonZero(t *testing.T) {
	dir := t.TempDir()
	url := "sqlite:" + filepath.Join(dir, "e.db")
	if code, _, stderr := cli(t, url, "migrate"); code != 0 {
		t.Fatalf("migrate: %d %s", code, stderr)
	}
	outdated := "sqlite:" + filepath.Join(dir, "old.db")
	old := dbtest.Open(t, outdated)
	if _, err := old.W.Exec(`DELETE FROM schema_migrations WHERE version > 1`); err != nil {
		t.Fatal(err)
	}
	han := regexp.MustCompile(`\p{Han}`)
	for _, tc := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"an unknown login", []string{"token", "create", "--login", "nobody"}, 1, "用户不存在"},
		{"a bad database URL", []string{"serve", "--db", "mysql:x"}, 2, "--db 应为"},
		{"a bad log level", []string{"migrate", "--log-level", "loud"}, 2, ""},
		{"an unknown flag", []string{"migrate", "--nope"}, 2, "参数有误"},
		{"a malformed date", []string{"calendar", "is-working", "2026-13-01"}, 1, "日期格式不正确"},
		{"a year without calendar data", []string{"calendar", "add", "--from", "2031-01-05", "--days", "3"}, 1, "2031"},
		{"a weak password lists its field", []string{"user", "add", "--login", "ops", "--password", "short", "--role", "admin"}, 1, "password："},
		{"serve without auto-migrate on an outdated schema", []string{"serve", "--db", outdated, "--auto-migrate=false", "--addr", "127.0.0.1:0"}, 1, "请先运行 banhao migrate"},
	} {
		t.Run(tc.name+" exits "+string(rune('0'+tc.code)), func(t *testing.T) {
			code, _, stderr := cli(t, url, tc.args...)
			if code != tc.code {
				t.Fatalf("exit: got %d, want %d (%s)", code, tc.code, stderr)
			}
			if !han.MatchString(stderr) || !strings.Contains(stderr, tc.want) {
				t.Errorf("stderr %q: want Chinese containing %q", stderr, tc.want)
			}
			if strings.Contains(stderr, "not_found/") || strings.Contains(stderr, "failed_precondition/") || strings.Contains(stderr, "invalid/") {
				t.Errorf("stderr %q shows the error kind prefix", stderr)
			}
		})
	}
}

// Flags may follow the positional argument, and a bad command line never
// creates or migrates a database.
func TestCalendarArgumentsAnywhereAndNoDatabaseOnUsageError(t *testing.T) {
	dir := t.TempDir()
	url := "sqlite:" + filepath.Join(dir, "c.db")
	code, stdout, stderr := cli(t, "", "calendar", "is-working", "2026-02-16", "--db", url)
	if code != 0 || !strings.Contains(stdout, "春节") {
		t.Fatalf("is-working DATE --db: exit %d %q %q", code, stdout, stderr)
	}
	untouched := filepath.Join(dir, "untouched.db")
	for _, args := range [][]string{{"calendar", "is-working"}, {"calendar", "add", "--days", "3"}, {"calendar", "import"}, {"calendar", "nope", "x"}} {
		if code, _, _ := cli(t, "sqlite:"+untouched, args...); code != 2 {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
	if _, err := os.Stat(untouched); !os.IsNotExist(err) {
		t.Fatalf("a usage error created the database %s (%v)", untouched, err)
	}
}
