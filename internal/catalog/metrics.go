package catalog

import (
	"context"
	"math"
	"sort"
	"strconv"
)

// Metrics are the catalog figures shown on the supervisor dashboard and the
// public page, for one region or one department. Rates are fractions (0–1);
// the *Pct fields are the same rates in percent, truncated (not rounded) to
// two decimals the way the official tallies report them (the seed's
// 8660 → 1520 days is reported as 82.44 %, while rounding would give 82.45 %).
type Metrics struct {
	RegionCode string      `json:"region,omitempty"`
	OrgID      int64       `json:"org_id,omitempty"`
	Org        string      `json:"org,omitempty"`
	Items      int         `json:"items"`
	ByKind     []KindCount `json:"by_kind"`

	InHallRate      float64 `json:"in_hall_rate"`           // 进驻率
	OnlineRate      float64 `json:"online_rate"`            // 网上可办率: depth ≥ 3
	FullyOnlineRate float64 `json:"fully_online_rate"`      // 全程网办率: depth 4
	ImmediateShare  float64 `json:"immediate_share"`        // 即办件
	ZeroTripShare   float64 `json:"zero_trip_share"`        // 零跑动
	OneTripShare    float64 `json:"at_most_one_trip_share"` // 最多跑一次

	LegalDays       float64 `json:"legal_days"`       // Σ legal limits, working-day equivalents
	PromisedDays    float64 `json:"promised_days"`    // Σ promised limits
	CompressionRate float64 `json:"compression_rate"` // 时限压缩率 = 1 − Σpromised / Σlegal

	Materials            int     `json:"materials"`
	AvgMaterials         float64 `json:"avg_materials"`
	AvgRequiredMaterials float64 `json:"avg_required_materials"`
	ELicenseMaterials    int     `json:"e_license_materials"` // can be replaced by an e-license
	ELicenseShare        float64 `json:"e_license_share"`

	InHallPct, OnlinePct, FullyOnlinePct, ImmediatePct, ZeroTripPct, OneTripPct, CompressionPct, ELicensePct float64 `json:"-"`
}

// KindCount is the number of items of one kind.
type KindCount struct {
	Kind  Kind   `json:"kind"`
	Label string `json:"label"`
	Count int    `json:"count"`
}

// Pct is a fraction in percent truncated to two decimals.
func Pct(f float64) float64 {
	return math.Trunc(f*10000+1e-9) / 100
}

// ComputeMetrics computes the figures over items.
func ComputeMetrics(items []*Item) Metrics {
	sums := make([]*Summary, len(items))
	for i, it := range items {
		sum := summaryOf(it)
		sums[i] = &sum
	}
	return computeMetrics(sums)
}

// computeMetrics computes the figures over the summaries of items.
func computeMetrics(items []*Summary) Metrics {
	var m Metrics
	m.Items = len(items)
	kinds := map[Kind]int{}
	var inHall, online, full, immediate, zero, one, required int
	for _, it := range items {
		kinds[it.Kind]++
		inHall += b2i(it.InHall)
		online += b2i(it.OnlineDepth >= 3)
		full += b2i(it.OnlineDepth == 4)
		immediate += b2i(it.CaseType == Immediate)
		zero += b2i(it.Trips == 0)
		one += b2i(it.Trips <= 1)
		m.LegalDays += it.LegalLimit.WorkingDays()
		m.PromisedDays += it.PromisedLimit.WorkingDays()
		m.Materials += it.Materials
		required += it.RequiredMaterials
		m.ELicenseMaterials += it.ELicenseMaterials
	}
	for _, k := range Kinds() {
		m.ByKind = append(m.ByKind, KindCount{Kind: k, Label: k.Label(), Count: kinds[k]})
	}
	share := func(n, of int) float64 {
		if of == 0 {
			return 0
		}
		return float64(n) / float64(of)
	}
	n := len(items)
	m.InHallRate, m.OnlineRate, m.FullyOnlineRate = share(inHall, n), share(online, n), share(full, n)
	m.ImmediateShare, m.ZeroTripShare, m.OneTripShare = share(immediate, n), share(zero, n), share(one, n)
	if m.LegalDays > 0 {
		m.CompressionRate = 1 - m.PromisedDays/m.LegalDays
	}
	if n > 0 {
		m.AvgMaterials = float64(m.Materials) / float64(n)
		m.AvgRequiredMaterials = float64(required) / float64(n)
	}
	m.ELicenseShare = share(m.ELicenseMaterials, m.Materials)
	m.InHallPct, m.OnlinePct, m.FullyOnlinePct = Pct(m.InHallRate), Pct(m.OnlineRate), Pct(m.FullyOnlineRate)
	m.ImmediatePct, m.ZeroTripPct, m.OneTripPct = Pct(m.ImmediateShare), Pct(m.ZeroTripShare), Pct(m.OneTripShare)
	m.CompressionPct, m.ELicensePct = Pct(m.CompressionRate), Pct(m.ELicenseShare)
	return m
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// Metrics computes the figures of the published catalog of a region
// (including its sub-regions; "" for all) or, when orgID is set, of one
// department. Anyone may read them: they are published on a public page.
func (s *Service) Metrics(ctx context.Context, region string, orgID int64) (Metrics, error) {
	if err := s.ensure(ctx); err != nil {
		return Metrics{}, err
	}
	var items []*Summary
	s.eachSummary(region, func(it *Summary) {
		if orgID == 0 || it.OrgID == orgID {
			items = append(items, it)
		}
	})
	m := computeMetrics(items)
	m.RegionCode, m.OrgID = region, orgID
	if orgID != 0 {
		o, _ := s.orgOf(ctx)(orgID)
		m.Org = o.Name
	}
	return m, nil
}

// MetricsByOrg computes the figures of every department of a region, largest first.
func (s *Service) MetricsByOrg(ctx context.Context, region string) ([]Metrics, error) {
	if err := s.ensure(ctx); err != nil {
		return nil, err
	}
	byOrg := map[int64][]*Summary{}
	s.eachSummary(region, func(it *Summary) { byOrg[it.OrgID] = append(byOrg[it.OrgID], it) })
	out := make([]Metrics, 0, len(byOrg))
	for id, items := range byOrg {
		m := computeMetrics(items)
		m.RegionCode, m.OrgID = region, id
		if o, ok := s.orgOf(ctx)(id); ok {
			m.Org = o.Name
		}
		out = append(out, m)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Items != out[j].Items {
			return out[i].Items > out[j].Items
		}
		return strconv.FormatInt(out[i].OrgID, 10) < strconv.FormatInt(out[j].OrgID, 10)
	})
	return out, nil
}
