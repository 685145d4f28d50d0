package web

import (
	"html/template"
	"strconv"
	"strings"
	"unicode/utf8"

	"banhao.dev/banhao/internal/catalog"
	"banhao.dev/banhao/internal/catalog/search"
	"banhao.dev/banhao/internal/platform/auth"
)

// View helpers of the public catalog pages: the catalog's enumerations are
// stored as codes; pages show them in plain Chinese. The labels follow the
// standardized guide (办事指南) wording.

var guideLabels = map[string]map[string]string{
	"channel": {"window": "窗口办理", "online": "网上办理", "mobile": "移动端（掌上办）", "terminal": "自助终端", "township": "乡镇（街道）村（社区）代办"},
	"scope":   {"local": "本地办理", "city": "全市通办", "province": "全省通办", "cross_province": "跨省通办"},
	"object":  {"person": "自然人", "enterprise": "法人"},
	"mkind": {"form": "申请表", "certificate": "证件证照", "proof": "证明文件", "commitment": "承诺书", "drawing": "图纸",
		"contract": "协议合同", "report": "报告", "photo": "照片", "other": "其他"},
	"form":   {"original": "原件", "copy": "复印件", "original_and_copy": "原件和复印件"},
	"medium": {"paper": "纸质", "electronic": "电子", "both": "纸质和电子"},
	"source": {"applicant": "申请人自备", "government": "政府部门核发", "third_party": "中介机构或第三方出具"},
}

// guideLabel returns the Chinese label of an enumeration value.
func guideLabel(kind, code string) string {
	if l, ok := guideLabels[kind][code]; ok {
		return l
	}
	return code
}

// onlineDepthLabels name the four online service depths (glossary 网上办理深度).
var onlineDepthLabels = map[int]string{
	1: "一级：网上提供办事指南（信息发布）",
	2: "二级：网上下载表格、预约（在线预审）",
	3: "三级：网上申请、受理，到窗口领取结果（最多跑一次）",
	4: "四级：全程网上办理，结果快递送达或电子证照（全程网办）",
}

func depthLabel(d int) string {
	if l, ok := onlineDepthLabels[d]; ok {
		return l
	}
	return "未开通网上办理"
}

func tripsLabel(n int) string {
	switch n {
	case 0:
		return "零跑动（不需要到现场）"
	case 1:
		return "最多跑一次"
	}
	return "到现场 " + strconv.Itoa(n) + " 次"
}

func daysText(d float64) string { return strconv.FormatFloat(d, 'f', -1, 64) }

// limitText says a time limit in words: "10 个工作日", "即时办结".
func limitText(l catalog.Limit) string {
	if l.Days == 0 {
		return "即时办结（当场办结）"
	}
	u := l.Unit
	if u == "" {
		u = catalog.WorkingDay
	}
	return daysText(l.Days) + " 个" + u.Label()
}

func roleLabel(r string) string {
	if n := auth.Role(r).Name(); n != "" {
		return n
	}
	return r
}

func eLicenseName(code string) string {
	if t, ok := catalog.ELicenseTypeByCode(code); ok {
		return t.Name
	}
	return code
}

// labels maps a list of codes to their labels.
func labels(kind string, codes []string) []string {
	out := make([]string, 0, len(codes))
	for _, c := range codes {
		out = append(out, guideLabel(kind, c))
	}
	return out
}

// highlight marks the parts of text that the query matches: every
// character of text that belongs to a two-character run also found in the
// query (after the search normalization), or the whole query when it is a
// single character. Synonym hits (开饭店 → 食品经营许可) show no mark.
func highlight(text, query string) template.HTML {
	q := search.Normalize(query)
	rs := []rune(text)
	text = string(rs) // invalid UTF-8 becomes U+FFFD on every path
	mark := make([]bool, len(rs))
	if q == "" {
		return template.HTML(template.HTMLEscapeString(text))
	}
	// Normalize rune by rune so positions line up with text.
	lower := make([]rune, len(rs))
	for i, r := range rs {
		lower[i] = ' '
		if n := []rune(search.Normalize(string(r))); len(n) == 1 {
			lower[i] = n[0]
		}
	}
	for i := 0; i < len(lower); i++ {
		if lower[i] == ' ' {
			continue
		}
		if utf8.RuneCountInString(q) == 1 && string(lower[i]) == q {
			mark[i] = true
		}
		if i+1 < len(lower) && lower[i+1] != ' ' && strings.Contains(q, string(lower[i:i+2])) {
			mark[i], mark[i+1] = true, true
		}
	}
	var b strings.Builder
	open := false
	for i, r := range rs {
		if mark[i] && !open {
			b.WriteString("<mark>")
			open = true
		}
		if !mark[i] && open {
			b.WriteString("</mark>")
			open = false
		}
		b.WriteString(template.HTMLEscapeString(string(r)))
	}
	if open {
		b.WriteString("</mark>")
	}
	return template.HTML(b.String())
}
