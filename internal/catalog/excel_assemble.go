package catalog

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"banhao.dev/banhao/internal/platform/errs"
)

// rowRef remembers where each part of an assembled item came from, so a
// validation error on a field can be reported at its sheet, row and column.
type rowRef struct {
	item      int
	materials []int
	sits      [][]int // situation → answer rows
}

// parseWorkbook reads and validates the whole workbook; it returns the
// prepared items or every error found.
func (s *Service) parseWorkbook(ctx context.Context, c Caller, f *excelize.File) ([]*Item, []ImportError) {
	var ierrs []ImportError
	itemRows := sheetRows(f, SheetItems, &ierrs)
	matRows := sheetRows(f, SheetMaterials, &ierrs)
	sitRows := sheetRows(f, SheetSituations, &ierrs)
	if len(ierrs) > 0 {
		return nil, ierrs
	}
	first := func(rows [][]string) []string {
		if len(rows) == 0 {
			return nil
		}
		return rows[0]
	}
	iIdx, e1 := headerIndex(SheetItems, first(itemRows), itemColumns)
	mIdx, e2 := headerIndex(SheetMaterials, first(matRows), materialColumns)
	sIdx, e3 := headerIndex(SheetSituations, first(sitRows), answerColumns)
	if ierrs = append(append(append(ierrs, e1...), e2...), e3...); len(ierrs) > 0 {
		return nil, ierrs
	}
	var items []*Item
	refs := map[string]*rowRef{}
	byCode := map[string]*Item{}
	for r := 1; r < len(itemRows); r++ {
		if blank(itemRows[r]) {
			continue
		}
		it, es := parseRow(SheetItems, r+1, iIdx, itemColumns, itemRows[r])
		ierrs = append(ierrs, es...)
		if prev, dup := refs[it.Code]; dup && it.Code != "" {
			ierrs = append(ierrs, cellOf(SheetItems, r+1, iIdx, "事项编码", fmt.Sprintf("事项编码 %s 与第 %d 行重复", it.Code, prev.item)))
			continue
		}
		it.Materials, it.Situations = []Material{}, []Situation{}
		p := &it
		items = append(items, p)
		byCode[it.Code] = p
		refs[it.Code] = &rowRef{item: r + 1}
	}
	for r := 1; r < len(matRows); r++ {
		if blank(matRows[r]) {
			continue
		}
		m, es := parseRow(SheetMaterials, r+1, mIdx, materialColumns, matRows[r])
		ierrs = append(ierrs, es...)
		it := byCode[m.Code]
		if it == nil {
			ierrs = append(ierrs, cellOf(SheetMaterials, r+1, mIdx, "事项编码", "“事项”表中没有事项编码 "+m.Code))
			continue
		}
		it.Materials = append(it.Materials, m.M)
		refs[m.Code].materials = append(refs[m.Code].materials, r+1)
	}
	for r := 1; r < len(sitRows); r++ {
		if blank(sitRows[r]) {
			continue
		}
		a, es := parseRow(SheetSituations, r+1, sIdx, answerColumns, sitRows[r])
		ierrs = append(ierrs, es...)
		it := byCode[a.Code]
		if it == nil {
			ierrs = append(ierrs, cellOf(SheetSituations, r+1, sIdx, "事项编码", "“事项”表中没有事项编码 "+a.Code))
			continue
		}
		ref := refs[a.Code]
		k := -1
		for i := range it.Situations {
			if it.Situations[i].ID == a.ID {
				k = i
			}
		}
		if k < 0 {
			it.Situations = append(it.Situations, Situation{ID: a.ID, Question: a.Question, When: a.When})
			ref.sits = append(ref.sits, nil)
			k = len(it.Situations) - 1
		}
		it.Situations[k].Answers = append(it.Situations[k].Answers, a.A)
		ref.sits[k] = append(ref.sits[k], r+1)
	}
	// A cell that did not parse leaves its field at zero; validating the
	// item would then report follow-on errors (承诺时限 above a 法定时限 of 0)
	// that vanish once the cell is fixed, so those are left out.
	unreadable := map[string]bool{}
	for _, ie := range ierrs {
		unreadable[cellKey(ie.Sheet, ie.Row, ie.Header)] = true
	}
	for _, it := range items {
		for _, ie := range s.checkImported(ctx, c, it, refs[it.Code], iIdx, mIdx, sIdx) {
			if !followsUnreadable(ie, unreadable) {
				ierrs = append(ierrs, ie)
			}
		}
	}
	return items, ierrs
}

func cellKey(sheet string, row int, header string) string {
	return fmt.Sprintf("%s\x00%d\x00%s", sheet, row, header)
}

// dependsOn lists, per items-sheet column, the other columns its validation reads.
var dependsOn = map[string][]string{"承诺办结时限": {"法定办结时限"}}

