package catalog

// Option is one choice of an enumeration as forms show it: the stored code
// and its Chinese label.
type Option struct {
	Code  string `json:"code"`
	Label string `json:"label"`
}

func options(list []label) []Option {
	out := make([]Option, len(list))
	for i, l := range list {
		out[i] = Option{Code: l.code, Label: l.zh}
	}
	return out
}

// FormOptions are the choices of every enumerated element, in display
// order, for editors (the web item editor, API clients building forms).
type FormOptions struct {
	Kinds, Levels, Statuses, CaseTypes, Templates, Units []Option
	Channels, Scopes, Objects                            []Option
	MaterialKinds, Forms, Media, Sources                 []Option
	StepRoles, AdjustmentKinds, ELicenseTypes            []Option
	Domains, LifeEvents, LifecycleStages                 []string
}

// Options returns the choices of every enumerated element.
func Options() FormOptions {
	el := make([]Option, len(ELicenseTypes))
	for i, t := range ELicenseTypes {
		el[i] = Option{Code: t.Code, Label: t.Name}
	}
	return FormOptions{
		Kinds: options(kindLabels), Levels: options(levelLabels), Statuses: options(statusLabels),
		CaseTypes: options(caseTypeLabels), Templates: options(templateLabels), Units: options(unitLabels),
		Channels: options(channelLabels), Scopes: options(scopeLabels), Objects: options(objectLabels),
		MaterialKinds: options(materialKindLabels), Forms: options(formLabels), Media: options(mediumLabels),
		Sources: options(sourceLabels), StepRoles: options(stepRoleLabels), AdjustmentKinds: options(adjustmentLabels),
		ELicenseTypes: el, Domains: Domains, LifeEvents: LifeEvents, LifecycleStages: LifecycleStages,
	}
}

// OptionLabel returns the label of code in list, or code itself.
func OptionLabel(list []Option, code string) string {
	for _, o := range list {
		if o.Code == code {
			return o.Label
		}
	}
	return code
}
