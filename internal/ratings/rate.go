package ratings

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"banhao.dev/banhao/internal/platform/audit"
	"banhao.dev/banhao/internal/platform/auth"
	"banhao.dev/banhao/internal/platform/clock"
	"banhao.dev/banhao/internal/platform/db"
)

// RateRequest is a rating as the applicant gives it.
type RateRequest struct {
	Stage   Stage    `json:"stage,omitempty"` // "": the latest open moment
	Level   int      `json:"level"`
	Tags    []string `json:"tags"`
	Comment string   `json:"comment,omitempty"`
}

// validate checks the level, the tags against the level and tag set, and
// the comment. A bad rating needs a reason tag, so the department knows
// what to rectify (GB/T 39734-2020 差评须说明原因).
func (r *RateRequest) validate(set TagSet) error {
	if r.Level < MinLevel || r.Level > MaxLevel {
		return ErrLevel.OnField("level")
	}
	seen := map[string]bool{}
	var tags []string
	for _, t := range r.Tags {
		t = strings.TrimSpace(t)
		if t == "" || seen[t] {
			continue
		}
		if !validTag(set, r.Level, t) {
			return ErrTag.OnField("tags").Withf("“%s”不是%s“%s”的评价标签", t, set.Label(), LevelLabel(r.Level))
		}
		seen[t] = true
		tags = append(tags, t)
	}
	r.Tags = tags
	if IsBad(r.Level) && len(tags) == 0 {
		return ErrTagsRequired.OnField("tags")
	}
	r.Comment = strings.TrimSpace(r.Comment)
	if utf8.RuneCountInString(r.Comment) > 500 {
		return ErrComment.OnField("comment")
	}
	return nil
}

// via says who brings a rating in and how.
type via struct {
	channel    Channel
	raterID    int64 // 0: the applicant has no account (window, SMS, hotline)
	recordedBy int64 // the 12345 agent who recorded the applicant's answer
	callRecord string
	actor      audit.Actor
	token      string // SMS link token, used up by the rating
}

// isStaffOnly reports whether p is staff acting as staff (not an applicant).
func isStaffOnly(p *auth.Principal) bool {
	return p != nil && (p.Kind == auth.KindStaff || !p.Has(auth.Applicant))
}

// Rate records an online rating by the logged-in applicant of case no
// (我的办件). Staff are refused: they can never rate or change a rating.
func (s *Service) Rate(ctx context.Context, p *auth.Principal, no string, req RateRequest) (*Rating, error) {
	if p == nil {
		return nil, auth.ErrUnauthenticated
	}
	if isStaffOnly(p) {
		return nil, ErrStaffRating
	}
	c, err := s.dir.Case(ctx, no)
	if err != nil {
		return nil, ErrNotRater
	}
	if c.ApplicantID == 0 || c.ApplicantID != p.UserID {
		return nil, ErrNotRater
	}
	return s.rate(ctx, c, req, via{channel: ChOnline, raterID: p.UserID, actor: p.Actor(auth.Applicant)})
}

// RateWithCode records a rating at the window's evaluator tablet or at a
// kiosk: the applicant confirms who they are with the case number and the
// query code only the applicant was given. A logged-in staff session on the
// device is refused, so the clerk cannot rate in the applicant's place.
func (s *Service) RateWithCode(ctx context.Context, p *auth.Principal, no, code string, ch Channel, windowID int64, req RateRequest) (*Rating, error) {
	if isStaffOnly(p) {
		return nil, ErrStaffRating
	}
	if ch != ChWindow && ch != ChKiosk {
		return nil, ErrNotRater
	}
	if err := s.dir.CheckCode(ctx, no, code); err != nil {
		return nil, ErrBadCode
	}
	c, err := s.dir.Case(ctx, no)
	if err != nil {
		return nil, ErrBadCode
	}
	if p != nil && c.ApplicantID != p.UserID {
		return nil, ErrNotRater
	}
	return s.rate(ctx, c, req, via{channel: ch, raterID: c.ApplicantID, actor: audit.Actor{ID: c.ApplicantID, Role: string(auth.Applicant)}})
}

// RateByToken records a rating from the one-time SMS link.
func (s *Service) RateByToken(ctx context.Context, p *auth.Principal, token string, req RateRequest) (*Rating, error) {
	if isStaffOnly(p) {
		return nil, ErrStaffRating
	}
	m, err := s.MomentByToken(ctx, token)
	if err != nil {
		return nil, err
	}
	c, err := s.dir.Case(ctx, m.CaseNo)
	if err != nil {
		return nil, ErrToken
	}
	req.Stage = m.Stage
	return s.rate(ctx, c, req, via{channel: ChSMS, raterID: c.ApplicantID, token: token, actor: audit.Actor{ID: c.ApplicantID, Role: string(auth.Applicant)}})
}

// HotlineRequest is a 12345 callback rating: the agent records the
// applicant's own answer and the call's recording number.
type HotlineRequest struct {
	RateRequest
	CallRecord string `json:"call_record"`
}

