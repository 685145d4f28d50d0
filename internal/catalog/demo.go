package catalog

import (
	"context"
	"database/sql"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"time"

	"banhao.dev/banhao/internal/platform/clock"
)

// The demo catalog of the fictional 示范县 (region 990121): real item names,
// materials as real guides write them and realistic limits, including the
// seeds' figures (企业开办 within 3 working days; water 9, gas 13, heating
// 22 working days; electricity 20 low voltage / 45 for 10 kV; real-estate
// registration 5 working days). Organizations are referred to by exact name.

//go:embed demo/*.json
var demoFS embed.FS

// DemoItems returns the demo items with seed defaults applied; OrgID is 0
// and Org holds the organization's exact name.
func DemoItems() ([]Item, error) {
	var out []Item
	files, err := fs.Glob(demoFS, "demo/0*.json")
	if err != nil {
		return nil, err
	}
	sort.Strings(files)
	for _, f := range files {
		raw, err := demoFS.ReadFile(f)
		if err != nil {
			return nil, err
		}
		var seeds []seedItem
		if err := json.Unmarshal(raw, &seeds); err != nil {
			return nil, fmt.Errorf("demo %s: %w", path.Base(f), err)
		}
		for _, s := range seeds {
			out = append(out, s.item())
		}
	}
	return out, nil
}

// DemoSynonyms returns the demo synonym table.
func DemoSynonyms() ([]Synonym, error) {
	raw, err := demoFS.ReadFile("demo/synonyms.json")
	if err != nil {
		return nil, err
	}
	var out []Synonym
	if err := json.Unmarshal(raw, &out); err != nil {
		return nil, fmt.Errorf("demo synonyms: %w", err)
	}
	return out, nil
}

// seedItem is an Item with seed-only defaults: in_hall defaults to true.
type seedItem struct {
	Item
	InHall *bool `json:"in_hall"`
}

var demoContact = Contact{ConsultPhone: "0999-12345", ComplaintPhone: "12345",
	Address: "示范县政务服务中心（示范县人民路1号）", Hours: "工作日 上午9:00—12:00，下午13:30—17:00（周六上午延时服务）"}

func (s seedItem) item() Item {
	it := s.Item
	it.InHall = s.InHall == nil || *s.InHall
	if it.Level == "" {
		it.Level = "county"
	}
	if it.RegionCode == "" {
		it.RegionCode = "990121"
	}
	if it.Kind != PublicService && it.Remedies.Reconsideration == "" {
		it.Remedies = Remedies{Reconsideration: "示范县人民政府", Litigation: "示范县人民法院"}
	}
	if it.Contact.ConsultPhone == "" {
		it.Contact = demoContact
	}
	if len(it.Channels) == 0 {
		it.Channels = []Channel{"window", "online"}
	}
	if len(it.ServiceObjects) == 0 {
		it.ServiceObjects = []string{"person"}
	}
	for i := range it.Materials {
		m := &it.Materials[i]
		m.Template = demoFileRef(m.Template)
		m.Sample = demoFileRef(m.Sample)
	}
	return it
}

// SeedDemo creates and publishes the demo catalog and synonyms at time at.
// It is idempotent: items that already exist are left alone. orgLookup maps
// an exact organization name to its id.
func SeedDemo(ctx context.Context, svc *Service, orgLookup func(name string) (int64, error), at time.Time) (created int, err error) {
	items, err := DemoItems()
	if err != nil {
		return 0, err
	}
	now := clock.Norm(at)
	for i := range items {
		it := items[i]
		id, err := orgLookup(it.Org)
		if err != nil {
			return created, fmt.Errorf("demo item %s: org %q: %w", it.Code, it.Org, err)
		}
		it.OrgID = id
		for j := range it.Process.Steps {
			if n := it.Process.Steps[j].Org; n != "" {
				if it.Process.Steps[j].OrgID, err = orgLookup(n); err != nil {
					return created, fmt.Errorf("demo item %s step org %q: %w", it.Code, n, err)
				}
			}
		}
		if _, err := getItemRow(ctx, svc.db.R, it.Code, ""); err == nil {
			continue
		} else if !errors.Is(err, ErrItemNotFound) {
			return created, err
		}
		if err := svc.prepare(ctx, &it); err != nil {
			return created, fmt.Errorf("demo item %s %s: %w", it.Code, it.Name, err)
		}
		err = svc.tx(ctx, func(tx *sql.Tx) error {
			return svc.publishDirectTx(ctx, tx, System, &it, now, 0, "published", "示范目录初始发布")
		})
		if err != nil {
			return created, fmt.Errorf("seed %s: %w", it.Code, err)
		}
		svc.afterChange(&it)
		created++
	}
	syns, err := DemoSynonyms()
	if err != nil {
		return created, err
	}
	have, err := svc.Synonyms(ctx)
	if err != nil {
		return created, err
	}
	known := map[string]bool{}
	for _, s := range have {
		known[s.Term] = true
	}
	for _, s := range syns {
		if !known[s.Term] {
			if err := svc.SetSynonym(ctx, System, s); err != nil {
				return created, err
			}
		}
	}
	return created, nil
}

// DemoOrgNames lists the organization names the demo catalog uses.
func DemoOrgNames() []string {
	items, _ := DemoItems()
	seen := map[string]bool{}
	var out []string
	for _, it := range items {
		if !seen[it.Org] {
			seen[it.Org] = true
			out = append(out, it.Org)
		}
	}
	sort.Strings(out)
	return out
}
