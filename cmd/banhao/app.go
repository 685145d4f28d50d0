package main

import (
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"runtime/debug"
	"strings"
	"time"

	"banhao.dev/banhao/internal/cases"
	"banhao.dev/banhao/internal/catalog"
	"banhao.dev/banhao/internal/demo"
	"banhao.dev/banhao/internal/places"
	"banhao.dev/banhao/internal/platform/auth"
	"banhao.dev/banhao/internal/platform/blob"
	"banhao.dev/banhao/internal/platform/calendar"
	"banhao.dev/banhao/internal/platform/clock"
	"banhao.dev/banhao/internal/platform/config"
	"banhao.dev/banhao/internal/platform/db"
	"banhao.dev/banhao/internal/platform/jobs"
	"banhao.dev/banhao/internal/platform/notify"
	"banhao.dev/banhao/internal/platform/outbox"
	"banhao.dev/banhao/internal/platform/webhook"
	"banhao.dev/banhao/internal/ratings"
	"banhao.dev/banhao/internal/reform"
	"banhao.dev/banhao/internal/supervise"
	"banhao.dev/banhao/internal/web"
)

// app is the one wiring every subcommand reuses.
type app struct {
	cfg  config.Config
	db   *db.DB
	clk  clock.Clock
	sim  *clock.Sim
	auth *auth.Service
	log  *slog.Logger
	cal  *calendar.Calendar
	out  *outbox.Dispatcher
	jobs *jobs.Runner
	blob *blob.Dir
	cat  *catalog.Service
	cas  *cases.Service
	ref  *reform.Service
	sup  *supervise.Service
	rat  *ratings.Service

	// jobEvery, when set (BANHAO_TEST_JOB_EVERY, tests only), replaces every
	// job's period so a multi-node test need not wait for hourly jobs.
	jobEvery time.Duration
}

// newFlags returns a flag set bound to cfg for a subcommand.
func newFlags(name string, env *cliEnv, cfg *config.Config, which ...string) *flag.FlagSet {
	fs := flag.NewFlagSet("banhao "+name, flag.ContinueOnError)
	fs.SetOutput(env.stderr)
	fs.Usage = func() {
		fmt.Fprintf(env.stderr, "用法：banhao %s [参数]\n\n参数：\n", name)
		fs.PrintDefaults()
	}
	cfg.Flags(fs, env.getenv, which...)
	return fs
}

// parse parses flags anywhere on the command line, so both
// "calendar is-working --db URL DATE" and "calendar is-working DATE --db URL"
// work; the positional arguments are left in fs.Args().
func parse(fs *flag.FlagSet, args []string) error {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return usageError{"已显示帮助"}
			}
			return usageError{"参数有误：" + err.Error()}
		}
		rest := fs.Args()
		if len(rest) == 0 {
			break
		}
		if len(args) > 0 && len(rest) < len(args) && args[len(args)-len(rest)-1] == "--" {
			pos = append(pos, rest...) // everything after "--" is positional
			break
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
	return fs.Parse(append([]string{"--"}, pos...))
}

