package catalog

import "time"

// Item is one version of an item with every element of its guide. The JSON
// names follow the glossary and are the API's shapes.
type Item struct {
	// conds are the compiled conditions of a cached published guide (see
	// Service.Guide); nil compiles them for each checklist.
	conds *conditionEnv

	// identity
	Code       string   `json:"code"`
	Version    int      `json:"version"`
	Status     Status   `json:"status"` // lifecycle of the item (not of this version)
	Name       string   `json:"name"`
	ShortName  string   `json:"short_name,omitempty"`
	Kind       Kind     `json:"kind"`
	Level      Level    `json:"level"`                 // 行使层级
	OrgID      int64    `json:"org_id"`                // 实施主体 (orgs.id)
	Org        string   `json:"org"`                   // org name, filled on read
	RegionCode string   `json:"region_code"`           // region the item serves
	Department string   `json:"department"`            // 承办机构 (internal unit that handles it)
	InHall     bool     `json:"in_hall"`               // 进驻大厅
	Domain     string   `json:"domain"`                // 领域, one of Domains
	HallPlaces []string `json:"hall_places,omitempty"` // windows / areas where it is handled
	ResultName string   `json:"result_name,omitempty"` // 审批结果名称, e.g. 营业执照

	// legal
	LegalBasis     []LegalBasis `json:"legal_basis"`
	Conditions     []string     `json:"conditions"`      // 受理条件
	RefusalGrounds []string     `json:"refusal_grounds"` // 禁止性要求
	Remedies       Remedies     `json:"remedies"`

	// time
	LegalLimit    Limit           `json:"legal_limit"`
	PromisedLimit Limit           `json:"promised_limit"`
	CaseType      CaseType        `json:"case_type"`
	Process       ProcessTemplate `json:"process"`

	// service
	Trips          int       `json:"trips"`
	OnlineDepth    int       `json:"online_depth"`
	Channels       []Channel `json:"channels"`
	ServiceObjects []string  `json:"service_objects"` // person | enterprise
	Express        bool      `json:"express"`         // 支持物流快递
	ELicenseResult bool      `json:"e_license_result"`
	Appointment    bool      `json:"appointment"`
	Scope          Scope     `json:"scope"` // 通办范围

	// fees
	Charged         bool     `json:"charged"`
	Fees            []Fee    `json:"fees"`
	PaymentChannels []string `json:"payment_channels,omitempty"`

	// materials and situations
	Materials  []Material  `json:"materials"`
	Situations []Situation `json:"situations"`

	Contact Contact `json:"contact"`
	FAQ     []FAQ   `json:"faq"`

	// search and browse
	LifeEvents []string `json:"life_events"` // persons: 出生, 上学…
	Lifecycle  []string `json:"lifecycle"`   // enterprises: 开办, 准营…
	Themes     []string `json:"themes"`
	Aliases    []string `json:"aliases"`
	Keywords   []string `json:"keywords"`

	// version metadata, set by the store
	State       VersionState `json:"state"`
	ChangeNote  string       `json:"change_note,omitempty"`
	PublishedAt *time.Time   `json:"published_at,omitempty"`
	UpdatedAt   time.Time    `json:"updated_at"`
}

// CatalogCode is the stable ten-digit catalog part of the code.
func (it *Item) CatalogCode() string {
	if len(it.Code) < 10 {
		return it.Code
	}
	return it.Code[:10]
}

// Material returns the material with id.
func (it *Item) Material(id string) (Material, bool) {
	for _, m := range it.Materials {
		if m.ID == id {
			return m, true
		}
	}
	return Material{}, false
}

// LegalBasis is one provision an item rests on (设定依据).
type LegalBasis struct {
	Law     string `json:"law"`
	Article string `json:"article,omitempty"`
	Text    string `json:"text,omitempty"`
}

// Remedies names the organs of administrative reconsideration and litigation.
type Remedies struct {
	Reconsideration string `json:"reconsideration"` // 行政复议
	Litigation      string `json:"litigation"`      // 行政诉讼
}

