package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"banhao.dev/banhao/internal/catalog"
	"banhao.dev/banhao/internal/demo"
	"banhao.dev/banhao/internal/platform/auth"
	"banhao.dev/banhao/internal/platform/clock"
	"banhao.dev/banhao/internal/platform/config"
	"banhao.dev/banhao/internal/ratings"
	"banhao.dev/banhao/internal/supervise"
)

const simulateUsage = "用法：banhao simulate [--db URL] [--days N] [--scale F] [--seed N]"

// hourShare is the share of a working day's arrivals in each hour (Beijing),
// with the lunch dip of a service hall.
var hourShare = map[int]float64{9: 0.15, 10: 0.18, 11: 0.15, 12: 0.03, 13: 0.05, 14: 0.15, 15: 0.14, 16: 0.12, 17: 0.03}

// weekdayFactor scales arrivals by weekday: Monday is busiest; at weekends
// only online filings arrive.
var weekdayFactor = map[time.Weekday]float64{time.Monday: 1.3, time.Tuesday: 1.1, time.Wednesday: 1.0, time.Thursday: 1.0,
	time.Friday: 0.9, time.Saturday: 0.12, time.Sunday: 0.08}

// simPerDay is the arrivals of an ordinary working day at scale 1.
const simPerDay = 40

