package catalog

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"testing"
	"time"

	"banhao.dev/banhao/internal/catalog/search"
)

// genItems makes n plausible items from real catalog vocabulary, so that
// posting lists have realistic lengths (common grams such as 证明, 登记,
// 申请 appear in most items).
func genItems(n int, r *rand.Rand) []*Item {
	subjects := []string{"建设工程", "食品", "药品", "医疗器械", "道路运输", "危险化学品", "烟草专卖", "出版物", "娱乐场所", "旅馆业", "排污", "取水",
		"林木采伐", "草原", "渔业捕捞", "种子生产", "兽药经营", "农药经营", "户外广告", "城市道路占用", "燃气经营", "供热经营", "特种设备", "民办学校",
		"职业培训", "劳务派遣", "人力资源服务", "养老机构", "殡葬设施", "宗教活动场所", "社会团体", "民办非企业单位", "律师事务所", "公证机构", "司法鉴定",
		"消防设计", "人防工程", "防雷装置", "气象信息", "无线电台", "互联网上网服务", "文物保护", "体育赛事", "医师执业", "护士执业", "放射诊疗", "母婴保健",
		"生活饮用水", "公共场所", "职业卫生", "房地产开发", "物业服务", "建筑业企业", "工程监理", "商品房预售", "城市绿地", "河道管理", "水土保持"}
	actions := []string{"许可", "登记", "备案", "审批", "核准", "认定", "年检", "变更", "注销", "延续", "补办", "核发"}
	materials := []string{"申请表", "营业执照", "法定代表人身份证明", "授权委托书", "场所使用证明", "平面布局图", "安全管理制度", "技术人员资格证书",
		"检测报告", "环境影响评价文件", "可行性研究报告", "设计图纸", "资金证明", "承诺书", "章程", "验收报告", "设备清单", "合同", "卫生检测报告", "健康证明"}
	places := []string{"县", "市", "乡镇"}
	out := make([]*Item, n)
	for i := range out {
		s := subjects[r.IntN(len(subjects))]
		a := actions[r.IntN(len(actions))]
		it := &Item{Code: fmt.Sprintf("01%05d%03d-990121-01", i/1000, i%1000), Name: fmt.Sprintf("%s%s%s（%s级第%d项）", s, actions[r.IntN(len(actions))], a, places[r.IntN(3)], i),
			Kind: License, OrgID: int64(1 + r.IntN(20)), RegionCode: "990121", Level: "county", Domain: Domains[r.IntN(len(Domains))]}
		it.ShortName = s + a
		it.Aliases = []string{"办" + s + a, s + "证"}
		it.Keywords = []string{s, subjects[r.IntN(len(subjects))]}
		for k := 0; k < 4+r.IntN(7); k++ {
			it.Materials = append(it.Materials, Material{Name: s + materials[r.IntN(len(materials))]})
		}
		if r.IntN(3) == 0 {
			it.LifeEvents = []string{LifeEvents[r.IntN(len(LifeEvents))]}
		}
		out[i] = it
	}
	return out
}

// BenchmarkSearch30k measures query latency over 30,000 generated items plus
// the demo catalog and reports p50/p99 per query.
func BenchmarkSearch30k(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 2))
	items := genItems(30000, r)
	demo, _ := DemoItems()
	for i := range demo {
		items = append(items, &demo[i])
	}
	docs := make([]search.Doc, len(items))
	for i, it := range items {
		docs[i] = indexDoc(it)
	}
	start := time.Now()
	ix := search.New(docs)
	b.Logf("indexed %d items in %v", len(docs), time.Since(start))
	ix.SetSynonyms(map[string][]string{"开饭店": {"餐饮", "食品经营"}, "房子过户": {"转移登记", "存量房"}})
	queries := []string{"开饭店", "办营业执照", "yyzz", "房子过户", "残疾证", "开诊所", "歇业", "食品经营许可", "申请表", "证明",
		"建设工程消防设计审批", "护士执业注册", "yszz", "养老机构备案", "营业执找", "我要办理特种设备许可", "公共场所卫生许可证", "登记"}
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		q := queries[i%len(queries)]
		t := time.Now()
		res := ix.Search(search.Query{Text: q, Limit: 20})
		lat = append(lat, time.Since(t))
		if res.Total < 0 {
			b.Fatal("impossible")
		}
	}
	b.StopTimer()
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	pct := func(p float64) float64 { return float64(lat[int(p*float64(len(lat)-1))].Microseconds()) }
	b.ReportMetric(pct(0.50), "p50-µs")
	b.ReportMetric(pct(0.99), "p99-µs")
}
