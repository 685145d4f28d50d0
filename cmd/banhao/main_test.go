package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"banhao.dev/banhao/internal/platform/dbtest"
)

// cli runs the binary's run() with a fixed environment.
func cli(t *testing.T, dbURL string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	env := func(k string) string {
		switch k {
		case "BANHAO_DB":
			return dbURL
		case "BANHAO_TEST_FAST_HASH":
			return "1"
		}
		return ""
	}
	code = run(context.Background(), args, env, &out, &errb)
	return code, out.String(), errb.String()
}

func dbURLs(t *testing.T) map[string]string {
	urls := map[string]string{"sqlite": "sqlite:" + filepath.Join(t.TempDir(), "cli.db")}
	if os.Getenv("BANHAO_TEST_POSTGRES") != "" {
		urls["postgres"] = dbtest.PostgresURL(t)
	}
	return urls
}

func TestUserAddAndTokenCreateForScripts(t *testing.T) {
	for engine, url := range dbURLs(t) {
		t.Run(engine, func(t *testing.T) {
			if code, _, stderr := cli(t, url, "migrate"); code != 0 {
				t.Fatalf("migrate: %d %s", code, stderr)
			}
			code, _, stderr := cli(t, url, "user", "add", "--db", url, "--login", "ops", "--password", "Passw0rd1", "--role", "admin")
			if code != 0 {
				t.Fatalf("user add: exit %d: %s", code, stderr)
			}
			code, _, stderr = cli(t, url, "user", "add", "--login", "bad", "--password", "short", "--role", "admin")
			if code == 0 || !strings.Contains(stderr, "密码") {
				t.Fatalf("weak password accepted: exit %d %s", code, stderr)
			}
			code, stdout, stderr := cli(t, url, "token", "create", "--db", url, "--login", "ops")
			if code != 0 {
				t.Fatalf("token create: exit %d: %s", code, stderr)
			}
			lines := strings.Split(strings.TrimSpace(stdout), "\n")
			if last := lines[len(lines)-1]; !strings.HasPrefix(last, "bh_") || strings.Contains(last, " ") {
				t.Fatalf("token not alone on the last line: %q", last)
			}
			if code, stdout, _ := cli(t, url, "audit", "verify"); code != 0 || !strings.Contains(stdout, "全部哈希链完整") {
				t.Fatalf("audit verify: exit %d %s", code, stdout)
			}
		})
	}
}

func TestAuditVerifyFailsOnTamperAndBackupWorks(t *testing.T) {
	dir := t.TempDir()
	url := "sqlite:" + filepath.Join(dir, "a.db")
	if code, _, stderr := cli(t, url, "user", "add", "--login", "ops", "--password", "Passw0rd1", "--role", "admin"); code != 0 {
		t.Fatal(stderr)
	}
	d := dbtest.Open(t, url)
	if _, err := d.W.Exec(`UPDATE audit_events SET action = 'forged'`); err != nil {
		t.Fatal(err)
	}
	code, stdout, _ := cli(t, url, "audit", "verify")
	if code != 3 || !strings.Contains(stdout, "断点") {
		t.Fatalf("tampered audit: exit %d %s, want 3 with 断点", code, stdout)
	}
	out := filepath.Join(dir, "backup.db")
	if code, _, stderr := cli(t, url, "backup", "--out", out); code != 0 {
		t.Fatalf("backup: %s", stderr)
	}
	if st, err := os.Stat(out); err != nil || st.Size() == 0 {
		t.Fatalf("backup file: %v", err)
	}
}

func TestUnknownCommandAndHelp(t *testing.T) {
	if code, _, _ := cli(t, "", "nope"); code != 2 {
		t.Fatalf("unknown command exit %d, want 2", code)
	}
	code, stdout, _ := cli(t, "", "help")
	if code != 0 || !strings.Contains(stdout, "serve") || !strings.Contains(stdout, "--db") {
		t.Fatalf("help: %d %s", code, stdout)
	}
}

func TestNewerSchemaRefusesToStart(t *testing.T) {
	url := "sqlite:" + filepath.Join(t.TempDir(), "n.db")
	d := dbtest.Open(t, url)
	if _, err := d.W.Exec(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (9999, 'future', CURRENT_TIMESTAMP)`); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := cli(t, url, "serve", "--addr", "127.0.0.1:0")
	if code == 0 || !strings.Contains(stderr, "比本程序新") {
		t.Fatalf("serve on newer schema: exit %d %q", code, stderr)
	}
}

func TestCalendarCommands(t *testing.T) {
	dir := t.TempDir()
	url := "sqlite:" + filepath.Join(dir, "c.db")
	cases := []struct {
		args     []string
		wantCode int
		want     string
	}{
		{[]string{"calendar", "is-working", "2026-02-14"}, 0, "工作日（春节调休上班）"},
		{[]string{"calendar", "is-working", "2026-10-01"}, 0, "休息日（国庆节）"},
		{[]string{"calendar", "add", "--from", "2026-02-13", "--days", "3"}, 0, "2026-02-25"},
		{[]string{"calendar", "is-working", "2027-01-04"}, 1, ""},
		{[]string{"calendar", "is-working", "2026-02-30"}, 1, ""},
	}
	for _, c := range cases {
		code, stdout, stderr := cli(t, url, c.args...)
		if code != c.wantCode || !strings.Contains(stdout, c.want) {
			t.Errorf("%v: exit %d out %q err %q, want %d %q", c.args, code, stdout, stderr, c.wantCode, c.want)
		}
		if c.wantCode != 0 && stderr == "" {
			t.Errorf("%v: no error message", c.args)
		}
	}
	bad := filepath.Join(dir, "bad.csv")
	_ = os.WriteFile(bad, []byte("date,kind,name\n2027-01-01,off,元旦\n2027-02-31,off,春节\n"), 0o644)
	if code, _, stderr := cli(t, url, "calendar", "import", bad); code == 0 || !strings.Contains(stderr, "第3行") {
		t.Fatalf("bad file: exit %d %q", code, stderr)
	}
	good := filepath.Join(dir, "2027.csv")
	_ = os.WriteFile(good, []byte("date,kind,name\n2027-01-01,off,元旦\n"), 0o644)
	if code, _, stderr := cli(t, url, "calendar", "import", good); code != 0 {
		t.Fatalf("good file: %s", stderr)
	}
	if code, stdout, _ := cli(t, url, "calendar", "is-working", "2027-01-01"); code != 0 || !strings.Contains(stdout, "元旦") {
		t.Fatalf("after import: %d %s", code, stdout)
	}
}