// cmdSimulate fills a database with a living period of a service center:
// it drives the real HTTP API of an in-process server with the demo clock,
// day by day, and prints the supervision statistics at the end.
func cmdSimulate(ctx context.Context, env *cliEnv, args []string) error {
	cfg := config.Default()
	fs := newFlags("simulate", env, &cfg, "db", "log-format")
	days := fs.Int("days", 30, "模拟的自然日数")
	scale := fs.Float64("scale", 1, "业务量倍数（1：每个工作日约 40 件）")
	seed := fs.Uint64("seed", 1, "随机数种子（相同种子得到相同的业务流）")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *days < 1 || *scale <= 0 {
		return usageError{"--days 须 ≥ 1，--scale 须 > 0。" + simulateUsage}
	}
	dbGiven := env.getenv("BANHAO_DB") != ""
	fs.Visit(func(f *flag.Flag) { dbGiven = dbGiven || f.Name == "db" })
	tmp, err := os.MkdirTemp("", "banhao-simulate-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	if !dbGiven {
		cfg.DB = "sqlite:" + filepath.Join(tmp, "simulate.db")
		cfg.BlobDir = filepath.Join(tmp, "blobs")
	}
	cfg.Demo, cfg.Addr, cfg.LogLevel = true, "127.0.0.1:0", "warn"
	a, err := open(ctx, cfg, env, true)
	if err != nil {
		return err
	}
	defer a.close()
	fmt.Fprintf(env.stdout, "数据库：%s（%s）\n", a.db.Redacted(), a.db.Engine)
	if err := a.seedDemo(ctx); err != nil {
		return err
	}
	sim := &simulator{rng: rand.New(rand.NewPCG(*seed, *seed^0x9e3779b97f4a7c15)), tokens: map[string]string{}, out: env.stdout}
	for _, login := range []string{demo.Accounts()[0].Login, demo.Accounts()[1].Login, "clerk", "reviewer", "approver", "admin"} {
		secret, _, err := a.auth.CreateToken(ctx, auth.SystemPrincipal(), login, "simulate")
		if err != nil {
			return fmt.Errorf("simulate token for %s: %w", login, err)
		}
		sim.tokens[login] = secret
	}
	sim.applicants = []string{demo.Accounts()[0].Login, demo.Accounts()[1].Login}
	if err := a.db.R.QueryRowContext(ctx, `SELECT ws.window_id FROM window_staff ws JOIN users u ON u.id = ws.user_id
		WHERE u.login = 'clerk' ORDER BY ws.window_id LIMIT 1`).Scan(&sim.window); err != nil {
		return fmt.Errorf("clerk window: %w", err)
	}
	sctx, stop := context.WithCancel(ctx)
	urlc := make(chan string, 1)
	served := make(chan error, 1)
	go func() { served <- a.serve(sctx, env, func(u string) { urlc <- u }) }()
	select {
	case sim.base = <-urlc:
	case err := <-served:
		stop()
		return err
	}
	defer func() { stop(); <-served }()
	sim.b = &bencher{base: sim.base, applicant: sim.tokens[demo.Accounts()[1].Login], client: &http.Client{Timeout: time.Minute}}
	if err := sim.items(ctx, a.cat); err != nil {
		return err
	}

	start := time.Now()
	// Start on the next Monday 08:00 (Beijing) of the demo clock.
	now := a.clk.Now().In(clock.Shanghai)
	day := time.Date(now.Year(), now.Month(), now.Day()+1, 8, 0, 0, 0, clock.Shanghai)
	for day.Weekday() != time.Monday {
		day = day.AddDate(0, 0, 1)
	}
	first := day
	for range *days {
		if err := sim.day(ctx, day, *scale); err != nil {
			return err
		}
		day = day.AddDate(0, 0, 1)
	}
	fmt.Fprintf(env.stdout, "模拟 %s 至 %s（%d 天），用时 %.1fs：申报 %d 件，API 调用 %d 次，失败 %d 次\n",
		first.Format(time.DateOnly), day.AddDate(0, 0, -1).Format(time.DateOnly), *days, time.Since(start).Seconds(), sim.filed, sim.calls, sim.failed)
	for i, e := range sim.errs {
		fmt.Fprintf(env.stdout, "  失败示例 %d：%s\n", i+1, e)
	}
	// The outbox feeds supervision and ratings: deliver what is left.
	for {
		n, _, err := a.out.DeliverBatch(ctx, a.clk.Now(), 500)
		if err != nil {
			return err
		}
		if n == 0 {
			break
		}
	}
	sup, err := a.auth.UserByLogin(ctx, "supervisor")
	if err != nil {
		return err
	}
	months := []string{}
	for d := first; d.Before(day); d = d.AddDate(0, 0, 1) {
		if m := d.Format("2006-01"); !slices.Contains(months, m) {
			months = append(months, m)
		}
	}
	for _, m := range months {
		rep, err := a.sup.MonthlyReport(ctx, sup.Principal(), m, "")
		if err != nil {
			return err
		}
		printStats(env.stdout, m, rep.Total)
	}
	// Ratings as the 好差评 area counts them (the supervision statistics
	// read ratings only when a RatingStats source is wired).
	agg, err := a.rat.Aggregate(ctx, ratings.Filter{From: first, To: day})
	if err != nil {
		return err
	}
	fmt.Fprintf(env.stdout, "\n好差评（模拟期间）：评价 %d 条，满意 %d（满意率 %.1f%%），差评 %d；投诉 %d 件\n",
		agg.Total, agg.Satisfied, 100*agg.SatisfiedShare, agg.Bad, agg.ComplaintsReceived)
	return nil
}

func printStats(w io.Writer, month string, s supervise.Stats) {
	fmt.Fprintf(w, "\n%s 监督统计（全辖区）\n", month)
	fmt.Fprintf(w, "  收件 %d，受理 %d，不予受理 %d，办结 %d（准予 %d，不予 %d），撤回 %d\n", s.Received, s.Accepted, s.Refused, s.Concluded, s.Granted, s.Denied, s.Withdrawn)
	fmt.Fprintf(w, "  办结率 %.1f%%，按承诺时限办结率 %.1f%%，按法定时限办结率 %.1f%%，平均用时 %.1f 个工作日\n",
		100*s.CompletionRate, 100*s.OnTimeRate, 100*s.OnTimeLegalRate, s.AvgDays)
	fmt.Fprintf(w, "  网上办理占比 %.1f%%，最多跑一次 %.1f%%，补正率 %.1f%%，容缺受理 %d 件\n",
		100*s.OnlineShare, 100*s.MaxOneTripRate, 100*s.CorrectionRate, s.PendingCases)
}

