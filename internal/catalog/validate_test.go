package catalog

import (
	"strings"
	"testing"

	"banhao.dev/banhao/internal/platform/errs"
)

func orgs1(id int64) (Org, bool) {
	if id == 7 {
		return Org{ID: 7, Name: "示范县市场监督管理局", RegionCode: "990121"}, true
	}
	return Org{}, false
}

func fieldsOf(t *testing.T, err error) map[string]string {
	t.Helper()
	out := map[string]string{}
	if err == nil {
		return out
	}
	e, ok := errs.As(err)
	if !ok {
		t.Fatalf("got %T %v, want *errs.Error", err, err)
	}
	for _, f := range e.Fields {
		out[f.Field] = f.Message
	}
	return out
}

func TestValidateRejectsMalformedItemsWithFieldAndReason(t *testing.T) {
	tests := []struct {
		name   string
		change func(*Item)
		field  string
		want   string // part of the message
	}{
		{"promised above legal", func(it *Item) { it.PromisedLimit = Limit{Days: 25} }, "promised_limit", "不能超过法定时限"},
		{"promised in calendar days above legal working days", func(it *Item) {
			it.LegalLimit = Limit{Days: 5, Unit: WorkingDay}
			it.PromisedLimit = Limit{Days: 8, Unit: CalendarDay}
		}, "promised_limit", "不能超过法定时限"},
		{"unknown e-license type", func(it *Item) { it.Materials[1].ELicenseType = "moon_passport" }, "materials[1].e_license_type", "未知的电子证照类型"},
		{"unparsable CEL", func(it *Item) { it.Materials[2].Condition = `agent == ` }, "materials[2].condition", "第 1 行第"},
		{"CEL unknown situation", func(it *Item) { it.Materials[2].Condition = `agnet == "yes"` }, "materials[2].condition", "未定义的情形或函数 agnet"},
		{"CEL answer that does not exist", func(it *Item) { it.Materials[2].Condition = `agent == "maybe"` }, "materials[2].condition", `没有答案 "maybe"`},
		{"CEL not boolean", func(it *Item) { it.Materials[2].Condition = `agent` }, "materials[2].condition", "bool"},
		{"bad code structure", func(it *Item) { it.Code = "ABC" }, "code", "事项编码格式"},
		{"code kind prefix mismatch", func(it *Item) { it.Kind = Benefit }, "code", "与事项类型"},
		{"unknown org", func(it *Item) { it.OrgID = 99 }, "org_id", "实施主体不存在"},
		{"trips out of range", func(it *Item) { it.Trips = 3 }, "trips", "0、1 或 2"},
		{"online depth out of range", func(it *Item) { it.OnlineDepth = 5 }, "online_depth", "1–4"},
		{"duplicate material id", func(it *Item) { it.Materials[1].ID = "form" }, "materials[1].id", "重复"},
		{"immediate with a promised limit", func(it *Item) { it.CaseType = Immediate; it.Process = ProcessTemplate{} }, "promised_limit", "即办件"},
		{"review-approve with three steps", func(it *Item) { it.CaseType = ReviewApprove }, "process.steps", "两个计时环节"},
		{"situational material without condition", func(it *Item) { it.Materials[2].Condition = "" }, "materials[2].required", "适用条件"},
		{"answer adds unknown material", func(it *Item) { it.Situations[0].Answers[1].Add = []string{"ghost"} }, "situations[0].answers[1].materials[0]", "不存在的材料"},
		{"unknown domain", func(it *Item) { it.Domain = "外太空" }, "domain", "所属领域"},
		{"unknown life event", func(it *Item) { it.LifeEvents = []string{"升仙"} }, "life_events[0]", "人生事件"},
		{"stopping step without days", func(it *Item) {
			it.Process.Steps = append(it.Process.Steps, Step{Name: "现场勘查", Role: "reviewer", StopsClock: true})
		}, "process.steps[3].days", "所需天数"},
		{"fee without basis", func(it *Item) { it.Fees = []Fee{{Name: "工本费", Amount: 10}} }, "fees[0].basis", "收费依据"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			it := sampleItem(7)
			tt.change(&it)
			Normalize(&it)
			got := fieldsOf(t, Validate(&it, orgs1))
			msg, ok := got[tt.field]
			if !ok {
				t.Fatalf("got errors %v, want one on %s", got, tt.field)
			}
			if !strings.Contains(msg, tt.want) {
				t.Errorf("%s: got %q, want it to contain %q", tt.field, msg, tt.want)
			}
		})
	}
	t.Run("valid item passes", func(t *testing.T) {
		it := sampleItem(7)
		Normalize(&it)
		if err := Validate(&it, orgs1); err != nil {
			t.Errorf("got %v, want nil", err)
		}
	})
}

func TestConditionErrorsCarryLineAndColumn(t *testing.T) {
	sits := sampleItem(7).Situations
	tests := []struct {
		expr      string
		line, col int
	}{
		{`agent == "yes" &&`, 1, 18},
		{"agent == \"yes\" ||\n  nobody == \"x\"", 2, 3},
		{`agent == "nope"`, 1, 10},
	}
	for _, tt := range tests {
		err := ValidateCondition(sits, tt.expr)
		ce, ok := err.(ConditionError)
		if !ok {
			t.Fatalf("%q: got %v, want ConditionError", tt.expr, err)
		}
		if ce.Line != tt.line || ce.Column != tt.col {
			t.Errorf("%q: got %d:%d (%s), want %d:%d", tt.expr, ce.Line, ce.Column, ce.Message, tt.line, tt.col)
		}
	}
	if err := ValidateCondition(sits, `agent in ["yes", "no"] && agent != ""`); err != nil {
		t.Errorf("valid condition rejected: %v", err)
	}
}
