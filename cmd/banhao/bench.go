package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"banhao.dev/banhao/internal/demo"
	"banhao.dev/banhao/internal/platform/auth"
	"banhao.dev/banhao/internal/platform/config"
	"banhao.dev/banhao/internal/platform/db"
	"banhao.dev/banhao/internal/platform/ids"
	"banhao.dev/banhao/internal/platform/outbox"
)

// benchItem is the item the benchmark files: 企业设立登记, an 一审一核 item
// (clerk review → approver decision) that the demo clerk's window A01 may
// accept, with its required materials.
const benchItem = "0100001000-990121-01"

var benchMaterials = []string{"application", "articles", "shareholder_id", "officers", "address"}

// benchSteps are the transitions of one lifecycle, in order.
var benchSteps = []string{"submit", "accept", "review", "decide", "conclude", "deliver"}

// cmdBench drives full case lifecycles through the HTTP API of a real
// in-process server and reports throughput and per-transition latency.
func cmdBench(ctx context.Context, env *cliEnv, args []string) error {
	if len(args) == 0 || args[0] != "cases" {
		return usageError{"用法：banhao bench cases [--db URL] [--clients N] [--duration 30s | --lifecycles N] [--cpuprofile FILE] [--blockprofile FILE] [--memprofile FILE]"}
	}
	cfg := config.Default()
	fs := newFlags("bench cases", env, &cfg, "db", "log-format")
	clients := fs.Int("clients", 8, "并发客户端数")
	duration := fs.Duration("duration", 30*time.Second, "压测时长（与 --lifecycles 二选一）")
	lifecycles := fs.Int("lifecycles", 0, "完成的办件全流程数（设置后忽略 --duration）")
	cpuprofile := fs.String("cpuprofile", "", "把进程 CPU 剖析（pprof）写入该文件")
	blockprofile := fs.String("blockprofile", "", "把阻塞剖析（pprof：锁、通道、数据库连接等待）写入该文件")
	memprofile := fs.String("memprofile", "", "把内存分配剖析（pprof：运行期间的分配，含 alloc_space）写入该文件")
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	if *clients < 1 || *lifecycles < 0 || *duration <= 0 {
		return usageError{"--clients 须 ≥ 1，--duration 须 > 0，--lifecycles 须 ≥ 0"}
	}
	dbGiven := env.getenv("BANHAO_DB") != ""
	fs.Visit(func(f *flag.Flag) { dbGiven = dbGiven || f.Name == "db" })
	tmp, err := os.MkdirTemp("", "banhao-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	if !dbGiven {
		cfg.DB = "sqlite:" + filepath.Join(tmp, "bench.db")
	}
	cfg.Demo, cfg.Addr, cfg.BlobDir, cfg.LogLevel = true, "127.0.0.1:0", filepath.Join(tmp, "blobs"), "warn"
	cfg.MemoryLimitMB = 0 // the clients share the process: no server memory limit
	a, err := open(ctx, cfg, env, true)
	if err != nil {
		return err
	}
	defer a.close()
	fmt.Fprintf(env.stdout, "数据库：%s（%s）\n", a.db.Redacted(), a.db.Engine)
	if err := a.seedDemo(ctx); err != nil {
		return err
	}
	tokens := map[string]string{}
	applicants, err := benchApplicants(ctx, a.auth, *clients)
	if err != nil {
		return err
	}
	for _, login := range append(applicants, "clerk", "approver") {
		secret, _, err := a.auth.CreateToken(ctx, auth.SystemPrincipal(), login, "bench")
		if err != nil {
			return fmt.Errorf("bench token for %s: %w", login, err)
		}
		tokens[login] = secret
	}
	sctx, stop := context.WithCancel(ctx)
	urlc := make(chan string, 1)
	served := make(chan error, 1)
	go func() { served <- a.serve(sctx, env, func(u string) { urlc <- u }) }()
	var base string
	select {
	case base = <-urlc:
	case err := <-served:
		stop()
		return err
	}
	defer func() { stop(); <-served }()

	b := &bencher{bufs: &sync.Pool{New: func() any { return new(bytes.Buffer) }}, base: base, clerk: tokens["clerk"], approver: tokens["approver"],
		client: &http.Client{Transport: &http.Transport{MaxIdleConns: *clients * 2, MaxIdleConnsPerHost: *clients * 2}, Timeout: time.Minute}}
	for _, login := range applicants {
		b.applicants = append(b.applicants, tokens[login])
	}
	b.applicant = b.applicants[0]
	if err := b.upload(ctx); err != nil {
		return err
	}
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	if *blockprofile != "" {
		runtime.SetBlockProfileRate(int(50 * time.Microsecond))
		defer func() {
			runtime.SetBlockProfileRate(0)
			if f, err := os.Create(*blockprofile); err == nil {
				_ = pprof.Lookup("block").WriteTo(f, 0)
				f.Close()
			}
		}()
	}
	if *memprofile != "" {
		runtime.MemProfileRate = 64 << 10
		defer func() {
			if f, err := os.Create(*memprofile); err == nil {
				_ = pprof.Lookup("allocs").WriteTo(f, 0)
				f.Close()
			}
		}()
	}
	fmt.Fprintf(env.stdout, "并发客户端 %d，", *clients)
	if *lifecycles > 0 {
		fmt.Fprintf(env.stdout, "目标 %d 个全流程（申报→受理→审查→决定→办结→送达）\n", *lifecycles)
	} else {
		fmt.Fprintf(env.stdout, "时长 %s（申报→受理→审查→决定→办结→送达）\n", *duration)
	}
	before := takeCost(ctx, a.db)
	res := b.run(ctx, *clients, *duration, *lifecycles)
	// The run's consequences (supervision, ratings, SMS) are delivered by
	// the server's outbox job: wait for it to catch up, so the figures
	// count the whole work of each lifecycle, not only its API actions.
	if res.backlog, err = outboxBacklog(ctx, a.db); err != nil {
		return err
	}
	drainStart := time.Now()
	for n := res.backlog; n > 0 && time.Since(drainStart) < 5*time.Minute; {
		time.Sleep(50 * time.Millisecond)
		if n, err = outboxBacklog(ctx, a.db); err != nil {
			return err
		}
	}
	res.drain = time.Since(drainStart)
	res.cost = takeCost(ctx, a.db).since(before)
	res.print(env.stdout)
	if res.failed > 0 {
		return fmt.Errorf("%d 个全流程失败，首个错误：%v", res.failed, res.firstErr)
	}
	return nil
}

