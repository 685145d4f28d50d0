package catalog

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// The workbook exchanged with departments has three sheets: 事项 (one row
// per item), 材料 (one row per material, keyed by 事项编码) and 情形 (one
// row per answer, keyed by 事项编码 and 情形编号). Each column is described
// once here, with how to write it and how to read it back, so that export
// and import cannot drift apart. Multi-value cells hold one value per line;
// structured lines separate their parts with "|".

const (
	SheetItems      = "事项"
	SheetMaterials  = "材料"
	SheetSituations = "情形"
	SheetHelp       = "填写说明"
)

// column is one Excel column of a sheet over a row value of type T.
type column[T any] struct {
	header string
	help   string
	get    func(*T) string
	set    func(*T, string) error // returns a Chinese message on bad input
}

type cellErr string

func (e cellErr) Error() string { return string(e) }

func bad(format string, args ...any) error { return cellErr(fmt.Sprintf(format, args...)) }

func lines(s string) []string {
	s = strings.NewReplacer("\r\n", "\n", "；", "\n", ";", "\n").Replace(s)
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

func joinLines(v []string) string { return strings.Join(v, "\n") }

// parts splits a structured line on "|" or "｜" into exactly n parts.
func parts(l string, n int) []string {
	p := strings.Split(strings.ReplaceAll(l, "｜", "|"), "|")
	for len(p) < n {
		p = append(p, "")
	}
	for i := range p {
		p[i] = strings.TrimSpace(p[i])
	}
	return p[:n]
}

func yesNo(b bool) string {
	if b {
		return "是"
	}
	return "否"
}

func parseBool(s string) (bool, error) {
	switch strings.TrimSpace(s) {
	case "是", "Y", "y", "1", "true":
		return true, nil
	case "否", "", "N", "n", "0", "false":
		return false, nil
	}
	return false, bad("应填“是”或“否”，不是“%s”", s)
}

func fmtNum(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

func parseNum(s string, what string) (float64, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, bad("%s应为数字，不是“%s”", what, s)
	}
	return f, nil
}

func parseInt(s, what string) (int, error) {
	f, err := parseNum(s, what)
	if err != nil {
		return 0, err
	}
	if f != math.Trunc(f) || f < -1e6 || f > 1e6 {
		return 0, bad("%s应为整数，不是“%s”", what, s)
	}
	return int(f), nil
}

func enumCell(list []label, what string) (func(string) string, func(string) (string, error)) {
	get := func(code string) string { return zhOf(list, code) }
	set := func(s string) (string, error) {
		s = strings.TrimSpace(s)
		if c, ok := codeOf(list, s); ok && s != "" {
			return c, nil
		}
		return "", bad("%s应为：%s", what, strings.Join(zhs(list), "、"))
	}
	return get, set
}

func enumListCell(list []label, what string) (func([]string) string, func(string) ([]string, error)) {
	get1, set1 := enumCell(list, what)
	get := func(v []string) string {
		out := make([]string, len(v))
		for i, x := range v {
			out[i] = get1(x)
		}
		return joinLines(out)
	}
	set := func(s string) ([]string, error) {
		var out []string
		for _, l := range lines(strings.ReplaceAll(s, "、", "\n")) {
			c, err := set1(l)
			if err != nil {
				return nil, err
			}
			out = append(out, c)
		}
		return out, nil
	}
	return get, set
}

func fileCell(f *File) string {
	if f == nil {
		return ""
	}
	return f.Name + "|" + f.Hash
}

func parseFile(s string) (*File, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, nil
	}
	p := parts(s, 2)
	if len(p[1]) != 64 {
		return nil, bad("文件应写成“文件名|SHA-256 哈希”（先在管理页上传文件取得哈希）")
	}
	ct := docxType
	if strings.HasSuffix(p[0], ".pdf") {
		ct = "application/pdf"
	} else if strings.HasSuffix(p[0], ".xlsx") {
		ct = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	}
	return &File{Name: p[0], Hash: strings.ToLower(p[1]), ContentType: ct}, nil
}

func limitCells(get func(*Item) *Limit, what string) (column[Item], column[Item]) {
	ug, us := enumCell(unitLabels, what+"单位")
	days := column[Item]{header: what, help: "天数，可为 0.5 的倍数",
		get: func(it *Item) string { return fmtNum(get(it).Days) },
		set: func(it *Item, s string) error {
			f, err := parseNum(s, what)
			get(it).Days = f
			return err
		}}
	unit := column[Item]{header: what + "单位", help: "工作日或自然日，空白为工作日",
		get: func(it *Item) string { return ug(string(get(it).Unit)) },
		set: func(it *Item, s string) error {
			if strings.TrimSpace(s) == "" {
				return nil
			}
			c, err := us(s)
			get(it).Unit = LimitUnit(c)
			return err
		}}
	return days, unit
}

func strCol(header, help string, p func(*Item) *string) column[Item] {
	return column[Item]{header: header, help: help, get: func(it *Item) string { return *p(it) },
		set: func(it *Item, s string) error { *p(it) = strings.TrimSpace(s); return nil }}
}

func listCol(header, help string, p func(*Item) *[]string) column[Item] {
	return column[Item]{header: header, help: help, get: func(it *Item) string { return joinLines(*p(it)) },
		set: func(it *Item, s string) error { *p(it) = lines(s); return nil }}
}

func boolCol(header, help string, p func(*Item) *bool) column[Item] {
	return column[Item]{header: header, help: help, get: func(it *Item) string { return yesNo(*p(it)) },
		set: func(it *Item, s string) error {
			b, err := parseBool(s)
			*p(it) = b
			return err
		}}
}

func intCol(header, help string, p func(*Item) *int) column[Item] {
	return column[Item]{header: header, help: help, get: func(it *Item) string { return strconv.Itoa(*p(it)) },
		set: func(it *Item, s string) error {
			n, err := parseInt(s, header)
			*p(it) = n
			return err
		}}
}
