package cases

import (
	"encoding/json"
	"fmt"
	"time"

	"banhao.dev/banhao/internal/platform/audit"
)

// Status is the state of a case.
type Status string

const (
	Draft        Status = "draft"
	Submitted    Status = "submitted"
	Correction   Status = "correction"
	Accepted     Status = "accepted" // accepted and in process; CurrentStep tells where
	ClockStopped Status = "clock_stopped"
	Decided      Status = "decided"
	Concluded    Status = "concluded"
	Delivered    Status = "delivered"
	Refused      Status = "refused"
	Withdrawn    Status = "withdrawn"
)

// Label is the Chinese name of a status.
func (s Status) Label() string {
	switch s {
	case Draft:
		return "草稿"
	case Submitted:
		return "已申报（待受理）"
	case Correction:
		return "待补正"
	case Accepted:
		return "办理中"
	case ClockStopped:
		return "特别程序（中止计时）"
	case Decided:
		return "已决定"
	case Concluded:
		return "已办结"
	case Delivered:
		return "已送达"
	case Refused:
		return "不予受理"
	case Withdrawn:
		return "已撤回"
	}
	return string(s)
}

// Open reports whether the case still runs (not terminal, not delivered).
func (s Status) Open() bool {
	switch s {
	case Refused, Withdrawn, Delivered:
		return false
	}
	return true
}

// Channel is how the application came in.
type Channel string

const (
	Online   Channel = "online"   // 网上申报
	Window   Channel = "window"   // 窗口受理
	Kiosk    Channel = "kiosk"    // 自助终端 (in the hall: an in-person visit)
	Assisted Channel = "assisted" // 帮办代办: staff files for the applicant, who need not come
)

func (c Channel) valid() bool { return c == Online || c == Window || c == Kiosk || c == Assisted }

// inPerson reports whether filing through c is a trip (跑动) of the applicant.
func (c Channel) inPerson() bool { return c == Window || c == Kiosk }

// Light is a supervision light.
type Light string

const (
	Green   Light = "green"
	Yellow  Light = "yellow"
	Red     Light = "red"
	NoLight Light = ""
)

// Applicant is who applies: a person or an enterprise.
type Applicant struct {
	UserID   int64  `json:"user_id,omitempty"`
	Name     string `json:"name"`
	Kind     string `json:"kind"` // person | enterprise
	IDNumber string `json:"id_number"`
	Phone    string `json:"phone,omitempty"`
}

// Limit is a time limit as the catalog states it.
type Limit struct {
	Days float64 `json:"days"`
	Unit string  `json:"unit"` // working_day | calendar_day
}

// ItemSnapshot is what a case needs of its item version, frozen into the
// case at submission (versions are immutable, so it never goes stale).
type ItemSnapshot struct {
	Code          string         `json:"code"`
	Version       int            `json:"version"`
	Name          string         `json:"name"`
	OrgID         int64          `json:"org_id"`
	Org           string         `json:"org"`
	RegionCode    string         `json:"region_code"`
	Domain        string         `json:"domain"`
	CaseType      string         `json:"case_type"` // immediate | review_approve | promised
	LegalLimit    Limit          `json:"legal_limit"`
	PromisedLimit Limit          `json:"promised_limit"`
	PreReviewDays int            `json:"pre_review_days"` // 0: DefaultPreReviewDays
	ExtensionDays int            `json:"extension_days"`  // 0: DefaultExtensionDays
	Steps         []TemplateStep `json:"steps"`
	Checklist     []ItemMaterial `json:"checklist"` // materials for the applicant's answers
	Materials     []ItemMaterial `json:"materials"` // every material of the version
	Reconsider    string         `json:"reconsideration,omitempty"`
	Litigation    string         `json:"litigation,omitempty"`
	Published     bool           `json:"published"`
}

// Defaults from the law: pre-review within 5 days (art. 32), one extension of
// 10 days (art. 42).
const (
	DefaultPreReviewDays = 5
	DefaultExtensionDays = 10
)

// TemplateStep is one step of the item's process template.
type TemplateStep struct {
	Name       string  `json:"name"`
	Role       string  `json:"role"`
	OrgID      int64   `json:"org_id,omitempty"` // 0: the item's org
	Share      float64 `json:"share"`
	StopsClock bool    `json:"stops_clock"`
	Days       float64 `json:"days,omitempty"` // own duration of a clock-stopping step
}

