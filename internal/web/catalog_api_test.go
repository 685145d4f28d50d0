package web

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"

	"banhao.dev/banhao/internal/catalog"
	"banhao.dev/banhao/internal/places"
	"banhao.dev/banhao/internal/platform/db"
	"banhao.dev/banhao/internal/platform/dbtest"
)

// Demo item codes the tests refer to.
const (
	foodCode       = "0100002000-990121-01" // 食品经营许可
	companyCode    = "0100001000-990121-01" // 企业设立登记
	transferCode   = "0700002000-990121-01" // 不动产转移登记（存量房买卖）
	disabilityCode = "0700005000-990121-01" // 残疾人证新办
	clinicCode     = "1000006000-990121-01" // 诊所备案
	dormancyCode   = "1000001000-990121-01" // 市场主体歇业备案
	birthCode      = "0700003000-990121-01" // 出生登记（新生儿落户）
)

// catalogEnv is a server with the demo places and the demo catalog published.
type catalogEnv struct {
	*testEnv
	orgs map[string]int64
}

func newCatalogEnv(t *testing.T, d *db.DB) *catalogEnv {
	t.Helper()
	e := newTestEnv(t, d)
	ctx := context.Background()
	var pl places.Demo
	err := d.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		pl, err = places.SeedDemo(ctx, tx, e.Sim.Now())
		return err
	})
	if err != nil {
		t.Fatalf("seed places: %v", err)
	}
	lookup := func(name string) (int64, error) {
		if id, ok := pl.Orgs[name]; ok {
			return id, nil
		}
		return 0, fmt.Errorf("unknown org %q", name)
	}
	if n, err := catalog.SeedDemo(ctx, e.Srv.Catalog, lookup, e.Sim.Now()); err != nil || n < 40 {
		t.Fatalf("seed catalog: %d items, %v", n, err)
	}
	return &catalogEnv{testEnv: e, orgs: pl.Orgs}
}

func codesOf(hits []catalog.SearchHit) []string {
	out := make([]string, len(hits))
	for i, h := range hits {
		out[i] = h.Code
	}
	return out
}

// People type how they speak; the API must rank the right item in the top 3.
func TestCatalogAPISearchRelevance(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		e := newCatalogEnv(t, d)
		for _, tc := range []struct{ q, want string }{
			{"开饭店", foodCode}, {"办营业执照", companyCode}, {"yyzz", companyCode}, {"房子过户", transferCode},
			{"残疾证", disabilityCode}, {"开诊所", clinicCode}, {"歇业", dormancyCode},
		} {
			t.Run(tc.q+" ranks "+tc.want+" in the top 3", func(t *testing.T) {
				var res catalog.SearchResult
				if got := e.apiCall("GET", "/api/v1/items?q="+url.QueryEscape(tc.q), "", nil, &res); got != 200 {
					t.Fatalf("got status %d, want 200", got)
				}
				top := codesOf(res.Items)[:min(3, len(res.Items))]
				if !slices.Contains(top, tc.want) {
					t.Fatalf("got top 3 %v (total %d), want %s among them", top, res.Total, tc.want)
				}
			})
		}
	})
}

// Each hit carries the list fields of issue 3 item 6 under their glossary names.
func TestCatalogAPIHitShape(t *testing.T) {
	e := newCatalogEnv(t, dbtest.SQLite(t))
	var raw struct {
		Items []map[string]any `json:"items"`
		Total int              `json:"total"`
	}
	if got := e.apiCall("GET", "/api/v1/items?q="+url.QueryEscape("开饭店"), "", nil, &raw); got != 200 || raw.Total == 0 {
		t.Fatalf("got %d total %d", got, raw.Total)
	}
	var food map[string]any
	for _, h := range raw.Items {
		if h["code"] == foodCode {
			food = h
		}
	}
	if food == nil {
		t.Fatalf("food item not in %v", raw.Items)
	}
	for _, k := range []string{"code", "version", "name", "kind", "org", "legal_limit", "promised_limit", "case_type", "trips", "online_depth"} {
		if _, ok := food[k]; !ok {
			t.Errorf("hit lacks %q: %v", k, food)
		}
	}
	pl, _ := food["promised_limit"].(map[string]any)
	if pl["days"] != 5.0 || pl["unit"] != "working_day" {
		t.Errorf("got promised_limit %v, want {days 5, unit working_day}", pl)
	}
	if food["case_type"] != "promised" || food["kind"] != "license" || food["org"] != "示范县市场监督管理局" {
		t.Errorf("got case_type %v kind %v org %v", food["case_type"], food["kind"], food["org"])
	}
	if m, _ := food["match"].(map[string]any); m["kind"] != "synonym" || m["query"] != "开饭店" || m["term"] != "食品经营" {
		t.Errorf("got match %v, want the synonym 开饭店 → 食品经营", food["match"])
	}
}

