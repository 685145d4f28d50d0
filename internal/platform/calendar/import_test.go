package calendar

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"

	"banhao.dev/banhao/internal/platform/audit"
	"banhao.dev/banhao/internal/platform/db"
	"banhao.dev/banhao/internal/platform/dbtest"
	"banhao.dev/banhao/internal/platform/errs"
)

const valid2027JSON = `{"year": 2027, "source": "国务院办公厅关于2027年部分节假日安排的通知（测试）", "days": [
  {"date": "2027-01-01", "kind": "off", "name": "元旦"},
  {"date": "2027-02-06", "kind": "work", "name": "春节调休上班"},
  {"date": "2027-02-07", "kind": "off", "name": "春节"},
  {"date": "2027-02-08", "kind": "off", "name": "春节"}
]}
`

const valid2027CSV = "\uFEFF# 2027年节假日安排\r\ndate,kind,name\r\n2027-01-01,off,元旦\r\n2027-02-06,work,春节调休上班\r\n2027-02-07,off,春节\r\n\r\n2027-02-08 , off , \"春节\"\r\n"

func TestParseImportAcceptsValidFiles(t *testing.T) {
	want := []Day{
		{Date{2027, 1, 1}, KindOff, "元旦"},
		{Date{2027, 2, 6}, KindWork, "春节调休上班"},
		{Date{2027, 2, 7}, KindOff, "春节"},
		{Date{2027, 2, 8}, KindOff, "春节"},
	}
	for _, tt := range []struct{ format, in string }{{FormatJSON, valid2027JSON}, {FormatCSV, valid2027CSV}} {
		t.Run(tt.format+" file parses to four days of 2027", func(t *testing.T) {
			s, err := ParseImport(strings.NewReader(tt.in), tt.format)
			if err != nil {
				t.Fatalf("ParseImport: %v", err)
			}
			if s.Year != 2027 || !slices.Equal(s.Days, want) {
				t.Errorf("got %d %v want 2027 %v", s.Year, s.Days, want)
			}
		})
	}
	t.Run("shipped files are valid", func(t *testing.T) {
		ss, err := Official()
		if err != nil || len(ss) != 3 || ss[0].Year != 2024 || ss[2].Year != 2026 {
			t.Fatalf("Official() = %d schedules, %v", len(ss), err)
		}
	})
}

// fieldsOf returns the failing fields and messages of an Invalid error.
func fieldsOf(t *testing.T, err error) map[string]string {
	t.Helper()
	e, ok := errs.As(err)
	if !ok || e.Kind != errs.Invalid {
		t.Fatalf("got %v want an Invalid errs.Error", err)
	}
	out := map[string]string{}
	for _, f := range e.Fields {
		out[f.Field] += f.Message
	}
	return out
}

