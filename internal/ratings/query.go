package ratings

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"banhao.dev/banhao/internal/platform/auth"
	"banhao.dev/banhao/internal/platform/errs"
)

// ListFilter selects ratings for GET /api/v1/ratings.
type ListFilter struct {
	OrgID  int64     `json:"org,omitempty"`
	Level  int       `json:"level,omitempty"`
	From   time.Time `json:"from,omitempty"`
	To     time.Time `json:"to,omitempty"`
	Bad    *bool     `json:"bad,omitempty"`
	Limit  int       `json:"limit,omitempty"`
	Offset int       `json:"offset,omitempty"`
}

// List returns ratings in the caller's scope: a supervisor's region, a
// department's own ratings; applicants see only their own.
func (s *Service) List(ctx context.Context, p *auth.Principal, f ListFilter) ([]*Rating, error) {
	if err := auth.Require(p); err != nil {
		return nil, err
	}
	w := &where{}
	switch {
	case p.HasAny(auth.Supervisor, auth.Admin):
		if p.RegionCode != "" {
			w.add("region_code LIKE ?", p.RegionCode+"%")
		} else if !p.Has(auth.Admin) {
			return nil, auth.ErrOutOfScope
		}
	case p.HasAny(auth.Clerk, auth.Reviewer, auth.Approver):
		if p.OrgID == 0 {
			return nil, auth.ErrOutOfScope
		}
		w.add("org_id = ?", p.OrgID)
		w.add("region_code LIKE ?", p.RegionCode+"%")
	case p.Has(auth.Applicant):
		w.add("rater_id = ?", p.UserID)
	default:
		return nil, auth.ErrForbidden
	}
	if f.Level != 0 {
		if f.Level < MinLevel || f.Level > MaxLevel {
			return nil, ErrLevel.OnField("level")
		}
		w.add("level = ?", f.Level)
	}
	if f.OrgID != 0 {
		w.add("org_id = ?", f.OrgID)
	}
	w.scope(Filter{From: f.From, To: f.To}, "", "created_at")
	if f.Bad != nil {
		w.add("bad = ?", *f.Bad)
	}
	limit := f.Limit
	if limit <= 0 || limit > 500 {
		limit = 100
	}
	return queryRatings(ctx, s.db.R, w, limit, max(f.Offset, 0))
}

// Get returns one rating with its rectification and appeals, to its rater,
// its department or a supervisor of its region.
func (s *Service) Get(ctx context.Context, p *auth.Principal, id int64) (*Rating, error) {
	if err := auth.Require(p); err != nil {
		return nil, err
	}
	r, err := getRating(ctx, s.db.R, id, "")
	if err != nil {
		return nil, err
	}
	own := r.RaterID != 0 && r.RaterID == p.UserID
	dept := p.HasAny(auth.Clerk, auth.Reviewer, auth.Approver) && p.OrgID == r.OrgID && p.InRegion(r.RegionCode)
	sup := p.HasAny(auth.Supervisor, auth.Admin) && p.InRegion(r.RegionCode)
	if !own && !dept && !sup {
		return nil, ErrNotFound
	}
	if x, err := getRect(ctx, s.db.R, "rating_id", r.ID, ""); err == nil {
		r.Rectification = x
	} else if errs.KindOf(err) != errs.NotFound {
		return nil, err
	}
	if r.Appeals, err = appealsOf(ctx, s.db.R, r.ID); err != nil {
		return nil, err
	}
	return r, nil
}

// Mine is what an applicant sees: moments open for rating and their ratings.
type Mine struct {
	Open    []Moment  `json:"open"`
	Ratings []*Rating `json:"ratings"`
}

// MyRatings returns the caller's open rating moments and past ratings (with
// the rectification of each bad one).
func (s *Service) MyRatings(ctx context.Context, p *auth.Principal) (Mine, error) {
	if err := auth.Require(p, auth.Applicant); err != nil {
		return Mine{}, err
	}
	var out Mine
	rows, err := s.db.R.QueryContext(ctx, `SELECT `+momentCols+` FROM rating_moments WHERE applicant_id = $1 AND status = 'open' AND closes_at > $2
		ORDER BY moment_at DESC LIMIT 200`, p.UserID, s.now())
	if err != nil {
		return Mine{}, fmt.Errorf("my rating moments: %w", err)
	}
	for rows.Next() {
		m, err := scanMoment(rows)
		if err != nil {
			rows.Close()
			return Mine{}, err
		}
		out.Open = append(out.Open, m)
	}
	rows.Close()
	w := &where{}
	w.add("rater_id = ?", p.UserID)
	if out.Ratings, err = queryRatings(ctx, s.db.R, w, 200, 0); err != nil {
		return Mine{}, err
	}
	for _, r := range out.Ratings {
		if x, err := getRect(ctx, s.db.R, "rating_id", r.ID, ""); err == nil {
			r.Rectification = x
		}
	}
	return out, nil
}

// Rateable returns the moment of case no the caller may rate now and its
// tag set, for the rating form. It opens the moment if the case reached it.
func (s *Service) Rateable(ctx context.Context, p *auth.Principal, no string) (Moment, error) {
	if p == nil {
		return Moment{}, auth.ErrUnauthenticated
	}
	if isStaffOnly(p) {
		return Moment{}, ErrStaffRating
	}
	c, err := s.dir.Case(ctx, no)
	if err != nil || c.ApplicantID == 0 || c.ApplicantID != p.UserID {
		return Moment{}, ErrNotRater
	}
	return s.rateableMoment(ctx, c)
}

// RateableWithCode is Rateable for the window evaluator and kiosk.
func (s *Service) RateableWithCode(ctx context.Context, no, code string) (Moment, error) {
	if err := s.dir.CheckCode(ctx, no, code); err != nil {
		return Moment{}, ErrBadCode
	}
	c, err := s.dir.Case(ctx, no)
	if err != nil {
		return Moment{}, ErrBadCode
	}
	return s.rateableMoment(ctx, c)
}

func (s *Service) rateableMoment(ctx context.Context, c CaseFacts) (Moment, error) {
	now := s.now()
	var m Moment
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		m, err = s.pickMoment(ctx, tx, c, "", now)
		return err
	})
	if err != nil {
		return Moment{}, err
	}
	if m.Status == MomentRated {
		return m, ErrAlreadyRated
	}
	if m.Status != MomentOpen || !now.Before(m.ClosesAt) {
		return m, ErrWindowClosed
	}
	return m, nil
}