func TestCatalogAPIBrowseAndBadQueries(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		e := newCatalogEnv(t, d)
		var all catalog.SearchResult
		e.apiCall("GET", "/api/v1/items?page_size=100", "", nil, &all)
		if all.Total < 40 || len(all.Items) != all.Total {
			t.Fatalf("browse all: got total %d, %d items", all.Total, len(all.Items))
		}
		t.Run("life event 出生 lists the birth registration", func(t *testing.T) {
			var res catalog.SearchResult
			e.apiCall("GET", "/api/v1/items?event="+url.QueryEscape("出生"), "", nil, &res)
			if !slices.Contains(codesOf(res.Items), birthCode) {
				t.Fatalf("got %v, want %s", codesOf(res.Items), birthCode)
			}
		})
		t.Run("kind filter returns only that kind", func(t *testing.T) {
			var res catalog.SearchResult
			e.apiCall("GET", "/api/v1/items?kind=license&page_size=100", "", nil, &res)
			if res.Total == 0 {
				t.Fatal("no licenses")
			}
			for _, h := range res.Items {
				if h.Kind != catalog.License {
					t.Fatalf("got %s of kind %s in a license browse", h.Code, h.Kind)
				}
			}
		})
		t.Run("org filter returns only that org's items", func(t *testing.T) {
			id := e.orgs["示范县市场监督管理局"]
			var res catalog.SearchResult
			e.apiCall("GET", fmt.Sprintf("/api/v1/items?org=%d&page_size=100", id), "", nil, &res)
			if res.Total == 0 || !slices.Contains(codesOf(res.Items), foodCode) {
				t.Fatalf("got %v", codesOf(res.Items))
			}
			for _, h := range res.Items {
				if h.OrgID != id {
					t.Fatalf("got %s of org %d", h.Code, h.OrgID)
				}
			}
		})
		t.Run("pages do not overlap and cover the total", func(t *testing.T) {
			seen := map[string]bool{}
			for p := 1; p <= (all.Total+9)/10; p++ {
				var res catalog.SearchResult
				e.apiCall("GET", fmt.Sprintf("/api/v1/items?page=%d&page_size=10", p), "", nil, &res)
				for _, c := range codesOf(res.Items) {
					if seen[c] {
						t.Fatalf("page %d repeats %s", p, c)
					}
					seen[c] = true
				}
			}
			if len(seen) != all.Total {
				t.Fatalf("got %d items over the pages, want %d", len(seen), all.Total)
			}
		})
		for _, tc := range []struct{ query, field string }{
			{"page=0", "page"}, {"page=abc", "page"}, {"page_size=1000", "page_size"}, {"kind=bogus", "kind"}, {"org=abc", "org"},
		} {
			t.Run(tc.query+" is 422 on "+tc.field, func(t *testing.T) {
				var p Problem
				got := e.apiCall("GET", "/api/v1/items?"+tc.query, "", nil, &p)
				wantProblem(t, got, p, 422, tc.field, "")
			})
		}
	})
}

// publishV2 changes the food item through an adjustment batch effective
// today and applies it, so version 2 is current and version 1 stays viewable.
func publishV2(t *testing.T, e *catalogEnv) int64 {
	t.Helper()
	ctx := context.Background()
	v1, err := e.Srv.Catalog.Guide(ctx, foodCode, 0)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := json.Marshal(v1)
	var v2 catalog.Item
	if err := json.Unmarshal(raw, &v2); err != nil {
		t.Fatal(err)
	}
	v2.Name = "食品经营许可（含小餐饮）"
	v2.PromisedLimit.Days = 3
	b, err := e.Srv.Catalog.CreateBatch(ctx, catalog.System, catalog.Batch{RegionCode: "990121", Title: "示范县2026年第1批权责清单调整",
		DocNo: "示政审〔2026〕1号", EffectiveDate: "2026-03-02", Entries: []catalog.Entry{{Kind: catalog.AdjChange, Code: foodCode, Item: &v2, Note: "压缩承诺时限"}}})
	if err != nil {
		t.Fatalf("create batch: %v", err)
	}
	if err := e.Srv.Catalog.PublishBatch(ctx, catalog.System, b.ID); err != nil {
		t.Fatalf("publish batch: %v", err)
	}
	if _, err := e.Srv.Catalog.ApplyDueAdjustments(ctx, e.Sim.Now()); err != nil {
		t.Fatalf("apply: %v", err)
	}
	return b.ID
}

