package catalog

import (
	"fmt"
	"math"
	"regexp"
	"strings"

	"banhao.dev/banhao/internal/platform/errs"
	"banhao.dev/banhao/internal/platform/ids"
)

// Org is what the catalog needs to know of an implementing organization.
type Org struct {
	ID         int64  `json:"id"`
	Name       string `json:"name"`
	RegionCode string `json:"region_code"`
}

// codeRe is the item code structure documented in the package comment.
var codeRe = regexp.MustCompile(`^(\d{2})\d{5}\d{3}-(\d{6}|\d{9}|\d{12})-\d{2}$`)

var answerIDRe = regexp.MustCompile(`^[a-z0-9_]{1,32}$`)
var materialIDRe = regexp.MustCompile(`^[a-z0-9_]{1,32}$`)

// Normalize fills defaults so that short inputs (Excel rows, demo JSON) are
// complete: trimmed names, units, the built-in template of the case type,
// one paper original per material.
func Normalize(it *Item) {
	it.Code = strings.TrimSpace(it.Code)
	it.Name = strings.TrimSpace(it.Name)
	it.ShortName = strings.TrimSpace(it.ShortName)
	if it.LegalLimit.Unit == "" {
		it.LegalLimit.Unit = WorkingDay
	}
	if it.PromisedLimit.Unit == "" {
		it.PromisedLimit.Unit = it.LegalLimit.Unit
	}
	if len(it.Process.Steps) == 0 && it.CaseType.Valid() {
		it.Process = templateFor(it.CaseType)
	}
	if it.Process.Kind == "" {
		it.Process.Kind = TemplateCustom
	}
	if it.Scope == "" {
		it.Scope = "local"
	}
	if it.Level == "" {
		it.Level = "county"
	}
	for i := range it.Materials {
		m := &it.Materials[i]
		m.Name = strings.TrimSpace(m.Name)
		if m.Kind == "" {
			m.Kind = "other"
		}
		if m.Form == "" {
			m.Form = "original"
		}
		if m.Copies == 0 {
			m.Copies = 1
		}
		if m.Medium == "" {
			m.Medium = "paper"
		}
		if m.Source == "" {
			m.Source = "applicant"
		}
	}
	it.Charged = len(it.Fees) > 0
	for i := range it.Situations {
		for j := range it.Situations[i].Answers {
			a := &it.Situations[i].Answers[j]
			it.Charged = it.Charged || len(a.AddFees) > 0
			if a.PromisedLimit != nil && a.PromisedLimit.Unit == "" {
				a.PromisedLimit.Unit = WorkingDay
			}
		}
	}
	// Lists are never null in JSON, so API clients and round trips see [].
	for _, l := range []*[]string{&it.HallPlaces, &it.Conditions, &it.RefusalGrounds, &it.ServiceObjects, &it.PaymentChannels,
		&it.LifeEvents, &it.Lifecycle, &it.Themes, &it.Aliases, &it.Keywords} {
		if *l == nil {
			*l = []string{}
		}
	}
	it.LegalBasis = nonNil(it.LegalBasis)
	it.Channels = nonNil(it.Channels)
	it.Fees = nonNil(it.Fees)
	it.Materials = nonNil(it.Materials)
	it.Situations = nonNil(it.Situations)
	it.FAQ = nonNil(it.FAQ)
}

func nonNil[T any](v []T) []T {
	if v == nil {
		return []T{}
	}
	return v
}

// Validate checks every element of it and returns all failing fields (as
// *errs.Error with Fields) or nil. orgOf resolves org ids.
func Validate(it *Item, orgOf func(int64) (Org, bool)) error {
	var fe errs.Fields
	validateIdentity(it, orgOf, &fe)
	validateTime(it, &fe)
	validateService(it, &fe)
	validateMaterials(it, &fe)
	validateSituations(it, &fe)
	validateTags(it, &fe)
	return fe.Err()
}

