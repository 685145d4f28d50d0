package catalog

import (
	"context"
	"fmt"
	"io"

	"github.com/xuri/excelize/v2"
)

// ExportExcel writes the published catalog of region (and its sub-regions)
// as a workbook that ImportExcel reads back unchanged.
func (s *Service) ExportExcel(ctx context.Context, region string, w io.Writer) error {
	items, err := s.ItemsOf(ctx, region)
	if err != nil {
		return err
	}
	f, err := buildWorkbook(items, false)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := f.Write(w); err != nil {
		return fmt.Errorf("write workbook: %w", err)
	}
	return nil
}

// TemplateWorkbook writes an empty import workbook with one example item
// (个体工商户登记 of the demo catalog) and a 填写说明 sheet describing every column.
func TemplateWorkbook(w io.Writer) error {
	var example []*Item
	if items, err := DemoItems(); err == nil {
		for i := range items {
			if items[i].Code == "0100001001-990121-01" {
				it := items[i]
				Normalize(&it)
				example = append(example, &it)
			}
		}
	}
	f, err := buildWorkbook(example, true)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := f.Write(w); err != nil {
		return fmt.Errorf("write template: %w", err)
	}
	return nil
}

func buildWorkbook(items []*Item, help bool) (*excelize.File, error) {
	f := excelize.NewFile()
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}}})
	if err != nil {
		return nil, err
	}
	var mats []materialRow
	var answers []answerRow
	for _, it := range items {
		for _, m := range it.Materials {
			mats = append(mats, materialRow{Code: it.Code, M: m})
		}
		for _, sit := range it.Situations {
			for _, a := range sit.Answers {
				answers = append(answers, answerRow{Code: it.Code, ID: sit.ID, Question: sit.Question, When: sit.When, A: a})
			}
		}
	}
	if err := writeSheet(f, SheetItems, itemColumns, items, bold); err != nil {
		return nil, err
	}
	if err := writeSheet(f, SheetMaterials, materialColumns, ptrs(mats), bold); err != nil {
		return nil, err
	}
	if err := writeSheet(f, SheetSituations, answerColumns, ptrs(answers), bold); err != nil {
		return nil, err
	}
	if help {
		if err := writeHelp(f, bold); err != nil {
			return nil, err
		}
	}
	if err := f.DeleteSheet("Sheet1"); err != nil {
		return nil, err
	}
	f.SetActiveSheet(0)
	return f, nil
}

func ptrs[T any](v []T) []*T {
	out := make([]*T, len(v))
	for i := range v {
		out[i] = &v[i]
	}
	return out
}

func writeSheet[T any](f *excelize.File, sheet string, cols []column[T], rows []*T, style int) error {
	if _, err := f.NewSheet(sheet); err != nil {
		return fmt.Errorf("sheet %s: %w", sheet, err)
	}
	header := make([]any, len(cols))
	for i, c := range cols {
		header[i] = c.header
	}
	if err := f.SetSheetRow(sheet, "A1", &header); err != nil {
		return err
	}
	last, _ := excelize.ColumnNumberToName(len(cols))
	_ = f.SetCellStyle(sheet, "A1", last+"1", style)
	_ = f.SetColWidth(sheet, "A", last, 18)
	_ = f.SetPanes(sheet, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"})
	for r, row := range rows {
		vals := make([]any, len(cols))
		for i, c := range cols {
			vals[i] = c.get(row)
		}
		cell, _ := excelize.CoordinatesToCellName(1, r+2)
		if err := f.SetSheetRow(sheet, cell, &vals); err != nil {
			return err
		}
	}
	return nil
}

func writeHelp(f *excelize.File, style int) error {
	if _, err := f.NewSheet(SheetHelp); err != nil {
		return err
	}
	rows := [][]any{
		{"事项清单导入模板填写说明"},
		{"1. 工作簿包含“事项”“材料”“情形”三张表，第一行为列名，请勿修改列名。"},
		{"2. “材料”“情形”表通过“事项编码”关联到“事项”表；一个情形有几个答案就写几行，情形编号和问题每行重复填写。"},
		{"3. 多个值写在同一单元格内时每行一个（Alt+Enter 换行），结构化内容用竖线“|”分隔各部分。"},
		{"4. 导入时先校验全部行：只要有一处错误，整个工作簿都不会导入，并列出每个错误所在的表、行、列和原因。"},
		{"5. 已存在的事项编码会生成新的草稿版本，提交审核并发布后才对外生效。"},
		{},
		{"表", "列名", "填写要求"},
	}
	add := func(sheet, header, help string) { rows = append(rows, []any{sheet, header, help}) }
	for _, c := range itemColumns {
		add(SheetItems, c.header, c.help)
	}
	for _, c := range materialColumns {
		add(SheetMaterials, c.header, c.help)
	}
	for _, c := range answerColumns {
		add(SheetSituations, c.header, c.help)
	}
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow(SheetHelp, cell, &r); err != nil {
			return err
		}
	}
	_ = f.SetCellStyle(SheetHelp, "A8", "C8", style)
	_ = f.SetColWidth(SheetHelp, "A", "B", 16)
	_ = f.SetColWidth(SheetHelp, "C", "C", 90)
	return nil
}