// ItemMaterial is one material of the item version.
type ItemMaterial struct {
	ID                string `json:"id"`
	Name              string `json:"name"`
	Required          bool   `json:"required"`
	PendingAllowed    bool   `json:"pending_allowed"`
	CommitmentAllowed bool   `json:"commitment_allowed"`
}

func findMaterial(ms []ItemMaterial, id string) (ItemMaterial, bool) {
	for _, m := range ms {
		if m.ID == id {
			return m, true
		}
	}
	return ItemMaterial{}, false
}

// Material sources.
const (
	SourceFile       = "file"
	SourceLicense    = "license"
	SourcePaper      = "paper"
	SourceCommitment = "commitment"
	SourceNone       = "none" // pending (容缺) or not yet provided
)

// Material statuses.
const (
	MatSubmitted = "submitted"
	MatDefective = "defective"
	MatPending   = "pending"
	MatSupplied  = "supplied"
)

// CaseMaterial is a material as provided with the case.
type CaseMaterial struct {
	MaterialID   string    `json:"material_id"`
	Name         string    `json:"name"`
	Source       string    `json:"source"`
	BlobHash     string    `json:"file,omitempty"`
	LicenseRef   string    `json:"license,omitempty"`
	Status       string    `json:"status"`
	ChangedRound int       `json:"changed_round"`
	UpdatedAt    time.Time `json:"updated_at"`
}

// Step statuses.
const (
	StepWaiting = "waiting"
	StepActive  = "active"
	StepDone    = "done"
)

// CaseStep is one template step as the case goes through it.
type CaseStep struct {
	Index      int        `json:"index"`
	Name       string     `json:"name"`
	Role       string     `json:"role"`
	OrgID      int64      `json:"org_id"`
	Share      float64    `json:"share"`
	StopsClock bool       `json:"stops_clock"`
	Days       float64    `json:"days,omitempty"`
	Status     string     `json:"status"`
	StartedAt  *time.Time `json:"started_at,omitempty"`
	FinishedAt *time.Time `json:"finished_at,omitempty"`
	ActorID    int64      `json:"actor_id,omitempty"`
	Opinion    string     `json:"opinion,omitempty"`
	Returns    int        `json:"returns,omitempty"`
}

// Deadline is a computed deadline with the way it was derived.
type Deadline struct {
	Date       string          `json:"date"` // YYYY-MM-DD, the last day
	At         time.Time       `json:"at"`   // the instant it expires
	Days       int             `json:"days"` // the limit counted
	Unit       string          `json:"unit"`
	Derivation []string        `json:"derivation"`       // Chinese lines, in order
	Detail     json.RawMessage `json:"detail,omitempty"` // structured derivation from the calendar
	// calc is what Derivation and Detail were made from, when known, so
	// storing the deadline compactly need not decode Detail again.
	calc *deadlineCalc
}

// Deadlines of a case.
type Deadlines struct {
	Promised  *Deadline  `json:"promised"`
	Legal     *Deadline  `json:"legal"`
	Step      *Deadline  `json:"step,omitempty"`
	PreReview *time.Time `json:"pre_review,omitempty"` // auto-acceptance instant of an online submission
	// Delivery is when a granted license must be issued and delivered:
	// within 10 (working) days of the decision (art. 44, art. 82).
	Delivery       *Deadline  `json:"delivery,omitempty"`
	DeliveryYellow *time.Time `json:"delivery_yellow_at,omitempty"`
}

// ClockStop is a period not counted in the limits (特别程序, art. 45).
type ClockStop struct {
	Kind         string     `json:"kind"` // hearing | inspection | testing | expert_review | public_notice | …, or the step name
	Reason       string     `json:"reason"`
	ExpectedDays int        `json:"expected_days"`
	From         time.Time  `json:"from"`
	To           *time.Time `json:"to,omitempty"`
	Step         int        `json:"step"` // the step that stops the clock, -1 for a manual stop
	ActorID      int64      `json:"actor_id"`
}

// Extension is the one extension of art. 42.
type Extension struct {
	Days    int       `json:"days"`
	Reason  string    `json:"reason"`
	ActorID int64     `json:"actor_id"`
	At      time.Time `json:"at"`
}

// Decision is the grant or denial.
type Decision struct {
	Grant    bool         `json:"grant"`
	Result   *GrantResult `json:"result,omitempty"`
	Reasons  string       `json:"reasons,omitempty"`
	Remedies string       `json:"remedies,omitempty"`
	OnSpot   bool         `json:"on_spot"`
	ActorID  int64        `json:"actor_id"`
	At       time.Time    `json:"at"`
}