// Limit is a time limit; days may be a half day (e.g. 公章刻制 0.5).
type Limit struct {
	Days float64   `json:"days"`
	Unit LimitUnit `json:"unit"`
}

// WorkingDays is the limit in working-day equivalents: calendar days count
// 5/7 of a working day, so limits in different units can be compared and summed.
func (l Limit) WorkingDays() float64 {
	if l.Unit == CalendarDay {
		return l.Days * 5 / 7
	}
	return l.Days
}

// ProcessTemplate is the ordered list of steps a case of the item goes through.
type ProcessTemplate struct {
	Kind  TemplateKind `json:"kind"`
	Name  string       `json:"name"`
	Steps []Step       `json:"steps"`
}

// Step is one step of a process template. Share is its part of the promised
// limit; steps that stop the clock (特别程序, 行政许可法 art. 45) have no share
// and state their own duration in Days, which the applicant is told.
type Step struct {
	Name       string  `json:"name"`
	Role       string  `json:"role"`
	OrgID      int64   `json:"org_id,omitempty"` // 0: the item's org
	Org        string  `json:"org,omitempty"`    // name, filled on read / used by import
	Share      float64 `json:"share"`
	StopsClock bool    `json:"stops_clock"`
	Days       float64 `json:"days,omitempty"`
}

// Fee is one charge (收费项目).
type Fee struct {
	Name     string  `json:"name"`
	Amount   float64 `json:"amount,omitempty"` // yuan; 0 when Standard describes it
	Standard string  `json:"standard,omitempty"`
	Basis    string  `json:"basis"`
}

// Material is one document an applicant submits.
type Material struct {
	ID                string       `json:"id"`
	Name              string       `json:"name"`
	Kind              MaterialKind `json:"kind"`
	Required          bool         `json:"required"`            // false: only when a situation asks for it
	Condition         string       `json:"condition,omitempty"` // CEL over the answers
	Form              PaperForm    `json:"form"`                // original / copy / both
	Copies            int          `json:"copies"`
	Medium            Medium       `json:"medium"`
	Source            Source       `json:"source"`
	IssuedBy          string       `json:"issued_by,omitempty"`
	ELicenseType      string       `json:"e_license_type,omitempty"` // can be replaced by this e-license
	Template          *File        `json:"template,omitempty"`
	Sample            *File        `json:"sample,omitempty"`
	Notes             string       `json:"notes,omitempty"`
	PendingAllowed    bool         `json:"pending_allowed"`    // 容缺
	CommitmentAllowed bool         `json:"commitment_allowed"` // 告知承诺
}

// File is a downloadable template or sample, addressed by content hash.
type File struct {
	Name        string `json:"name"`
	Hash        string `json:"hash"` // hex SHA-256 of the bytes
	ContentType string `json:"content_type"`
}

// Situation is one question of the guide (情形). When (CEL) hides the
// question unless earlier answers make it relevant.
type Situation struct {
	ID       string   `json:"id"` // a CEL identifier: conditions refer to it
	Question string   `json:"question"`
	When     string   `json:"when,omitempty"`
	Answers  []Answer `json:"answers"`
}

// Answer is one possible answer and its effects on the checklist.
type Answer struct {
	ID     string   `json:"id"`
	Label  string   `json:"label"`
	Add    []string `json:"add,omitempty"`    // material ids this answer adds
	Remove []string `json:"remove,omitempty"` // material ids this answer removes
	// PromisedLimit replaces the item's promised limit when set (longer when a
	// site inspection is needed, shorter under 告知承诺); when several chosen
	// answers set one, the longest wins.
	PromisedLimit *Limit `json:"promised_limit,omitempty"`
	AddFees       []Fee  `json:"add_fees,omitempty"`
	WaiveFees     bool   `json:"waive_fees,omitempty"` // e.g. 残疾人、低保对象免收
}

// Contact is where to ask and complain.
type Contact struct {
	ConsultPhone   string `json:"consult_phone"`
	ComplaintPhone string `json:"complaint_phone"`
	Address        string `json:"address"`
	Hours          string `json:"hours"`
}

// FAQ is one frequently asked question.
type FAQ struct {
	Q string `json:"q"`
	A string `json:"a"`
}
