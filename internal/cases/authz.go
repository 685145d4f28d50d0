package cases

import (
	"context"
	"slices"
	"time"

	"banhao.dev/banhao/internal/platform/auth"
	"banhao.dev/banhao/internal/platform/clock"
	"banhao.dev/banhao/internal/platform/errs"
)

// Authorization errors specific to cases.
var (
	ErrNoWindowAuthorization = errs.E(errs.Forbidden, "window_authorization_missing", "您所在窗口未获该事项的受理授权")
	ErrNoDecideAuthorization = errs.E(errs.Forbidden, "window_decide_authorization_missing", "您所在窗口的授权不包括当场决定")
	ErrNotStepOrg            = errs.E(errs.Forbidden, "not_step_org", "该办件当前环节不属于您所在的部门")
	ErrNotOwner              = errs.E(errs.Forbidden, "not_case_owner", "只有申请人本人可以执行该操作")
)

// staff may see cases of their region.
var staffRoles = []auth.Role{auth.Clerk, auth.Reviewer, auth.Approver, auth.Supervisor, auth.Admin}

// canSee fails unless p is the applicant of c or staff whose region covers c.
// Another applicant gets "not found", so case numbers cannot be probed.
func canSee(p *auth.Principal, c *Case) error {
	if p == nil {
		return auth.ErrUnauthenticated
	}
	if isOwner(p, c) {
		return nil
	}
	if p.HasAny(staffRoles...) {
		if p.InRegion(c.RegionCode) {
			return nil
		}
		return auth.ErrOutOfScope
	}
	return ErrNotFound
}

func isOwner(p *auth.Principal, c *Case) bool {
	return p != nil && p.Has(auth.Applicant) && c.Applicant.UserID != 0 && p.UserID == c.Applicant.UserID
}

// allowedFor refines the state table by the case's facts: where it is in
// its template, what stops the clock, what is pending.
func allowedFor(c *Case) []Action {
	out := []Action{}
	st := c.current()
	last := st != nil && c.StepIndex == decisionStep(c.Steps)
	open := c.openStop()
	for _, a := range Allowed(c.Status) {
		ok := true
		switch a {
		case ActReview:
			// The last step ends with a decision; a clock-stopped case moves
			// on only by finishing the step that stopped it.
			ok = st != nil && !last && (c.Status == Accepted || open != nil && open.Step == c.StepIndex)
		case ActReturn:
			ok = st != nil && prevCounted(c.Steps, c.StepIndex) >= 0
		case ActDecide:
			ok = last
		case ActResumeClock:
			ok = open != nil && open.Step < 0
		case ActSupplyPending:
			ok = c.PendingCount > 0
		case ActDecideOnSpot:
			ok = c.CaseType == "immediate"
		}
		if ok {
			out = append(out, a)
		}
	}
	return out
}

// decisionStep is the step at which the decision is made: the last step
// done by an approver (决定), or the last step when none is. Steps after it
// (e.g. 制证, certificate production) are carried out after the decision
// (art. 44) and are completed when the case is concluded.
func decisionStep(steps []CaseStep) int {
	for i := len(steps) - 1; i >= 0; i-- {
		if steps[i].Role == string(auth.Approver) && !steps[i].StopsClock {
			return i
		}
	}
	return len(steps) - 1
}

// checkAction fails with ErrIllegalTransition unless c allows a now;
// Extra["allowed"] lists what c allows.
func checkAction(c *Case, a Action) error {
	allowed := allowedFor(c)
	if slices.Contains(allowed, a) || a == ActAutoAccept && c.Status == Submitted {
		return nil
	}
	e := ErrIllegalTransition.With("allowed", allowed).With("status", c.Status).With("action", a)
	if slices.Contains(from[a], c.Status) {
		e.Message = "办件当前环节不能执行“" + a.Label() + "”"
	} else {
		e.Message = "办件当前状态为“" + c.Status.Label() + "”，不能执行“" + a.Label() + "”"
	}
	return e
}

