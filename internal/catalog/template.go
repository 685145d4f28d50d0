package catalog

// Built-in process templates, from the seeds (30-cases.md, 流程模板):
// 即办 one step due the same working day, 一审一核 two steps in 3 working days,
// 承诺件 three steps in 10 working days. Items set their own promised limit;
// the shares split whatever limit the item promises.

// BuiltinTemplate returns the built-in template of a kind.
func BuiltinTemplate(k TemplateKind) ProcessTemplate {
	switch k {
	case TemplateImmediate:
		return ProcessTemplate{Kind: k, Name: "即办", Steps: []Step{
			{Name: "受理并决定", Role: "clerk", Share: 1},
		}}
	case TemplateReviewApprove:
		return ProcessTemplate{Kind: k, Name: "一审一核", Steps: []Step{
			{Name: "受理审查", Role: "clerk", Share: 0.5},
			{Name: "审核决定", Role: "approver", Share: 0.5},
		}}
	case TemplatePromised:
		return ProcessTemplate{Kind: k, Name: "承诺件", Steps: []Step{
			{Name: "受理", Role: "clerk", Share: 0.2},
			{Name: "审查", Role: "reviewer", Share: 0.4},
			{Name: "决定", Role: "approver", Share: 0.4},
		}}
	}
	return ProcessTemplate{}
}

// BuiltinDefaultLimit is the seeds' default promised limit of a built-in template.
func BuiltinDefaultLimit(k TemplateKind) Limit {
	switch k {
	case TemplateReviewApprove:
		return Limit{Days: 3, Unit: WorkingDay}
	case TemplatePromised:
		return Limit{Days: 10, Unit: WorkingDay}
	}
	return Limit{Days: 0, Unit: WorkingDay}
}

// CustomSteps are the optional steps a custom template may add; those that
// stop the clock are the special procedures of 行政许可法 art. 45.
var CustomSteps = []Step{
	{Name: "现场勘查", Role: "reviewer", StopsClock: true, Days: 5},
	{Name: "专家评审", Role: "reviewer", StopsClock: true, Days: 10},
	{Name: "公示", Role: "reviewer", StopsClock: true, Days: 5},
	{Name: "制证", Role: "clerk", Share: 0.1},
}

// templateFor fills an empty process from the case type.
func templateFor(c CaseType) ProcessTemplate {
	switch c {
	case Immediate:
		return BuiltinTemplate(TemplateImmediate)
	case ReviewApprove:
		return BuiltinTemplate(TemplateReviewApprove)
	default:
		return BuiltinTemplate(TemplatePromised)
	}
}

// countedSteps is the number of steps that do not stop the clock.
func (p ProcessTemplate) countedSteps() int {
	n := 0
	for _, s := range p.Steps {
		if !s.StopsClock {
			n++
		}
	}
	return n
}
