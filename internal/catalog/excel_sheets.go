package catalog

import (
	"strconv"
	"strings"
)

var stepRoleLabels = []label{{"clerk", "窗口受理"}, {"reviewer", "审查"}, {"approver", "审批决定"}}

// itemColumns are the columns of the 事项 sheet, in order.
var itemColumns = func() []column[Item] {
	kg, ks := enumCell(kindLabels, "事项类型")
	lg, ls := enumCell(levelLabels, "行使层级")
	cg, cs := enumCell(caseTypeLabels, "办件类型")
	sg, ss := enumCell(scopeLabels, "通办范围")
	chg, chs := enumListCell(channelLabels, "办理渠道")
	og, os := enumListCell(objectLabels, "服务对象")
	legal, legalUnit := limitCells(func(it *Item) *Limit { return &it.LegalLimit }, "法定办结时限")
	prom, promUnit := limitCells(func(it *Item) *Limit { return &it.PromisedLimit }, "承诺办结时限")
	return []column[Item]{
		strCol("事项编码", "KKMMMMMSSS-区划代码-NN，如 0100001000-990121-01；前两位为事项类型代码", func(it *Item) *string { return &it.Code }),
		strCol("事项名称", "必填，不超过 100 字", func(it *Item) *string { return &it.Name }),
		strCol("简称", "", func(it *Item) *string { return &it.ShortName }),
		{header: "事项类型", help: strings.Join(zhs(kindLabels), "、"), get: func(it *Item) string { return kg(string(it.Kind)) },
			set: func(it *Item, s string) error { c, err := ks(s); it.Kind = Kind(c); return err }},
		{header: "行使层级", help: strings.Join(zhs(levelLabels), "、"), get: func(it *Item) string { return lg(string(it.Level)) },
			set: func(it *Item, s string) error { c, err := ls(s); it.Level = Level(c); return err }},
		strCol("实施主体", "组织机构全称，须与系统中的名称完全一致", func(it *Item) *string { return &it.Org }),
		strCol("所属区划", "区划代码，空白取实施主体所在区划", func(it *Item) *string { return &it.RegionCode }),
		strCol("承办机构", "实施主体内部承办的科室", func(it *Item) *string { return &it.Department }),
		boolCol("是否进驻大厅", "是／否", func(it *Item) *bool { return &it.InHall }),
		listCol("办理地点", "窗口或区域，每行一个", func(it *Item) *[]string { return &it.HallPlaces }),
		strCol("所属领域", strings.Join(Domains, "、"), func(it *Item) *string { return &it.Domain }),
		strCol("审批结果名称", "如 营业执照", func(it *Item) *string { return &it.ResultName }),
		{header: "设定依据", help: "每行一条：法律法规名称|条款|条文内容", get: func(it *Item) string {
			var out []string
			for _, b := range it.LegalBasis {
				out = append(out, b.Law+"|"+b.Article+"|"+b.Text)
			}
			return joinLines(out)
		}, set: func(it *Item, s string) error {
			it.LegalBasis = nil
			for _, l := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n") {
				if strings.TrimSpace(l) == "" {
					continue
				}
				p := parts(l, 3)
				it.LegalBasis = append(it.LegalBasis, LegalBasis{Law: p[0], Article: p[1], Text: p[2]})
			}
			return nil
		}},
		listCol("受理条件", "每行一条", func(it *Item) *[]string { return &it.Conditions }),
		listCol("禁止性要求", "每行一条", func(it *Item) *[]string { return &it.RefusalGrounds }),
		strCol("行政复议机关", "", func(it *Item) *string { return &it.Remedies.Reconsideration }),
		strCol("行政诉讼机关", "", func(it *Item) *string { return &it.Remedies.Litigation }),
		legal, legalUnit, prom, promUnit,
		{header: "办件类型", help: strings.Join(zhs(caseTypeLabels), "、"), get: func(it *Item) string { return cg(string(it.CaseType)) },
			set: func(it *Item, s string) error { c, err := cs(s); it.CaseType = CaseType(c); return err }},
		{header: "流程环节", help: "空白按办件类型使用内置流程；自定义时每行一个环节：名称|窗口受理/审查/审批决定|时限占比|特别程序天数（不计时环节填天数、占比填 0）",
			get: processCell, set: parseProcessCell},
		{header: "流程名称", help: "自定义流程的名称，如 承诺件（含现场勘查）", get: func(it *Item) string {
			if it.Process.Kind == TemplateCustom {
				return it.Process.Name
			}
			return ""
		}, set: func(it *Item, s string) error {
			// Runs after 流程环节 (column order), which has set Kind.
			if s = strings.TrimSpace(s); s != "" && it.Process.Kind == TemplateCustom {
				it.Process.Name = s
			}
			return nil
		}},
		intCol("到现场次数", "0、1 或 2", func(it *Item) *int { return &it.Trips }),
		intCol("网上办理深度", "1 信息公开、2 在线预审、3 网上受理、4 全程网办", func(it *Item) *int { return &it.OnlineDepth }),
		{header: "办理渠道", help: strings.Join(zhs(channelLabels), "、") + "，每行一个",
			get: func(it *Item) string {
				v := make([]string, len(it.Channels))
				for i, c := range it.Channels {
					v[i] = string(c)
				}
				return chg(v)
			},
			set: func(it *Item, s string) error {
				v, err := chs(s)
				it.Channels = nil
				for _, c := range v {
					it.Channels = append(it.Channels, Channel(c))
				}
				return err
			}},
		{header: "服务对象", help: "自然人、法人", get: func(it *Item) string { return og(it.ServiceObjects) },
			set: func(it *Item, s string) error { v, err := os(s); it.ServiceObjects = v; return err }},
		boolCol("支持物流快递", "是／否", func(it *Item) *bool { return &it.Express }),
		boolCol("出具电子证照", "是／否", func(it *Item) *bool { return &it.ELicenseResult }),
		boolCol("支持预约", "是／否", func(it *Item) *bool { return &it.Appointment }),
		{header: "通办范围", help: strings.Join(zhs(scopeLabels), "、"), get: func(it *Item) string { return sg(string(it.Scope)) },
			set: func(it *Item, s string) error {
				if strings.TrimSpace(s) == "" {
					return nil
				}
				c, err := ss(s)
				it.Scope = Scope(c)
				return err
			}},
		{header: "收费项目", help: "不收费留空；每行一项：名称|金额（元）|收费标准|收费依据", get: func(it *Item) string { return feesCell(it.Fees) },
			set: func(it *Item, s string) error { f, err := parseFees(s); it.Fees = f; return err }},
		listCol("支付方式", "每行一个", func(it *Item) *[]string { return &it.PaymentChannels }),
		strCol("咨询电话", "", func(it *Item) *string { return &it.Contact.ConsultPhone }),
		strCol("投诉电话", "", func(it *Item) *string { return &it.Contact.ComplaintPhone }),
		strCol("办理地址", "", func(it *Item) *string { return &it.Contact.Address }),
		strCol("办理时间", "", func(it *Item) *string { return &it.Contact.Hours }),
		{header: "常见问题", help: "每行一问：问题|解答", get: func(it *Item) string {
			var out []string
			for _, q := range it.FAQ {
				out = append(out, q.Q+"|"+q.A)
			}
			return joinLines(out)
		}, set: func(it *Item, s string) error {
			it.FAQ = nil
			for _, l := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n") {
				if strings.TrimSpace(l) != "" {
					p := parts(l, 2)
					it.FAQ = append(it.FAQ, FAQ{Q: p[0], A: p[1]})
				}
			}
			return nil
		}},
		listCol("人生事件", strings.Join(LifeEvents, "、"), func(it *Item) *[]string { return &it.LifeEvents }),
		listCol("企业生命周期", strings.Join(LifecycleStages, "、"), func(it *Item) *[]string { return &it.Lifecycle }),
		listCol("主题", "每行一个", func(it *Item) *[]string { return &it.Themes }),
		listCol("别名", "群众常用的说法，每行一个", func(it *Item) *[]string { return &it.Aliases }),
		listCol("关键词", "每行一个", func(it *Item) *[]string { return &it.Keywords }),
	}
}()

