package catalog

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"banhao.dev/banhao/internal/platform/errs"
)

// ImportError locates one problem of a workbook.
type ImportError struct {
	Sheet   string `json:"sheet"`
	Row     int    `json:"row"`    // 1-based, as Excel shows it
	Column  string `json:"column"` // letter, "" for the whole row
	Header  string `json:"header,omitempty"`
	Message string `json:"message"`
}

func (e ImportError) String() string {
	loc := fmt.Sprintf("“%s”表第 %d 行", e.Sheet, e.Row)
	if e.Column != "" {
		loc += fmt.Sprintf(" %s 列（%s）", e.Column, e.Header)
	}
	return loc + "：" + e.Message
}

// ImportReport is the outcome of a successful import.
type ImportReport struct {
	Created int      `json:"created"`
	Updated int      `json:"updated"`
	Codes   []string `json:"codes"`
}

// ErrImport rejects a workbook; Extra["errors"] holds every ImportError and
// Fields repeats them for the generic error page.
var ErrImport = errs.E(errs.Invalid, "import_invalid", "工作簿有错误，未导入任何内容")

// ImportOptions tune an import.
type ImportOptions struct {
	Submit bool // send every imported version for review
}

// maxImportRows bounds a workbook, so a huge file cannot exhaust memory.
const maxImportRows = 20000

// ImportExcel validates every row of the workbook and, only when all are
// valid, saves each item as a new working version (created or updated) in
// one transaction. On any error nothing changes and every error is returned.
func (s *Service) ImportExcel(ctx context.Context, c Caller, r io.Reader, opt ImportOptions) (ImportReport, error) {
	if !c.isSystem() && !c.HasRole(RoleCatalogAdmin) {
		return ImportReport{}, forbidden("导入事项清单")
	}
	f, err := excelize.OpenReader(io.LimitReader(r, 50<<20))
	if err != nil {
		return ImportReport{}, ErrImport.Withf("无法读取 Excel 文件（%v）", err)
	}
	defer f.Close()
	items, ierrs := s.parseWorkbook(ctx, c, f)
	if len(ierrs) > 0 {
		return ImportReport{}, importFailure(ierrs)
	}
	var rep ImportReport
	now := s.now()
	err = s.tx(ctx, func(tx *sql.Tx) error {
		rep = ImportReport{}
		for _, it := range items {
			_, err := getItemRow(ctx, tx, it.Code, s.db.ForUpdate())
			switch {
			case errors.Is(err, ErrItemNotFound):
				it.Version, it.Status, it.State, it.UpdatedAt = 1, StatusDraft, StateDraft, now
				err = s.createTx(ctx, tx, c, it, now, 0)
				rep.Created++
			case err == nil:
				err = s.updateTx(ctx, tx, c, it, now)
				rep.Updated++
			}
			if err != nil {
				return fmt.Errorf("import %s: %w", it.Code, err)
			}
			if opt.Submit {
				if err := s.submitTx(ctx, tx, c, it.Code, now); err != nil {
					return err
				}
			}
			rep.Codes = append(rep.Codes, it.Code)
		}
		return nil
	})
	if err != nil {
		return ImportReport{}, err
	}
	return rep, nil
}

func (s *Service) submitTx(ctx context.Context, tx *sql.Tx, c Caller, code string, t time.Time) error {
	row, err := getItemRow(ctx, tx, code, "")
	if err != nil {
		return err
	}
	work, err := workingVersion(ctx, tx, code)
	if err != nil || work == nil {
		return err
	}
	if err := setVersionState(ctx, tx, code, work.Version, StateDraft, StateReview, c.UserID, t); err != nil {
		return err
	}
	if row.Status == StatusDraft {
		row.Status = StatusReview
		return updateItemRow(ctx, tx, row, t)
	}
	return nil
}

func importFailure(ierrs []ImportError) error {
	e := ErrImport.With("errors", ierrs)
	e.Message = fmt.Sprintf("工作簿有 %d 处错误，未导入任何内容", len(ierrs))
	for _, ie := range ierrs {
		e.Fields = append(e.Fields, errs.FieldError{Field: fmt.Sprintf("%s!%s%d", ie.Sheet, ie.Column, ie.Row), Message: ie.String()})
	}
	return e
}

// sheetRows reads a sheet; a missing sheet is an error of the workbook.
func sheetRows(f *excelize.File, sheet string, ierrs *[]ImportError) [][]string {
	rows, err := f.GetRows(sheet)
	if err != nil {
		*ierrs = append(*ierrs, ImportError{Sheet: sheet, Row: 1, Message: "缺少工作表“" + sheet + "”"})
		return nil
	}
	if len(rows) > maxImportRows {
		*ierrs = append(*ierrs, ImportError{Sheet: sheet, Row: maxImportRows + 1, Message: fmt.Sprintf("行数超过上限 %d", maxImportRows)})
		return nil
	}
	return rows
}

// headerIndex checks the header row: every column must be present once and
// no unknown column may appear (a misspelt header would silently drop data).
func headerIndex[T any](sheet string, header []string, cols []column[T]) (map[string]int, []ImportError) {
	var out []ImportError
	idx := map[string]int{}
	known := map[string]bool{}
	for _, c := range cols {
		known[c.header] = true
	}
	for i, h := range header {
		h = strings.TrimSpace(h)
		col, _ := excelize.ColumnNumberToName(i + 1)
		switch {
		case h == "":
		case !known[h]:
			out = append(out, ImportError{Sheet: sheet, Row: 1, Column: col, Header: h, Message: "未知的列名“" + h + "”"})
		case idx[h] != 0:
			out = append(out, ImportError{Sheet: sheet, Row: 1, Column: col, Header: h, Message: "列名“" + h + "”重复"})
		default:
			idx[h] = i + 1
		}
	}
	for _, c := range cols {
		if idx[c.header] == 0 {
			out = append(out, ImportError{Sheet: sheet, Row: 1, Header: c.header, Message: "缺少列“" + c.header + "”"})
		}
	}
	return idx, out
}

// parseRow fills a T from one row's cells; it is the parser of outside input
// that the fuzz target exercises.
func parseRow[T any](sheet string, rowNum int, idx map[string]int, cols []column[T], cells []string) (T, []ImportError) {
	var v T
	var out []ImportError
	for _, c := range cols {
		i := idx[c.header]
		if i == 0 {
			continue
		}
		cell := ""
		if i-1 < len(cells) {
			cell = cells[i-1]
		}
		if len(cell) > 32000 {
			cell = cell[:32000]
		}
		if err := c.set(&v, cell); err != nil {
			col, _ := excelize.ColumnNumberToName(i)
			out = append(out, ImportError{Sheet: sheet, Row: rowNum, Column: col, Header: c.header, Message: err.Error()})
		}
	}
	return v, out
}

func blank(row []string) bool {
	for _, c := range row {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// cellOf names the cell of a header in a row.
func cellOf(sheet string, row int, idx map[string]int, header, msg string) ImportError {
	col, _ := excelize.ColumnNumberToName(max(idx[header], 1))
	if idx[header] == 0 {
		col = ""
	}
	return ImportError{Sheet: sheet, Row: row, Column: col, Header: header, Message: msg}
}
