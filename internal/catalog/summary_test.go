package catalog

import (
	"context"
	"encoding/json"
	"reflect"
	"testing"

	"banhao.dev/banhao/internal/platform/db"
	"banhao.dev/banhao/internal/platform/dbtest"
)

// The listed fields are decoded from the stored body with their own JSON
// tags: a renamed Item tag would silently empty a summary or the index.
func TestListedMatchesItem(t *testing.T) {
	items, err := DemoItems()
	if err != nil {
		t.Fatal(err)
	}
	for i := range items {
		it := &items[i]
		raw, err := json.Marshal(it)
		if err != nil {
			t.Fatal(err)
		}
		var got listed
		if err := json.Unmarshal(raw, &got); err != nil {
			t.Fatal(err)
		}
		want := listedOf(it)
		if !reflect.DeepEqual(got.doc(it.Code), want.doc(it.Code)) {
			t.Errorf("%s: decoded index doc %+v, want %+v", it.Code, got.doc(it.Code), want.doc(it.Code))
		}
		if g, w := got.summary(it.Code, 1, interner{}), want.summary(it.Code, 1, nil); !reflect.DeepEqual(g, w) {
			t.Errorf("%s: decoded summary %+v, want %+v", it.Code, g, w)
		}
	}
}

func TestCatalogIsLoadedOnFirstUse(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		src, _, _ := mustSeeded(t, d)
		svc := NewService(d, src.clock)
		if err := svc.Start(ctx); err != nil {
			t.Fatal(err)
		}
		if svc.loaded.Load() || svc.index.Len() != 0 {
			t.Fatalf("Start built the catalog: loaded %v, %d indexed", svc.loaded.Load(), svc.index.Len())
		}
		// A change before the build is not lost: the build reads it.
		if err := svc.Suspend(ctx, System, "0100001000-990121-01", "测试暂停"); err != nil {
			t.Fatal(err)
		}
		res, err := svc.Search(ctx, SearchQuery{Q: "企业设立登记"})
		if err != nil {
			t.Fatal(err)
		}
		if !svc.loaded.Load() || svc.index.Len() == 0 {
			t.Fatalf("search did not build the catalog")
		}
		for _, h := range res.Items {
			if h.Code == "0100001000-990121-01" {
				t.Errorf("suspended item found: %+v", h)
			}
		}
		if _, err := svc.Guide(ctx, "0100001000-990121-01", 0); err == nil {
			t.Errorf("guide of a suspended item: got no error")
		}
		// A change after the build updates the summaries, the index and the guide.
		if err := svc.Resume(ctx, System, "0100001000-990121-01", "测试恢复"); err != nil {
			t.Fatal(err)
		}
		g, err := svc.Guide(ctx, "0100001000-990121-01", 0)
		if err != nil || g.Status != StatusPublished || len(g.Materials) == 0 {
			t.Fatalf("guide after resume: %v %+v", err, g)
		}
		if again, _ := svc.Guide(ctx, "0100001000-990121-01", 0); again != g {
			t.Errorf("second open of the guide was not served from the cache")
		}
		res, _ = svc.Search(ctx, SearchQuery{Q: "企业设立登记"})
		if len(res.Items) == 0 || res.Items[0].Code != "0100001000-990121-01" || res.Items[0].Org != "示范县市场监督管理局" {
			t.Errorf("search after resume: got %+v", res.Items)
		}
		// Another item leaves the list after the build.
		if err := svc.Suspend(ctx, System, "0100002000-990121-01", "测试暂停"); err != nil {
			t.Fatal(err)
		}
		// Summaries agree with the whole items read from the database.
		sums, err := svc.Summaries(ctx, "990121")
		if err != nil {
			t.Fatal(err)
		}
		items := mustItemsOf(t, svc, "990121")
		if len(sums) != len(items) {
			t.Fatalf("got %d summaries, want %d", len(sums), len(items))
		}
		for i, it := range items {
			if w := summaryOf(it); !reflect.DeepEqual(sums[i], w) {
				t.Errorf("summary %s: got %+v, want %+v", it.Code, sums[i], w)
			}
		}
		// Templates of published materials have their declared name.
		tpl := g.Materials[0].Template
		if tpl == nil {
			t.Fatal("demo item has no template")
		}
		if name, err := svc.FileName(ctx, tpl.Hash); err != nil || name != tpl.Name {
			t.Errorf("file name: got %q (%v), want %q", name, err, tpl.Name)
		}
		if name, _ := svc.FileName(ctx, "00"); name != "" {
			t.Errorf("unknown hash: got name %q", name)
		}
	})
}