func validateIdentity(it *Item, orgOf func(int64) (Org, bool), fe *errs.Fields) {
	m := codeRe.FindStringSubmatch(it.Code)
	switch {
	case m == nil:
		fe.Add("code", "事项编码格式应为 KKMMMMMSSS-区划代码-NN（如 0100001000-990121-01）")
	case it.Kind.Valid() && m[1] != it.Kind.CodePrefix():
		fe.Addf("code", "事项编码前两位 %s 与事项类型“%s”不符（应为 %s）", m[1], it.Kind.Label(), it.Kind.CodePrefix())
	case it.RegionCode != "" && m[2] != it.RegionCode:
		fe.Addf("code", "事项编码中的区划 %s 与事项所属区划 %s 不符", m[2], it.RegionCode)
	}
	if it.Name == "" {
		fe.Add("name", "请填写事项名称")
	} else if len([]rune(it.Name)) > 100 {
		fe.Add("name", "事项名称不能超过 100 个字")
	}
	if !it.Kind.Valid() {
		fe.Add("kind", "事项类型应为："+strings.Join(zhs(kindLabels), "、"))
	}
	if !it.Level.Valid() {
		fe.Add("level", "行使层级应为："+strings.Join(zhs(levelLabels), "、"))
	}
	org, ok := orgOf(it.OrgID)
	if !ok {
		fe.Add("org_id", "实施主体不存在")
	} else if it.RegionCode != "" && !ids.InRegion(it.RegionCode, org.RegionCode) {
		fe.Addf("region_code", "事项区划 %s 不在实施主体 %s 的辖区内", it.RegionCode, org.Name)
	}
	if _, err := ids.RegionCodeLevel(it.RegionCode); err != nil {
		fe.Add("region_code", "区划代码无效")
	}
	if !contains(Domains, it.Domain) {
		fe.Add("domain", "所属领域应为："+strings.Join(Domains, "、"))
	}
	if len(it.LegalBasis) == 0 {
		fe.Add("legal_basis", "请至少填写一条设定依据")
	}
	for i, b := range it.LegalBasis {
		if strings.TrimSpace(b.Law) == "" {
			fe.Addf(fmt.Sprintf("legal_basis[%d].law", i), "请填写法律法规名称")
		}
	}
	if it.Kind != PublicService && (it.Remedies.Reconsideration == "" || it.Remedies.Litigation == "") {
		fe.Add("remedies", "行政权力事项须写明行政复议和行政诉讼途径")
	}
}

func validDays(d float64) bool { return d >= 0 && d <= 3650 && math.Mod(d*2, 1) == 0 }

func validateTime(it *Item, fe *errs.Fields) {
	for _, l := range []struct {
		field string
		lim   Limit
	}{{"legal_limit", it.LegalLimit}, {"promised_limit", it.PromisedLimit}} {
		if !validDays(l.lim.Days) {
			fe.Add(l.field+".days", "时限应为 0–3650 之间的整数或半天")
		}
		if l.lim.Unit != WorkingDay && l.lim.Unit != CalendarDay {
			fe.Add(l.field+".unit", "时限单位应为工作日或自然日")
		}
	}
	if it.PromisedLimit.WorkingDays() > it.LegalLimit.WorkingDays()+1e-9 {
		fe.Addf("promised_limit", "承诺时限 %s 不能超过法定时限 %s", it.PromisedLimit, it.LegalLimit)
	}
	if !it.CaseType.Valid() {
		fe.Add("case_type", "办件类型应为即办件、一审一核件或承诺件")
		return
	}
	if it.CaseType == Immediate && it.PromisedLimit.Days != 0 {
		fe.Add("promised_limit", "即办件当场办结，承诺时限应为 0")
	}
	if it.CaseType != Immediate && it.PromisedLimit.Days == 0 {
		fe.Add("promised_limit", "非即办件须填写承诺时限")
	}
	validateProcess(it, fe)
}

func validateProcess(it *Item, fe *errs.Fields) {
	p := it.Process
	if _, ok := codeOf(templateLabels, string(p.Kind)); !ok {
		fe.Add("process.kind", "流程模板应为即办、一审一核、承诺件或自定义")
	}
	n := p.countedSteps()
	switch {
	case it.CaseType == Immediate && n != 1:
		fe.Add("process.steps", "即办件的流程只有一个计时环节（受理并决定）")
	case it.CaseType == ReviewApprove && n != 2:
		fe.Add("process.steps", "一审一核件的流程应有两个计时环节（审查、核准）")
	case it.CaseType == Promised && n < 3:
		fe.Add("process.steps", "承诺件的流程至少有三个计时环节（受理、审查、决定）")
	}
	share := 0.0
	for i, s := range p.Steps {
		f := fmt.Sprintf("process.steps[%d]", i)
		if strings.TrimSpace(s.Name) == "" {
			fe.Add(f+".name", "请填写环节名称")
		}
		if !contains(StepRoles, s.Role) {
			fe.Add(f+".role", "环节角色应为："+strings.Join(StepRoles, "、"))
		}
		if s.StopsClock {
			if s.Share != 0 {
				fe.Add(f+".share", "特别程序环节不计入办理时限，时限占比应为 0")
			}
			if !validDays(s.Days) || s.Days == 0 {
				fe.Add(f+".days", "特别程序环节须写明所需天数")
			}
			continue
		}
		if s.Share < 0 || s.Share > 1 {
			fe.Add(f+".share", "时限占比应在 0 到 1 之间")
		}
		share += s.Share
	}
	if len(p.Steps) > 0 && math.Abs(share-1) > 0.001 {
		fe.Addf("process.steps", "计时环节的时限占比之和应为 1（当前 %.3g）", share)
	}
}

