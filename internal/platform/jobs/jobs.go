// Package jobs runs periodic background work (deadline lights, outbox
// delivery, reminders, roll-ups) inside the serve process.
//
// With several nodes on one PostgreSQL each run of a job happens on one node
// only: before running, a node takes the job's lease in job_leases with a
// conditional upsert that succeeds only when the lease is free and the job
// has not started within (most of) its period. While the job runs the lease
// is renewed; a node killed mid-job stops renewing, so its lease lapses
// after LeaseTTL and another node runs the job at its next tick. Jobs must
// therefore be safe to re-run (each does its work in transactions).
//
// Leases and job timestamps use the wall clock, never the simulated business
// clock: they are infrastructure, and moving the demo clock must not stall
// or stampede jobs. Nodes' clocks are assumed to agree within seconds (NTP).
package jobs

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"log/slog"
	"runtime/debug"
	"sort"
	"sync"
	"time"

	"banhao.dev/banhao/internal/platform/clock"
	"banhao.dev/banhao/internal/platform/db"
	"banhao.dev/banhao/internal/platform/errs"
)

// ErrUnknown is returned for a job name nobody registered.
var ErrUnknown = errs.E(errs.NotFound, "job_unknown", "没有这个后台任务")

// ErrBusy is returned by RunOnce while another node (or this one) runs the job.
var ErrBusy = errs.E(errs.Conflict, "job_running", "该后台任务正在运行，请稍后再试")

// Func is the work of a job. Its context is cancelled when the runner stops
// or the lease is lost.
type Func func(ctx context.Context) error

type job struct {
	name  string
	every time.Duration
	fn    Func
	mu    sync.Mutex // held while this runner runs the job
}

// Runner runs registered jobs. Register every job before Run.
type Runner struct {
	d      *db.DB
	node   string
	holder string // node plus a random suffix: two runners never share a lease
	log    *slog.Logger
	jobs   map[string]*job

	// Clock is the wall clock; tests replace it. Do not pass the simulated
	// business clock here (see the package comment).
	Clock clock.Clock
	// LeaseTTL is how long a lease lasts without renewal; it is renewed
	// every LeaseTTL/3 while the job runs. Default 1 minute.
	LeaseTTL time.Duration
}

// New returns a runner for this node; node names the process in the admin
// page (e.g. the host name).
func New(d *db.DB, node string, log *slog.Logger) *Runner {
	var b [4]byte
	_, _ = rand.Read(b[:])
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Runner{d: d, node: node, holder: node + "/" + hex.EncodeToString(b[:]), log: log,
		jobs: map[string]*job{}, Clock: clock.Wall{}, LeaseTTL: time.Minute}
}

// Register adds a job run every period. It panics on an empty or duplicate
// name or a non-positive period: that is a wiring mistake, found at start-up.
func (r *Runner) Register(name string, every time.Duration, fn Func) {
	if name == "" || every <= 0 || fn == nil {
		panic(fmt.Sprintf("jobs: invalid registration of %q every %v", name, every))
	}
	if _, dup := r.jobs[name]; dup {
		panic(fmt.Sprintf("jobs: %q registered twice", name))
	}
	r.jobs[name] = &job{name: name, every: every, fn: fn}
}

// Names lists the registered jobs, sorted.
func (r *Runner) Names() []string {
	names := make([]string, 0, len(r.jobs))
	for n := range r.jobs {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Run ticks every job at its period until ctx is cancelled, then waits for
// running jobs to return. Each job is tried once at start-up too; the lease
// condition keeps that from repeating a run another node just did.
func (r *Runner) Run(ctx context.Context) {
	var wg sync.WaitGroup
	for _, j := range r.jobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			t := time.NewTicker(j.every)
			defer t.Stop()
			for {
				if _, err := r.tick(ctx, j); err != nil && ctx.Err() == nil {
					r.log.Error("job lease", "job", j.name, "node", r.node, "err", err)
				}
				select {
				case <-ctx.Done():
					return
				case <-t.C:
				}
			}
		}()
	}
	wg.Wait()
}

// RunOnce runs a job now regardless of its period (for `banhao job run`),
// unless it is running somewhere; it returns the job's own error.
func (r *Runner) RunOnce(ctx context.Context, name string) error {
	j, ok := r.jobs[name]
	if !ok {
		return fmt.Errorf("run job %s: %w", name, ErrUnknown.Withf("%s", name))
	}
	if !j.mu.TryLock() {
		return fmt.Errorf("run job %s: %w", name, ErrBusy)
	}
	defer j.mu.Unlock()
	now := r.Clock.Now()
	got, err := r.acquire(ctx, j, now, now)
	if err != nil {
		return fmt.Errorf("run job %s: %w", name, err)
	}
	if !got {
		return fmt.Errorf("run job %s: %w", name, ErrBusy)
	}
	return r.execute(ctx, j)
}

// tick runs j if this runner wins its lease for the current period.
func (r *Runner) tick(ctx context.Context, j *job) (ran bool, err error) {
	if !j.mu.TryLock() {
		return false, nil // still running here from an earlier tick
	}
	defer j.mu.Unlock()
	now := r.Clock.Now()
	// A tenth of the period is slack for tickers of different nodes that
	// fire slightly early relative to the last start.
	startedBefore := now.Add(-j.every + j.every/10)
	got, err := r.acquire(ctx, j, now, startedBefore)
	if err != nil || !got {
		return false, err
	}
	if err := r.execute(ctx, j); err != nil {
		r.log.Error("job failed", "job", j.name, "node", r.node, "err", err)
	}
	return true, nil
}