// GrantResult is what a grant issues.
type GrantResult struct {
	CertificateNo string `json:"certificate_no"`
	ValidFrom     string `json:"valid_from,omitempty"`
	ValidTo       string `json:"valid_to,omitempty"`
	Conditions    string `json:"conditions,omitempty"`
	ELicense      bool   `json:"e_license"`
}

// Delivery methods.
const (
	DeliverWindow     = "window"
	DeliverExpress    = "express"
	DeliverElectronic = "electronic"
)

// Delivery is how the result reached the applicant.
type Delivery struct {
	Method   string    `json:"method"`
	Carrier  string    `json:"carrier,omitempty"`
	Tracking string    `json:"tracking,omitempty"`
	Address  string    `json:"address,omitempty"`
	Link     string    `json:"link,omitempty"`
	ActorID  int64     `json:"actor_id"`
	At       time.Time `json:"at"`
}

// Refusal is a 不予受理 decision.
type Refusal struct {
	Reason     string `json:"reason"`
	LegalBasis string `json:"legal_basis"`
	WhereToGo  string `json:"where_to_go,omitempty"`
}

// Pending is a material accepted as pending (容缺).
type Pending struct {
	MaterialID string     `json:"material_id"`
	Name       string     `json:"name"`
	Commitment string     `json:"commitment"`
	DueDate    string     `json:"due_date"`
	DueAt      time.Time  `json:"due_at"`
	RemindAt   time.Time  `json:"remind_at"`
	RemindedAt *time.Time `json:"reminded_at,omitempty"`
	SuppliedAt *time.Time `json:"supplied_at,omitempty"`
}

// CorrectionItem is one line of a correction notice.
type CorrectionItem struct {
	MaterialID string `json:"material_id"`
	Name       string `json:"name"`
	Reason     string `json:"reason"`
}

// CorrectionNotice is a one-time correction notice (一次性补正告知书).
type CorrectionNotice struct {
	Round          int              `json:"round"`
	Second         bool             `json:"second"`
	OverrideReason string           `json:"override_reason,omitempty"`
	Items          []CorrectionItem `json:"items"`
	IssuedBy       int64            `json:"issued_by"`
	IssuedAt       time.Time        `json:"issued_at"`
	ResolvedAt     *time.Time       `json:"resolved_at,omitempty"`
}

// Verification is a post-approval check of a commitment (核查).
type Verification struct {
	ID         int64      `json:"id"`
	CaseNo     string     `json:"case_no"`
	MaterialID string     `json:"material_id"`
	Name       string     `json:"name"`
	OrgID      int64      `json:"org_id"`
	Status     string     `json:"status"`
	CreatedAt  time.Time  `json:"created_at"`
	ClosedAt   *time.Time `json:"closed_at,omitempty"`
	Note       string     `json:"note,omitempty"`
}

// Body is the part of a case kept as a JSON document with the row.
type Body struct {
	Applicant           Applicant         `json:"applicant"`
	AssistedBy          int64             `json:"assisted_by,omitempty"`
	AssistNote          string            `json:"assist_authorization,omitempty"` // the applicant's authorization of 帮办代办
	Answers             map[string]string `json:"answers"`
	Form                map[string]any    `json:"form"`
	ItemSnap            ItemSnapshot      `json:"item_snapshot"`
	Steps               []CaseStep        `json:"steps"`
	Stops               []ClockStop       `json:"stops"`
	Deadlines           Deadlines         `json:"deadlines"`
	Extension           *Extension        `json:"extension,omitempty"`
	Decision            *Decision         `json:"decision,omitempty"`
	Refusal             *Refusal          `json:"refusal,omitempty"`
	Delivery            *Delivery         `json:"delivery,omitempty"`
	PickupCode          string            `json:"pickup_code,omitempty"`
	WithdrawReason      string            `json:"withdraw_reason,omitempty"`
	MaterialsReceivedAt *time.Time        `json:"materials_received_at,omitempty"`
	AcceptedBy          int64             `json:"accepted_by,omitempty"`
	DeliveredAt         *time.Time        `json:"delivered_at,omitempty"`
}