func newLogger(cfg config.Config, w io.Writer) *slog.Logger {
	var lvl slog.Level
	_ = lvl.UnmarshalText([]byte(cfg.LogLevel))
	opts := &slog.HandlerOptions{Level: lvl}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// open connects to the database and, when migrate is true, applies pending
// migrations; otherwise it refuses a schema that is not current.
func open(ctx context.Context, cfg config.Config, env *cliEnv, migrate bool) (*app, error) {
	if err := cfg.Validate(); err != nil {
		return nil, usageError{err.Error()}
	}
	a := &app{cfg: cfg, log: newLogger(cfg, env.stderr)}
	d, err := db.Open(ctx, cfg.DB)
	if err != nil {
		return nil, err
	}
	a.db = d
	if migrate {
		applied, err := d.Migrate(ctx, time.Now().UTC())
		if err != nil {
			d.Close()
			return nil, err
		}
		for _, m := range applied {
			a.log.Info("migration applied", "name", m)
		}
		// The shipped State Council schedules are data every database needs;
		// loading never overwrites a year an admin has edited or imported.
		if err := d.Tx(ctx, func(tx *sql.Tx) error { return calendar.SeedOfficial(ctx, tx, time.Now().UTC()) }); err != nil {
			d.Close()
			return nil, fmt.Errorf("load official calendar: %w", err)
		}
	} else if err := d.CheckSchema(ctx); err != nil {
		d.Close()
		return nil, err
	}
	a.clk = clock.Wall{}
	if cfg.Demo {
		a.sim = clock.NewSim()
		if err := web.LoadClockOffset(ctx, d, a.sim); err != nil {
			d.Close()
			return nil, err
		}
		a.clk = a.sim
	}
	a.auth = auth.NewService(d, a.clk, auth.DefaultHash)
	a.auth.SessionTTL = cfg.SessionTTL
	if h := env.getenv("BANHAO_TEST_FAST_HASH"); h == "1" {
		a.auth = auth.NewService(d, a.clk, auth.TestHash)
	}
	a.cal = calendar.New(d, a.clk)
	a.out = outbox.NewDispatcher(d)
	// Development stand-ins for SMS and e-mail: messages are stored and shown
	// on the admin page 消息记录 (labelled as such); a real gateway implements
	// notify.SMSProvider / notify.EmailProvider.
	sink := notify.NewDevSink(d.W, a.clk)
	a.out.HandleTx(notify.TopicSMS, sink.SMSTxHandler())
	a.out.HandleTx(notify.TopicEmail, sink.EmailTxHandler())
	node := cfg.Node
	if node == "" {
		host, _ := os.Hostname()
		node = fmt.Sprintf("%s-%d", host, os.Getpid())
	}
	a.jobs = jobs.New(d, node, a.log)
	if v := env.getenv("BANHAO_TEST_JOB_EVERY"); v != "" {
		every, err := time.ParseDuration(v)
		if err != nil || every <= 0 {
			d.Close()
			return nil, usageError{fmt.Sprintf("BANHAO_TEST_JOB_EVERY: bad duration %q", v)}
		}
		a.jobEvery = every
		a.jobs.LeaseTTL = 3 * every // a killed node's lease lapses quickly too
	}
	// Each run drains the outbox: one batch of 200 per 2 s would cap
	// delivery at 100 messages/s, fewer than a busy center writes (each case
	// action writes one or two), and the backlog would grow without end. On
	// PostgreSQL several workers claim disjoint batches (SKIP LOCKED), so
	// delivery keeps pace with many concurrent writers; SQLite has one writer.
	workers := 4
	if d.Engine == db.SQLite {
		workers = 1
	}
	a.register("outbox", 2*time.Second, func(ctx context.Context) error {
		return drainOutbox(ctx, a.out, a.clk, workers)
	})
	blobs, err := blob.NewDir(cfg.BlobDir, int64(cfg.MaxUploadMB)<<20, blob.DefaultAllowed)
	if err != nil {
		d.Close()
		return nil, err
	}
	a.blob = blobs
	a.cat = catalog.NewService(d, a.clk)
	if err := a.cat.Start(ctx); err != nil {
		d.Close()
		return nil, fmt.Errorf("start catalog: %w", err)
	}
	a.cas = cases.NewService(cases.Deps{DB: d, Clock: a.clk, Items: cases.CatalogItems{Catalog: a.cat},
		Calendar: cases.CalendarAdapter{Cal: a.cal}, Authorizer: cases.PlacesAuthorizer{DB: d},
		Notifier: cases.NotifyAdapter{}})
	a.ref = reform.NewService(d, a.clk, a.cal)
	a.wireRatings()
	a.registerJobs()
	return a, nil
}

func (a *app) close() { a.db.Close() }

// seedDemo writes the demo data; safe to repeat.
func (a *app) seedDemo(ctx context.Context) error {
	if err := demo.Seed(ctx, a.db, a.auth, demo.Services{Catalog: a.cat, Cases: a.cas, Blobs: a.blob, Ratings: a.rat, Supervise: a.sup}, a.clk.Now()); err != nil {
		return fmt.Errorf("seed demo: %w", err)
	}
	return nil
}

// serve runs the HTTP server and the background jobs until ctx ends.
func (a *app) serve(ctx context.Context, env *cliEnv, ready func(url string)) error {
	srv, err := web.New(web.Deps{Config: a.cfg, DB: a.db, Clock: a.clk, Sim: a.sim, Auth: a.auth, Log: a.log, Version: version,
		Calendar: a.cal, Outbox: a.out, Jobs: a.jobs, Blobs: a.blob, Catalog: a.cat, Cases: a.cas, Reform: a.ref, Supervise: a.sup, Ratings: a.rat})
	if err != nil {
		return err
	}
	// A soft limit keeps the heap's garbage from growing the resident size
	// far past the live data (the collector works harder near the limit,
	// never past half the CPU); GOMEMLIMIT, when set, is the operator's.
	if a.cfg.MemoryLimitMB > 0 && env.getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(int64(a.cfg.MemoryLimitMB) << 20)
	}
	ln, err := net.Listen("tcp", a.cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen %s: %w", a.cfg.Addr, err)
	}
	url := "http://" + ln.Addr().String()
	if strings.HasPrefix(a.cfg.Addr, ":") {
		url = "http://127.0.0.1" + a.cfg.Addr
	}
	hs := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 2 * time.Minute, WriteTimeout: 2 * time.Minute, IdleTimeout: 2 * time.Minute}
	a.log.Info("banhao serving", "url", url, "config", a.cfg.String())
	if ready != nil {
		ready(url)
	}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	// The catalog's search index is built on first use (so CLI commands do
	// not pay for it); a server builds it now, beside serving, so /healthz
	// answers at once and the first search finds it ready or waits for it.
	warmDone := make(chan struct{})
	wctx, stopWarm := context.WithCancel(ctx)
	defer func() { stopWarm(); <-warmDone }()
	go func() {
		defer close(warmDone)
		t := time.Now()
		// Collect more often while building: the build's garbage would
		// otherwise double the heap's high-water mark for a second or two.
		gc := debug.SetGCPercent(25)
		err := a.cat.Warm(wctx)
		debug.SetGCPercent(gc)
		if err != nil {
			if wctx.Err() == nil {
				a.log.Error("load catalog", "err", err)
			}
			return
		}
		// The build decodes every published version once: give the
		// garbage back now rather than over the scavenger's minutes.
		debug.FreeOSMemory()
		a.log.Info("catalog loaded", "took", time.Since(t).Round(time.Millisecond))
	}()
	jobsDone := make(chan struct{})
	jctx, stopJobs := context.WithCancel(ctx)
	defer func() { stopJobs(); <-jobsDone }()
	go func() {
		defer close(jobsDone)
		if a.cfg.JobsEnabled {
			a.jobs.Run(jctx)
		}
	}()
	// Per-node refreshes (unlike jobs, every node runs them): another node
	// may move the demo clock or change the catalog.
	if a.sim != nil {
		go a.everyPeriod(jctx, time.Second, "follow demo clock", func(ctx context.Context) error { return web.LoadClockOffset(ctx, a.db, a.sim) })
	}
	go a.everyPeriod(jctx, 2*time.Second, "sync catalog", func(ctx context.Context) error {
		_, err := a.cat.Sync(ctx)
		return err
	})
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	a.log.Info("shutting down")
	return hs.Shutdown(sctx)
}

