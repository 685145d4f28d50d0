package web

import (
	"fmt"
	"math"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"banhao.dev/banhao/internal/catalog"
	"banhao.dev/banhao/internal/platform/errs"
)

// The item editor works without JavaScript: every element is a form field
// named by its JSON path in the item ("materials[2].condition",
// "situations[0].answers[1].add"), so the service's per-field errors land
// next to the input that caused them. Repeated groups are indexed rows; the
// form always carries a few blank rows and an "add row" submit button
// re-renders it with one more.

// editorGroups are the repeated groups and the blank rows a fresh form gets.
var editorGroups = map[string]int{"legal_basis": 1, "process.steps": 1, "fees": 1, "materials": 2, "situations": 1, "faq": 1}

// answerBlanks is how many blank answer rows each situation shows.
const answerBlanks = 1

var indexRe = regexp.MustCompile(`^(.*?)\[(\d+)\]`)

// rowCount is the number of rows of group present in the form (max index + 1).
func rowCount(v url.Values, group string) int {
	n := 0
	for k := range v {
		if !strings.HasPrefix(k, group+"[") {
			continue
		}
		rest := k[len(group)+1:]
		end := strings.IndexByte(rest, ']')
		if end < 0 {
			continue
		}
		if i, err := strconv.Atoi(rest[:end]); err == nil && i+1 > n {
			n = i + 1
		}
	}
	return n
}

// formReader reads typed values from a form and collects per-field errors.
type formReader struct {
	v  url.Values
	fe errs.Fields
}

func (f *formReader) str(k string) string { return strings.TrimSpace(f.v.Get(k)) }
func (f *formReader) on(k string) bool    { v := f.v.Get(k); return v == "1" || v == "on" || v == "true" }

