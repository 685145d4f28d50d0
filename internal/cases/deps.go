package cases

import (
	"context"
	"time"

	"banhao.dev/banhao/internal/platform/db"
	"banhao.dev/banhao/internal/platform/outbox"
)

// The small interfaces the case service needs, declared here where they are
// used (adapters to the real packages are in adapters.go).

// ItemSource returns the item version a case is filed under. Version 0 means
// the current published version. The snapshot's Checklist holds the
// materials that apply to the answers (情形); Materials holds every material
// of the version.
type ItemSource interface {
	Item(ctx context.Context, code string, version int, answers map[string]string) (ItemSnapshot, error)
}

// Interval is a period not counted in a limit.
type Interval struct {
	From   time.Time
	To     time.Time // zero: not ended
	Reason string
}

// Calendar is the working-day calendar (art. 82).
type Calendar interface {
	// Deadline returns the end of a limit of days working days from start,
	// pushed back by the stops, with its derivation.
	Deadline(ctx context.Context, start time.Time, days int, stops []Interval) (Deadline, error)
	// IsWorking reports whether the Beijing date of t is a working day.
	IsWorking(ctx context.Context, t time.Time) (bool, error)
}

// WindowPowers is what a window authorization (窗口授权书) lets a clerk do
// for one item on one day.
type WindowPowers struct {
	WindowID  int64
	DocNo     string
	CanAccept bool
	CanDecide bool
}

// Authorizer looks up a clerk's window authorization from orgID (the
// item's organization) for the item on day. windowID 0 means any window the
// clerk staffs. No authorization is an error of kind Forbidden.
type Authorizer interface {
	WindowPowers(ctx context.Context, userID, windowID, orgID int64, itemCode, domain, day string) (WindowPowers, error)
}

// Notice is a message to an applicant (in-app, and SMS when Phone is set).
type Notice struct {
	UserID int64  `json:"user_id,omitempty"`
	Phone  string `json:"phone,omitempty"`
	Title  string `json:"title"`
	Body   string `json:"body"`
	Link   string `json:"link,omitempty"`
}

// Notifier sends a notice through q, the transaction of the change that
// causes it, so the message commits with the change.
type Notifier interface {
	Notify(ctx context.Context, q db.Execer, at time.Time, n Notice) error
}

// OutboxNotifier queues notices on the outbox under TopicNotify; the
// notification service delivers them (in-app row + SMS through the provider).
type OutboxNotifier struct{}

// Outbox topics written by cases.
const (
	TopicEvent  = "case.event"  // a timeline event some consumer acts on (PublishOnly): supervision, ratings
	TopicNotify = "notify.send" // a Notice to an applicant
	TopicLight  = "case.light"  // a case or step light changed (warnings, 黄牌/红牌)
)

// EventFacts travel in every "case.event" message: what a consumer needs of
// the case as it stood at the event (ratings open a moment from them), so
// that delivering the event needs no read of the case.
type EventFacts struct {
	ApplicantID int64      `json:"applicant_id,omitempty"`
	Applicant   string     `json:"applicant"`
	Phone       string     `json:"phone,omitempty"`
	ItemName    string     `json:"item_name"`
	WindowID    int64      `json:"window_id,omitempty"`
	StaffID     int64      `json:"staff_id,omitempty"` // who accepted it
	AcceptedAt  *time.Time `json:"accepted_at,omitempty"`
	ConcludedAt *time.Time `json:"concluded_at,omitempty"`
}

// EventLights are the case's and its current step's lights as an event
// left them ("" when not timed), in every "case.event" message.
type EventLights struct {
	Case Light `json:"case"`
	Step Light `json:"step"`
}

// Notify implements Notifier.
func (OutboxNotifier) Notify(ctx context.Context, q db.Execer, at time.Time, n Notice) error {
	return outbox.Enqueue(ctx, q, at, TopicNotify, n)
}