// Case is one case with everything the API shows.
type Case struct {
	ID               int64      `json:"-"`
	No               string     `json:"no"`
	Status           Status     `json:"status"`
	StatusLabel      string     `json:"status_label"`
	Item             string     `json:"item"`
	Version          int        `json:"version"`
	ItemName         string     `json:"item_name"`
	OrgID            int64      `json:"org_id"`
	RegionCode       string     `json:"region_code"`
	Domain           string     `json:"domain"`
	CaseType         string     `json:"case_type"`
	Channel          Channel    `json:"channel"`
	WindowID         int64      `json:"window_id,omitempty"`
	StepIndex        int        `json:"step_index"`
	CurrentStep      *CaseStep  `json:"current_step"`
	StepRole         string     `json:"-"`
	StepOrgID        int64      `json:"-"`
	Light            Light      `json:"light"`
	StepLight        Light      `json:"step_light"`
	DeliveryLight    Light      `json:"delivery_light,omitempty"` // art. 44; computed when read
	Trips            int        `json:"trips"`
	Corrections      int        `json:"corrections"`
	SecondCorrection bool       `json:"second_correction"`
	PendingCount     int        `json:"-"`
	AutoAccepted     bool       `json:"auto_accepted"`
	Extended         bool       `json:"extended"`
	DecisionKind     string     `json:"decision"`
	SubmittedAt      *time.Time `json:"submitted_at,omitempty"`
	AcceptedAt       *time.Time `json:"accepted_at,omitempty"`
	DecidedAt        *time.Time `json:"decided_at,omitempty"`
	ConcludedAt      *time.Time `json:"concluded_at,omitempty"`
	ClosedAt         *time.Time `json:"closed_at,omitempty"`
	CreatedAt        time.Time  `json:"created_at"`
	UpdatedAt        time.Time  `json:"updated_at"`

	// auditHead is the last event of the case's audit chain, kept on the
	// row (migration 0061) so an action reads it with the locked row.
	auditHead audit.Head
	// snapRef is the hash of the item snapshot in case_snapshots; "" for a
	// case of an older version that keeps it inline (snapshots.go).
	snapRef string

	// lights bookkeeping (see doc.go)
	CaseYellowAt      *time.Time `json:"-"`
	StepYellowAt      *time.Time `json:"-"`
	NextLightChangeAt *time.Time `json:"next_light_change_at,omitempty"`
	PreReviewDue      *time.Time `json:"-"`
	queryHash         string

	Body

	// Filled by Get, not stored in the row.
	Materials     []CaseMaterial     `json:"materials"`
	Pending       []Pending          `json:"pending"`
	CorrectionLog []CorrectionNotice `json:"correction_notices"`
	Documents     []Document         `json:"documents"`
	Allowed       []Action           `json:"allowed"`
	Expected      string             `json:"expected"` // what is expected of the applicant, in Chinese
}

func (c *Case) stream() string { return "case/" + c.No }

// current returns the active step, or nil.
func (c *Case) current() *CaseStep {
	if c.StepIndex < 0 || c.StepIndex >= len(c.Steps) {
		return nil
	}
	return &c.Steps[c.StepIndex]
}

// openStop returns the open clock stop, or nil.
func (c *Case) openStop() *ClockStop {
	for i := range c.Stops {
		if c.Stops[i].To == nil {
			return &c.Stops[i]
		}
	}
	return nil
}

// Document is one written document the case produced; the web layer renders it.
type Document struct {
	ID       int64     `json:"id"`
	Kind     string    `json:"kind"`
	Number   string    `json:"number"`
	Title    string    `json:"title"`
	OrgID    int64     `json:"org_id"`
	IssuedAt time.Time `json:"issued_at"`
	// Data is the document's JSON object as stored (organ, date, case_no,
	// item, applicant, qr, contents): every answer about a case carries its
	// documents, and decoding them into maps only to encode them again was
	// ≈ 4 % of an action's CPU. Fields decodes it for a page.
	Data json.RawMessage `json:"data"`
}

// Fields is the document's data as a map.
func (d Document) Fields() (map[string]any, error) {
	var m map[string]any
	if err := json.Unmarshal(d.Data, &m); err != nil {
		return nil, fmt.Errorf("document %s: %w", d.Number, err)
	}
	return m, nil
}

// Document kinds.
const (
	DocAcceptance = "acceptance_notice" // 受理通知书
	DocRefusal    = "refusal_decision"  // 不予受理决定书
	DocCorrection = "correction_notice" // 一次性补正告知书
	DocDecision   = "decision_letter"   // 准予/不予许可决定书
	DocDelivery   = "delivery_receipt"  // 送达回证
	DocExtension  = "extension_notice"  // 延期告知书 (art. 42)
	DocStop       = "stop_notice"       // 特别程序告知书 (art. 45)
)
