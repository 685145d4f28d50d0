package catalog

import (
	"bytes"
	"testing"

	"github.com/xuri/excelize/v2"
)

// FuzzWorkbook feeds arbitrary bytes (a mutated template workbook, or
// anything) to the Excel import's reading stage — open, read the three
// sheets, check headers, parse every row — as ImportExcel does before it
// assembles items: it must never panic, and every error names its sheet.
func FuzzWorkbook(f *testing.F) {
	var tmpl bytes.Buffer
	if err := TemplateWorkbook(&tmpl); err != nil {
		f.Fatal(err)
	}
	f.Add(tmpl.Bytes())
	f.Add([]byte("PK\x03\x04"))
	f.Add([]byte("not a workbook"))
	f.Fuzz(func(t *testing.T, data []byte) {
		wb, err := excelize.OpenReader(bytes.NewReader(data))
		if err != nil {
			return
		}
		defer wb.Close()
		var ierrs []ImportError
		itemRows := sheetRows(wb, SheetItems, &ierrs)
		matRows := sheetRows(wb, SheetMaterials, &ierrs)
		sitRows := sheetRows(wb, SheetSituations, &ierrs)
		check := func(es []ImportError) {
			for _, e := range es {
				if e.Sheet == "" || e.Message == "" {
					t.Fatalf("import error without sheet or message: %+v", e)
				}
			}
		}
		check(ierrs)
		parse := func(rows [][]string, run func(idx map[string]int, r int, row []string) []ImportError, head func([]string) (map[string]int, []ImportError)) {
			if len(rows) == 0 {
				return
			}
			idx, es := head(rows[0])
			check(es)
			if len(es) > 0 {
				return
			}
			for r := 1; r < len(rows); r++ {
				check(run(idx, r+1, rows[r]))
			}
		}
		parse(itemRows, func(idx map[string]int, r int, row []string) []ImportError {
			_, es := parseRow(SheetItems, r, idx, itemColumns, row)
			return es
		}, func(h []string) (map[string]int, []ImportError) { return headerIndex(SheetItems, h, itemColumns) })
		parse(matRows, func(idx map[string]int, r int, row []string) []ImportError {
			_, es := parseRow(SheetMaterials, r, idx, materialColumns, row)
			return es
		}, func(h []string) (map[string]int, []ImportError) {
			return headerIndex(SheetMaterials, h, materialColumns)
		})
		parse(sitRows, func(idx map[string]int, r int, row []string) []ImportError {
			_, es := parseRow(SheetSituations, r, idx, answerColumns, row)
			return es
		}, func(h []string) (map[string]int, []ImportError) {
			return headerIndex(SheetSituations, h, answerColumns)
		})
	})
}