// StepRoles are the roles a process step may name.
var StepRoles = []string{"clerk", "reviewer", "approver"}

func validateService(it *Item, fe *errs.Fields) {
	if it.Trips < 0 || it.Trips > 2 {
		fe.Add("trips", "到现场次数应为 0、1 或 2")
	}
	if it.OnlineDepth < 1 || it.OnlineDepth > 4 {
		fe.Add("online_depth", "网上办理深度应为 1–4")
	}
	if it.OnlineDepth == 4 && it.Trips != 0 {
		fe.Add("trips", "全程网办事项到现场次数应为 0")
	}
	if len(it.Channels) == 0 {
		fe.Add("channels", "请至少选择一个办理渠道")
	}
	for i, c := range it.Channels {
		if _, ok := codeOf(channelLabels, string(c)); !ok {
			fe.Addf(fmt.Sprintf("channels[%d]", i), "未知的办理渠道 %s", c)
		}
	}
	if len(it.ServiceObjects) == 0 {
		fe.Add("service_objects", "请选择服务对象（自然人或法人）")
	}
	for i, o := range it.ServiceObjects {
		if _, ok := codeOf(objectLabels, o); !ok {
			fe.Addf(fmt.Sprintf("service_objects[%d]", i), "未知的服务对象 %s", o)
		}
	}
	if _, ok := codeOf(scopeLabels, string(it.Scope)); !ok {
		fe.Add("scope", "通办范围应为本地办理、全市通办、全省通办或跨省通办")
	}
	for i, f := range it.Fees {
		p := fmt.Sprintf("fees[%d]", i)
		validateFee(f, p, fe)
	}
	for i, q := range it.FAQ {
		if strings.TrimSpace(q.Q) == "" || strings.TrimSpace(q.A) == "" {
			fe.Addf(fmt.Sprintf("faq[%d]", i), "常见问题须有问题和解答")
		}
	}
}

func validateFee(f Fee, p string, fe *errs.Fields) {
	if strings.TrimSpace(f.Name) == "" {
		fe.Add(p+".name", "请填写收费项目名称")
	}
	if f.Amount < 0 || math.IsNaN(f.Amount) || math.IsInf(f.Amount, 0) {
		fe.Add(p+".amount", "收费金额不能为负数")
	}
	if f.Amount == 0 && strings.TrimSpace(f.Standard) == "" {
		fe.Add(p+".standard", "请填写收费金额或收费标准")
	}
	if strings.TrimSpace(f.Basis) == "" {
		fe.Add(p+".basis", "请填写收费依据")
	}
}

func validateMaterials(it *Item, fe *errs.Fields) {
	seen := map[string]bool{}
	added := map[string]bool{}
	for _, s := range it.Situations {
		for _, a := range s.Answers {
			for _, id := range a.Add {
				added[id] = true
			}
		}
	}
	for i, m := range it.Materials {
		p := fmt.Sprintf("materials[%d]", i)
		if !materialIDRe.MatchString(m.ID) {
			fe.Add(p+".id", "材料编号只能用小写字母、数字和下划线")
		} else if seen[m.ID] {
			fe.Addf(p+".id", "材料编号 %s 重复", m.ID)
		}
		seen[m.ID] = true
		if m.Name == "" {
			fe.Add(p+".name", "请填写材料名称")
		}
		checkLabel(fe, p+".kind", materialKindLabels, string(m.Kind), "材料类型")
		checkLabel(fe, p+".form", formLabels, string(m.Form), "原件/复印件")
		checkLabel(fe, p+".medium", mediumLabels, string(m.Medium), "材料形式")
		checkLabel(fe, p+".source", sourceLabels, string(m.Source), "材料来源")
		if m.Copies < 0 || m.Copies > 20 {
			fe.Add(p+".copies", "份数应为 0–20")
		}
		if m.ELicenseType != "" {
			if _, ok := ELicenseTypeByCode(m.ELicenseType); !ok {
				fe.Addf(p+".e_license_type", "未知的电子证照类型 %q", m.ELicenseType)
			}
		}
		if !m.Required && m.Condition == "" && !added[m.ID] {
			fe.Add(p+".required", "非必要材料须写明适用条件或由情形答案添加")
		}
		if m.PendingAllowed && m.Kind == "form" {
			fe.Add(p+".pending_allowed", "申请表是核心材料，不能容缺")
		}
	}
}

