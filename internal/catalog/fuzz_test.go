package catalog

import (
	"strings"
	"testing"
)

// FuzzItemRow feeds arbitrary cells to the 事项 row parser: it must never
// panic, and every error must name a known column of the sheet.
func FuzzItemRow(f *testing.F) {
	f.Add("0100001000-990121-01", "企业设立登记", "行政许可", "3", "1", "是", "名称|0.5|标准|依据", "受理|窗口受理|1|")
	f.Add("", "", "", "三天", "-1", "也许", "|||", "a|b|c|d|e")
	f.Add("x", "\x00", "公共服务", "1e309", "NaN", "Y", "费|abc", "环节|审查|0.4|5")
	header := make([]string, len(itemColumns))
	idx := map[string]int{}
	for i, c := range itemColumns {
		header[i] = c.header
		idx[c.header] = i + 1
	}
	known := map[string]bool{}
	for _, h := range header {
		known[h] = true
	}
	f.Fuzz(func(t *testing.T, code, name, kind, legal, trips, inHall, fees, process string) {
		cells := make([]string, len(header))
		set := func(h, v string) { cells[idx[h]-1] = v }
		set("事项编码", code)
		set("事项名称", name)
		set("事项类型", kind)
		set("法定办结时限", legal)
		set("到现场次数", trips)
		set("是否进驻大厅", inHall)
		set("收费项目", fees)
		set("流程环节", process)
		it, errs := parseRow(SheetItems, 2, idx, itemColumns, cells)
		for _, e := range errs {
			if !known[e.Header] || e.Column == "" || e.Message == "" {
				t.Fatalf("error without a known column: %+v", e)
			}
		}
		if len(errs) == 0 && it.Name != strings.TrimSpace(name) {
			t.Fatalf("name: got %q, want %q", it.Name, strings.TrimSpace(name))
		}
	})
}

// FuzzCondition validates arbitrary CEL text: no panic, and a rejection
// always carries a position inside the text.
func FuzzCondition(f *testing.F) {
	for _, s := range []string{`agent == "yes"`, `agent ==`, `kind in ["a", "b"] && agent != "no"`, "agent == \"yes\" ||\n x", `size(agent) > 2`, `agent.matches("^y")`, ``} {
		f.Add(s)
	}
	sits := []Situation{
		{ID: "agent", Question: "是否委托？", Answers: []Answer{{ID: "yes", Label: "是"}, {ID: "no", Label: "否"}}},
		{ID: "kind", Question: "类型", Answers: []Answer{{ID: "a", Label: "甲"}, {ID: "b", Label: "乙"}}},
	}
	f.Fuzz(func(t *testing.T, expr string) {
		err := ValidateCondition(sits, expr)
		if err == nil {
			return
		}
		ce, ok := err.(ConditionError)
		if !ok {
			t.Fatalf("got %T %v, want ConditionError", err, err)
		}
		if ce.Line < 1 || ce.Column < 1 || ce.Line > strings.Count(expr, "\n")+2 {
			t.Fatalf("position %d:%d outside %q", ce.Line, ce.Column, expr)
		}
	})
}