// simItem is a demo item with the material inputs of a complete filing and
// the materials that may be pending (容缺).
type simItem struct {
	code      string
	materials []map[string]any
	pending   []string
}

type simCase struct {
	no, applicant, channel string
	plan                   string // "", "correction", "pending", "stop", "deny", "withdraw"
	stopped, ratedBad      bool
}

type simulator struct {
	rng        *rand.Rand
	b          *bencher
	base       string
	tokens     map[string]string
	applicants []string
	window     int64
	catalog    []simItem
	open       []*simCase
	today      time.Time // the simulated day
	out        io.Writer

	filed, calls, failed int
	errs                 []string
}

// items uploads a PDF per material of the demo items (the e-license for the
// business license) once; every case refers to those files.
func (s *simulator) items(ctx context.Context, cat *catalog.Service) error {
	for _, code := range demo.CaseItems {
		it, err := cat.Guide(ctx, code, 0)
		if err != nil {
			return fmt.Errorf("simulate item %s: %w", code, err)
		}
		cl, err := catalog.ComputeChecklist(it, nil)
		if err != nil {
			return err
		}
		si := simItem{code: code}
		for _, m := range cl.Materials {
			if m.PendingAllowed {
				si.pending = append(si.pending, m.ID)
			}
			if strings.Contains(m.Name, "营业执照") {
				si.materials = append(si.materials, map[string]any{"material_id": m.ID, "license": "DZZZ-990121-91990121MA0000001X"})
				continue
			}
			hash, err := s.b.uploadPDF(ctx, m.ID)
			if err != nil {
				return err
			}
			si.materials = append(si.materials, map[string]any{"material_id": m.ID, "file": hash})
		}
		s.catalog = append(s.catalog, si)
	}
	return nil
}

// call posts body to path with login's token; failures are counted and the
// first few kept for the report, never fatal: the simulation goes on.
func (s *simulator) call(ctx context.Context, login, path string, body any, want int, out any) bool {
	s.calls++
	if err := s.b.post(ctx, path, s.tokens[login], body, want, out); err != nil {
		s.failed++
		if len(s.errs) < 5 {
			s.errs = append(s.errs, err.Error())
		}
		return false
	}
	return true
}

func (s *simulator) clock(ctx context.Context, t time.Time) error {
	s.calls++
	if err := s.b.post(ctx, "/api/v1/admin/clock", s.tokens["admin"], map[string]any{"set": t.Format(time.RFC3339)}, http.StatusOK, nil); err != nil {
		return fmt.Errorf("模拟时钟无法调整到 %s：%w", t.Format(time.RFC3339), err)
	}
	return nil
}

// day simulates one day: arrivals hour by hour, then the staff work the
// open cases at 18:00 (one step per case and day).
func (s *simulator) day(ctx context.Context, d time.Time, scale float64) error {
	s.today = d
	n := simPerDay * scale * weekdayFactor[d.Weekday()]
	weekend := d.Weekday() == time.Saturday || d.Weekday() == time.Sunday
	hours := make([]int, 0, len(hourShare))
	for h := range hourShare {
		hours = append(hours, h)
	}
	sort.Ints(hours)
	for _, h := range hours {
		if err := s.clock(ctx, time.Date(d.Year(), d.Month(), d.Day(), h, s.rng.IntN(50), 0, 0, clock.Shanghai)); err != nil {
			return err
		}
		arrivals := int(n*hourShare[h] + s.rng.Float64())
		for range arrivals {
			s.arrive(ctx, weekend)
		}
	}
	if weekend {
		return nil
	}
	if err := s.clock(ctx, time.Date(d.Year(), d.Month(), d.Day(), 18, 0, 0, 0, clock.Shanghai)); err != nil {
		return err
	}
	open := s.open
	s.open = nil
	for _, c := range open {
		if s.work(ctx, c) {
			s.open = append(s.open, c)
		}
	}
	return nil
}