type bencher struct {
	base                       string
	applicant, clerk, approver string
	applicants                 []string // run: one applicant's token per client (default: applicant)
	client                     *http.Client
	materials                  []map[string]any
	bufs                       *sync.Pool // *bytes.Buffer for answers; nil: a new one each time
}

// upload stores one PDF per material; every case refers to the same files.
func (b *bencher) upload(ctx context.Context) error {
	for _, id := range benchMaterials {
		hash, err := b.uploadPDF(ctx, id)
		if err != nil {
			return err
		}
		b.materials = append(b.materials, map[string]any{"material_id": id, "file": hash})
	}
	return nil
}

// uploadPDF stores a small PDF for material id and returns its hash.
func (b *bencher) uploadPDF(ctx context.Context, id string) (string, error) {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, _ := mw.CreateFormFile("file", id+".pdf")
	fmt.Fprintf(fw, "%%PDF-1.4\n%% bench %s\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%%%EOF\n", id)
	mw.Close()
	var out struct {
		Hash string `json:"hash"`
	}
	if err := b.do(ctx, "POST", "/api/v1/files", b.applicant, mw.FormDataContentType(), &buf, http.StatusCreated, &out); err != nil {
		return "", fmt.Errorf("upload bench material: %w", err)
	}
	return out.Hash, nil
}

func (b *bencher) do(ctx context.Context, method, path, token, ctype string, body io.Reader, want int, out any) error {
	req, err := http.NewRequestWithContext(ctx, method, b.base+path, body)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	resp, err := b.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	// The clients share the server's process and cores: reuse their buffers
	// (a case answer is ≈ 10 KB) so that they cost the figures little.
	buf := new(bytes.Buffer)
	if b.bufs != nil {
		buf = b.bufs.Get().(*bytes.Buffer)
		defer b.bufs.Put(buf)
		buf.Reset()
	}
	if _, err := buf.ReadFrom(resp.Body); err != nil {
		return err
	}
	raw := buf.Bytes()
	if resp.StatusCode != want {
		return fmt.Errorf("%s %s: HTTP %d: %s", method, path, resp.StatusCode, bytes.TrimSpace(raw))
	}
	if out != nil {
		return json.Unmarshal(raw, out)
	}
	return nil
}