func TestCatalogAPIGuideVersionsAndChanges(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		e := newCatalogEnv(t, d)
		var v1 catalog.Item
		if got := e.apiCall("GET", "/api/v1/items/"+foodCode, "", nil, &v1); got != 200 || v1.Version != 1 || len(v1.Materials) != 8 || len(v1.Situations) != 4 {
			t.Fatalf("got %d version %d with %d materials, %d situations", got, v1.Version, len(v1.Materials), len(v1.Situations))
		}
		for _, s := range v1.Situations {
			if s.ID == "" || len(s.Answers) == 0 || s.Answers[0].ID == "" {
				t.Fatalf("situation without ids: %+v", s)
			}
		}
		batch := publishV2(t, e)
		var cur, old catalog.Item
		e.apiCall("GET", "/api/v1/items/"+foodCode, "", nil, &cur)
		e.apiCall("GET", "/api/v1/items/"+foodCode+"?version=1", "", nil, &old)
		if cur.Version != 2 || cur.PromisedLimit.Days != 3 || old.Version != 1 || old.Name != "食品经营许可" || old.PromisedLimit.Days != 5 {
			t.Fatalf("got current v%d %s %v, old v%d %s %v", cur.Version, cur.Name, cur.PromisedLimit, old.Version, old.Name, old.PromisedLimit)
		}
		var vs list[catalog.VersionInfo]
		if got := e.apiCall("GET", "/api/v1/items/"+foodCode+"/versions", "", nil, &vs); got != 200 || vs.Total != 2 {
			t.Fatalf("versions: got %d total %d, want 200 and 2", got, vs.Total)
		}
		var ch list[catalog.Change]
		e.apiCall("GET", "/api/v1/items/"+foodCode+"/changes", "", nil, &ch)
		if ch.Total < 2 || ch.Items[ch.Total-1].BatchID != batch || ch.Items[ch.Total-1].Version != 2 {
			t.Fatalf("changes: got %+v, want the batch's change last", ch.Items)
		}
		for _, tc := range []struct {
			name, path  string
			status      int
			field, code string
		}{
			{"an unknown item is 404", "/api/v1/items/9999999999-990121-01", 404, "", "item_not_found"},
			{"an unknown version is 404", "/api/v1/items/" + foodCode + "?version=9", 404, "", "item_version_not_found"},
			{"a non-numeric version is 422", "/api/v1/items/" + foodCode + "?version=abc", 422, "version", ""},
			{"version 0 is 422", "/api/v1/items/" + foodCode + "?version=0", 422, "version", ""},
			{"versions of an unknown item is 404", "/api/v1/items/9999999999-990121-01/versions", 404, "", "item_not_found"},
			{"changes of an unknown item is 404", "/api/v1/items/9999999999-990121-01/changes", 404, "", "item_not_found"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				var p Problem
				wantProblem(t, e.apiCall("GET", tc.path, "", nil, &p), p, tc.status, tc.field, tc.code)
			})
		}
	})
}

func materialIDs(ms []catalog.Material) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = m.ID
	}
	return out
}