func (f *formReader) lines(k string) []string {
	out := []string{}
	for _, l := range strings.Split(strings.ReplaceAll(f.v.Get(k), "\r", ""), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

func (f *formReader) list(k string) []string {
	out := []string{}
	for _, x := range f.v[k] {
		if x = strings.TrimSpace(x); x != "" {
			out = append(out, x)
		}
	}
	return out
}

// ids splits "a, b、c" into ids.
func (f *formReader) ids(k string) []string {
	s := strings.NewReplacer("、", ",", "，", ",", " ", ",").Replace(f.v.Get(k))
	var out []string
	for _, x := range strings.Split(s, ",") {
		if x = strings.TrimSpace(x); x != "" {
			out = append(out, x)
		}
	}
	return out
}

func (f *formReader) num(k string) float64 {
	s := f.str(k)
	if s == "" {
		return 0
	}
	n, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(n) || math.IsInf(n, 0) {
		f.fe.Add(k, "请填写数字")
		return 0
	}
	return n
}

func (f *formReader) integer(k string) int {
	s := f.str(k)
	if s == "" {
		return 0
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		f.fe.Add(k, "请填写整数")
	}
	return n
}

func (f *formReader) id64(k string) int64 {
	s := f.str(k)
	if s == "" {
		return 0
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		f.fe.Add(k, "请选择有效的单位")
	}
	return n
}

func (f *formReader) limit(k string) catalog.Limit {
	return catalog.Limit{Days: f.num(k + ".days"), Unit: catalog.LimitUnit(f.str(k + ".unit"))}
}

// blank reports whether every listed field of a row is empty, so blank rows
// are dropped instead of failing validation.
func (f *formReader) blank(prefix string, fields ...string) bool {
	for _, x := range fields {
		if f.str(prefix+x) != "" {
			return false
		}
	}
	return true
}

// parseItemForm builds an item from the editor form. Unparsable numbers are
// returned as field errors named by the form's own row indexes.
func parseItemForm(v url.Values) (catalog.Item, error) {
	f := &formReader{v: v}
	it := catalog.Item{
		Code: f.str("code"), Name: f.str("name"), ShortName: f.str("short_name"), Kind: catalog.Kind(f.str("kind")),
		Level: catalog.Level(f.str("level")), OrgID: f.id64("org_id"), RegionCode: f.str("region_code"),
		Department: f.str("department"), InHall: f.on("in_hall"), Domain: f.str("domain"), HallPlaces: f.lines("hall_places"),
		ResultName: f.str("result_name"), Conditions: f.lines("conditions"), RefusalGrounds: f.lines("refusal_grounds"),
		Remedies:   catalog.Remedies{Reconsideration: f.str("remedies.reconsideration"), Litigation: f.str("remedies.litigation")},
		LegalLimit: f.limit("legal_limit"), PromisedLimit: f.limit("promised_limit"), CaseType: catalog.CaseType(f.str("case_type")),
		Trips: f.integer("trips"), OnlineDepth: f.integer("online_depth"), ServiceObjects: f.list("service_objects"),
		Express: f.on("express"), ELicenseResult: f.on("e_license_result"), Appointment: f.on("appointment"),
		Scope: catalog.Scope(f.str("scope")), PaymentChannels: f.lines("payment_channels"),
		Contact: catalog.Contact{ConsultPhone: f.str("contact.consult_phone"), ComplaintPhone: f.str("contact.complaint_phone"),
			Address: f.str("contact.address"), Hours: f.str("contact.hours")},
		LifeEvents: f.list("life_events"), Lifecycle: f.list("lifecycle"), Themes: f.lines("themes"),
		Aliases: f.lines("aliases"), Keywords: f.lines("keywords"), ChangeNote: f.str("change_note"),
	}
	for _, c := range f.list("channels") {
		it.Channels = append(it.Channels, catalog.Channel(c))
	}
	for i := 0; i < rowCount(v, "legal_basis"); i++ {
		p := fmt.Sprintf("legal_basis[%d].", i)
		if !f.blank(p, "law", "article", "text") {
			it.LegalBasis = append(it.LegalBasis, catalog.LegalBasis{Law: f.str(p + "law"), Article: f.str(p + "article"), Text: f.str(p + "text")})
		}
	}
	parseProcess(f, &it)
	for i := 0; i < rowCount(v, "fees"); i++ {
		p := fmt.Sprintf("fees[%d].", i)
		// A row whose only entry is a zero amount is as empty as a blank one.
		if fee := (catalog.Fee{Name: f.str(p + "name"), Amount: f.num(p + "amount"), Standard: f.str(p + "standard"), Basis: f.str(p + "basis")}); fee != (catalog.Fee{}) {
			it.Fees = append(it.Fees, fee)
		}
	}
	for i := 0; i < rowCount(v, "materials"); i++ {
		p := fmt.Sprintf("materials[%d].", i)
		if !f.blank(p, "id", "name", "condition", "notes") {
			it.Materials = append(it.Materials, parseMaterial(f, p))
		}
	}
	for i := 0; i < rowCount(v, "situations"); i++ {
		p := fmt.Sprintf("situations[%d]", i)
		if !f.blank(p+".", "id", "question", "when") {
			it.Situations = append(it.Situations, parseSituation(f, p))
		}
	}
	for i := 0; i < rowCount(v, "faq"); i++ {
		p := fmt.Sprintf("faq[%d].", i)
		if !f.blank(p, "q", "a") {
			it.FAQ = append(it.FAQ, catalog.FAQ{Q: f.str(p + "q"), A: f.str(p + "a")})
		}
	}
	return it, f.fe.Err()
}

// parseProcess takes a built-in template as it is; a custom one from its rows.
func parseProcess(f *formReader, it *catalog.Item) {
	kind := catalog.TemplateKind(f.str("process.kind"))
	if kind != catalog.TemplateCustom {
		if kind != "" {
			it.Process = catalog.BuiltinTemplate(kind)
		}
		if it.Process.Kind == "" {
			it.Process.Kind = kind // unknown: let validation name it
		}
		return
	}
	it.Process = catalog.ProcessTemplate{Kind: kind, Name: f.str("process.name")}
	for i := 0; i < rowCount(f.v, "process.steps"); i++ {
		p := fmt.Sprintf("process.steps[%d].", i)
		if f.blank(p, "name", "share", "days") {
			continue
		}
		it.Process.Steps = append(it.Process.Steps, catalog.Step{Name: f.str(p + "name"), Role: f.str(p + "role"), OrgID: f.id64(p + "org_id"),
			Share: f.num(p + "share"), StopsClock: f.on(p + "stops_clock"), Days: f.num(p + "days")})
	}
	if it.Process.Name == "" {
		it.Process.Name = "自定义"
	}
}

func parseMaterial(f *formReader, p string) catalog.Material {
	m := catalog.Material{ID: f.str(p + "id"), Name: f.str(p + "name"), Kind: catalog.MaterialKind(f.str(p + "kind")),
		Required: f.on(p + "required"), Condition: f.str(p + "condition"), Form: catalog.PaperForm(f.str(p + "form")),
		Copies: f.integer(p + "copies"), Medium: catalog.Medium(f.str(p + "medium")), Source: catalog.Source(f.str(p + "source")),
		IssuedBy: f.str(p + "issued_by"), ELicenseType: f.str(p + "e_license_type"), Notes: f.str(p + "notes"),
		PendingAllowed: f.on(p + "pending_allowed"), CommitmentAllowed: f.on(p + "commitment_allowed")}
	m.Template = parseFileRef(f, p+"template")
	m.Sample = parseFileRef(f, p+"sample")
	return m
}

func parseFileRef(f *formReader, p string) *catalog.File {
	if f.str(p+".hash") == "" || f.on(p+".remove") {
		return nil
	}
	return &catalog.File{Name: f.str(p + ".name"), Hash: f.str(p + ".hash"), ContentType: f.str(p + ".content_type")}
}

func parseSituation(f *formReader, p string) catalog.Situation {
	s := catalog.Situation{ID: f.str(p + ".id"), Question: f.str(p + ".question"), When: f.str(p + ".when")}
	for j := 0; j < rowCount(f.v, p+".answers"); j++ {
		ap := fmt.Sprintf("%s.answers[%d].", p, j)
		if f.blank(ap, "id", "label", "add", "remove", "promised_limit.days", "add_fees") {
			continue
		}
		a := catalog.Answer{ID: f.str(ap + "id"), Label: f.str(ap + "label"), Add: f.ids(ap + "add"), Remove: f.ids(ap + "remove"),
			WaiveFees: f.on(ap + "waive_fees")}
		if f.str(ap+"promised_limit.days") != "" {
			l := f.limit(ap + "promised_limit")
			a.PromisedLimit = &l
		}
		for k, line := range f.lines(ap + "add_fees") {
			fee, err := parseFeeLine(line)
			if err != nil {
				f.fe.Addf(ap+"add_fees", "第 %d 行：%s", k+1, err.Message)
				continue
			}
			a.AddFees = append(a.AddFees, fee)
		}
		s.Answers = append(s.Answers, a)
	}
	return s
}

// parseFeeLine reads "名称|金额|标准|依据" (the amount may be empty).
func parseFeeLine(line string) (catalog.Fee, *errs.Error) {
	parts := strings.Split(line, "|")
	for len(parts) < 4 {
		parts = append(parts, "")
	}
	fee := catalog.Fee{Name: strings.TrimSpace(parts[0]), Standard: strings.TrimSpace(parts[2]), Basis: strings.TrimSpace(parts[3])}
	if a := strings.TrimSpace(parts[1]); a != "" {
		n, err := strconv.ParseFloat(a, 64)
		if err != nil {
			return fee, errs.E(errs.Invalid, "bad_fee", "金额应为数字（格式：名称|金额|标准|依据）")
		}
		fee.Amount = n
	}
	return fee, nil
}

func fmtFloat(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

func yes(b bool) []string {
	if b {
		return []string{"1"}
	}
	return nil
}

// itemForm is the editor form of an item.
func itemForm(it *catalog.Item) url.Values {
	v := url.Values{}
	set := func(k, val string) {
		if val != "" {
			v.Set(k, val)
		}
	}
	set("code", it.Code)
	set("name", it.Name)
	set("short_name", it.ShortName)
	set("kind", string(it.Kind))
	set("level", string(it.Level))
	if it.OrgID != 0 {
		set("org_id", strconv.FormatInt(it.OrgID, 10))
	}
	set("region_code", it.RegionCode)
	set("department", it.Department)
	v["in_hall"] = yes(it.InHall)
	set("domain", it.Domain)
	set("hall_places", strings.Join(it.HallPlaces, "\n"))
	set("result_name", it.ResultName)
	for i, b := range it.LegalBasis {
		p := fmt.Sprintf("legal_basis[%d].", i)
		v.Set(p+"law", b.Law)
		set(p+"article", b.Article)
		set(p+"text", b.Text)
	}
	set("conditions", strings.Join(it.Conditions, "\n"))
	set("refusal_grounds", strings.Join(it.RefusalGrounds, "\n"))
	set("remedies.reconsideration", it.Remedies.Reconsideration)
	set("remedies.litigation", it.Remedies.Litigation)
	limitForm(v, "legal_limit", it.LegalLimit)
	limitForm(v, "promised_limit", it.PromisedLimit)
	set("case_type", string(it.CaseType))
	set("process.kind", string(it.Process.Kind))
	set("process.name", it.Process.Name)
	for i, s := range it.Process.Steps {
		p := fmt.Sprintf("process.steps[%d].", i)
		v.Set(p+"name", s.Name)
		set(p+"role", s.Role)
		if s.OrgID != 0 {
			set(p+"org_id", strconv.FormatInt(s.OrgID, 10))
		}
		set(p+"share", fmtFloat(s.Share))
		v[p+"stops_clock"] = yes(s.StopsClock)
		if s.Days != 0 {
			set(p+"days", fmtFloat(s.Days))
		}
	}
	v.Set("trips", strconv.Itoa(it.Trips))
	v.Set("online_depth", strconv.Itoa(it.OnlineDepth))
	for _, c := range it.Channels {
		v.Add("channels", string(c))
	}
	v["service_objects"] = append([]string(nil), it.ServiceObjects...)
	v["express"], v["e_license_result"], v["appointment"] = yes(it.Express), yes(it.ELicenseResult), yes(it.Appointment)
	set("scope", string(it.Scope))
	for i, fee := range it.Fees {
		feeForm(v, fmt.Sprintf("fees[%d].", i), fee)
	}
	set("payment_channels", strings.Join(it.PaymentChannels, "\n"))
	for i, m := range it.Materials {
		materialForm(v, fmt.Sprintf("materials[%d].", i), m)
	}
	for i, s := range it.Situations {
		situationForm(v, fmt.Sprintf("situations[%d]", i), s)
	}
	set("contact.consult_phone", it.Contact.ConsultPhone)
	set("contact.complaint_phone", it.Contact.ComplaintPhone)
	set("contact.address", it.Contact.Address)
	set("contact.hours", it.Contact.Hours)
	for i, q := range it.FAQ {
		v.Set(fmt.Sprintf("faq[%d].q", i), q.Q)
		v.Set(fmt.Sprintf("faq[%d].a", i), q.A)
	}
	v["life_events"] = append([]string(nil), it.LifeEvents...)
	v["lifecycle"] = append([]string(nil), it.Lifecycle...)
	set("themes", strings.Join(it.Themes, "\n"))
	set("aliases", strings.Join(it.Aliases, "\n"))
	set("keywords", strings.Join(it.Keywords, "\n"))
	set("change_note", it.ChangeNote)
	for k, x := range v {
		if len(x) == 0 {
			delete(v, k)
		}
	}
	return v
}

func limitForm(v url.Values, p string, l catalog.Limit) {
	v.Set(p+".days", fmtFloat(l.Days))
	if l.Unit != "" {
		v.Set(p+".unit", string(l.Unit))
	}
}

func feeForm(v url.Values, p string, fee catalog.Fee) {
	v.Set(p+"name", fee.Name)
	if fee.Amount != 0 {
		v.Set(p+"amount", fmtFloat(fee.Amount))
	}
	v.Set(p+"standard", fee.Standard)
	v.Set(p+"basis", fee.Basis)
}

func materialForm(v url.Values, p string, m catalog.Material) {
	v.Set(p+"id", m.ID)
	v.Set(p+"name", m.Name)
	v.Set(p+"kind", string(m.Kind))
	v[p+"required"] = yes(m.Required)
	v.Set(p+"condition", m.Condition)
	v.Set(p+"form", string(m.Form))
	v.Set(p+"copies", strconv.Itoa(m.Copies))
	v.Set(p+"medium", string(m.Medium))
	v.Set(p+"source", string(m.Source))
	v.Set(p+"issued_by", m.IssuedBy)
	v.Set(p+"e_license_type", m.ELicenseType)
	v.Set(p+"notes", m.Notes)
	v[p+"pending_allowed"] = yes(m.PendingAllowed)
	v[p+"commitment_allowed"] = yes(m.CommitmentAllowed)
	for name, f := range map[string]*catalog.File{"template": m.Template, "sample": m.Sample} {
		if f != nil {
			v.Set(p+name+".name", f.Name)
			v.Set(p+name+".hash", f.Hash)
			v.Set(p+name+".content_type", f.ContentType)
		}
	}
}

func situationForm(v url.Values, p string, s catalog.Situation) {
	v.Set(p+".id", s.ID)
	v.Set(p+".question", s.Question)
	v.Set(p+".when", s.When)
	for j, a := range s.Answers {
		ap := fmt.Sprintf("%s.answers[%d].", p, j)
		v.Set(ap+"id", a.ID)
		v.Set(ap+"label", a.Label)
		v.Set(ap+"add", strings.Join(a.Add, ", "))
		v.Set(ap+"remove", strings.Join(a.Remove, ", "))
		if a.PromisedLimit != nil {
			limitForm(v, ap+"promised_limit", *a.PromisedLimit)
		}
		v[ap+"waive_fees"] = yes(a.WaiveFees)
		var fees []string
		for _, fee := range a.AddFees {
			fees = append(fees, fmt.Sprintf("%s|%s|%s|%s", fee.Name, fmtFloat(fee.Amount), fee.Standard, fee.Basis))
		}
		if len(fees) > 0 {
			v.Set(ap+"add_fees", strings.Join(fees, "\n"))
		}
	}
}

// listFields are elements edited as one textarea or checkbox set: an error
// on one entry ("keywords[3]") is shown at the field.
var listFields = []string{"hall_places", "conditions", "refusal_grounds", "channels", "service_objects", "payment_channels",
	"life_events", "lifecycle", "themes", "aliases", "keywords"}

// editorErrors maps the service's field paths onto the editor's inputs.
// Answer material references ("….answers[1].materials[2]") point at the
// add or remove box, whichever holds the k-th reference.
func editorErrors(it *catalog.Item, fields []errs.FieldError) map[string]string {
	out := map[string]string{}
	put := func(k, msg string) {
		if old, ok := out[k]; ok {
			if !strings.Contains(old, msg) {
				out[k] = old + "；" + msg
			}
			return
		}
		out[k] = msg
	}
	ansMat := regexp.MustCompile(`^(situations\[(\d+)\]\.answers\[(\d+)\])\.materials\[(\d+)\]$`)
	for _, f := range fields {
		k := f.Field
		if m := indexRe.FindStringSubmatch(k); m != nil && slicesContains(listFields, m[1]) && len(m[0]) == len(k) {
			k = m[1]
		}
		if m := ansMat.FindStringSubmatch(k); m != nil && it != nil {
			si, _ := strconv.Atoi(m[2])
			ai, _ := strconv.Atoi(m[3])
			ki, _ := strconv.Atoi(m[4])
			k = m[1] + ".add"
			if si < len(it.Situations) && ai < len(it.Situations[si].Answers) && ki >= len(it.Situations[si].Answers[ai].Add) {
				k = m[1] + ".remove"
			}
		}
		if i := strings.Index(k, ".add_fees["); i >= 0 {
			k = k[:i] + ".add_fees"
		}
		// Errors on a whole group are shown at its first input.
		switch {
		case k == "promised_limit" || k == "legal_limit" || strings.HasSuffix(k, ".promised_limit"):
			k += ".days"
		case k == "remedies":
			k = "remedies.reconsideration"
		case k == "legal_basis":
			k = "legal_basis[0].law"
		}
		put(k, f.Message)
	}
	return out
}

func slicesContains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