func TestParseImportNamesEveryBadLine(t *testing.T) {
	badJSON := `{"year": 2027, "days": [
  {"date": "2027-01-01", "kind": "off", "name": "元旦"},
  {"date": "2027-13-01", "kind": "off", "name": "春节"},
  {"date": "2027-02-09", "kind": "holiday", "name": "春节"},
  {"date": "2028-01-01", "kind": "off", "name": "元旦"},
  {"date": "2027-01-01", "kind": "off", "name": "元旦"},
  {"date": "2027-02-03", "kind": "work", "name": "春节调休上班"},
  {"date": "2027-02-10", "kind": "off", "name": " "},
  {"date": "2027-02-11", "kind": "off", "name": "春节", "note": "x"},
  {"date": 20270212, "kind": "off", "name": "春节"},
  "2027-02-13"
]}`
	badCSV := "date,kind,name\n2027-01-01,off,元旦\n2027/02/09,off,春节\n2027-02-10,off\n2027-02-06,work,春节调休上班,多余\n2027-02-03,work,春节调休上班\n2026-12-31,off,元旦\n2027-01-01,OFF,元旦\n"
	tests := []struct {
		name   string
		format string
		in     string
		want   map[string]string // field → fragment of its message
	}{
		{"json with eight bad lines", FormatJSON, badJSON, map[string]string{
			"line 3":  "第3行：日期“2027-13-01”不是有效的YYYY-MM-DD日期",
			"line 4":  "类型“holiday”无效",
			"line 5":  "日期2028-01-01不在本文件的年份（2027年）内",
			"line 6":  "日期2027-01-01与第2行重复",
			"line 7":  "调休上班日2027-02-03是周三",
			"line 8":  "名称不能为空",
			"line 9":  "且只含这三个字段",
			"line 10": "字段date应为文字",
			"line 11": "每一项应为",
		}},
		{"csv with six bad lines", FormatCSV, badCSV, map[string]string{
			"line 3": "日期“2027/02/09”不是有效的",
			"line 4": "应有3列（date,kind,name），实际有2列",
			"line 5": "实际有4列",
			"line 6": "只有周六、周日才能设为调休上班",
			"line 7": "不在本文件的年份（2027年）内",
			"line 8": "类型“OFF”无效",
		}},
		{"csv without header", FormatCSV, "2027-01-01,off,元旦\n", map[string]string{"line 1": "表头应为 date,kind,name"}},
		{"csv with a broken quote", FormatCSV, "date,kind,name\n2027-01-01,off,\"元旦\n", map[string]string{"line 2": "CSV格式错误"}},
		{"empty csv", FormatCSV, "", map[string]string{"file": "文件为空"}},
		{"json without days", FormatJSON, `{"year": 2027}`, map[string]string{"days": "缺少日期列表"}},
		{"json with no year and an empty list", FormatJSON, `{"days": []}`, map[string]string{"year": "缺少年份"}},
		{"json year out of range", FormatJSON, `{"year": 1999, "days": [{"date":"1999-01-01","kind":"off","name":"元旦"}]}`, map[string]string{"year": "年份1999不在"}},
		{"json unknown top-level field", FormatJSON, `{"year": 2027, "yr": 1, "days": [{"date":"2027-01-01","kind":"off","name":"元旦"}]}`, map[string]string{"field yr": "未知字段“yr”"}},
		{"json syntax error names its line", FormatJSON, "{\"year\": 2027,\n \"days\": [\n {\"date\": \"2027-01-01\" \"kind\": \"off\"}\n]}", map[string]string{"line 3": "JSON格式错误"}},
		{"truncated json", FormatJSON, "{\"year\": 2027,\n \"days\": [", map[string]string{"line 2": "JSON格式错误"}},
		{"trailing data after json", FormatJSON, `{"year": 2027, "days": [{"date":"2027-01-01","kind":"off","name":"元旦"}]} {}`, map[string]string{"line 1": "JSON格式错误"}},
		{"unknown format", "xlsx", "", map[string]string{"format": "json 或 csv"}},
		{"not utf-8", FormatCSV, "date,kind,name\n2027-01-01,off,\xd4\xaa\xb5\xa9\n", map[string]string{"file": "UTF-8"}},
	}
	for _, tt := range tests {
		t.Run(tt.name+" is rejected", func(t *testing.T) {
			_, err := ParseImport(strings.NewReader(tt.in), tt.format)
			got := fieldsOf(t, err)
			for field, frag := range tt.want {
				if !strings.Contains(got[field], frag) {
					t.Errorf("field %q: got %q want it to contain %q", field, got[field], frag)
				}
			}
			for field := range got {
				if _, ok := tt.want[field]; !ok {
					t.Errorf("unexpected field %q: %q", field, got[field])
				}
			}
		})
	}
}