func processCell(it *Item) string {
	if it.Process.Kind != TemplateCustom {
		return ""
	}
	var out []string
	for _, s := range it.Process.Steps {
		days := ""
		if s.StopsClock {
			days = fmtNum(s.Days)
		}
		out = append(out, s.Name+"|"+zhOf(stepRoleLabels, s.Role)+"|"+fmtNum(s.Share)+"|"+days)
	}
	return joinLines(out)
}

func parseProcessCell(it *Item, s string) error {
	it.Process = ProcessTemplate{}
	for _, l := range lines(s) {
		p := parts(l, 4)
		role, ok := codeOf(stepRoleLabels, p[1])
		if !ok {
			return bad("环节“%s”的角色应为窗口受理、审查或审批决定", p[0])
		}
		share, err := parseNum(p[2], "时限占比")
		if err != nil {
			return err
		}
		days, err := parseNum(p[3], "特别程序天数")
		if err != nil {
			return err
		}
		it.Process.Steps = append(it.Process.Steps, Step{Name: p[0], Role: role, Share: share, StopsClock: days > 0, Days: days})
	}
	if len(it.Process.Steps) > 0 {
		it.Process.Kind, it.Process.Name = TemplateCustom, "自定义"
	}
	return nil
}

func feesCell(fees []Fee) string {
	var out []string
	for _, f := range fees {
		amt := ""
		if f.Amount != 0 {
			amt = fmtNum(f.Amount)
		}
		out = append(out, f.Name+"|"+amt+"|"+f.Standard+"|"+f.Basis)
	}
	return joinLines(out)
}

