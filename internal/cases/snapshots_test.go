package cases

import (
	"context"
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"banhao.dev/banhao/internal/platform/db"
	"banhao.dev/banhao/internal/platform/dbtest"
)

// A case body refers to its item snapshot, stored once per content; a node
// with a cold cache reads the same snapshot, and a case of an older version
// with the snapshot inline is read, acted on and answered alike.
func TestSnapshots_storedOnceByReferenceAndOldBodiesStillWork(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		ctx, ok := context.Background(), okFn(t)
		e := newEnv(t, d, bj(2026, 3, 2, 9, 0))
		a := e.mustSubmitOnline(t, itemPromised)
		b := e.mustSubmitOnline(t, itemPromised)
		if len(a.ItemSnap.Checklist) == 0 || a.ItemSnap.Code != itemPromised {
			t.Fatalf("snapshot of the answer: got %+v", a.ItemSnap)
		}
		body := func(no string) map[string]json.RawMessage {
			t.Helper()
			var raw string
			if err := d.R.QueryRowContext(ctx, `SELECT body FROM cases WHERE no = $1`, no).Scan(&raw); err != nil {
				t.Fatal(err)
			}
			var m map[string]json.RawMessage
			if err := json.Unmarshal([]byte(raw), &m); err != nil {
				t.Fatal(err)
			}
			return m
		}
		ba := body(a.No)
		if _, inline := ba["item_snapshot"]; inline || len(ba["item_snapshot_ref"]) != 66 {
			t.Fatalf("stored body keys: got inline %v, ref %s; want a 64-hex ref only", inline, ba["item_snapshot_ref"])
		}
		if string(body(b.No)["item_snapshot_ref"]) != string(ba["item_snapshot_ref"]) || count(t, d, `SELECT COUNT(*) FROM case_snapshots`) != 1 {
			t.Fatalf("two cases of the same item and answers: got %d stored snapshots, want 1 shared", count(t, d, `SELECT COUNT(*) FROM case_snapshots`))
		}

		cold := NewService(Deps{DB: d, Clock: e.clk, Items: testItems(), Calendar: e.svc.cal, Authorizer: e.svc.authz})
		got, err := cold.Get(ctx, e.who.applicant, a.No)
		if err != nil {
			t.Fatal(err)
		}
		want := e.get(t, a.No)
		if !reflect.DeepEqual(got.ItemSnap, a.ItemSnap) || !reflect.DeepEqual(want.ItemSnap, a.ItemSnap) {
			t.Fatalf("snapshot read back: cold cache %+v, warm %+v, want %+v", got.ItemSnap, want.ItemSnap, a.ItemSnap)
		}
		got.ItemSnap.Checklist[0].Name = "改过的名称" // a copy: the cache is untouched
		if again := e.get(t, a.No); again.ItemSnap.Checklist[0].Name == "改过的名称" {
			t.Fatal("changing a case's snapshot changed the cached one")
		}

		// b as a case of an older version: snapshot inline, no reference.
		before, _ := json.Marshal(e.get(t, b.No))
		legacy := struct {
			*Body
			ItemSnap ItemSnapshot `json:"item_snapshot"`
		}{&b.Body, b.ItemSnap}
		raw, _ := json.Marshal(legacy)
		if strings.Contains(string(raw), "item_snapshot_ref") {
			t.Fatal("legacy body carries a reference")
		}
		if _, err := d.W.ExecContext(ctx, `UPDATE cases SET body = $2 WHERE no = $1`, b.No, string(raw)); err != nil {
			t.Fatal(err)
		}
		after, _ := json.Marshal(e.get(t, b.No))
		if string(after) != string(before) {
			t.Fatalf("an inline body answers differently:\n got %s\nwant %s", after, before)
		}
		c := ok(e.svc.Accept(ctx, e.who.clerk, b.No, AcceptRequest{}))
		if !reflect.DeepEqual(c.ItemSnap, a.ItemSnap) || c.Status != Accepted {
			t.Fatalf("accepting the old case: got %s %+v", c.Status, c.ItemSnap)
		}
		if bb := body(b.No); bb["item_snapshot"] == nil || bb["item_snapshot_ref"] != nil {
			t.Fatalf("the old case's body after an action: got keys %v, want the snapshot still inline", keys(bb))
		}
	})
}

func keys(m map[string]json.RawMessage) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
