package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"banhao.dev/banhao/internal/catalog"
	"banhao.dev/banhao/internal/demo"
	"banhao.dev/banhao/internal/platform/clock"
	"banhao.dev/banhao/internal/platform/dbtest"
)

// Items the multi-node jobs test files and adjusts.
const (
	foodItem      = "0100002000-990121-01" // 食品经营许可: 容缺 allowed for "layout"
	cancelledItem = "1000006000-990121-01" // 诊所备案, cancelled by the batch
	addedItem     = "0100001004-990121-01" // added by the batch
)

var foodMaterials = []string{"application", "license", "layout", "rules"}

// businessJobs are the jobs registered in registerJobs plus the outbox.
var businessJobs = []string{"catalog-adjustments", "cases-auto-accept", "cases-lights", "cases-pending-reminders",
	"outbox", "ratings-close-windows", "reform-reminders"}

// Three `banhao serve --demo` nodes on one PostgreSQL schema run every
// background job every second (BANHAO_TEST_JOB_EVERY) while the demo clock,
// moved on one node and followed by the others through the database, makes
// work due: auto-acceptance, 容缺 reminders, an adjustment batch, lights,
// rating windows and two months of reform letters. One node is SIGKILLed
// while it holds a job's lease. Afterwards each due item must have been
// processed exactly once, and files uploaded through one node must be
// served by another.
func TestSeveralNodesRunEveryJobOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and runs three servers for about a minute")
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
	person, firm := demo.Accounts()[0].Login, demo.Accounts()[1].Login
	tok := map[string]string{}
	for _, login := range []string{person, firm, "clerk", "approver", "admin", "catalog"} {
		code, stdout, stderr := cli(t, dbURL, "token", "create", "--login", login)
		if code != 0 {
			t.Fatalf("token %s: %s", login, stderr)
		}
		lines := strings.Split(strings.TrimSpace(stdout), "\n")
		tok[login] = lines[len(lines)-1]
	}
	blobs := filepath.Join(dir, "data", "blobs") // shared by the nodes
	var nodes []*server
	for i := range 3 {
		nodes = append(nodes, startServerWith(t, bin, dbURL, blobs, []string{"BANHAO_TEST_JOB_EVERY=1s"}, "--demo", "--node", fmt.Sprintf("n%d", i)))
	}
	hc := &http.Client{Timeout: 20 * time.Second}
	on := func(n int, token string) *bencher {
		return &bencher{base: nodes[n].base, applicant: token, clerk: tok["clerk"], approver: tok["approver"], client: hc}
	}
	ctx := context.Background()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	d, err := sql.Open("pgx", dbURL)
	must(err)
	defer d.Close()
	clockNode := 0 // the node the test reads and moves the demo clock on
	businessNow := func() time.Time {
		t.Helper()
		var c struct {
			Now time.Time `json:"now"`
		}
		must(on(clockNode, tok["admin"]).do(ctx, "GET", "/api/v1/admin/clock", tok["admin"], "", nil, http.StatusOK, &c))
		return c.Now
	}
	today := businessNow().In(clock.Shanghai)

	// Ratings: unrated moments count as 默认好评 in the demo county, so the
	// closing job writes an audit event and a push per moment.
	rules, _ := json.Marshal(map[string]any{"stages": []string{"accept", "conclude"},
		"window_days": 5, "default_satisfied": true, "callback_days": 1, "rectify_days": 15, "complaint_days": 5})
	must(on(1, tok["admin"]).do(ctx, "PUT", "/api/v1/rating-rules/990121", tok["admin"], "application/json", bytes.NewReader(rules), http.StatusOK, nil))

	// Uploads through node 0, filings through node 2, the clerk on node 1
	// reads the files back and accepts with a 容缺 material due in 5 days.
	up := on(0, tok[person])
	var foodFiles []map[string]any
	var layout string
	for _, id := range foodMaterials {
		hash, err := up.uploadPDF(ctx, id)
		must(err)
		foodFiles = append(foodFiles, map[string]any{"material_id": id, "file": hash})
		if id == "layout" {
			layout = hash
		}
	}
	pendingDue := today.AddDate(0, 0, 5).Format(time.DateOnly)
	var pendingCases []string
	for i := range 6 {
		var sub struct {
			Case struct {
				No string `json:"no"`
			} `json:"case"`
		}
		must(on(2, tok[person]).post(ctx, "/api/v1/cases", tok[person], map[string]any{"item": foodItem, "channel": "online", "materials": foodFiles}, http.StatusCreated, &sub))
		no := sub.Case.No
		clerk := on(i%2, tok["clerk"])
		var got bytes.Buffer
		req, _ := http.NewRequest("GET", nodes[1].base+"/api/v1/cases/"+no+"/files/"+layout, nil)
		req.Header.Set("Authorization", "Bearer "+tok["clerk"])
		resp, err := hc.Do(req)
		must(err)
		got.ReadFrom(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || !strings.HasPrefix(got.String(), "%PDF") {
			t.Fatalf("file uploaded on node 0, read on node 1: got %d %q, want 200 and the PDF", resp.StatusCode, clip(got.String(), 40))
		}
		must(clerk.post(ctx, "/api/v1/cases/"+no+"/actions/accept-with-pending", tok["clerk"],
			map[string]any{"materials": []string{"layout"}, "commitment": "承诺五日内补齐", "deadline": pendingDue}, http.StatusOK, nil))
		pendingCases = append(pendingCases, no)
	}

	// Whole lifecycles (rating moments at acceptance and conclusion) and
	// online submissions left for auto-acceptance, spread over the nodes.
	firmB := on(0, tok[firm])
	must(firmB.upload(ctx))
	for i := range 6 {
		b := on(i%3, tok[firm])
		b.materials = firmB.materials
		var lat [6]time.Duration
		must(b.lifecycle(ctx, &lat))
	}
	submitted := 0
	for i := range 15 {
		b := on(i%3, tok[firm])
		must(b.post(ctx, "/api/v1/cases", b.applicant, map[string]any{"item": benchItem, "channel": "online", "materials": firmB.materials}, http.StatusCreated, nil))
		submitted++
	}

	// An adjustment batch effective in three days: cancel one item, add one.
	var orgID int64
	must(d.QueryRowContext(ctx, `SELECT id FROM orgs WHERE name = '示范县市场监督管理局'`).Scan(&orgID))
	added := catalog.Item{Code: addedItem, Name: "个体工商户歇业备案", Kind: catalog.License, Level: "county", OrgID: orgID, RegionCode: "990121", Domain: "商事登记",
		LegalBasis: []catalog.LegalBasis{{Law: "促进个体工商户发展条例", Article: "第十八条"}},
		Remedies:   catalog.Remedies{Reconsideration: "示范县人民政府", Litigation: "示范县人民法院"},
		LegalLimit: catalog.Limit{Days: 15, Unit: catalog.WorkingDay}, PromisedLimit: catalog.Limit{Days: 3, Unit: catalog.WorkingDay},
		CaseType: catalog.Promised, Trips: 1, OnlineDepth: 3, Channels: []catalog.Channel{"window", "online"}, ServiceObjects: []string{"person"},
		Materials: []catalog.Material{{ID: "form", Name: "歇业备案申请书", Kind: "form", Required: true}}}
	batch := catalog.Batch{Title: "关于调整示范县行政权力事项的通知", DocNo: "示政发〔2026〕99号", EffectiveDate: today.AddDate(0, 0, 3).Format(time.DateOnly),
		Entries: []catalog.Entry{{Kind: catalog.AdjCancel, Code: cancelledItem}, {Kind: catalog.AdjAdd, Item: &added}}}
	var b catalog.Batch
	must(on(2, tok["catalog"]).post(ctx, "/api/v1/adjustments", tok["catalog"], batch, http.StatusCreated, &b))
	must(on(0, tok["catalog"]).post(ctx, fmt.Sprintf("/api/v1/adjustments/%d/publish", b.ID), tok["catalog"], nil, http.StatusOK, nil))

	// settle waits until every job has started after the nodes followed the
	// clock and finished, and every outbox message due by then is
	// delivered; twice, because one job's work makes another's.
	settle := func(what string) {
		t.Helper()
		for range 2 {
			since := time.Now().Add(1500 * time.Millisecond) // the nodes follow the clock within a second
			waitFor(t, 60*time.Second, what, func() (bool, string) {
				var jobs, stale, due int
				must(d.QueryRowContext(ctx, `SELECT COUNT(*), COUNT(*) FILTER (WHERE last_started_at <= $1 OR last_finished_at IS NULL
					OR last_finished_at < last_started_at) FROM job_leases`, since).Scan(&jobs, &stale))
				must(d.QueryRowContext(ctx, `SELECT COUNT(*) FROM outbox WHERE delivered_at IS NULL AND available_at <= $1`, businessNow()).Scan(&due))
				return jobs == len(businessJobs) && stale == 0 && due == 0,
					fmt.Sprintf("%d of %d jobs known, %d not yet run since the clock moved, %d outbox messages due", jobs, len(businessJobs), stale, due)
			})
		}
	}
	move := func(body map[string]string) {
		t.Helper()
		must(on(clockNode, tok["admin"]).post(ctx, "/api/v1/admin/clock", tok["admin"], body, http.StatusOK, nil))
	}

	// Eight days on: pre-reviews, 容缺 reminders, the batch, rating windows
	// and lights are due. The test holds a lock on one submitted case, so
	// the node that runs the auto-acceptance job stops in the middle of its
	// run (some cases accepted, one transaction open): that node is killed.
	lock, err := d.BeginTx(ctx, nil)
	must(err)
	var locked string
	must(lock.QueryRowContext(ctx, `SELECT no FROM cases WHERE status = 'submitted' ORDER BY prereview_due DESC, id DESC LIMIT 1 FOR UPDATE`).Scan(&locked))
	move(map[string]string{"advance": "192h"})
	want := businessNow()
	for n := range nodes {
		waitFor(t, 10*time.Second, fmt.Sprintf("node %d to follow the demo clock moved on node %d", n, clockNode), func() (bool, string) {
			var c struct {
				Now time.Time `json:"now"`
			}
			must(on(n, tok["admin"]).do(ctx, "GET", "/api/v1/admin/clock", tok["admin"], "", nil, http.StatusOK, &c))
			return !c.Now.Before(want.Add(-time.Second)), "its clock shows " + c.Now.String()
		})
	}
	var holder string
	waitFor(t, 30*time.Second, "a node stuck in the auto-acceptance job", func() (bool, string) {
		err := d.QueryRowContext(ctx, `SELECT holder FROM job_leases WHERE name = 'cases-auto-accept' AND last_started_at < $1
			AND (last_finished_at IS NULL OR last_finished_at < last_started_at)`, time.Now().Add(-time.Second)).Scan(&holder)
		if err != nil && err != sql.ErrNoRows {
			t.Fatal(err)
		}
		return holder != "", "no node has been running it for a second"
	})
	victim := -1
	fmt.Sscanf(holder, "n%d/", &victim)
	if victim < 0 || victim > 2 {
		t.Fatalf("lease holder %q names no node", holder)
	}
	before := sqlCount(t, d, `SELECT COUNT(*) FROM audit_events WHERE action = 'auto-accept'`)
	must(nodes[victim].cmd.Process.Signal(syscall.SIGKILL))
	nodes[victim].cmd.Wait()
	must(lock.Rollback())
	t.Logf("node %d killed in the middle of the auto-acceptance job (%d cases accepted before, case %s locked)", victim, before, locked)
	var alive []int
	for n := range nodes {
		if n != victim {
			alive = append(alive, n)
		}
	}
	clockNode = alive[0]
	settle("the jobs due eight days on")

	// The next two months' 1st working days: reform letters for each month.
	for _, months := range []int{1, 2} {
		first := time.Date(today.Year(), today.Month()+time.Month(months), 2, 10, 0, 0, 0, clock.Shanghai)
		move(map[string]string{"set": first.Format(time.RFC3339)})
		settle("the jobs due on " + first.Format(time.DateOnly))
	}

	checkJobsRanOnce(t, d, jobChecks{pendingCases: pendingCases, submitted: submitted, batchID: b.ID, before: today, now: businessNow(),
		months: []string{today.AddDate(0, 1, 0).Format("2006-01"), today.AddDate(0, 2, 0).Format("2006-01")}})

	// The batch took effect on every node, not only the one that applied it.
	for _, n := range alive {
		for code, want := range map[string]int{addedItem: http.StatusOK, cancelledItem: http.StatusNotFound} {
			if err := on(n, tok["admin"]).do(ctx, "GET", "/api/v1/items/"+code, tok["admin"], "", nil, want, nil); err != nil {
				t.Errorf("node %d, item %s after the batch: %v", n, code, err)
			}
		}
	}
	for _, n := range alive {
		nodes[n].cmd.Process.Signal(syscall.SIGTERM)
		nodes[n].cmd.Wait()
	}
	out, err := exec.Command(bin, "audit", "verify", "--db", dbURL).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "全部哈希链完整") {
		t.Fatalf("audit verify: %v\n%s", err, out)
	}
}

func clip(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}
