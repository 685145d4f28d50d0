package main

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"banhao.dev/banhao/internal/demo"
	"banhao.dev/banhao/internal/platform/dbtest"
)

// Three `banhao serve` processes on one PostgreSQL schema, with no balancer:
// clients spread their requests over the nodes, one node is SIGKILLed
// mid-run, and the jobs of the surviving nodes must still process every
// due item exactly once — each online submission auto-accepted once
// (art. 32), each outbox message delivered once (one SMS per notice) — and
// a session made on one node must work on the others. Uploads need the
// blob directory shared by all nodes (here: one directory).
func TestSeveralNodesRunEachDueItemOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and runs three servers for about two minutes")
	}
	dbURL := dbtest.PostgresURL(t) // skips without BANHAO_TEST_POSTGRES
	dir := t.TempDir()
	bin := filepath.Join(dir, "banhao")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	seed := exec.Command(bin, "seed", "demo", "--db", dbURL)
	seed.Dir, seed.Env = dir, append(os.Environ(), "BANHAO_TEST_FAST_HASH=1")
	if out, err := seed.CombinedOutput(); err != nil {
		t.Fatalf("seed demo: %v\n%s", err, out)
	}
	tok := map[string]string{}
	applicant := demo.Accounts()[1].Login
	for _, login := range []string{applicant, "clerk"} {
		code, stdout, stderr := cli(t, dbURL, "token", "create", "--login", login)
		if code != 0 {
			t.Fatalf("token %s: %s", login, stderr)
		}
		lines := strings.Split(strings.TrimSpace(stdout), "\n")
		tok[login] = lines[len(lines)-1]
	}
	blobs := filepath.Join(dir, "data", "blobs") // shared by the nodes
	var nodes []*server
	for range 3 {
		// Jobs every second: the pre-reviews made due below are accepted
		// at once instead of at the next minute.
		nodes = append(nodes, startServerWith(t, bin, dbURL, blobs, []string{"BANHAO_TEST_JOB_EVERY=1s"}))
	}
	b := &bencher{base: nodes[0].base, applicant: tok[applicant], clerk: tok["clerk"], client: &http.Client{Timeout: 10 * time.Second}}
	if err := b.upload(context.Background()); err != nil {
		t.Fatal(err)
	}

	// Load: 4 clients submit online applications round-robin over the
	// nodes; node 1 is killed after two seconds. A request to a dead node
	// fails and is not counted (it was never acknowledged).
	var mu sync.Mutex
	submitted := map[string]bool{}
	alive := []bool{true, true, true}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for c := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cb := *b
			for i := c; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				mu.Lock()
				n := i % 3
				ok := alive[n]
				mu.Unlock()
				if !ok {
					continue
				}
				cb.base = nodes[n].base
				var sub struct {
					Case struct {
						No string `json:"no"`
					} `json:"case"`
				}
				if cb.post(context.Background(), "/api/v1/cases", cb.applicant,
					map[string]any{"item": benchItem, "channel": "online", "materials": b.materials}, http.StatusCreated, &sub) == nil {
					mu.Lock()
					submitted[sub.Case.No] = true
					mu.Unlock()
				}
			}
		}()
	}
	time.Sleep(2 * time.Second)
	mu.Lock()
	alive[1] = false
	mu.Unlock()
	if err := nodes[1].cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	nodes[1].cmd.Wait()
	time.Sleep(2 * time.Second)
	close(stop)
	wg.Wait()
	if len(submitted) < 10 {
		t.Fatalf("only %d submissions acknowledged; the load did not run", len(submitted))
	}
	t.Logf("%d online submissions acknowledged over 3 nodes (one killed)", len(submitted))

	// Sessions are rows in the shared database: log in on node 0, use the
	// session on node 2.
	t.Run("a session made on one node works on another", func(t *testing.T) {
		jar, _ := cookiejar.New(nil)
		hc := &http.Client{Jar: jar, Timeout: 10 * time.Second}
		page := get(t, hc, nodes[0].base+"/login")
		m := regexp.MustCompile(`name="csrf_token" value="([^"]+)"`).FindStringSubmatch(page)
		if m == nil {
			t.Fatal("login form has no csrf_token")
		}
		resp, err := hc.PostForm(nodes[0].base+"/login", url.Values{"csrf_token": {m[1]}, "login": {"clerk"}, "password": {demo.Password}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		// Cookies are not port-specific: the jar sends the session to node 2.
		if got := get(t, hc, nodes[2].base+"/"); !strings.Contains(got, "李娜") {
			t.Errorf("node 2 does not know the session made on node 0: page lacks the clerk's name")
		}
	})

	// Make every pre-review due now (as if five working days had passed):
	// the surviving nodes' cases-auto-accept job must accept each once.
	d, err := sql.Open("pgx", dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	ctx := context.Background()
	if _, err := d.ExecContext(ctx, `UPDATE cases SET prereview_due = $1 WHERE status = 'submitted'`, time.Now().Add(-time.Hour).UTC()); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 150*time.Second, "every submission auto-accepted and every outbox message delivered", func() (bool, string) {
		var open, undelivered int
		if err := d.QueryRowContext(ctx, `SELECT COUNT(*) FROM cases WHERE status = 'submitted'`).Scan(&open); err != nil {
			t.Fatal(err)
		}
		if err := d.QueryRowContext(ctx, `SELECT COUNT(*) FROM outbox WHERE delivered_at IS NULL`).Scan(&undelivered); err != nil {
			t.Fatal(err)
		}
		return open == 0 && undelivered == 0, fmt.Sprintf("%d cases still submitted, %d outbox messages undelivered", open, undelivered)
	})

	var sms int
	for no := range submitted {
		var accepts, notices, msgs int
		if err := d.QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_events WHERE stream = $1 AND action = 'auto-accept'`, "case/"+no).Scan(&accepts); err != nil {
			t.Fatal(err)
		}
		if accepts != 1 {
			t.Errorf("case %s: got %d auto-acceptance events, want exactly 1", no, accepts)
		}
		if err := d.QueryRowContext(ctx, `SELECT COUNT(*) FROM notifications WHERE body LIKE $1`, "%"+no+"%").Scan(&notices); err != nil {
			t.Fatal(err)
		}
		if err := d.QueryRowContext(ctx, `SELECT COUNT(*) FROM dev_messages WHERE channel = 'sms' AND body LIKE $1`, "%"+no+"%").Scan(&msgs); err != nil {
			t.Fatal(err)
		}
		if msgs != notices {
			t.Errorf("case %s: got %d SMS for %d notices, want one each (an outbox message delivered twice or lost)", no, msgs, notices)
		}
		sms += msgs
	}
	if sms == 0 {
		t.Error("no SMS was delivered: the outbox check proved nothing")
	}
	for _, n := range []int{0, 2} {
		nodes[n].cmd.Process.Signal(syscall.SIGTERM)
		nodes[n].cmd.Wait()
	}
	out, err := exec.Command(bin, "audit", "verify", "--db", dbURL).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "全部哈希链完整") {
		t.Fatalf("audit verify: %v\n%s", err, out)
	}
}

func get(t *testing.T, hc *http.Client, u string) string {
	t.Helper()
	resp, err := hc.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return string(raw)
}

// waitFor polls cond until it holds or the timeout passes.
func waitFor(t *testing.T, timeout time.Duration, what string, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		ok, state := cond()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("waiting for %s: %s", what, state)
		}
		time.Sleep(500 * time.Millisecond)
	}
}