// arrive files one application: online by the applicant (about half), at
// the window, or assisted (帮办代办) by the clerk.
func (s *simulator) arrive(ctx context.Context, weekend bool) {
	it := s.catalog[s.rng.IntN(len(s.catalog))]
	c := &simCase{applicant: s.applicants[s.rng.IntN(len(s.applicants))], channel: "online"}
	if r := s.rng.Float64(); !weekend && r < 0.35 {
		c.channel = "window"
	} else if !weekend && r < 0.45 {
		c.channel = "assisted"
	}
	switch r := s.rng.Float64(); {
	case r < 0.08:
		c.plan = "correction"
	case r < 0.14 && len(it.pending) > 0 && c.channel != "online":
		c.plan = "pending"
	case r < 0.19:
		c.plan = "stop"
	case r < 0.25:
		c.plan = "deny"
	case r < 0.27:
		c.plan = "withdraw"
	}
	mats := it.materials
	if c.plan == "pending" {
		mats = slices.DeleteFunc(slices.Clone(mats), func(m map[string]any) bool { return m["material_id"] == it.pending[0] })
	}
	body := map[string]any{"item": it.code, "channel": c.channel, "materials": mats}
	login := c.applicant
	if c.channel != "online" {
		login = "clerk"
		body["window_id"] = s.window
		body["applicant"] = s.applicantOf(c.applicant)
		if c.channel == "assisted" {
			body["assist_authorization"] = "申请人签署的帮办代办授权委托书"
		}
	}
	var sub struct {
		Case struct {
			No string `json:"no"`
		} `json:"case"`
	}
	if !s.call(ctx, login, "/api/v1/cases", body, http.StatusCreated, &sub) {
		return
	}
	s.filed++
	c.no = sub.Case.No
	if c.plan == "pending" {
		c.plan = "pending:" + it.pending[0]
	}
	s.open = append(s.open, c)
}

func (s *simulator) applicantOf(login string) map[string]any {
	if login == demo.Accounts()[0].Login {
		return map[string]any{"name": demo.Accounts()[0].Name, "kind": "person", "id_number": login, "phone": "13800000001"}
	}
	return map[string]any{"name": demo.Accounts()[1].Name, "kind": "enterprise", "id_number": login, "phone": "13800000002"}
}

// simView is what the simulator reads of a case.
type simView struct {
	Status string `json:"status"`
	Step   *struct {
		Role string `json:"role"`
	} `json:"current_step"`
	Allowed []string `json:"allowed"`
}