func (b *bencher) post(ctx context.Context, path, token string, body any, want int, out any) error {
	raw, err := json.Marshal(body)
	if err != nil {
		return err
	}
	return b.do(ctx, "POST", path, token, "application/json", bytes.NewReader(raw), want, out)
}

// lifecycle runs one case from submission to delivery, recording each
// transition's latency in lat (indexed like benchSteps).
func (b *bencher) lifecycle(ctx context.Context, lat *[6]time.Duration) error {
	var sub struct {
		Case struct {
			No string `json:"no"`
		} `json:"case"`
	}
	t0 := time.Now()
	if err := b.post(ctx, "/api/v1/cases", b.applicant, map[string]any{"item": benchItem, "channel": "online", "materials": b.materials}, http.StatusCreated, &sub); err != nil {
		return err
	}
	lat[0] = time.Since(t0)
	act := "/api/v1/cases/" + sub.Case.No + "/actions/"
	steps := []struct {
		action, token string
		body          any
	}{
		{"accept", b.clerk, map[string]any{}},
		{"review", b.clerk, map[string]any{"opinion": "材料齐全，符合法定形式"}},
		{"decide", b.approver, map[string]any{"outcome": "grant", "result": map[string]any{"certificate_no": "BENCH-" + sub.Case.No}}},
		{"conclude", b.approver, map[string]any{}},
		{"deliver", b.clerk, map[string]any{"method": "electronic"}},
	}
	for i, st := range steps {
		t := time.Now()
		if err := b.post(ctx, act+st.action, st.token, st.body, http.StatusOK, nil); err != nil {
			return err
		}
		lat[i+1] = time.Since(t)
	}
	return nil
}

type benchResult struct {
	clients  int
	done     int
	failed   int
	firstErr error
	elapsed  time.Duration
	lat      [6][]time.Duration
	cost     cost
	backlog  int           // outbox messages not yet delivered when the run ended
	drain    time.Duration // until the outbox job had delivered them
}