// RateByHotline records the applicant's answer in a 12345 callback. The
// rater is still the applicant; the agent is kept as recorder, with the
// recording, so the answer can be checked.
func (s *Service) RateByHotline(ctx context.Context, p *auth.Principal, no string, req HotlineRequest) (*Rating, error) {
	if err := auth.Require(p, auth.HotlineAgent); err != nil {
		return nil, err
	}
	// Scope first: an agent of another region learns nothing about the
	// case from validation errors.
	c, err := s.dir.Case(ctx, no)
	if err != nil {
		return nil, err
	}
	if !p.InRegion(c.RegionCode) {
		return nil, auth.ErrOutOfScope
	}
	rec := strings.TrimSpace(req.CallRecord)
	if rec == "" || len(rec) > 100 {
		return nil, ErrCallRecord.OnField("call_record")
	}
	return s.rate(ctx, c, req.RateRequest, via{channel: ChHotline, raterID: c.ApplicantID, recordedBy: p.UserID, callRecord: rec,
		actor: p.Actor(auth.HotlineAgent)})
}

// rate applies the rules common to every channel: the moment must be open
// and within its window, the rating must be valid for the moment's tag set,
// and the moment must not be rated yet. A bad rating opens a rectification;
// the rating and the rectification are pushed to the external evaluation
// system through the outbox in the same transaction.
func (s *Service) rate(ctx context.Context, c CaseFacts, req RateRequest, v via) (*Rating, error) {
	now := s.now()
	var out *Rating
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		m, err := s.pickMoment(ctx, tx, c, req.Stage, now)
		if err != nil {
			return err
		}
		if err := req.validate(m.TagSet()); err != nil {
			return err
		}
		if m.Status == MomentRated {
			return ErrAlreadyRated
		}
		if now.Before(m.At) || !now.Before(m.ClosesAt) || m.Status != MomentOpen {
			return ErrWindowClosed.Withf("%s评价期限至 %s，已超过评价期限", m.Stage.Label(), m.ClosesAt.In(clock.Shanghai).Format("2006-01-02 15:04"))
		}
		if v.token != "" && m.TokenUsedAt != nil {
			return ErrToken
		}
		r := &Rating{MomentID: m.ID, CaseNo: m.CaseNo, Stage: m.Stage, Level: req.Level, TagSet: m.TagSet(), Tags: req.Tags, Comment: req.Comment,
			Channel: v.channel, RaterID: v.raterID, RaterName: m.Applicant, RaterPhone: m.Phone, RecordedBy: v.recordedBy, CallRecord: v.callRecord,
			OrgID: m.OrgID, RegionCode: m.RegionCode, ItemCode: m.ItemCode, ItemName: m.ItemName, WindowID: m.WindowID, StaffID: m.StaffID,
			Bad: IsBad(req.Level), CreatedAt: now}
		if err := insertRating(ctx, tx, r); err != nil {
			return s.db.Translate(err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE rating_moments SET status = 'rated', token_used_at = $1 WHERE id = $2`, now, m.ID); err != nil {
			return fmt.Errorf("mark moment rated: %w", err)
		}
		if _, err := audit.Append(ctx, tx, now, v.actor, r.stream(), "rate", map[string]any{"after": publicRating(r), "channel": v.channel,
			"recorded_by": v.recordedBy, "call_record": v.callRecord}); err != nil {
			return err
		}
		if err := push(ctx, tx, now, "rating", pushRating(r)); err != nil {
			return err
		}
		if r.Bad {
			if r.Rectification, err = s.openRectification(ctx, tx, r, now); err != nil {
				return err
			}
		}
		out = r
		return nil
	})
	if errors.Is(err, errDuplicateRating) {
		return nil, ErrAlreadyRated
	}
	if err != nil {
		return nil, fmt.Errorf("rate case %s: %w", c.No, err)
	}
	out.LevelLabel = LevelLabel(out.Level)
	return out, nil
}

var errDuplicateRating = db.ErrDuplicate

// pickMoment finds the moment to rate: the requested stage, or the latest
// stage the case has reached.
func (s *Service) pickMoment(ctx context.Context, tx *sql.Tx, c CaseFacts, st Stage, now time.Time) (Moment, error) {
	if st != "" {
		if !st.valid() {
			return Moment{}, ErrNotRateable.OnField("stage")
		}
		m, _, err := s.ensureMoment(ctx, tx, c, st, now)
		return m, err
	}
	concl, _, err := s.ensureMoment(ctx, tx, c, StageConclude, now)
	switch {
	case err == nil && concl.Status == MomentOpen:
		return concl, nil
	case err != nil && !errors.Is(err, ErrNotRateable):
		return Moment{}, err
	}
	acc, _, aerr := s.ensureMoment(ctx, tx, c, StageAccept, now)
	if aerr == nil && (acc.Status == MomentOpen || err != nil) {
		return acc, nil
	}
	if err == nil {
		return concl, nil // rated or closed: rate reports which
	}
	return Moment{}, aerr
}

// publicRating is the rating without the rater, for logs and pushes.
func publicRating(r *Rating) map[string]any {
	return map[string]any{"id": r.ID, "case_no": r.CaseNo, "stage": r.Stage, "level": r.Level, "tag_set": r.TagSet, "tags": r.Tags,
		"comment": r.Comment, "channel": r.Channel, "org_id": r.OrgID, "region_code": r.RegionCode, "item_code": r.ItemCode, "bad": r.Bad}
}
