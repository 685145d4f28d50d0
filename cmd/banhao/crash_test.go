package main

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"banhao.dev/banhao/internal/demo"
	"banhao.dev/banhao/internal/platform/dbtest"
)

// The crash test: the real binary serves SQLite, then PostgreSQL, while clients submit and
// accept cases; it is SIGKILLed mid-run and restarted. Every submission and
// acceptance the server acknowledged must be there, and the audit chains
// must verify.
func TestCrashKeepsEveryAcknowledgedCase(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and kills the real binary")
	}
	bin := filepath.Join(t.TempDir(), "banhao")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	t.Run("sqlite", func(t *testing.T) {
		dir := t.TempDir()
		crashRun(t, bin, dir, "sqlite:"+filepath.Join(dir, "crash.db"))
	})
	t.Run("postgres", func(t *testing.T) {
		crashRun(t, bin, t.TempDir(), dbtest.PostgresURL(t))
	})
}

func crashRun(t *testing.T, bin, dir, url string) {
	// Seed from the temp dir: the demo's material files go to its ./data/blobs.
	seed := exec.Command(bin, "seed", "demo", "--db", url)
	seed.Dir, seed.Env = dir, append(os.Environ(), "BANHAO_TEST_FAST_HASH=1")
	if out, err := seed.CombinedOutput(); err != nil {
		t.Fatalf("seed demo: %v\n%s", err, out)
	}
	tok := map[string]string{}
	applicant := demo.Accounts()[1].Login
	for _, login := range []string{applicant, "clerk"} {
		code, stdout, stderr := cli(t, url, "token", "create", "--login", login)
		if code != 0 {
			t.Fatalf("token %s: %s", login, stderr)
		}
		lines := strings.Split(strings.TrimSpace(stdout), "\n")
		tok[login] = lines[len(lines)-1]
	}
	blobs := filepath.Join(dir, "data", "blobs")

	srv := startServer(t, bin, url, blobs)
	b := &bencher{base: srv.base, applicant: tok[applicant], clerk: tok["clerk"], client: &http.Client{Timeout: 10 * time.Second}}
	if err := b.upload(context.Background()); err != nil {
		t.Fatal(err)
	}

	// Load: 6 clients submit and accept for ~4 s, then the server is killed
	// while they are still sending.
	var mu sync.Mutex
	submitted, accepted := map[string]bool{}, map[string]bool{}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				var sub struct {
					Case struct {
						No string `json:"no"`
					} `json:"case"`
				}
				err := b.post(context.Background(), "/api/v1/cases", b.applicant,
					map[string]any{"item": benchItem, "channel": "online", "materials": b.materials}, http.StatusCreated, &sub)
				if err != nil {
					continue // not acknowledged (the server is going down)
				}
				mu.Lock()
				submitted[sub.Case.No] = true
				mu.Unlock()
				if b.post(context.Background(), "/api/v1/cases/"+sub.Case.No+"/actions/accept", b.clerk, map[string]any{}, http.StatusOK, nil) == nil {
					mu.Lock()
					accepted[sub.Case.No] = true
					mu.Unlock()
				}
			}
		}()
	}
	time.Sleep(4 * time.Second)
	if err := srv.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	srv.cmd.Wait()
	time.Sleep(300 * time.Millisecond) // let in-flight requests fail
	close(stop)
	wg.Wait()
	if len(submitted) < 5 {
		t.Fatalf("only %d submissions acknowledged before the kill; the load did not run", len(submitted))
	}
	t.Logf("acknowledged before SIGKILL: %d submissions, %d acceptances", len(submitted), len(accepted))

	srv = startServer(t, bin, url, blobs)
	b.base = srv.base
	for no := range submitted {
		var c struct {
			Status string `json:"status"`
		}
		if err := b.do(context.Background(), "GET", "/api/v1/cases/"+no, b.applicant, "", nil, http.StatusOK, &c); err != nil {
			t.Errorf("acknowledged case %s lost: %v", no, err)
			continue
		}
		if accepted[no] && c.Status != "accepted" {
			t.Errorf("case %s: acceptance was acknowledged, status now %s", no, c.Status)
		}
		var tl struct {
			Items []struct {
				Action string `json:"action"`
			} `json:"items"`
		}
		if err := b.do(context.Background(), "GET", "/api/v1/cases/"+no+"/timeline", b.applicant, "", nil, http.StatusOK, &tl); err != nil {
			t.Errorf("timeline of %s: %v", no, err)
		} else if want := map[bool]int{true: 2, false: 1}[accepted[no]]; len(tl.Items) < want {
			t.Errorf("timeline of %s: got %d events, want at least %d", no, len(tl.Items), want)
		}
	}
	srv.cmd.Process.Signal(syscall.SIGTERM)
	srv.cmd.Wait()
	out, err := exec.Command(bin, "audit", "verify", "--db", url).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "全部哈希链完整") {
		t.Fatalf("audit verify after the crash: %v\n%s", err, out)
	}
}

type server struct {
	cmd  *exec.Cmd
	base string
}

// startServer runs `banhao serve` on a free port and waits until it answers.
func startServer(t *testing.T, bin, dbURL, blobs string) *server {
	t.Helper()
	return startServerWith(t, bin, dbURL, blobs, nil)
}

// startServerWith is startServer with extra environment variables and
// serve flags.
func startServerWith(t *testing.T, bin, dbURL, blobs string, env []string, flags ...string) *server {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	cmd := exec.Command(bin, append([]string{"serve", "--db", dbURL, "--addr", addr, "--blob-dir", blobs, "--log-level", "error"}, flags...)...)
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = io.Discard, &stderr
	cmd.Env = append(append(os.Environ(), "BANHAO_DB="), env...)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	base := "http://" + addr
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get(base + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return &server{cmd: cmd, base: base}
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("server did not start: %s", stderr.String())
	return nil
}