func parseFees(s string) ([]Fee, error) {
	var out []Fee
	for _, l := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n") {
		if strings.TrimSpace(l) == "" {
			continue
		}
		p := parts(l, 4)
		amt, err := parseNum(p[1], "收费金额")
		if err != nil {
			return nil, err
		}
		out = append(out, Fee{Name: p[0], Amount: amt, Standard: p[2], Basis: p[3]})
	}
	return out, nil
}

// materialRow is one row of the 材料 sheet.
type materialRow struct {
	Code string
	M    Material
}

var materialColumns = func() []column[materialRow] {
	kg, ks := enumCell(materialKindLabels, "材料类型")
	fg, fs := enumCell(formLabels, "原件／复印件")
	mg, ms := enumCell(mediumLabels, "材料形式")
	sg, ss := enumCell(sourceLabels, "材料来源")
	str := func(h, help string, p func(*materialRow) *string) column[materialRow] {
		return column[materialRow]{header: h, help: help, get: func(r *materialRow) string { return *p(r) },
			set: func(r *materialRow, s string) error { *p(r) = strings.TrimSpace(s); return nil }}
	}
	boolC := func(h, help string, p func(*materialRow) *bool) column[materialRow] {
		return column[materialRow]{header: h, help: help, get: func(r *materialRow) string { return yesNo(*p(r)) },
			set: func(r *materialRow, s string) error { b, err := parseBool(s); *p(r) = b; return err }}
	}
	enum := func(h string, get func(string) string, set func(string) (string, error), p func(*materialRow) *string, help string) column[materialRow] {
		return column[materialRow]{header: h, help: help, get: func(r *materialRow) string { return get(*p(r)) },
			set: func(r *materialRow, s string) error {
				if strings.TrimSpace(s) == "" {
					return nil
				}
				c, err := set(s)
				*p(r) = c
				return err
			}}
	}
	return []column[materialRow]{
		str("事项编码", "对应“事项”表的事项编码", func(r *materialRow) *string { return &r.Code }),
		str("材料编号", "事项内唯一，小写字母、数字、下划线，如 application", func(r *materialRow) *string { return &r.M.ID }),
		str("材料名称", "按办事指南写法", func(r *materialRow) *string { return &r.M.Name }),
		enum("材料类型", kg, ks, func(r *materialRow) *string { return (*string)(&r.M.Kind) }, strings.Join(zhs(materialKindLabels), "、")),
		boolC("是否必要", "是：所有申请人都要提交；否：由“适用条件”或情形答案决定", func(r *materialRow) *bool { return &r.M.Required }),
		str("适用条件", "CEL 表达式，情形编号 == \"答案编号\"，如 agent == \"yes\"", func(r *materialRow) *string { return &r.M.Condition }),
		enum("原件复印件", fg, fs, func(r *materialRow) *string { return (*string)(&r.M.Form) }, strings.Join(zhs(formLabels), "、")),
		{header: "份数", help: "整数，空白为 1", get: func(r *materialRow) string { return strconv.Itoa(r.M.Copies) },
			set: func(r *materialRow, s string) error { n, err := parseInt(s, "份数"); r.M.Copies = n; return err }},
		enum("材料形式", mg, ms, func(r *materialRow) *string { return (*string)(&r.M.Medium) }, strings.Join(zhs(mediumLabels), "、")),
		enum("来源渠道", sg, ss, func(r *materialRow) *string { return (*string)(&r.M.Source) }, strings.Join(zhs(sourceLabels), "、")),
		str("出具单位", "", func(r *materialRow) *string { return &r.M.IssuedBy }),
		{header: "可替代电子证照", help: "电子证照名称，如 居民身份证、营业执照", get: func(r *materialRow) string {
			if t, ok := ELicenseTypeByCode(r.M.ELicenseType); ok {
				return t.Name
			}
			return r.M.ELicenseType
		}, set: func(r *materialRow, s string) error {
			s = strings.TrimSpace(s)
			if c, ok := eLicenseCode(s); ok {
				r.M.ELicenseType = c
				return nil
			}
			r.M.ELicenseType = s // rejected by validation with the field name
			return nil
		}},
		{header: "空白表格", help: "文件名|SHA-256", get: func(r *materialRow) string { return fileCell(r.M.Template) },
			set: func(r *materialRow, s string) error { f, err := parseFile(s); r.M.Template = f; return err }},
		{header: "示例样表", help: "文件名|SHA-256", get: func(r *materialRow) string { return fileCell(r.M.Sample) },
			set: func(r *materialRow, s string) error { f, err := parseFile(s); r.M.Sample = f; return err }},
		str("填报说明", "", func(r *materialRow) *string { return &r.M.Notes }),
		boolC("可容缺", "是／否（容缺受理）", func(r *materialRow) *bool { return &r.M.PendingAllowed }),
		boolC("可告知承诺", "是／否（告知承诺制）", func(r *materialRow) *bool { return &r.M.CommitmentAllowed }),
	}
}()