// everyPeriod runs fn every period until ctx ends, logging failures.
func (a *app) everyPeriod(ctx context.Context, period time.Duration, what string, fn func(context.Context) error) {
	t := time.NewTicker(period)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if err := fn(ctx); err != nil && ctx.Err() == nil {
			a.log.Warn(what, "err", err)
		}
	}
}

// registerJobs registers the areas' background jobs. Business jobs use the
// business clock (the demo clock in demo mode); every job can also be run
// once with `banhao job run NAME`.
func (a *app) registerJobs() {
	a.register("catalog-adjustments", time.Minute, func(ctx context.Context) error {
		_, err := a.cat.ApplyDueAdjustments(ctx, a.clk.Now())
		return err
	})
	a.register("cases-auto-accept", time.Minute, func(ctx context.Context) error {
		_, err := a.cas.AutoAcceptDue(ctx, a.clk.Now())
		return err
	})
	a.register("cases-pending-reminders", 10*time.Minute, func(ctx context.Context) error {
		_, err := a.cas.RemindPending(ctx, a.clk.Now())
		return err
	})
	a.register("ratings-close-windows", 10*time.Minute, func(ctx context.Context) error {
		_, err := a.rat.CloseDueMoments(ctx, a.clk.Now())
		return err
	})
	a.register("cases-lights", 15*time.Second, func(ctx context.Context) error {
		_, err := a.cas.RefreshLights(ctx, a.clk.Now())
		return err
	})
	// 温馨提示函 for the tasks due this month; idempotent per task and month,
	// so running it hourly sends the letters early on the 1st and nothing more.
	a.register("reform-reminders", time.Hour, func(ctx context.Context) error {
		_, err := a.ref.SendReminders(ctx, a.clk.Now())
		return err
	})
}

