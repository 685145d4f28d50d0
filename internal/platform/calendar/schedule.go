package calendar

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"

	"banhao.dev/banhao/internal/platform/errs"
)

// Kinds of calendar days.
const (
	KindOff  = "off"  // a day off (holiday, including weekend days inside a break)
	KindWork = "work" // a weekend day declared an adjusted working day (调休上班)
)

// Formats accepted by ParseImport and Import.
const (
	FormatJSON = "json"
	FormatCSV  = "csv"
)

// MaxImportBytes bounds an uploaded schedule file; a year is about 2 KB.
const MaxImportBytes = 256 << 10

const maxNameRunes = 30

// Day is an exception to the Monday–Friday rule.
type Day struct {
	Date Date   `json:"date"`
	Kind string `json:"kind"` // KindOff or KindWork
	Name string `json:"name"` // e.g. "春节", "春节调休上班"
}

// Schedule is one year's exceptions, as published by the State Council.
//
// File formats (one year per file; the whole file is rejected when any line
// is wrong, and every wrong line is reported):
//
// JSON:
//
//	{"year": 2027, "source": "国务院办公厅关于2027年部分节假日安排的通知",
//	 "days": [
//	  {"date": "2027-01-01", "kind": "off", "name": "元旦"},
//	  {"date": "2027-02-06", "kind": "work", "name": "春节调休上班"}
//	 ]}
//
// "source" is optional. CSV (UTF-8, optional BOM, lines starting with # are
// comments), header required; the year is the year of the first date:
//
//	date,kind,name
//	2027-01-01,off,元旦
//	2027-02-06,work,春节调休上班
//
// kind is "off" (放假, including the weekend days inside a break) or "work"
// (调休上班, only on a Saturday or Sunday); name is required (at most 30
// characters); each date appears once and lies in the year.
type Schedule struct {
	Year   int    `json:"year"`
	Source string `json:"source,omitempty"`
	Days   []Day  `json:"days"`
}

// entry is one parsed line before validation.
type entry struct {
	field            string // "line 3"
	line             int
	date, kind, name string
	broken           string // a structural problem already found
}

// ParseImport reads a schedule file in format FormatJSON or FormatCSV and
// validates it. On any problem it returns an errs Invalid error whose Fields
// name every bad line ("line N") with a Chinese reason.
func ParseImport(r io.Reader, format string) (Schedule, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxImportBytes+1))
	if err != nil {
		return Schedule{}, fmt.Errorf("read calendar file: %w", err)
	}
	if len(data) > MaxImportBytes {
		return Schedule{}, errs.Field("file", "calendar_file_too_large", fmt.Sprintf("文件过大（超过%dKB），一年的日历文件通常只有几KB", MaxImportBytes>>10))
	}
	if !utf8.Valid(data) {
		return Schedule{}, errs.Field("file", "calendar_file_encoding", "文件不是UTF-8编码，请另存为UTF-8后再导入")
	}
	data = bytes.TrimPrefix(data, []byte("\uFEFF"))
	var (
		s  Schedule
		es []entry
		fe errs.Fields
	)
	switch format {
	case FormatJSON:
		s, es, fe = parseJSON(data)
	case FormatCSV:
		es, fe = parseCSV(data)
	default:
		return Schedule{}, errs.Field("format", "calendar_format", "文件格式应为 json 或 csv")
	}
	if format == FormatCSV {
		for _, e := range es {
			if d, err := ParseDate(strings.TrimSpace(e.date)); err == nil && e.broken == "" {
				s.Year = d.Year
				break
			}
		}
	}
	days := validate(s.Year, format == FormatJSON, es, &fe)
	if err := fe.Err(); err != nil {
		return Schedule{}, err
	}
	s.Days = days
	return s, nil
}

// Validate checks a schedule built in code (e.g. from a form) with the same
// rules as a file; fields are named "days[i]".
func (s Schedule) Validate() error {
	var fe errs.Fields
	es := make([]entry, len(s.Days))
	for i, d := range s.Days {
		date := ""
		if !d.Date.IsZero() {
			date = d.Date.String()
		}
		es[i] = entry{field: fmt.Sprintf("days[%d]", i), line: i + 1, date: date, kind: d.Kind, name: d.Name}
	}
	if strings.TrimSpace(s.Source) != s.Source || utf8.RuneCountInString(s.Source) > 200 {
		fe.Add("source", "来源应去掉首尾空格且不超过200字")
	}
	validate(s.Year, true, es, &fe)
	return fe.Err()
}