func TestCatalogAPIChecklist(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		e := newCatalogEnv(t, d)
		path := "/api/v1/items/" + foodCode + "/checklist"
		for _, tc := range []struct {
			name    string
			answers map[string]string
			want    []string
			days    float64
		}{
			{"a restaurant on its own well brings the kitchen plan and the water report",
				map[string]string{"scope": "catering", "water": "own", "promise": "no", "agent": "no"},
				[]string{"application", "license", "layout", "rules", "kitchen", "water"}, 5},
			{"a prepackaged shop under commitment through an agent drops the layout and ignores the water question",
				map[string]string{"scope": "prepackaged", "water": "own", "promise": "yes", "agent": "yes"},
				[]string{"application", "license", "rules", "commitment", "proxy"}, 1},
		} {
			t.Run(tc.name, func(t *testing.T) {
				var cl catalog.Checklist
				if got := e.apiCall("POST", path, "", map[string]any{"answers": tc.answers}, &cl); got != 200 {
					t.Fatalf("got status %d, want 200", got)
				}
				if got := materialIDs(cl.Materials); !slices.Equal(got, tc.want) {
					t.Fatalf("got materials %v, want %v", got, tc.want)
				}
				if cl.PromisedLimit.Days != tc.days || cl.LegalLimit.Days != 10 || cl.Number != "" {
					t.Fatalf("got promised %v legal %v number %q", cl.PromisedLimit, cl.LegalLimit, cl.Number)
				}
			})
		}
		t.Run("a saved checklist loads by its number with the same materials", func(t *testing.T) {
			answers := map[string]string{"scope": "catering", "water": "public", "promise": "no", "agent": "yes"}
			var saved, loaded catalog.Checklist
			if got := e.apiCall("POST", path, "", map[string]any{"answers": answers, "save": true}, &saved); got != 201 || !strings.HasPrefix(saved.Number, "QD") {
				t.Fatalf("save: got %d number %q", got, saved.Number)
			}
			if got := e.apiCall("GET", "/api/v1/checklists/"+saved.Number, "", nil, &loaded); got != 200 {
				t.Fatalf("load: got %d", got)
			}
			want := []string{"application", "license", "layout", "rules", "kitchen", "proxy"}
			if !slices.Equal(materialIDs(loaded.Materials), want) || loaded.Number != saved.Number || loaded.Answers["agent"] != "yes" {
				t.Fatalf("loaded %s %v %v, want %v", loaded.Number, materialIDs(loaded.Materials), loaded.Answers, want)
			}
		})
		for _, tc := range []struct {
			name        string
			path        string
			body        any
			status      int
			field, code string
		}{
			{"an unknown answer is 422 on its situation", path, map[string]any{"answers": map[string]string{"scope": "bakery"}}, 422, "answers.scope", "unknown_answer"},
			{"an unknown situation is 422 on it", path, map[string]any{"answers": map[string]string{"colour": "red"}}, 422, "answers.colour", "unknown_answer"},
			{"an unknown field is 422", path, map[string]any{"answers": map[string]string{}, "extra": 1}, 422, "extra", "unknown_field"},
			{"answers of the wrong type are 422", path, map[string]any{"answers": []string{"x"}}, 422, "answers", "bad_json"},
			{"an unknown item is 404", "/api/v1/items/9999999999-990121-01/checklist", map[string]any{"answers": map[string]string{}}, 404, "", "item_not_found"},
			{"an unknown version is 404", path, map[string]any{"answers": map[string]string{}, "version": 7}, 404, "", "item_version_not_found"},
			{"a negative version is 422", path, map[string]any{"answers": map[string]string{}, "version": -1}, 422, "version", ""},
		} {
			t.Run(tc.name, func(t *testing.T) {
				var p Problem
				wantProblem(t, e.apiCall("POST", tc.path, "", tc.body, &p), p, tc.status, tc.field, tc.code)
			})
		}
		t.Run("an unknown number is 404", func(t *testing.T) {
			var p Problem
			wantProblem(t, e.apiCall("GET", "/api/v1/checklists/QDNOSUCH22", "", nil, &p), p, 404, "", "checklist_not_found")
		})
	})
}