func outboxBacklog(ctx context.Context, d *db.DB) (int, error) {
	var n int
	if err := d.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM outbox WHERE delivered_at IS NULL AND attempts < $1`, outbox.MaxAttempts).Scan(&n); err != nil {
		return 0, fmt.Errorf("outbox backlog: %w", err)
	}
	return n, nil
}

// cost is what the run consumed, counted so it can be compared between runs
// on a busy machine, where lifecycles/s varies with the other load: CPU time
// of this process (server, jobs and clients) and, on PostgreSQL, the
// database's committed transactions (API actions, jobs, outbox).
type cost struct {
	cpu     time.Duration
	commits int64 // -1: not PostgreSQL
}

func takeCost(ctx context.Context, d *db.DB) cost {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	c := cost{cpu: time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), commits: -1}
	if d.Engine == db.Postgres {
		if err := d.R.QueryRowContext(ctx, `SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()`).Scan(&c.commits); err != nil {
			c.commits = -1
		}
	}
	return c
}

func (c cost) since(before cost) cost {
	out := cost{cpu: c.cpu - before.cpu, commits: -1}
	if c.commits >= 0 && before.commits >= 0 {
		out.commits = c.commits - before.commits
	}
	return out
}

func (b *bencher) run(ctx context.Context, clients int, duration time.Duration, target int) *benchResult {
	// The run ends between lifecycles (at the deadline or the target), never
	// by cancelling requests in flight, so the server sees no aborted calls.
	end := time.Now().Add(duration)
	var started atomic.Int64
	var mu sync.Mutex
	res := &benchResult{clients: clients}
	var wg sync.WaitGroup
	begin := time.Now()
	for i := range clients {
		cb := *b // the client's own applicant
		if len(b.applicants) > 0 {
			cb.applicant = b.applicants[i%len(b.applicants)]
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			var local [6][]time.Duration
			done, failed := 0, 0
			var first error
			for ctx.Err() == nil {
				if target > 0 && started.Add(1) > int64(target) || target == 0 && !time.Now().Before(end) {
					break
				}
				var lat [6]time.Duration
				err := cb.lifecycle(ctx, &lat)
				if err != nil {
					if ctx.Err() != nil {
						break // cut off by the end of the run: not a failure
					}
					failed++
					if first == nil {
						first = err
					}
					continue
				}
				done++
				for i, d := range lat {
					local[i] = append(local[i], d)
				}
			}
			mu.Lock()
			defer mu.Unlock()
			res.done += done
			res.failed += failed
			if res.firstErr == nil {
				res.firstErr = first
			}
			for i := range local {
				res.lat[i] = append(res.lat[i], local[i]...)
			}
		}()
	}
	wg.Wait()
	res.elapsed = time.Since(begin)
	return res
}

func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(float64(len(sorted))*p+0.5) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}

func (r *benchResult) print(w io.Writer) {
	rate := float64(r.done) / r.elapsed.Seconds()
	fmt.Fprintf(w, "完成 %d 个全流程，失败 %d，用时 %.1fs，GOMAXPROCS=%d\n", r.done, r.failed, r.elapsed.Seconds(), runtime.GOMAXPROCS(0))
	if la, err := os.ReadFile("/proc/loadavg"); err == nil {
		fmt.Fprintf(w, "结束时系统负载（/proc/loadavg）：%s\n", strings.TrimSpace(string(la)))
	}
	fmt.Fprintf(w, "吞吐：%.1f lifecycles/s（%.0f 次 API 状态变更/s）\n", rate, rate*float64(len(benchSteps)))
	whole := float64(r.done) / (r.elapsed + r.drain).Seconds()
	fmt.Fprintf(w, "含后续投递：%.1f lifecycles/s（结束时 outbox 积压 %d 条，%.1fs 投递完毕）\n", whole, r.backlog, r.drain.Seconds())
	if r.done > 0 {
		fmt.Fprintf(w, "每个全流程：本进程 CPU %.2fms", float64(r.cost.cpu)/float64(time.Millisecond)/float64(r.done))
		if r.cost.commits >= 0 {
			// pg_stat_database is updated by the backends with a delay of up
			// to a second; over a run of seconds the error is small.
			fmt.Fprintf(w, "，PostgreSQL 提交 %.1f 次", float64(r.cost.commits)/float64(r.done))
		}
		fmt.Fprintln(w)
	}

	fmt.Fprintf(w, "%-10s %8s %10s %10s %10s\n", "transition", "n", "p50", "p99", "max")
	for i, name := range benchSteps {
		s := slices.Clone(r.lat[i])
		sort.Slice(s, func(a, b int) bool { return s[a] < s[b] })
		var mx time.Duration
		if len(s) > 0 {
			mx = s[len(s)-1]
		}
		fmt.Fprintf(w, "%-10s %8d %10s %10s %10s\n", name, len(s), ms(percentile(s, 0.50)), ms(percentile(s, 0.99)), ms(mx))
	}
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2fms", float64(d)/float64(time.Millisecond)) }

// benchApplicants returns the logins of n enterprise applicants, registered
// on first use: each client applies as a different enterprise, as at a real
// service center. (With one applicant for all, every submission's foreign
// keys locked the same users row, a contention no center sees.)
func benchApplicants(ctx context.Context, au *auth.Service, n int) ([]string, error) {
	var logins []string
	for i := 1; i <= n; i++ {
		body := fmt.Sprintf("91990121MA0BC%04d", i)
		uscc := body + string(ids.USCCCheck(body))
		if _, err := au.UserByLogin(ctx, uscc); errors.Is(err, auth.ErrUserNotFound) {
			if _, err := au.Register(ctx, auth.NewUser{Kind: auth.KindEnterprise, Name: fmt.Sprintf("压测企业%04d有限公司", i), IDNumber: uscc,
				Phone: fmt.Sprintf("1390000%04d", i), Password: demo.Password, LegalRep: "压测", Contact: "压测"}); err != nil {
				return nil, fmt.Errorf("bench applicant %d: %w", i, err)
			}
		} else if err != nil {
			return nil, fmt.Errorf("bench applicant %d: %w", i, err)
		}
		logins = append(logins, uscc)
	}
	return logins, nil
}