func TestImportReplacesYearAndAuditsEveryEdit(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		c, _ := mustSeeded(t, d)
		ctx := context.Background()
		events := func() []audit.Event {
			t.Helper()
			evs, err := audit.Stream(ctx, d.R, Stream)
			if err != nil {
				t.Fatalf("audit.Stream: %v", err)
			}
			return evs
		}
		if n := len(events()); n != 3 {
			t.Fatalf("after seeding: %d audit events want 3 (one per shipped year)", n)
		}
		t.Run("a bad file writes nothing", func(t *testing.T) {
			bad := strings.Replace(valid2027JSON, `"2027-02-08"`, `"2027-02-30"`, 1)
			_, err := c.Import(ctx, adminActor, strings.NewReader(bad), FormatJSON)
			if !strings.Contains(fieldsOf(t, err)["line 5"], "2027-02-30") {
				t.Errorf("got %v want line 5 named", err)
			}
			if days, _ := c.ListYear(ctx, 2027); len(days) != 0 {
				t.Errorf("ListYear(2027) = %v want nothing written", days)
			}
			if n := len(events()); n != 3 {
				t.Errorf("%d audit events want 3", n)
			}
		})
		t.Run("a valid CSV loads 2027", func(t *testing.T) {
			res, err := c.Import(ctx, adminActor, strings.NewReader(valid2027CSV), FormatCSV)
			if err != nil {
				t.Fatalf("Import: %v", err)
			}
			if res != (ImportResult{Year: 2027, Days: 4, Replaced: 0}) {
				t.Errorf("result = %+v", res)
			}
			got, err := c.AddWorkingDays(ctx, Date{2026, 12, 31}, 1)
			if err != nil || got != (Date{2027, 1, 4}) {
				t.Errorf("AddWorkingDays(2026-12-31, 1) = %v, %v want 2027-01-04", got, err)
			}
			if w, name, _ := c.IsWorking(ctx, Date{2027, 2, 6}); !w || name != "春节调休上班" {
				t.Errorf("2027-02-06 = (%v, %q) want 春节调休上班", w, name)
			}
		})
		t.Run("a JSON import replaces the year", func(t *testing.T) {
			in := strings.Replace(valid2027JSON, `  {"date": "2027-02-08", "kind": "off", "name": "春节"}`, `  {"date": "2027-02-09", "kind": "off", "name": "春节"}`, 1)
			res, err := c.Import(ctx, adminActor, strings.NewReader(in), FormatJSON)
			if err != nil || res.Replaced != 4 || res.Days != 4 {
				t.Fatalf("Import = %+v, %v", res, err)
			}
			if w, _, _ := c.IsWorking(ctx, Date{2027, 2, 8}); !w {
				t.Errorf("2027-02-08 still off after replacement")
			}
			years, _ := c.Years(ctx)
			if last := years[len(years)-1]; last.Year != 2027 || !strings.Contains(last.Source, "2027年部分节假日安排") {
				t.Errorf("last year = %+v", last)
			}
		})
		t.Run("set, delete and mark-loaded are audited with before and after", func(t *testing.T) {
			day := Date{2026, 3, 3}
			if err := c.SetDay(ctx, adminActor, day, KindOff, "本地休息日"); err != nil {
				t.Fatal(err)
			}
			if err := c.SetDay(ctx, adminActor, day, KindOff, "县庆"); err != nil {
				t.Fatal(err)
			}
			if err := c.DeleteDay(ctx, adminActor, day); err != nil {
				t.Fatal(err)
			}
			if err := c.MarkYearLoaded(ctx, adminActor, 2027, "人工核对"); err != nil {
				t.Fatal(err)
			}
			evs := events()
			var actions []string
			for _, ev := range evs {
				actions = append(actions, ev.Action)
			}
			want := []string{"seed_year", "seed_year", "seed_year", "import_year", "import_year", "set_day", "set_day", "delete_day", "mark_year_loaded"}
			if !slices.Equal(actions, want) {
				t.Fatalf("actions = %v want %v", actions, want)
			}
			var second struct{ Before, After Day }
			_ = json.Unmarshal(evs[6].Data, &second)
			if second.Before.Name != "本地休息日" || second.After.Name != "县庆" || evs[6].ActorID != 42 || evs[6].Role != "admin" {
				t.Errorf("second set_day event = %s by %d/%s", evs[6].Data, evs[6].ActorID, evs[6].Role)
			}
			var del struct {
				Before *Day
				After  *Day
			}
			_ = json.Unmarshal(evs[7].Data, &del)
			if del.Before == nil || del.Before.Name != "县庆" || del.After != nil {
				t.Errorf("delete_day event = %s", evs[7].Data)
			}
			if !bytes.Contains(evs[4].Data, []byte(`"replaced"`)) && !bytes.Contains(evs[4].Data, []byte(`"before"`)) {
				t.Errorf("import event lacks before: %s", evs[4].Data)
			}
			if res, err := audit.Verify(ctx, d.R, Stream); err != nil || len(res.Broken) != 0 || res.Events != 9 {
				t.Errorf("audit chain: %+v, %v", res, err)
			}
		})
		t.Run("edits are validated", func(t *testing.T) {
			err := c.SetDay(ctx, adminActor, Date{2026, 3, 4}, KindWork, "")
			got := fieldsOf(t, err)
			if !strings.Contains(got["kind"], "周三") || !strings.Contains(got["name"], "不能为空") {
				t.Errorf("fields = %v", got)
			}
			if err := c.DeleteDay(ctx, adminActor, Date{2026, 3, 4}); !errors.Is(err, ErrDayNotFound) {
				t.Errorf("DeleteDay of an ordinary day: got %v want ErrDayNotFound", err)
			}
			if err := c.MarkYearLoaded(ctx, adminActor, 2030, ""); !errors.Is(err, ErrYearEmpty) {
				t.Errorf("MarkYearLoaded(2030): got %v want ErrYearEmpty", err)
			}
		})
	})
}
