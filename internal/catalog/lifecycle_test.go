package catalog

import (
	"context"
	"errors"
	"testing"

	"banhao.dev/banhao/internal/platform/audit"
	"banhao.dev/banhao/internal/platform/db"
	"banhao.dev/banhao/internal/platform/dbtest"
	"banhao.dev/banhao/internal/platform/errs"
)

func TestItemLifecycleAndVersionImmutability(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		svc, orgs, _ := mustService(t, d)
		org := orgs["示范县市场监督管理局"]
		in := sampleItem(org)

		if _, err := svc.Create(ctx, Caller{}, in); !errors.Is(err, ErrForbidden) {
			t.Fatalf("anonymous create: got %v, want forbidden", err)
		}
		other := Caller{UserID: 5, Roles: []string{RoleCatalogAdmin}, RegionCode: "990122"}
		if _, err := svc.Create(ctx, other, in); !errors.Is(err, ErrForbidden) {
			t.Fatalf("admin of another county: got %v, want forbidden", err)
		}
		if _, err := svc.Create(ctx, admin, in); err != nil {
			t.Fatalf("create: %v", err)
		}
		_, err := svc.Create(ctx, admin, in)
		if !errors.Is(err, ErrDuplicateCode) {
			t.Fatalf("duplicate code: got %v, want %v", err, ErrDuplicateCode)
		}
		if e, _ := errs.As(err); len(e.Fields) != 1 || e.Fields[0].Field != "code" {
			t.Errorf("duplicate code: got fields %+v, want the field code", e.Fields)
		}
		if _, err := svc.Guide(ctx, in.Code, 0); !errors.Is(err, ErrItemNotFound) {
			t.Fatalf("draft visible to public: got %v", err)
		}
		if _, err := svc.Publish(ctx, admin, in.Code); !errors.Is(err, ErrState) {
			t.Fatalf("publish without review: got %v, want %v", err, ErrState)
		}
		mustOK(t, svc.Submit(ctx, admin, in.Code))
		v1, err := svc.Publish(ctx, admin, in.Code)
		if err != nil || v1.Version != 1 {
			t.Fatalf("publish: %v (version %v)", err, v1)
		}
		if hits, _ := svc.Search(ctx, SearchQuery{Q: "测试许可"}); hits.Total != 1 {
			t.Errorf("published item not searchable: total %d", hits.Total)
		}

		// Editing a published item opens version 2; version 1 stays as published.
		in.Name = "测试许可事项（修订）"
		in.PromisedLimit = Limit{Days: 3}
		w, err := svc.Update(ctx, admin, in.Code, in)
		if err != nil || w.Version != 2 {
			t.Fatalf("update: %v (version %d)", err, w.Version)
		}
		g, _ := svc.Guide(ctx, in.Code, 0)
		if g.Version != 1 || g.Name != "测试许可事项" {
			t.Errorf("public guide changed before publication: got v%d %q", g.Version, g.Name)
		}
		mustOK(t, svc.Submit(ctx, admin, in.Code))
		if _, err := svc.Publish(ctx, admin, in.Code); err != nil {
			t.Fatal(err)
		}
		old, err := svc.Guide(ctx, in.Code, 1)
		if err != nil || old.Name != "测试许可事项" || old.PromisedLimit.Days != 5 {
			t.Errorf("version 1 after v2 published: got %v %+v", err, old)
		}
		cur, _ := svc.Guide(ctx, in.Code, 0)
		if cur.Version != 2 || cur.PromisedLimit.Days != 3 {
			t.Errorf("current: got v%d %v", cur.Version, cur.PromisedLimit)
		}

		// The database refuses to touch a published row, whatever the caller.
		if _, err := d.W.ExecContext(ctx, `UPDATE item_versions SET body = '{}' WHERE item_code = $1 AND version = 1`, in.Code); err == nil {
			t.Error("database updated a published version")
		}
		if _, err := d.W.ExecContext(ctx, `DELETE FROM item_versions WHERE item_code = $1 AND version = 1`, in.Code); err == nil {
			t.Error("database deleted a published version")
		}
		stored := &Item{Code: in.Code, Version: 1, State: StateDraft}
		if err := updateWorkingVersion(ctx, d.W, stored, t0); !errors.Is(err, ErrImmutable) {
			t.Errorf("store update of published version: got %v, want %v", err, ErrImmutable)
		}

		// Suspension hides it from the public; the version stays viewable.
		if err := svc.Suspend(ctx, admin, in.Code, ""); err == nil {
			t.Error("suspend without reason accepted")
		}
		mustOK(t, svc.Suspend(ctx, admin, in.Code, "机构改革暂停受理"))
		if _, err := svc.Guide(ctx, in.Code, 0); !errors.Is(err, ErrItemNotFound) {
			t.Errorf("suspended item is public: %v", err)
		}
		if _, err := svc.Guide(ctx, in.Code, 2); err != nil {
			t.Errorf("published version of a suspended item: %v", err)
		}
		if hits, _ := svc.Search(ctx, SearchQuery{Q: "测试许可"}); hits.Total != 0 {
			t.Errorf("suspended item searchable")
		}
		vs, _ := svc.Versions(ctx, Caller{}, in.Code)
		if len(vs) != 2 {
			t.Errorf("public versions: got %d, want 2", len(vs))
		}
		changes, _ := svc.Changes(ctx, in.Code)
		var actions []string
		for _, c := range changes {
			actions = append(actions, c.Action)
		}
		if want := []string{"created", "published", "published", "suspended"}; !equalStrings(actions, want) {
			t.Errorf("change log: got %v, want %v", actions, want)
		}
		evs, err := audit.Stream(ctx, d.R, "item/"+in.Code)
		if err != nil || len(evs) < 7 {
			t.Errorf("audit stream: got %d events (%v), want ≥ 7", len(evs), err)
		}
		if res, err := audit.Verify(ctx, d.R, "item/"); err != nil || len(res.Broken) > 0 {
			t.Errorf("audit chain: %v %+v", err, res)
		}
	})
}

func TestCreateRejectsInvalidItemWithFields(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		svc, orgs, _ := mustService(t, d)
		in := sampleItem(orgs["示范县市场监督管理局"])
		in.PromisedLimit = Limit{Days: 30}
		in.Materials[1].ELicenseType = "nope"
		_, err := svc.Create(context.Background(), admin, in)
		e, ok := errs.As(err)
		if !ok || e.Kind != errs.Invalid || len(e.Fields) != 2 {
			t.Fatalf("got %v, want invalid with 2 fields", err)
		}
	})
}

func mustOK(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
