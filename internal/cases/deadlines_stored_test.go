package cases

import (
	"context"
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"banhao.dev/banhao/internal/platform/db"
	"banhao.dev/banhao/internal/platform/dbtest"
)

// storedKeys are the keys of each stored deadline of a body.
func storedKeys(t *testing.T, body []byte) map[string]map[string]json.RawMessage {
	t.Helper()
	var b struct {
		Deadlines map[string]json.RawMessage `json:"deadlines"`
	}
	if err := json.Unmarshal(body, &b); err != nil {
		t.Fatal(err)
	}
	out := map[string]map[string]json.RawMessage{}
	for k, v := range b.Deadlines {
		var m map[string]json.RawMessage
		if json.Unmarshal(v, &m) == nil && m != nil {
			out[k] = m
		}
	}
	return out
}

// oldBody is c's body as versions before the compact deadlines stored it:
// every deadline with its lines and its detail.
func oldBody(t *testing.T, c *Case) []byte {
	t.Helper()
	raw, err := json.Marshal(struct {
		*Body
		ItemSnap ItemSnapshot `json:"item_snapshot"`
	}{&c.Body, c.ItemSnap})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(raw), `"derivation"`) {
		t.Fatalf("the old form has no derivation lines: %s", raw)
	}
	return raw
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// A deadline stored compactly reads back deep-equal and JSON-identical to
// the one computed; one stored whole (a body written before) reads back as
// it was and is stored compactly by its next write.
func TestStoredDeadlines_readBackAsComputed(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		e := newEnv(t, d, bj(2026, 3, 5, 12, 0)) // the open stop below has lasted until now
		s := e.svc
		stops := []Interval{
			{From: bj(2026, 3, 3, 9, 0), To: bj(2026, 3, 4, 15, 0), Reason: "补正材料"},
			{From: bj(2026, 3, 5, 9, 0), Reason: "专家评审"},
			{From: bj(2026, 11, 20, 9, 0), To: bj(2026, 11, 21, 9, 0), Reason: "听证"}, // after the deadline: ignored
		}
		limit := func(start time.Time, l Limit, ext int, stops []Interval) func(*Case) error {
			return func(c *Case) error {
				if ext > 0 {
					c.Extension = &Extension{Days: ext, Reason: "情况复杂", At: start}
				}
				var err error
				c.Deadlines.Promised, err = s.limitDeadline(ctx, start, l, ext, stops)
				return err
			}
		}
		for _, tc := range []struct {
			name    string
			set     func(*Case) error
			compact bool
			mention string
		}{
			{"a plain working-day limit", limit(bj(2026, 3, 2, 10, 0), Limit{3, "working_day"}, 0, nil), true, "共3个工作日"},
			{"a limit crossing a weekend", limit(bj(2026, 3, 5, 10, 0), Limit{5, "working_day"}, 0, nil), true, "周末，不计入"},
			{"春节 with its 调休 working days", limit(bj(2026, 2, 13, 10, 0), Limit{10, "working_day"}, 0, nil), true, "春节调休上班，计为工作日"},
			{"国庆 with its 调休 working days", limit(bj(2026, 9, 28, 16, 30), Limit{8, "working_day"}, 0, nil), true, "国庆节"},
			{"closed, open and ignored clock stops", limit(bj(2026, 3, 2, 9, 0), Limit{5, "working_day"}, 0, stops), true, "开始时期限已届满，不顺延"},
			{"an extension (art. 42)", limit(bj(2026, 3, 2, 9, 0), Limit{20, "working_day"}, 10, nil), true, "第四十二条"},
			{"the delivery deadline (art. 44)", func(c *Case) error { return s.deliveryDeadline(ctx, c, bj(2026, 4, 30, 16, 0)) }, true, "第四十四条"},
			{"a calendar-day limit", limit(bj(2026, 3, 2, 9, 0), Limit{15, "calendar_day"}, 0, stops[:1]), false, "期限按自然日计算"},
			{"a zero-day limit (即时办结)", limit(bj(2026, 3, 6, 10, 0), Limit{0, "working_day"}, 0, nil), true, "即时办结"},
		} {
			t.Run(tc.name+" reads back as computed", func(t *testing.T) {
				c := &Case{No: "T-1", RegionCode: "990121"}
				if err := tc.set(c); err != nil {
					t.Fatal(err)
				}
				want := mustJSON(t, c.Deadlines)
				if !strings.Contains(want, tc.mention) {
					t.Fatalf("the computed deadline does not mention %s: %s", tc.mention, want)
				}
				raw, err := encodeBody(c)
				if err != nil {
					t.Fatal(err)
				}
				for name, keys := range storedKeys(t, raw) {
					_, lines := keys["derivation"]
					_, detail := keys["detail"]
					if tc.compact && (lines || detail || keys["calc"] == nil) {
						t.Errorf("%s stored with keys %v, want calc without derivation and detail", name, keys)
					}
					if !tc.compact && (!lines || keys["calc"] != nil) {
						t.Errorf("%s stored with keys %v, want its lines as they are", name, keys)
					}
					if c := keys["calc"]; strings.Contains(string(c), `"rule"`) || strings.Contains(string(c), `"counted"`) || strings.Contains(string(c), "[]") {
						t.Errorf("%s stored calc %s, want no rule, counted days or empty lists", name, c)
					}
				}
				var got Case
				if err := decodeBody(raw, &got); err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(got.Deadlines, c.Deadlines) {
					t.Errorf("decoded deadlines differ:\n got %s\nwant %s", mustJSON(t, got.Deadlines), want)
				}
				if g := mustJSON(t, got.Deadlines); g != want {
					t.Errorf("decoded JSON:\n got %s\nwant %s", g, want)
				}

				var old Case
				if err := decodeBody(oldBody(t, c), &old); err != nil {
					t.Fatal(err)
				}
				if g := mustJSON(t, old.Deadlines); g != want {
					t.Errorf("a body written before reads back:\n got %s\nwant %s", g, want)
				}
				old.Extension = c.Extension
				again, err := encodeBody(&old)
				if err != nil {
					t.Fatal(err)
				}
				if string(again) != string(raw) {
					t.Errorf("a body written before is stored again as\n %s\nwant\n %s", again, raw)
				}
			})
		}
	})
}

