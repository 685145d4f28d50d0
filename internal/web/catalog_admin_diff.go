package web

import (
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strings"

	"banhao.dev/banhao/internal/catalog"
)

// The versions diff compares two versions element by element, and the
// materials and situations by id (added, removed, changed attribute by
// attribute), so a reviewer sees exactly what a new version changes.

// DiffRow is one changed element or attribute.
type DiffRow struct {
	Field string `json:"field"`
	Label string `json:"label"`
	From  string `json:"from"`
	To    string `json:"to"`
}

// DiffEntry is one material or situation present in both versions with changes.
type DiffEntry struct {
	ID      string    `json:"id"`
	Name    string    `json:"name"`
	Changes []DiffRow `json:"changes"`
}

// DiffList is the by-id comparison of materials or situations.
type DiffList struct {
	Added   []DiffEntry `json:"added"`
	Removed []DiffEntry `json:"removed"`
	Changed []DiffEntry `json:"changed"`
}

// ItemDiff is the comparison of two versions of an item.
type ItemDiff struct {
	Code       string    `json:"code"`
	From       int       `json:"from"`
	To         int       `json:"to"`
	Elements   []DiffRow `json:"elements"`
	Materials  DiffList  `json:"materials"`
	Situations DiffList  `json:"situations"`
}

// elementLabels lists the compared elements in guide order.
var elementLabels = [][2]string{
	{"name", "事项名称"}, {"short_name", "简称"}, {"kind", "事项类型"}, {"level", "行使层级"}, {"org", "实施主体"},
	{"region_code", "区划"}, {"department", "承办机构"}, {"in_hall", "进驻大厅"}, {"domain", "所属领域"}, {"hall_places", "办理窗口/区域"},
	{"result_name", "审批结果名称"}, {"legal_basis", "设定依据"}, {"conditions", "受理条件"}, {"refusal_grounds", "禁止性要求"},
	{"remedies", "救济途径"}, {"legal_limit", "法定时限"}, {"promised_limit", "承诺时限"}, {"case_type", "办件类型"},
	{"process", "流程模板"}, {"trips", "到现场次数"}, {"online_depth", "网上办理深度"}, {"channels", "办理渠道"},
	{"service_objects", "服务对象"}, {"express", "物流快递"}, {"e_license_result", "电子证照结果"}, {"appointment", "预约办理"},
	{"scope", "通办范围"}, {"charged", "是否收费"}, {"fees", "收费项目"}, {"payment_channels", "缴费渠道"}, {"contact", "咨询与投诉"},
	{"faq", "常见问题"}, {"life_events", "人生事件"}, {"lifecycle", "企业生命周期"}, {"themes", "主题"}, {"aliases", "别名"},
	{"keywords", "关键词"},
}

var materialLabels = map[string]string{
	"name": "名称", "kind": "材料类型", "required": "必要", "condition": "适用条件", "form": "原件/复印件", "copies": "份数",
	"medium": "形式", "source": "来源", "issued_by": "出具单位", "e_license_type": "可替代的电子证照", "template": "空白模板",
	"sample": "示例样表", "notes": "备注", "pending_allowed": "可容缺", "commitment_allowed": "可告知承诺",
}

var situationLabels = map[string]string{"question": "问题", "when": "显示条件", "answers": "答案"}

func asMap(v any) map[string]any {
	raw, _ := json.Marshal(v)
	m := map[string]any{}
	_ = json.Unmarshal(raw, &m)
	return m
}

// diffValue shows an element's value in plain Chinese for the diff.
func diffValue(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case bool:
		if x {
			return "是"
		}
		return "否"
	case float64:
		return fmtFloat(x)
	case []any:
		parts := make([]string, 0, len(x))
		for _, e := range x {
			parts = append(parts, diffValue(e))
		}
		return strings.Join(parts, "；")
	case map[string]any:
		if d, ok := x["days"].(float64); ok && len(x) <= 2 {
			u, _ := x["unit"].(string)
			return catalog.Limit{Days: d, Unit: catalog.LimitUnit(u)}.String()
		}
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		parts := make([]string, 0, len(keys))
		for _, k := range keys {
			if s := diffValue(x[k]); s != "" && s != "否" {
				parts = append(parts, k+"="+s)
			}
		}
		return strings.Join(parts, "，")
	}
	return fmt.Sprint(v)
}

// DiffItems compares version a with version b.
func DiffItems(a, b *catalog.Item) ItemDiff {
	d := ItemDiff{Code: b.Code, From: a.Version, To: b.Version, Elements: []DiffRow{}}
	ma, mb := asMap(a), asMap(b)
	for _, el := range elementLabels {
		if !reflect.DeepEqual(ma[el[0]], mb[el[0]]) {
			d.Elements = append(d.Elements, DiffRow{Field: el[0], Label: el[1], From: diffValue(ma[el[0]]), To: diffValue(mb[el[0]])})
		}
	}
	d.Materials = diffByID(ma["materials"], mb["materials"], "name", materialLabels)
	d.Situations = diffByID(ma["situations"], mb["situations"], "question", situationLabels)
	return d
}

func diffByID(a, b any, nameKey string, labels map[string]string) DiffList {
	index := func(v any) ([]string, map[string]map[string]any) {
		var order []string
		m := map[string]map[string]any{}
		list, _ := v.([]any)
		for _, e := range list {
			em, _ := e.(map[string]any)
			id, _ := em["id"].(string)
			order = append(order, id)
			m[id] = em
		}
		return order, m
	}
	oa, ia := index(a)
	ob, ib := index(b)
	out := DiffList{Added: []DiffEntry{}, Removed: []DiffEntry{}, Changed: []DiffEntry{}}
	name := func(m map[string]any) string { s, _ := m[nameKey].(string); return s }
	for _, id := range oa {
		if _, ok := ib[id]; !ok {
			out.Removed = append(out.Removed, DiffEntry{ID: id, Name: name(ia[id]), Changes: []DiffRow{}})
		}
	}
	for _, id := range ob {
		old, ok := ia[id]
		if !ok {
			out.Added = append(out.Added, DiffEntry{ID: id, Name: name(ib[id]), Changes: []DiffRow{}})
			continue
		}
		keys := map[string]bool{}
		for k := range old {
			keys[k] = true
		}
		for k := range ib[id] {
			keys[k] = true
		}
		var ch []DiffRow
		for _, k := range sortedSet(keys) {
			if k != "id" && !reflect.DeepEqual(old[k], ib[id][k]) {
				label := labels[k]
				if label == "" {
					label = k
				}
				ch = append(ch, DiffRow{Field: k, Label: label, From: diffValue(old[k]), To: diffValue(ib[id][k])})
			}
		}
		if len(ch) > 0 {
			out.Changed = append(out.Changed, DiffEntry{ID: id, Name: name(ib[id]), Changes: ch})
		}
	}
	return out
}

func sortedSet(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
