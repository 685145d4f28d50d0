package catalog

// Each enumeration has a code (stored, in JSON) and a Chinese label (shown,
// in Excel). label lists keep the order in which pages and sheets show them.

type label struct{ code, zh string }

func zhOf(list []label, code string) string {
	for _, l := range list {
		if l.code == code {
			return l.zh
		}
	}
	return code
}

func codeOf(list []label, s string) (string, bool) {
	for _, l := range list {
		if l.zh == s || l.code == s {
			return l.code, true
		}
	}
	return "", false
}

func codes(list []label) []string {
	out := make([]string, len(list))
	for i, l := range list {
		out[i] = l.code
	}
	return out
}

func zhs(list []label) []string {
	out := make([]string, len(list))
	for i, l := range list {
		out[i] = l.zh
	}
	return out
}

// Kind is the kind of item.
type Kind string

const (
	License       Kind = "license"        // 行政许可
	Benefit       Kind = "benefit"        // 行政给付
	Confirmation  Kind = "confirmation"   // 行政确认
	Award         Kind = "award"          // 行政奖励
	Adjudication  Kind = "adjudication"   // 行政裁决
	Levy          Kind = "levy"           // 行政征收
	OtherPower    Kind = "other_power"    // 其他行政权力
	PublicService Kind = "public_service" // 公共服务
)

var kindLabels = []label{
	{"license", "行政许可"}, {"benefit", "行政给付"}, {"confirmation", "行政确认"}, {"award", "行政奖励"},
	{"adjudication", "行政裁决"}, {"levy", "行政征收"}, {"other_power", "其他行政权力"}, {"public_service", "公共服务"},
}

// kindPrefix is the two-digit kind code that starts an item code.
var kindPrefix = map[Kind]string{
	License: "01", Levy: "04", Benefit: "05", Confirmation: "07", Award: "08",
	Adjudication: "09", OtherPower: "10", PublicService: "20",
}

// Kinds lists every kind in display order.
func Kinds() []Kind {
	out := make([]Kind, len(kindLabels))
	for i, l := range kindLabels {
		out[i] = Kind(l.code)
	}
	return out
}

func (k Kind) Label() string      { return zhOf(kindLabels, string(k)) }
func (k Kind) CodePrefix() string { return kindPrefix[k] }
func (k Kind) Valid() bool        { _, ok := kindPrefix[k]; return ok }

// Level is the exercising level (行使层级).
type Level string

var levelLabels = []label{
	{"national", "国家级"}, {"province", "省级"}, {"city", "市级"}, {"county", "县级"}, {"township", "乡级"}, {"village", "村级"},
}

func (l Level) Label() string { return zhOf(levelLabels, string(l)) }
func (l Level) Valid() bool   { _, ok := codeOf(levelLabels, string(l)); return ok && l != "" }

// Status is the lifecycle of an item.
type Status string

const (
	StatusDraft     Status = "draft"     // never published
	StatusReview    Status = "review"    // first version under review
	StatusPublished Status = "published" // visible, can be applied for
	StatusSuspended Status = "suspended" // temporarily not accepted
	StatusAbolished Status = "abolished" // cancelled or merged away
)

var statusLabels = []label{
	{"draft", "草稿"}, {"review", "审核中"}, {"published", "已发布"}, {"suspended", "已暂停"}, {"abolished", "已取消"},
}

func (s Status) Label() string { return zhOf(statusLabels, string(s)) }

// VersionState is the state of one version.
type VersionState string

const (
	StateDraft     VersionState = "draft"
	StateReview    VersionState = "review"
	StatePublished VersionState = "published"
)

// CaseType is how a case of the item is processed.
type CaseType string

const (
	Immediate     CaseType = "immediate"      // 即办件
	ReviewApprove CaseType = "review_approve" // 一审一核件
	Promised      CaseType = "promised"       // 承诺件
)

var caseTypeLabels = []label{{"immediate", "即办件"}, {"review_approve", "一审一核件"}, {"promised", "承诺件"}}

func (c CaseType) Label() string { return zhOf(caseTypeLabels, string(c)) }
func (c CaseType) Valid() bool   { return c == Immediate || c == ReviewApprove || c == Promised }

// TemplateKind names a built-in process template or "custom".
type TemplateKind string

const (
	TemplateImmediate     TemplateKind = "immediate"
	TemplateReviewApprove TemplateKind = "review_approve"
	TemplatePromised      TemplateKind = "promised"
	TemplateCustom        TemplateKind = "custom"
)

var templateLabels = []label{{"immediate", "即办"}, {"review_approve", "一审一核"}, {"promised", "承诺件"}, {"custom", "自定义"}}

// LimitUnit is the unit of a time limit.
type LimitUnit string

const (
	WorkingDay  LimitUnit = "working_day"
	CalendarDay LimitUnit = "calendar_day"
)

var unitLabels = []label{{"working_day", "工作日"}, {"calendar_day", "自然日"}}

func (u LimitUnit) Label() string { return zhOf(unitLabels, string(u)) }

// Channel is a way to apply.
type Channel string

var channelLabels = []label{
	{"window", "窗口办理"}, {"online", "网上办理"}, {"mobile", "移动端"}, {"terminal", "自助终端"}, {"township", "乡镇（街道）村（社区）代办"},
}

// Scope is the 通办 scope.
type Scope string

var scopeLabels = []label{{"local", "本地办理"}, {"city", "全市通办"}, {"province", "全省通办"}, {"cross_province", "跨省通办"}}

var objectLabels = []label{{"person", "自然人"}, {"enterprise", "法人"}}

// MaterialKind is the kind of a material.
type MaterialKind string

var materialKindLabels = []label{
	{"form", "申请表"}, {"certificate", "证件证照"}, {"proof", "证明文件"}, {"commitment", "承诺书"},
	{"drawing", "图纸"}, {"contract", "协议合同"}, {"report", "报告"}, {"photo", "照片"}, {"other", "其他"},
}

// PaperForm is original / copy.
type PaperForm string

var formLabels = []label{{"original", "原件"}, {"copy", "复印件"}, {"original_and_copy", "原件和复印件"}}

// Medium is paper or electronic.
type Medium string

var mediumLabels = []label{{"paper", "纸质"}, {"electronic", "电子"}, {"both", "纸质和电子"}}

// Source is where a material comes from.
type Source string

var sourceLabels = []label{{"applicant", "申请人自备"}, {"government", "政府部门核发"}, {"third_party", "其他（中介、第三方）"}}

// Domains are the service domains (领域) shared with hall windows and areas.
var Domains = []string{"商事登记", "不动产登记", "社保医保", "公安户籍", "民政残联", "卫生健康", "工程建设", "税务", "水电气暖", "交通运输", "综合"}

// LifeEvents are the person life events browsed on the portal.
var LifeEvents = []string{"出生", "上学", "就业", "婚育", "住房", "退休", "身后"}

// LifecycleStages are the enterprise life-cycle stages browsed on the portal.
var LifecycleStages = []string{"开办", "准营", "变更", "投资建设", "歇业", "注销"}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