func TestCatalogAPIFacetsAndStats(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		e := newCatalogEnv(t, d)
		var f catalog.Facets
		if got := e.apiCall("GET", "/api/v1/items/facets", "", nil, &f); got != 200 {
			t.Fatalf("facets: %d", got)
		}
		var events, stages []string
		for _, x := range f.LifeEvents {
			events = append(events, x.Value)
		}
		for _, x := range f.Lifecycle {
			stages = append(stages, x.Value)
		}
		if !slices.Equal(events, catalog.LifeEvents) || !slices.Equal(stages, catalog.LifecycleStages) || len(f.Kinds) != 8 || len(f.Orgs) < 10 {
			t.Fatalf("got events %v stages %v, %d kinds, %d orgs", events, stages, len(f.Kinds), len(f.Orgs))
		}
		var all catalog.SearchResult
		e.apiCall("GET", "/api/v1/items?page_size=100", "", nil, &all)
		var st catalogStats
		if got := e.apiCall("GET", "/api/v1/stats/catalog?region=990121", "", nil, &st); got != 200 {
			t.Fatalf("stats: %d", got)
		}
		sum, kinds := 0, 0
		for _, m := range st.ByOrg {
			sum += m.Items
		}
		for _, k := range st.ByKind {
			kinds += k.Count
		}
		if st.Items != all.Total || sum != all.Total || kinds != all.Total || st.CompressionRate <= 0 || st.CompressionRate >= 1 {
			t.Fatalf("got items %d, by org %d, by kind %d, compression %v; want %d everywhere", st.Items, sum, kinds, st.CompressionRate, all.Total)
		}
		// One department: its count equals the browse of that org, and its
		// online rate is what its hits say.
		id := e.orgs["示范县市场监督管理局"]
		var org catalogStats
		e.apiCall("GET", fmt.Sprintf("/api/v1/stats/catalog?org=%d", id), "", nil, &org)
		var hits catalog.SearchResult
		e.apiCall("GET", fmt.Sprintf("/api/v1/items?org=%d&page_size=100", id), "", nil, &hits)
		online := 0
		for _, h := range hits.Items {
			if h.OnlineDepth >= 3 {
				online++
			}
		}
		if org.Items != hits.Total || org.Org != "示范县市场监督管理局" || org.OnlineRate != float64(online)/float64(hits.Total) || org.ByOrg != nil {
			t.Fatalf("got org stats %+v, want %d items, online %d", org.Metrics, hits.Total, online)
		}
		for _, q := range []string{"region=99", "org=x"} {
			var p Problem
			wantProblem(t, e.apiCall("GET", "/api/v1/stats/catalog?"+q, "", nil, &p), p, 422, strings.Split(q, "=")[0], "")
		}
		var p Problem
		wantProblem(t, e.apiCall("GET", "/api/v1/stats/catalog?org=999999", "", nil, &p), p, 404, "org", "org_not_found")
	})
}

func TestCatalogAPIAdjustments(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		e := newCatalogEnv(t, d)
		ctx := context.Background()
		// A draft batch is not public.
		if _, err := e.Srv.Catalog.CreateBatch(ctx, catalog.System, catalog.Batch{RegionCode: "990121", Title: "草稿批次", DocNo: "草稿", EffectiveDate: "2026-04-01",
			Entries: []catalog.Entry{{Kind: catalog.AdjCancel, Code: clinicCode}}}); err != nil {
			t.Fatal(err)
		}
		id := publishV2(t, e)
		var l list[catalog.Batch]
		if got := e.apiCall("GET", "/api/v1/adjustments", "", nil, &l); got != 200 || l.Total != 1 || l.Items[0].ID != id || l.Items[0].Status != "applied" {
			t.Fatalf("got %d %+v, want only the applied batch", got, l)
		}
		var b batchWithChanges
		if got := e.apiCall("GET", fmt.Sprintf("/api/v1/adjustments/%d", id), "", nil, &b); got != 200 || len(b.Changes) != 1 || b.Changes[0].ItemCode != foodCode || b.DocNo != "示政审〔2026〕1号" {
			t.Fatalf("got %d %+v", got, b)
		}
		for _, path := range []string{"/api/v1/adjustments/1", "/api/v1/adjustments/999", "/api/v1/adjustments/x"} {
			if path == fmt.Sprintf("/api/v1/adjustments/%d", id) {
				continue
			}
			var p Problem
			wantProblem(t, e.apiCall("GET", path, "", nil, &p), p, 404, "", "adjustment_not_found")
		}
	})
}

func TestCatalogAPISavingAnIncompleteChecklistNamesTheOpenQuestion(t *testing.T) {
	e := newCatalogEnv(t, dbtest.SQLite(t))
	var prob Problem
	body := map[string]any{"answers": map[string]string{"scope": "catering", "promise": "no", "agent": "no"}, "save": true}
	if got := e.apiCall("POST", "/api/v1/items/"+foodCode+"/checklist", "", body, &prob); got != 422 || prob.Code != "unanswered_question" {
		t.Fatalf("got %d %q, want 422 unanswered_question", got, prob.Code)
	}
	if f := problemFields(prob); f["answers.water"] == "" || len(f) != 1 {
		t.Errorf("got fields %v, want answers.water only", f)
	}
}
