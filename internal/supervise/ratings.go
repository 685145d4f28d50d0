package supervise

import (
	"context"
	"time"

	"banhao.dev/banhao/internal/ratings"
)

// RatingStats is what statistics need of ratings (好差评) and complaints;
// RatingsStats adapts the ratings service to it. Rows carry counts only — never a
// rater — so no published aggregate can reveal who rated.
type RatingStats interface {
	// RatingCounts returns the counts of ratings and complaints about the
	// cases received in [from, to) in the region prefix, one row per case,
	// plus rows with an empty CaseNo for complaints not about a case
	// (attributed to their organization). Ratings excluded by an upheld
	// appeal are not counted; default ratings are counted apart.
	RatingCounts(ctx context.Context, regionPrefix string, from, to time.Time) ([]RatingCount, error)
}

// RatingCount are the rating and complaint counts of one case (or, with
// an empty CaseNo, of one organization's complaints without a case).
type RatingCount struct {
	CaseNo           string `json:"case_no,omitempty"`
	OrgID            int64  `json:"org_id"`
	Ratings          int    `json:"ratings"`           // real ratings
	Satisfied        int    `json:"satisfied"`         // level ≥ 3
	Bad              int    `json:"bad"`               // level 1–2 (差评)
	Defaults         int    `json:"defaults"`          // default 满意, reported apart
	CallbacksDue     int    `json:"callbacks_due"`     // bad ratings and complaints to call back
	CallbacksDone    int    `json:"callbacks_done"`    // called back within the limit
	Rectifications   int    `json:"rectifications"`    // rectifications opened
	Rectified        int    `json:"rectified"`         // closed (fixed, rectified or explained)
	Complaints       int    `json:"complaints"`        // complaints and 办不成事 reports received
	ComplaintsClosed int    `json:"complaints_closed"` // answered and closed
}

// NoRatings counts nothing: the ratings package is not wired yet.
type NoRatings struct{}

// RatingCounts implements RatingStats.
func (NoRatings) RatingCounts(context.Context, string, time.Time, time.Time) ([]RatingCount, error) {
	return nil, nil
}

// RatingsStats reads the counts from the ratings service (its CaseCounts:
// SQL over the rating, rectification and complaint tables).
type RatingsStats struct{ Ratings *ratings.Service }

// RatingCounts implements RatingStats.
func (r RatingsStats) RatingCounts(ctx context.Context, regionPrefix string, from, to time.Time) ([]RatingCount, error) {
	cs, err := r.Ratings.CaseCounts(ctx, regionPrefix, from, to)
	if err != nil {
		return nil, err
	}
	out := make([]RatingCount, len(cs))
	for i, c := range cs {
		out[i] = RatingCount(c)
	}
	return out, nil
}