// Through the service on both engines: a case's stored body is compact and
// reads back as the action answered; a body of the old form, written with
// SQL, reads back alike and is stored compactly by the next action.
func TestStoredDeadlines_oldAndNewBodiesThroughTheService(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		ctx, ok := context.Background(), okFn(t)
		e := newEnv(t, d, bj(2026, 3, 2, 9, 0))
		body := func(no string) []byte {
			t.Helper()
			var raw string
			if err := d.R.QueryRowContext(ctx, `SELECT body FROM cases WHERE no = $1`, no).Scan(&raw); err != nil {
				t.Fatal(err)
			}
			return []byte(raw)
		}
		c := ok(e.svc.Accept(ctx, e.who.clerk, e.mustSubmitWindow(t, itemPromised).No, AcceptRequest{}))
		raw := body(c.No)
		if strings.Contains(string(raw), "derivation") || strings.Contains(string(raw), "counted") {
			t.Errorf("stored body keeps derivation lines or counted days: %s", raw)
		}
		want := mustJSON(t, c.Deadlines)
		got := e.get(t, c.No)
		if g := mustJSON(t, got.Deadlines); g != want {
			t.Fatalf("read back:\n got %s\nwant %s", g, want)
		}
		if !reflect.DeepEqual(got.Deadlines, c.Deadlines) {
			t.Errorf("read back deadlines are not deep-equal to the computed ones")
		}

		if _, err := d.W.ExecContext(ctx, `UPDATE cases SET body = $2 WHERE no = $1`, c.No, string(oldBody(t, got))); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(body(c.No)), `"derivation"`) {
			t.Fatal("the old body was not written")
		}
		if g := mustJSON(t, e.get(t, c.No).Deadlines); g != want {
			t.Errorf("an old body reads back:\n got %s\nwant %s", g, want)
		}
		c = ok(e.svc.Review(ctx, e.who.clerk, c.No, OpinionRequest{}))
		if raw := body(c.No); strings.Contains(string(raw), "derivation") || !strings.Contains(string(raw), `"calc"`) {
			t.Errorf("after an action the old body is still stored whole: %s", raw)
		}
		if g, w := mustJSON(t, e.get(t, c.No).Deadlines), mustJSON(t, c.Deadlines); g != w {
			t.Errorf("after an action read back:\n got %s\nwant %s", g, w)
		}
	})
}

// A deadline whose detail is not a derivation this version regenerates
// (not the calendar's shape, impossible counts) is stored and read back as
// it is, and the action writing it does not fail.
func TestStoredDeadlines_unexpectedDetailIsKeptAsItIs(t *testing.T) {
	for _, detail := range []string{`{"counted":3}`, `{"working_days":-2,"stop_days":-1,"last_day":"2026-03-05"}`, `[1,2]`, `"text"`} {
		c := &Case{No: "990121-20260302-000001-4"}
		c.Deadlines.Legal = &Deadline{Date: "2026-03-05", At: time.Date(2026, 3, 5, 16, 0, 0, 0, time.UTC), Days: 3, Unit: "working_day",
			Derivation: []string{"某一行"}, Detail: json.RawMessage(detail)}
		raw, err := encodeBody(c)
		if err != nil {
			t.Fatalf("%s: encode: %v", detail, err)
		}
		var got Case
		if err := decodeBody(raw, &got); err != nil {
			t.Fatalf("%s: decode: %v", detail, err)
		}
		if l := got.Deadlines.Legal; l == nil || string(l.Detail) != detail || !slices.Equal(l.Derivation, []string{"某一行"}) {
			t.Fatalf("%s: read back %+v", detail, l)
		}
	}
}
