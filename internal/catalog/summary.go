package catalog

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"

	"banhao.dev/banhao/internal/catalog/search"
	"banhao.dev/banhao/internal/platform/db"
)

// Summary is what the catalog keeps in memory of a published item: the
// fields of result lists, browse filters and metrics. A whole version (a
// guide is 2–5 kB of JSON and ten times that decoded) is read from the
// database when it is opened, so 30,000 items fit in a few MB.
type Summary struct {
	Code              string
	Version           int
	Name              string
	ShortName         string
	Kind              Kind
	OrgID             int64
	Org               string
	RegionCode        string
	Domain            string
	LegalLimit        Limit
	PromisedLimit     Limit
	CaseType          CaseType
	Trips             int
	OnlineDepth       int
	InHall            bool
	Materials         int // number of materials
	RequiredMaterials int
	ELicenseMaterials int // materials an e-license can replace

	files []File // templates and samples of the materials (name and hash)
}

// listed is the part of a version's JSON body that the summary and the
// search index need; decoding only these fields skips the rest of the
// body without allocating it. Tags must match Item's (TestListedMatchesItem).
type listed struct {
	Name           string           `json:"name"`
	ShortName      string           `json:"short_name"`
	Kind           Kind             `json:"kind"`
	Level          Level            `json:"level"`
	OrgID          int64            `json:"org_id"`
	Org            string           `json:"org"`
	RegionCode     string           `json:"region_code"`
	Department     string           `json:"department"`
	InHall         bool             `json:"in_hall"`
	Domain         string           `json:"domain"`
	ResultName     string           `json:"result_name"`
	LegalLimit     Limit            `json:"legal_limit"`
	PromisedLimit  Limit            `json:"promised_limit"`
	CaseType       CaseType         `json:"case_type"`
	Trips          int              `json:"trips"`
	OnlineDepth    int              `json:"online_depth"`
	ServiceObjects []string         `json:"service_objects"`
	Materials      []listedMaterial `json:"materials"`
	LifeEvents     []string         `json:"life_events"`
	Lifecycle      []string         `json:"lifecycle"`
	Themes         []string         `json:"themes"`
	Aliases        []string         `json:"aliases"`
	Keywords       []string         `json:"keywords"`
}

type listedMaterial struct {
	Name         string `json:"name"`
	Required     bool   `json:"required"`
	ELicenseType string `json:"e_license_type"`
	Template     *File  `json:"template"`
	Sample       *File  `json:"sample"`
}

// listedOf takes the listed fields of a whole item.
func listedOf(it *Item) *listed {
	l := &listed{Name: it.Name, ShortName: it.ShortName, Kind: it.Kind, Level: it.Level, OrgID: it.OrgID, Org: it.Org,
		RegionCode: it.RegionCode, Department: it.Department, InHall: it.InHall, Domain: it.Domain, ResultName: it.ResultName,
		LegalLimit: it.LegalLimit, PromisedLimit: it.PromisedLimit, CaseType: it.CaseType, Trips: it.Trips,
		OnlineDepth: it.OnlineDepth, ServiceObjects: it.ServiceObjects, LifeEvents: it.LifeEvents, Lifecycle: it.Lifecycle,
		Themes: it.Themes, Aliases: it.Aliases, Keywords: it.Keywords}
	for _, m := range it.Materials {
		l.Materials = append(l.Materials, listedMaterial{Name: m.Name, Required: m.Required, ELicenseType: m.ELicenseType,
			Template: m.Template, Sample: m.Sample})
	}
	return l
}

// interner shares equal strings: generated and real catalogs repeat org
// names, regions, domains and (for copies) item names many times.
type interner map[string]string

func (in interner) s(v string) string {
	if in == nil {
		return v
	}
	if x, ok := in[v]; ok {
		return x
	}
	in[v] = v
	return v
}

