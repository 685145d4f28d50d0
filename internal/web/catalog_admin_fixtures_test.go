package web

import (
	"context"
	"fmt"
	"testing"

	"banhao.dev/banhao/internal/catalog"
	"banhao.dev/banhao/internal/platform/auth"
)

// catEnv is a test server with two organizations and the catalog staff
// of 示范县 and 东山县.
type catEnv struct {
	*testEnv
	OrgID, EastOrgID int64
	Admin, East      string // bearer tokens of the catalog admins of 990121 and 990122
	Clerk, Sup       string
}

func newCatEnv(t *testing.T, e *testEnv) *catEnv {
	t.Helper()
	c := &catEnv{testEnv: e}
	for i, o := range []struct {
		name, region string
		id           *int64
	}{{"示范县市场监督管理局", "990121", &c.OrgID}, {"东山县市场监督管理局", "990122", &c.EastOrgID}} {
		err := e.DB.W.QueryRowContext(context.Background(), `INSERT INTO orgs (name, uscc, region_code, kind, created_at, updated_at)
			VALUES ($1, $2, $3, 'department', $4, $4) RETURNING id`, o.name, fmt.Sprintf("USCC%014d", i), o.region, e.Sim.Now()).Scan(o.id)
		if err != nil {
			t.Fatalf("insert org: %v", err)
		}
	}
	e.mustUser("catadm", "990121", auth.CatalogAdmin)
	e.mustUser("eastadm", "990122", auth.CatalogAdmin)
	e.mustUser("clerk1", "990121", auth.Clerk)
	e.mustUser("sup1", "990121", auth.Supervisor)
	c.Admin, c.East, c.Clerk, c.Sup = e.mustToken("catadm"), e.mustToken("eastadm"), e.mustToken("clerk1"), e.mustToken("sup1")
	return c
}

// validItem is a complete item of 示范县 that the service accepts.
func (c *catEnv) validItem(code string) catalog.Item {
	return catalog.Item{
		Code: code, Name: "个体工商户登记", Kind: catalog.License, Level: "county", OrgID: c.OrgID, RegionCode: "990121", Domain: "商事登记",
		LegalBasis: []catalog.LegalBasis{{Law: "促进个体工商户发展条例", Article: "第八条"}},
		Remedies:   catalog.Remedies{Reconsideration: "示范县人民政府", Litigation: "示范县人民法院"},
		LegalLimit: catalog.Limit{Days: 15, Unit: catalog.WorkingDay}, PromisedLimit: catalog.Limit{Days: 3, Unit: catalog.WorkingDay},
		CaseType: catalog.Promised, Trips: 1, OnlineDepth: 3, Channels: []catalog.Channel{"window", "online"}, ServiceObjects: []string{"person"},
		Materials: []catalog.Material{
			{ID: "form", Name: "个体工商户登记申请书", Kind: "form", Required: true},
			{ID: "lease", Name: "经营场所租赁合同", Kind: "contract", Condition: `site == "rented"`},
		},
		Situations: []catalog.Situation{{ID: "site", Question: "经营场所是自有还是租赁？", Answers: []catalog.Answer{{ID: "own", Label: "自有"}, {ID: "rented", Label: "租赁"}}}},
	}
}

// mustPublished creates, submits and publishes an item through the API.
func (c *catEnv) mustPublished(code string) {
	c.t.Helper()
	if st := c.apiCall("POST", "/api/v1/items", c.Admin, c.validItem(code), nil); st != 201 {
		c.t.Fatalf("create %s: %d", code, st)
	}
	for _, a := range []string{"submit", "publish"} {
		if st := c.apiCall("POST", "/api/v1/items/"+code+"/actions/"+a, c.Admin, nil, nil); st != 200 {
			c.t.Fatalf("%s %s: %d", a, code, st)
		}
	}
}

// problemFields returns the field → message map of a problem document.
func problemFields(p Problem) map[string]string {
	out := map[string]string{}
	for _, f := range p.Errors {
		out[f.Field] = f.Message
	}
	return out
}