// prevCounted is the nearest earlier step that does not stop the clock, or -1.
func prevCounted(steps []CaseStep, idx int) int {
	for i := idx - 1; i >= 0; i-- {
		if !steps[i].StopsClock {
			return i
		}
	}
	return -1
}

// authorize decides whether p may do a on c, and returns the role it acts in.
func (s *Service) authorize(ctx context.Context, p *auth.Principal, c *Case, a Action, windowID int64, now time.Time) (auth.Role, error) {
	switch a {
	case ActSubmit, ActResubmit, ActSupplyPending, ActWithdraw:
		if isOwner(p, c) {
			return auth.Applicant, nil
		}
		return auth.Clerk, s.clerkFor(ctx, p, c, windowID, false, now)
	case ActAccept, ActRefuse, ActAcceptWithPending:
		return auth.Clerk, s.clerkFor(ctx, p, c, windowID, false, now)
	case ActRequestCorrection:
		// A supervisor may override the one-notice rule (checked with the request).
		if p.Has(auth.Supervisor) && !p.Has(auth.Clerk) {
			return auth.Supervisor, nil
		}
		return auth.Clerk, s.clerkFor(ctx, p, c, windowID, false, now)
	case ActDecideOnSpot:
		return auth.Clerk, s.clerkFor(ctx, p, c, windowID, true, now)
	case ActReview, ActReturn, ActDecide:
		st := c.current()
		role := auth.Role(st.Role)
		if role == auth.Clerk {
			return role, s.clerkFor(ctx, p, c, windowID, a == ActDecide, now)
		}
		return role, orgMember(p, c, stepOrg(c, st), role)
	case ActStopClock, ActResumeClock:
		st := c.current()
		for _, r := range []auth.Role{auth.Reviewer, auth.Approver} {
			if p.Has(r) {
				return r, orgMember(p, c, stepOrg(c, st), r)
			}
		}
		return "", auth.ErrForbidden
	case ActExtend:
		// Art. 42: the head of the organ approves the extension.
		return auth.Approver, orgMember(p, c, c.OrgID, auth.Approver)
	case ActConclude, ActDeliver:
		if p.Has(auth.Approver) && p.OrgID == c.OrgID {
			return auth.Approver, orgMember(p, c, c.OrgID, auth.Approver)
		}
		// Handing out the result is window work: the clerk's window must be
		// authorized for the item, as for acceptance.
		return auth.Clerk, s.clerkFor(ctx, p, c, windowID, false, now)
	}
	return "", auth.ErrForbidden
}

func stepOrg(c *Case, st *CaseStep) int64 {
	if st == nil || st.OrgID == 0 {
		return c.OrgID
	}
	return st.OrgID
}

// orgMember fails unless p holds role in organization org within c's region.
func orgMember(p *auth.Principal, c *Case, org int64, role auth.Role) error {
	if err := auth.RequireRegion(p, c.RegionCode, role); err != nil {
		return err
	}
	if p.OrgID != org {
		return ErrNotStepOrg
	}
	return nil
}

// clerkFor fails unless p is a clerk in c's region whose window is
// authorized to accept (and, with decide, to decide on the spot) c's item.
func (s *Service) clerkFor(ctx context.Context, p *auth.Principal, c *Case, windowID int64, decide bool, now time.Time) error {
	if err := auth.RequireRegion(p, c.RegionCode, auth.Clerk); err != nil {
		return err
	}
	w, err := s.authz.WindowPowers(ctx, p.UserID, windowID, c.OrgID, c.Item, c.Domain, clock.Day(now))
	if err != nil {
		if errs.KindOf(err) == errs.Forbidden || errs.KindOf(err) == errs.NotFound {
			return ErrNoWindowAuthorization.Withf("%s", c.ItemName)
		}
		return err
	}
	if !w.CanAccept {
		return ErrNoWindowAuthorization.Withf("%s", c.ItemName)
	}
	if decide && !w.CanDecide {
		return ErrNoDecideAuthorization
	}
	if c.WindowID == 0 {
		c.WindowID = w.WindowID
	}
	return nil
}