// followsUnreadable reports whether a validation error is about a cell
// that did not parse, or about one checked against such a cell.
func followsUnreadable(ie ImportError, unreadable map[string]bool) bool {
	if unreadable[cellKey(ie.Sheet, ie.Row, ie.Header)] {
		return true
	}
	for _, h := range dependsOn[ie.Header] {
		if ie.Sheet == SheetItems && unreadable[cellKey(SheetItems, ie.Row, h)] {
			return true
		}
	}
	return false
}

// checkImported resolves the org, checks the caller's region and validates
// the item, mapping each failing field to its cell.
func (s *Service) checkImported(ctx context.Context, c Caller, it *Item, ref *rowRef, iIdx, mIdx, sIdx map[string]int) []ImportError {
	var out []ImportError
	o, ok := s.OrgByName(ctx, it.Org)
	if !ok {
		return append(out, cellOf(SheetItems, ref.item, iIdx, "实施主体", "系统中没有名为“"+it.Org+"”的实施主体"))
	}
	it.OrgID = o.ID
	err := s.prepare(ctx, it)
	if !c.canManage(it.RegionCode) {
		out = append(out, cellOf(SheetItems, ref.item, iIdx, "所属区划", "无权管理该区划的事项"))
	}
	e, ok := errs.As(err)
	if err != nil && !ok {
		return append(out, ImportError{Sheet: SheetItems, Row: ref.item, Message: err.Error()})
	}
	if e != nil {
		for _, fe := range e.Fields {
			out = append(out, locate(fe, ref, iIdx, mIdx, sIdx))
		}
	}
	return out
}

var itemFieldHeaders = map[string]string{
	"code": "事项编码", "name": "事项名称", "kind": "事项类型", "level": "行使层级", "org_id": "实施主体", "region_code": "所属区划",
	"domain": "所属领域", "legal_basis": "设定依据", "remedies": "行政复议机关", "legal_limit": "法定办结时限",
	"promised_limit": "承诺办结时限", "case_type": "办件类型", "process": "流程环节", "trips": "到现场次数",
	"online_depth": "网上办理深度", "channels": "办理渠道", "service_objects": "服务对象", "scope": "通办范围",
	"fees": "收费项目", "faq": "常见问题", "life_events": "人生事件", "lifecycle": "企业生命周期",
}

var materialFieldHeaders = map[string]string{
	"id": "材料编号", "name": "材料名称", "kind": "材料类型", "required": "是否必要", "condition": "适用条件",
	"form": "原件复印件", "copies": "份数", "medium": "材料形式", "source": "来源渠道", "e_license_type": "可替代电子证照",
	"pending_allowed": "可容缺",
}

var answerFieldHeaders = map[string]string{
	"id": "答案编号", "label": "答案内容", "materials": "增加材料", "promised_limit": "承诺时限", "add_fees": "增加收费",
}

var situationFieldHeaders = map[string]string{"id": "情形编号", "question": "情形问题", "when": "显示条件", "answers": "答案编号"}

// locate maps a validation field path such as "materials[2].condition" or
// "situations[0].answers[1].id" to its sheet, row and column.
func locate(fe errs.FieldError, ref *rowRef, iIdx, mIdx, sIdx map[string]int) ImportError {
	segs := strings.Split(fe.Field, ".")
	name, i := splitIndex(segs[0])
	switch {
	case name == "materials" && i >= 0 && i < len(ref.materials) && len(segs) > 1:
		f, _ := splitIndex(segs[1])
		return cellOf(SheetMaterials, ref.materials[i], mIdx, materialFieldHeaders[f], fe.Message)
	case name == "situations" && i >= 0 && i < len(ref.sits) && len(ref.sits[i]) > 0:
		rows := ref.sits[i]
		if len(segs) > 2 {
			if an, j := splitIndex(segs[1]); an == "answers" && j >= 0 && j < len(rows) {
				f, _ := splitIndex(segs[2])
				return cellOf(SheetSituations, rows[j], sIdx, answerFieldHeaders[f], fe.Message)
			}
		}
		f := "answers"
		if len(segs) > 1 {
			f, _ = splitIndex(segs[1])
		}
		return cellOf(SheetSituations, rows[0], sIdx, situationFieldHeaders[f], fe.Message)
	}
	return cellOf(SheetItems, ref.item, iIdx, itemFieldHeaders[name], fe.Message)
}

// splitIndex splits "materials[2]" into ("materials", 2); -1 without index.
func splitIndex(seg string) (string, int) {
	name, rest, ok := strings.Cut(seg, "[")
	if !ok {
		return seg, -1
	}
	n, err := strconv.Atoi(strings.TrimSuffix(rest, "]"))
	if err != nil {
		return name, -1
	}
	return name, n
}