// register adds a job run every period (or every jobEvery in tests).
func (a *app) register(name string, every time.Duration, fn jobs.Func) {
	if a.jobEvery > 0 {
		every = a.jobEvery
	}
	a.jobs.Register(name, every, fn)
}

// wireRatings builds the ratings and supervision services and their outbox
// handlers (statistics read ratings, so ratings come first): case events
// open rateable moments (and send the SMS rating link on conclusion); ratings and rectifications are pushed to the external
// evaluation system when a webhook is configured, re-sent by the outbox on
// failure.
func (a *app) wireRatings() {
	base := a.cfg.BaseURL
	if base == "" {
		base = "http://" + a.cfg.Addr
	}
	a.rat = ratings.NewService(ratings.Deps{DB: a.db, Clock: a.clk, Calendar: ratings.WorkingCalendar{Cal: a.cal}, BaseURL: base,
		Directory: ratings.CasesDirectory{Cases: a.cas, Catalog: a.cat, Places: places.NewService(a.db, a.clk), Auth: a.auth}})
	// Statistics count ratings and complaints through the ratings service.
	a.sup = supervise.NewService(supervise.Deps{DB: a.db, Clock: a.clk, Calendar: a.cal, Fees: supervise.CatalogFees{Catalog: a.cat}, Ratings: supervise.RatingsStats{Ratings: a.rat}})
	// Warnings and cards from "case.light"; case.event feeds both
	// supervision findings and rating moments.
	a.out.HandleTx(cases.TopicLight, a.sup.HandleLightTx)
	a.out.HandleTx(cases.TopicEvent, supervise.FanOutTx(a.sup.HandleEventTx, a.rat.HandleCaseEventTx))
	// Only events one of those handlers acts on are published: a consumer
	// added above adds its test here.
	a.cas.PublishOnly(func(k cases.EventKind) bool { return supervise.WantsEvent(k) || ratings.WantsEvent(k) })
	if a.cfg.RatingsWebhook != "" {
		a.out.Handle(ratings.TopicPush, webhook.Handler(a.cfg.RatingsWebhook, a.cfg.RatingsWebhookSecret))
	} else {
		a.out.Handle(ratings.TopicPush, ratings.DiscardPush)
	}
}

// drainOutbox delivers due messages with workers concurrent loops until a
// batch comes back short (the outbox is drained) or ctx ends.
func drainOutbox(ctx context.Context, out *outbox.Dispatcher, clk clock.Clock, workers int) error {
	const batch = 200
	errc := make(chan error, workers)
	for range workers {
		go func() {
			for ctx.Err() == nil {
				delivered, failed, err := out.DeliverBatch(ctx, clk.Now(), batch)
				if err != nil || delivered+failed < batch {
					errc <- err
					return
				}
			}
			errc <- nil
		}()
	}
	var first error
	for range workers {
		if err := <-errc; err != nil && first == nil {
			first = err
		}
	}
	return first
}