// acquire takes the lease of j when it is free and the job last started no
// later than startedBefore. One statement, so racing nodes cannot both win:
// the loser's upsert sees the winner's row and its WHERE fails.
func (r *Runner) acquire(ctx context.Context, j *job, now, startedBefore time.Time) (bool, error) {
	now = clock.Norm(now)
	rows, err := r.d.W.QueryContext(ctx, `INSERT INTO job_leases (name, holder, lease_until, last_started_at)
		VALUES ($1, $2, $3, $4)
		ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, lease_until = excluded.lease_until,
			last_started_at = excluded.last_started_at
		WHERE job_leases.lease_until <= $4
			AND (job_leases.last_started_at IS NULL OR job_leases.last_started_at <= $5)
		RETURNING name`, j.name, r.holder, clock.Norm(now.Add(r.LeaseTTL)), now, clock.Norm(startedBefore))
	if err != nil {
		return false, fmt.Errorf("acquire lease %s: %w", j.name, err)
	}
	defer rows.Close()
	got := rows.Next()
	if err := rows.Err(); err != nil {
		return false, fmt.Errorf("acquire lease %s: %w", j.name, err)
	}
	return got, nil
}

// execute runs j while holding its lease, renews the lease, records the
// outcome and releases the lease.
func (r *Runner) execute(ctx context.Context, j *job) error {
	jctx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan struct{})
	go r.renew(jctx, cancel, j, done)
	start := time.Now()
	err := r.call(jctx, j)
	close(done)
	// A healthy outbox job runs every few seconds: log successes at debug
	// level so they do not drown the log, failures as errors.
	if err != nil {
		r.log.Error("job failed", "job", j.name, "node", r.node, "took", time.Since(start), "err", err)
	} else {
		r.log.Debug("job finished", "job", j.name, "node", r.node, "took", time.Since(start))
	}
	msg := ""
	if err != nil {
		msg = err.Error()
	}
	now := clock.Norm(r.Clock.Now())
	// Release even when ctx was cancelled (shutdown), so another node need
	// not wait for the lease to lapse.
	rctx, rcancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer rcancel()
	_, rerr := r.d.W.ExecContext(rctx, `UPDATE job_leases SET lease_until = $1, last_finished_at = $1, last_error = $2
		WHERE name = $3 AND holder = $4`, now, msg, j.name, r.holder)
	if rerr != nil {
		r.log.Error("job release", "job", j.name, "node", r.node, "err", rerr)
	}
	return err
}

// call runs the job function; a panic becomes an error so a buggy job
// cannot kill the serve process.
func (r *Runner) call(ctx context.Context, j *job) (err error) {
	defer func() {
		if p := recover(); p != nil {
			r.log.Error("job panic", "job", j.name, "node", r.node, "panic", p, "stack", string(debug.Stack()))
			err = fmt.Errorf("job %s panicked: %v", j.name, p)
		}
	}()
	return j.fn(ctx)
}

// renew extends the lease every LeaseTTL/3 until done; if the lease was
// taken over (this node was presumed dead) it cancels the job.
func (r *Runner) renew(ctx context.Context, cancel context.CancelFunc, j *job, done <-chan struct{}) {
	t := time.NewTicker(r.LeaseTTL / 3)
	defer t.Stop()
	for {
		select {
		case <-done:
			return
		case <-ctx.Done():
			return
		case <-t.C:
		}
		res, err := r.d.W.ExecContext(ctx, `UPDATE job_leases SET lease_until = $1 WHERE name = $2 AND holder = $3`,
			clock.Norm(r.Clock.Now().Add(r.LeaseTTL)), j.name, r.holder)
		if err != nil {
			r.log.Warn("job lease renewal", "job", j.name, "node", r.node, "err", err)
			continue
		}
		if n, _ := res.RowsAffected(); n == 0 {
			r.log.Error("job lease lost; cancelling", "job", j.name, "node", r.node)
			cancel()
			return
		}
	}
}

// Status is one job as shown on the admin page.
type Status struct {
	Name           string
	Every          time.Duration
	Holder         string // node/suffix of the last lease holder
	LeaseUntil     time.Time
	Running        bool // a lease is held right now
	LastStartedAt  time.Time
	LastFinishedAt time.Time // zero while the first run is going or never ran
	LastError      string
}

// Status returns every registered job with its lease record.
func (r *Runner) Status(ctx context.Context) ([]Status, error) {
	now := r.Clock.Now()
	out := make([]Status, 0, len(r.jobs))
	byName := map[string]int{}
	for _, n := range r.Names() {
		byName[n] = len(out)
		out = append(out, Status{Name: n, Every: r.jobs[n].every})
	}
	rows, err := r.d.R.QueryContext(ctx, `SELECT name, holder, lease_until, last_started_at, last_finished_at, last_error FROM job_leases`)
	if err != nil {
		return nil, fmt.Errorf("job status: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var name, holder, lastErr string
		var until time.Time
		var started, finished sql.NullTime
		if err := rows.Scan(&name, &holder, &until, &started, &finished, &lastErr); err != nil {
			return nil, fmt.Errorf("job status: %w", err)
		}
		i, ok := byName[name]
		if !ok {
			continue // a job of another binary version
		}
		s := &out[i]
		s.Holder, s.LeaseUntil, s.Running, s.LastError = holder, until, until.After(now), lastErr
		s.LastStartedAt, s.LastFinishedAt = started.Time, finished.Time
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("job status: %w", err)
	}
	return out, nil
}
