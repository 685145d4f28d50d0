package ratings

import (
	"context"
	"strconv"
	"time"

	"banhao.dev/banhao/internal/platform/clock"
	"banhao.dev/banhao/internal/platform/db"
)

// CaseFacts is what ratings need of a case.
type CaseFacts struct {
	No          string
	ApplicantID int64
	Applicant   string
	Phone       string
	OrgID       int64
	RegionCode  string
	Item        string
	ItemName    string
	Channel     string
	WindowID    int64
	StaffID     int64 // who accepted it (the clerk at the window)
	Status      string
	AcceptedAt  *time.Time
	ConcludedAt *time.Time
}

// Place is the department and region a complaint about an item, window or
// staff member is routed to.
type Place struct {
	OrgID      int64
	RegionCode string
	Name       string
}

// Directory looks up cases and the places complaints are routed to. The
// real adapter is in adapters.go.
type Directory interface {
	Case(ctx context.Context, no string) (CaseFacts, error)
	// CheckCode fails unless code is the query code of case no.
	CheckCode(ctx context.Context, no, code string) error
	Item(ctx context.Context, code string) (Place, error)
	Window(ctx context.Context, id int64) (Place, error)
	Staff(ctx context.Context, userID int64) (Place, error)
}

// Calendar computes working-day limits (art. 82 of the Administrative
// Licensing Law: limits count working days).
type Calendar interface {
	// WorkingDeadline is the end of a limit of days working days from start.
	WorkingDeadline(ctx context.Context, start time.Time, days int) (time.Time, error)
}

// Deps are what the service is built from.
type Deps struct {
	DB        *db.DB
	Clock     clock.Clock
	Directory Directory
	Calendar  Calendar
	BaseURL   string // public URL for the SMS rating link
}

// Service runs ratings, rectifications, appeals and complaints.
type Service struct {
	db   *db.DB
	clk  clock.Clock
	dir  Directory
	cal  Calendar
	base string
}

// NewService builds a Service.
func NewService(d Deps) *Service {
	return &Service{db: d.DB, clk: d.Clock, dir: d.Directory, cal: d.Calendar, base: d.BaseURL}
}

func (s *Service) now() time.Time { return clock.Norm(s.clk.Now()) }

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