func checkLabel(fe *errs.Fields, field string, list []label, v, what string) {
	if _, ok := codeOf(list, v); !ok || v == "" {
		fe.Addf(field, "%s应为：%s", what, strings.Join(zhs(list), "、"))
	}
}

func validateSituations(it *Item, fe *errs.Fields) {
	seen := map[string]bool{}
	for i, s := range it.Situations {
		p := fmt.Sprintf("situations[%d]", i)
		if !identRe.MatchString(s.ID) || celReserved[s.ID] {
			fe.Add(p+".id", "情形编号须以小写字母开头，只含小写字母、数字和下划线，且不是保留字")
		} else if seen[s.ID] {
			fe.Addf(p+".id", "情形编号 %s 重复", s.ID)
		}
		seen[s.ID] = true
		if strings.TrimSpace(s.Question) == "" {
			fe.Add(p+".question", "请填写情形问题")
		}
		if len(s.Answers) < 2 {
			fe.Add(p+".answers", "每个情形至少有两个答案")
		}
		aseen := map[string]bool{}
		for j, a := range s.Answers {
			ap := fmt.Sprintf("%s.answers[%d]", p, j)
			if !answerIDRe.MatchString(a.ID) {
				fe.Add(ap+".id", "答案编号只能用小写字母、数字和下划线")
			} else if aseen[a.ID] {
				fe.Addf(ap+".id", "答案编号 %s 重复", a.ID)
			}
			aseen[a.ID] = true
			if strings.TrimSpace(a.Label) == "" {
				fe.Add(ap+".label", "请填写答案内容")
			}
			for k, id := range append(append([]string{}, a.Add...), a.Remove...) {
				if _, ok := it.Material(id); !ok {
					fe.Addf(fmt.Sprintf("%s.materials[%d]", ap, k), "答案引用了不存在的材料 %s", id)
				}
			}
			if a.PromisedLimit != nil {
				if !validDays(a.PromisedLimit.Days) || a.PromisedLimit.WorkingDays() > it.LegalLimit.WorkingDays()+1e-9 {
					fe.Add(ap+".promised_limit", "情形的承诺时限不能超过法定时限")
				}
			}
			for k, f := range a.AddFees {
				validateFee(f, fmt.Sprintf("%s.add_fees[%d]", ap, k), fe)
			}
		}
	}
	validateConditions(it, fe)
}

// validateConditions compiles every CEL condition against the situations.
func validateConditions(it *Item, fe *errs.Fields) {
	ce, err := newConditionEnv(it.Situations)
	if err != nil {
		fe.Add("situations", "情形定义有误："+err.Error())
		return
	}
	for i, s := range it.Situations {
		if s.When == "" {
			continue
		}
		if _, err := ce.compile(s.When); err != nil {
			fe.Addf(fmt.Sprintf("situations[%d].when", i), "显示条件有误，%s", err)
		}
	}
	for i, m := range it.Materials {
		if m.Condition == "" {
			continue
		}
		if _, err := ce.compile(m.Condition); err != nil {
			fe.Addf(fmt.Sprintf("materials[%d].condition", i), "适用条件有误，%s", err)
		}
	}
}

func validateTags(it *Item, fe *errs.Fields) {
	for i, e := range it.LifeEvents {
		if !contains(LifeEvents, e) {
			fe.Addf(fmt.Sprintf("life_events[%d]", i), "人生事件应为：%s", strings.Join(LifeEvents, "、"))
		}
	}
	for i, e := range it.Lifecycle {
		if !contains(LifecycleStages, e) {
			fe.Addf(fmt.Sprintf("lifecycle[%d]", i), "企业生命周期阶段应为：%s", strings.Join(LifecycleStages, "、"))
		}
	}
}

// String shows a limit in Chinese, e.g. "20个工作日".
func (l Limit) String() string {
	d := fmt.Sprintf("%g", l.Days)
	return d + "个" + l.Unit.Label()
}