// answerRow is one row of the 情形 sheet: one answer of one situation.
type answerRow struct {
	Code     string
	ID       string
	Question string
	When     string
	A        Answer
}

var answerColumns = func() []column[answerRow] {
	str := func(h, help string, p func(*answerRow) *string) column[answerRow] {
		return column[answerRow]{header: h, help: help, get: func(r *answerRow) string { return *p(r) },
			set: func(r *answerRow, s string) error { *p(r) = strings.TrimSpace(s); return nil }}
	}
	list := func(h, help string, p func(*answerRow) *[]string) column[answerRow] {
		return column[answerRow]{header: h, help: help, get: func(r *answerRow) string { return joinLines(*p(r)) },
			set: func(r *answerRow, s string) error { *p(r) = lines(strings.ReplaceAll(s, "、", "\n")); return nil }}
	}
	return []column[answerRow]{
		str("事项编码", "", func(r *answerRow) *string { return &r.Code }),
		str("情形编号", "小写字母开头，如 agent；同一情形的多个答案各占一行", func(r *answerRow) *string { return &r.ID }),
		str("情形问题", "如 是否委托他人代为办理？", func(r *answerRow) *string { return &r.Question }),
		str("显示条件", "CEL 表达式，空白为总是显示", func(r *answerRow) *string { return &r.When }),
		str("答案编号", "如 yes", func(r *answerRow) *string { return &r.A.ID }),
		str("答案内容", "如 委托代理人办理", func(r *answerRow) *string { return &r.A.Label }),
		list("增加材料", "材料编号，每行一个", func(r *answerRow) *[]string { return &r.A.Add }),
		list("减少材料", "材料编号，每行一个", func(r *answerRow) *[]string { return &r.A.Remove }),
		{header: "承诺时限", help: "选此答案时的承诺办结时限（工作日），空白不变", get: func(r *answerRow) string {
			if r.A.PromisedLimit == nil {
				return ""
			}
			return fmtNum(r.A.PromisedLimit.Days)
		}, set: func(r *answerRow, s string) error {
			if strings.TrimSpace(s) == "" {
				r.A.PromisedLimit = nil
				return nil
			}
			f, err := parseNum(s, "承诺时限")
			r.A.PromisedLimit = &Limit{Days: f, Unit: WorkingDay}
			return err
		}},
		{header: "增加收费", help: "每行一项：名称|金额|收费标准|收费依据", get: func(r *answerRow) string { return feesCell(r.A.AddFees) },
			set: func(r *answerRow, s string) error { f, err := parseFees(s); r.A.AddFees = f; return err }},
		{header: "免收费用", help: "是／否", get: func(r *answerRow) string { return yesNo(r.A.WaiveFees) },
			set: func(r *answerRow, s string) error { b, err := parseBool(s); r.A.WaiveFees = b; return err }},
	}
}()