func validate(year int, yearRequired bool, es []entry, fe *errs.Fields) []Day {
	if year < 2000 || year > 2100 {
		switch {
		case fe.Has("year"):
		case year == 0 && yearRequired:
			fe.Add("year", "缺少年份（year），如2027")
		case year != 0:
			fe.Addf("year", "年份%d不在2000–2100之间", year)
		}
		year = 0
	}
	if len(es) == 0 && len(*fe) == 0 {
		fe.Add("file", "文件中没有任何日期；每年至少有元旦、春节等节假日")
	}
	seen := map[Date]int{}
	var out []Day
	for _, e := range es {
		if e.broken != "" {
			fe.Addf(e.field, "%s：%s", where(e), e.broken)
			continue
		}
		day, dateOK, ok := checkEntry(e, year, fe)
		if dateOK {
			if prev, dup := seen[day.Date]; dup {
				fe.Addf(e.field, "%s：日期%s与%s重复", where(e), day.Date, whereLine(e, prev))
				ok = false
			} else {
				seen[day.Date] = e.line
			}
		}
		if ok {
			out = append(out, day)
		}
	}
	return out
}

// checkEntry validates one line; every problem is added to fe.
func checkEntry(e entry, year int, fe *errs.Fields) (day Day, dateOK, ok bool) {
	ok = true
	// A file line reports under "line N"; a form (field "") under each input.
	bad := func(input, format string, args ...any) {
		msg := fmt.Sprintf(format, args...)
		if e.field == "" {
			fe.Add(input, msg)
		} else {
			fe.Addf(e.field, "%s：%s", where(e), msg)
		}
		ok = false
	}
	d, err := ParseDate(strings.TrimSpace(e.date))
	switch {
	case err != nil:
		bad("date", "日期“%s”不是有效的YYYY-MM-DD日期", clip(e.date, 40))
	case year != 0 && d.Year != year:
		bad("date", "日期%s不在本文件的年份（%d年）内", d, year)
	}
	day.Date = d
	day.Kind = strings.TrimSpace(e.kind)
	switch day.Kind {
	case KindOff:
	case KindWork:
		if err == nil && !d.IsWeekend() {
			bad("kind", "调休上班日%s是%s，只有周六、周日才能设为调休上班", d, d.WeekdayName())
		}
	default:
		bad("kind", "类型“%s”无效，应为 off（放假）或 work（调休上班）", clip(e.kind, 20))
	}
	day.Name = strings.TrimSpace(e.name)
	if msg := checkName(day.Name); msg != "" {
		bad("name", "%s", msg)
	}
	return day, err == nil, ok
}

func checkName(name string) string {
	switch {
	case name == "":
		return "名称不能为空，如“春节”或“春节调休上班”"
	case utf8.RuneCountInString(name) > maxNameRunes:
		return fmt.Sprintf("名称不能超过%d个字", maxNameRunes)
	case strings.IndexFunc(name, unicode.IsControl) >= 0:
		return "名称含有控制字符"
	}
	return ""
}

func where(e entry) string {
	if strings.HasPrefix(e.field, "days[") {
		return fmt.Sprintf("第%d项", e.line)
	}
	return fmt.Sprintf("第%d行", e.line)
}

func whereLine(e entry, line int) string {
	return where(entry{field: e.field, line: line})
}

func parseCSV(data []byte) ([]entry, errs.Fields) {
	var fe errs.Fields
	cr := csv.NewReader(bytes.NewReader(data))
	cr.FieldsPerRecord = -1
	cr.Comment = '#'
	header, err := cr.Read()
	if err != nil {
		if errors.Is(err, io.EOF) {
			fe.Add("file", "文件为空，第一行应为表头 date,kind,name")
		} else {
			fe.Add("line 1", "第1行：CSV格式错误，第一行应为表头 date,kind,name")
		}
		return nil, fe
	}
	if len(header) != 3 || !strings.EqualFold(strings.TrimSpace(header[0]), "date") ||
		!strings.EqualFold(strings.TrimSpace(header[1]), "kind") || !strings.EqualFold(strings.TrimSpace(header[2]), "name") {
		line, _ := cr.FieldPos(0)
		fe.Addf(fmt.Sprintf("line %d", line), "第%d行：表头应为 date,kind,name", line)
		return nil, fe
	}
	var es []entry
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			line := 0
			if errors.As(err, &pe) {
				line = pe.StartLine
			}
			fe.Addf(fmt.Sprintf("line %d", line), "第%d行：CSV格式错误（引号不匹配等），之后的内容无法读取", line)
			break
		}
		line, _ := cr.FieldPos(0)
		e := entry{field: fmt.Sprintf("line %d", line), line: line}
		if len(rec) != 3 {
			e.broken = fmt.Sprintf("应有3列（date,kind,name），实际有%d列", len(rec))
		} else {
			e.date, e.kind, e.name = rec[0], rec[1], rec[2]
		}
		es = append(es, e)
	}
	return es, fe
}