// work advances c by one step of its plan; it reports whether c is still open.
func (s *simulator) work(ctx context.Context, c *simCase) bool {
	var v simView
	s.calls++
	if err := s.b.do(ctx, "GET", "/api/v1/cases/"+c.no, s.tokens["clerk"], "", nil, http.StatusOK, &v); err != nil {
		s.failed++
		return false
	}
	act := func(login, action string, body any) bool {
		if body == nil {
			body = map[string]any{}
		}
		return s.call(ctx, login, "/api/v1/cases/"+c.no+"/actions/"+action, body, http.StatusOK, &v)
	}
	win := map[string]any{"window_id": s.window}
	switch v.Status {
	case "submitted":
		switch {
		case c.plan == "correction":
			c.plan = "corrected"
			act("clerk", "request-correction", map[string]any{"window_id": s.window,
				"items": []map[string]any{{"material_id": s.catalog[0].materials[0]["material_id"], "reason": "复印件不清晰，请提交清晰的复印件"}}})
		case c.plan == "withdraw":
			act("clerk", "withdraw", map[string]any{"window_id": s.window, "reason": "申请人书面申请撤回"})
			return false
		case strings.HasPrefix(c.plan, "pending:"):
			act("clerk", "accept-with-pending", map[string]any{"window_id": s.window, "materials": []string{strings.TrimPrefix(c.plan, "pending:")},
				"commitment": "申请人书面承诺五个工作日内补齐", "deadline": s.today.AddDate(0, 0, 14).Format(time.DateOnly)})
		default:
			act("clerk", "accept", win)
		}
	case "correction":
		act(c.applicant, "resubmit", map[string]any{"materials": s.catalog[0].materials[:1]})
	case "accepted":
		if strings.HasPrefix(c.plan, "pending:") {
			act("clerk", "supply-pending", map[string]any{"window_id": s.window, "materials": []map[string]any{{"material_id": strings.TrimPrefix(c.plan, "pending:"), "paper": true}}})
			c.plan = ""
			return true
		}
		by := stepLogin(v)
		if c.plan == "stop" && !c.stopped && by == "approver" {
			c.stopped = true
			act("approver", "stop-clock", map[string]any{"kind": "expert_review", "reason": "需组织专家评审", "expected_days": 2})
			return true
		}
		if slices.Contains(v.Allowed, "review") {
			act(by, "review", map[string]any{"window_id": s.window, "opinion": "经审查，符合法定条件"})
		} else {
			act(by, "decide", s.decision(c))
		}
	case "clock_stopped":
		if slices.Contains(v.Allowed, "resume-clock") {
			act("approver", "resume-clock", nil)
		} else if v.Step != nil {
			// A step that stops the clock (e.g. 现场核查) ends with its review.
			act(stepLogin(v), "review", map[string]any{"window_id": s.window, "opinion": "现场核查符合要求"})
		}
	case "decided":
		act("approver", "conclude", nil)
	case "concluded":
		if c.channel == "online" {
			act("clerk", "deliver", map[string]any{"method": "electronic"})
		} else {
			act("clerk", "deliver", map[string]any{"method": "express", "carrier": "EMS", "tracking": "SIM" + c.no[len(c.no)-6:]})
		}
		s.rate(ctx, c)
		return false
	default:
		return false
	}
	return true
}

// stepLogin is the demo account of the current step's role.
func stepLogin(v simView) string {
	if v.Step != nil && (v.Step.Role == "clerk" || v.Step.Role == "reviewer") {
		return v.Step.Role
	}
	return "approver"
}

func (s *simulator) decision(c *simCase) map[string]any {
	if c.plan == "deny" {
		return map[string]any{"window_id": s.window, "outcome": "deny", "reasons": "经核查，申请材料与实际情况不符，不符合法定条件",
			"remedies": "如不服本决定，可自收到之日起六十日内申请行政复议，或六个月内提起行政诉讼"}
	}
	return map[string]any{"window_id": s.window, "outcome": "grant", "result": map[string]any{"certificate_no": "SIM-" + c.no}}
}

// rate lets about 60 % of applicants rate; about 6 % of ratings are bad,
// and a few of those applicants also complain.
func (s *simulator) rate(ctx context.Context, c *simCase) {
	if s.rng.Float64() > 0.6 {
		return
	}
	online := c.channel == "online"
	level, tag := 5, map[bool]string{true: "办事效率很高", false: "服务效率很高"}[online]
	if s.rng.Float64() < 0.06 {
		level, tag = 2, map[bool]string{true: "办事效率较低", false: "服务效率较低"}[online]
		c.ratedBad = true
	}
	s.call(ctx, c.applicant, "/api/v1/cases/"+c.no+"/ratings", map[string]any{"level": level, "tags": []string{tag}}, http.StatusCreated, nil)
	if c.ratedBad && s.rng.Float64() < 0.3 {
		ap := s.applicantOf(c.applicant)
		s.call(ctx, c.applicant, "/api/v1/complaints", map[string]any{"kind": "complaint", "subject": "case", "case_no": c.no,
			"name": ap["name"], "phone": ap["phone"], "content": "办理时间过长，窗口答复不清楚"}, http.StatusCreated, nil)
	}
}