// summary builds the in-memory record of a published version.
func (l *listed) summary(code string, version int, in interner) Summary {
	s := Summary{Code: code, Version: version, Name: in.s(l.Name), ShortName: in.s(l.ShortName), Kind: Kind(in.s(string(l.Kind))),
		OrgID: l.OrgID, Org: in.s(l.Org), RegionCode: in.s(l.RegionCode), Domain: in.s(l.Domain),
		LegalLimit:    Limit{l.LegalLimit.Days, LimitUnit(in.s(string(l.LegalLimit.Unit)))},
		PromisedLimit: Limit{l.PromisedLimit.Days, LimitUnit(in.s(string(l.PromisedLimit.Unit)))},
		CaseType:      CaseType(in.s(string(l.CaseType))), Trips: l.Trips, OnlineDepth: l.OnlineDepth, InHall: l.InHall,
		Materials: len(l.Materials)}
	for _, m := range l.Materials {
		s.RequiredMaterials += b2i(m.Required)
		s.ELicenseMaterials += b2i(m.ELicenseType != "")
		for _, f := range []*File{m.Template, m.Sample} {
			if f != nil && f.Hash != "" {
				s.files = append(s.files, File{Name: in.s(f.Name), Hash: in.s(f.Hash)})
			}
		}
	}
	return s
}

// summaryOf is the summary of a whole item.
func summaryOf(it *Item) Summary {
	return listedOf(it).summary(it.Code, it.Version, nil)
}

// doc is how an item is searched and browsed.
func (l *listed) doc(code string) search.Doc {
	var d search.Doc
	d.Key = code
	d.Order = code
	d.Fields[search.Name] = []string{l.Name}
	if l.ShortName != "" {
		d.Fields[search.ShortName] = []string{l.ShortName}
	}
	d.Fields[search.Alias] = append(append([]string{}, l.Aliases...), l.ResultName)
	d.Fields[search.Keyword] = l.Keywords
	for _, m := range l.Materials {
		d.Fields[search.Material] = append(d.Fields[search.Material], m.Name)
	}
	tags := []string{"org:" + strconv.FormatInt(l.OrgID, 10), "kind:" + string(l.Kind), "region:" + l.RegionCode,
		"level:" + string(l.Level), "domain:" + l.Domain}
	if l.Department != "" {
		tags = append(tags, "dept:"+l.Department)
	}
	for _, e := range l.LifeEvents {
		tags = append(tags, "event:"+e)
	}
	for _, e := range l.Lifecycle {
		tags = append(tags, "event:"+e)
	}
	for _, t := range l.Themes {
		tags = append(tags, "theme:"+t)
	}
	for _, o := range l.ServiceObjects {
		tags = append(tags, "object:"+o)
	}
	d.Tags = tags
	return d
}

// indexDoc is how an item is searched and browsed.
func indexDoc(it *Item) search.Doc { return listedOf(it).doc(it.Code) }

// eachPublished calls fn with the listed fields of the current version of
// every published item, in code order, one row at a time.
func eachPublished(ctx context.Context, q db.Q, fn func(code string, version int, l *listed) error) error {
	rows, err := q.QueryContext(ctx, `SELECT v.item_code, v.version, v.body, COALESCE(o.name, '')`+versionFrom+
		` WHERE i.current_version > 0 AND v.version = i.current_version AND i.status = $1 ORDER BY v.item_code`, StatusPublished)
	if err != nil {
		return fmt.Errorf("published items: %w", err)
	}
	defer rows.Close()
	var (
		code, org string
		body      sql.RawBytes // valid until the next row; Unmarshal copies what it keeps
		version   int
	)
	for rows.Next() {
		if err := rows.Scan(&code, &version, &body, &org); err != nil {
			return fmt.Errorf("scan item: %w", err)
		}
		var l listed
		if err := json.Unmarshal(body, &l); err != nil {
			return fmt.Errorf("decode item %s v%d: %w", code, version, err)
		}
		// as scanVersion: the org's current name wins over the body's
		if l.OrgID != 0 && org != "" {
			l.Org = org
		}
		if err := fn(code, version, &l); err != nil {
			return err
		}
	}
	return rows.Err()
}

// fileRef counts the published items whose materials offer a file.
type fileRef struct {
	name string
	n    int
}

// guideKey is the key of a published version in Service.guides, which
// keeps the most recently opened ones (immutable, so a cached one never goes
// stale; the item's status is checked against the summaries before the
// cache is asked).
func guideKey(code string, version int) string { return code + "@" + strconv.Itoa(version) }
