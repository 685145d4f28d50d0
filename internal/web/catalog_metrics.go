package web

import (
	"fmt"
	"html/template"
	"net/http"
	"sort"

	"banhao.dev/banhao/internal/catalog"
	"banhao.dev/banhao/internal/platform/errs"
)

// metricsRow is one line of a metrics table: a region or a department.
type metricsRow struct {
	Name string
	M    catalog.Metrics
}

type metricsView struct {
	Region    string
	Regions   []metricsRow
	Total     catalog.Metrics
	ByOrg     []metricsRow
	KindChart template.HTML
	RateChart template.HTML
	OrgOnline template.HTML
	OrgCompr  template.HTML
}

func pctText(f float64) string { return fmt.Sprintf("%.2f%%", catalog.Pct(f)) }

// rateBars are the rates the public page charts, in the order of the spec.
func rateBars(m catalog.Metrics) []bar {
	rows := []struct {
		label string
		v     float64
	}{
		{"进驻率", m.InHallRate}, {"网上可办率", m.OnlineRate}, {"全程网办率", m.FullyOnlineRate}, {"即办件占比", m.ImmediateShare},
		{"零跑动占比", m.ZeroTripShare}, {"最多跑一次占比", m.OneTripShare}, {"时限压缩率", m.CompressionRate}, {"可用电子证照替代的材料占比", m.ELicenseShare},
	}
	out := make([]bar, 0, len(rows))
	for _, r := range rows {
		out = append(out, bar{Label: r.label, Value: r.v, Text: pctText(r.v)})
	}
	return out
}

func (s *Server) catalogMetricsPage(w http.ResponseWriter, r *http.Request) {
	region := r.URL.Query().Get("region")
	if region != "" && !validRegionCode(region) {
		s.fail(w, r, errs.Field("region", "bad_region", "行政区划代码须为 6、9 或 12 位数字"))
		return
	}
	ctx := r.Context()
	total, err := s.Catalog.Metrics(ctx, region, 0)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := metricsView{Region: region, Total: total}
	// Per region: every region that carries items, under the chosen one.
	sums, err := s.Catalog.Summaries(ctx, region)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	seen := map[string]bool{}
	for _, it := range sums {
		if !seen[it.RegionCode] {
			seen[it.RegionCode] = true
			m, err := s.Catalog.Metrics(ctx, it.RegionCode, 0)
			if err != nil {
				s.fail(w, r, err)
				return
			}
			v.Regions = append(v.Regions, metricsRow{Name: s.regionName(r, it.RegionCode), M: m})
		}
	}
	sort.Slice(v.Regions, func(i, j int) bool { return v.Regions[i].M.RegionCode < v.Regions[j].M.RegionCode })
	var online, compr []bar
	byOrg, err := s.Catalog.MetricsByOrg(ctx, region)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	for _, m := range byOrg {
		v.ByOrg = append(v.ByOrg, metricsRow{Name: m.Org, M: m})
		online = append(online, bar{Label: m.Org, Value: m.OnlineRate, Text: pctText(m.OnlineRate)})
		compr = append(compr, bar{Label: m.Org, Value: m.CompressionRate, Text: pctText(m.CompressionRate)})
	}
	var kinds []bar
	for _, k := range v.Total.ByKind {
		kinds = append(kinds, bar{Label: k.Label, Value: float64(k.Count), Text: fmt.Sprintf("%d 项", k.Count)})
	}
	v.KindChart = barChart("chart-kinds", "事项类型分布", kinds, 0)
	v.RateChart = barChart("chart-rates", "主要指标", rateBars(v.Total), 1)
	v.OrgOnline = barChart("chart-org-online", "各部门网上可办率", online, 1)
	v.OrgCompr = barChart("chart-org-compression", "各部门时限压缩率", compr, 1)
	s.render(w, r, http.StatusOK, "catalog_metrics", s.newPage(w, r, "政务服务事项统计", v))
}

// regionName looks a region's name up, falling back to its code.
func (s *Server) regionName(r *http.Request, code string) string {
	var name string
	if err := s.DB.R.QueryRowContext(r.Context(), `SELECT name FROM regions WHERE code = $1`, code).Scan(&name); err != nil {
		return code
	}
	return name
}

type batchView struct {
	catalog.Batch
	Entries []entryView
	Changes []changeView
}

type entryView struct {
	catalog.Entry
	KindText, Name string
}

func batchViewOf(b catalog.Batch, ch []catalog.Change) batchView {
	v := batchView{Batch: b, Changes: changeViews(ch)}
	for _, e := range b.Entries {
		ev := entryView{Entry: e, KindText: e.Kind.Label()}
		if e.Item != nil {
			ev.Name = e.Item.Name
		}
		v.Entries = append(v.Entries, ev)
	}
	return v
}

// batchStatusText names a batch's state for the public.
func batchStatusText(st string) string {
	switch st {
	case "published":
		return "已公布，待生效"
	case "applied":
		return "已生效"
	}
	return "草稿"
}

func (s *Server) publicAdjustmentsPage(w http.ResponseWriter, r *http.Request) {
	bs, err := s.Catalog.Batches(r.Context(), catalogCallerOf(principal(r)))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var views []batchView
	for _, b := range bs {
		ch, err := s.Catalog.BatchChanges(r.Context(), b.ID)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		bv := batchViewOf(b, ch)
		bv.Status = batchStatusText(b.Status)
		views = append(views, bv)
	}
	s.render(w, r, http.StatusOK, "catalog_adjustments", s.newPage(w, r, "事项动态调整", views))
}

func (s *Server) adjustmentPage(w http.ResponseWriter, r *http.Request) {
	b, ch, err := s.batchWithChanges(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	bv := batchViewOf(b, ch)
	bv.Status = batchStatusText(b.Status)
	s.render(w, r, http.StatusOK, "catalog_adjustments", s.newPage(w, r, b.Title, []batchView{bv}))
}
