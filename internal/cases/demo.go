package cases

import (
	"context"
	"fmt"

	"banhao.dev/banhao/internal/platform/auth"
)

// DemoCast are the people the demo cases are worked by. The clerk must hold
// a window authorization (accept and decide) for the demo items, and the
// reviewer and approver must belong to the items' organizations.
type DemoCast struct {
	Applicants []*auth.Principal // applicant accounts (online filings)
	Clerk      *auth.Principal
	Reviewer   *auth.Principal
	Approver   *auth.Principal
	Supervisor *auth.Principal
	WindowID   int64
}

// DemoItem is a published item the demo files cases for, with the material
// inputs of a complete application.
type DemoItem struct {
	Code      string
	Materials []MaterialInput
}

// SeedDemo files a realistic spread of cases through the service itself
// (so every event, document and deadline is real): for each item, cases left
// in each state — submitted, correction, accepted at each step, clock
// stopped, extended, decided (granted and denied), concluded, delivered,
// refused and withdrawn. It is meant for the demo seed, once the catalog's
// demo items exist. It returns the numbers of the cases it made.
func SeedDemo(ctx context.Context, s *Service, cast DemoCast, items []DemoItem) ([]string, error) {
	var out []string
	for i, it := range items {
		nos, err := s.demoItem(ctx, cast, it, cast.Applicants[i%len(cast.Applicants)])
		out = append(out, nos...)
		if err != nil {
			return out, fmt.Errorf("demo cases of %s: %w", it.Code, err)
		}
	}
	return out, nil
}

// demoPlan is the sequence of actions a demo case goes through; each plan
// stops at a different state.
var demoPlan = []string{"submitted", "correction", "refused", "withdrawn", "accepted", "review", "stopped",
	"extended", "granted", "denied", "concluded", "delivered"}

func (s *Service) demoItem(ctx context.Context, k DemoCast, it DemoItem, applicant *auth.Principal) ([]string, error) {
	var nos []string
	for _, goal := range demoPlan {
		r, err := s.Submit(ctx, applicant, SubmitRequest{Item: it.Code, Channel: Online, Materials: it.Materials})
		if err != nil {
			return nos, err
		}
		no := r.Case.No
		nos = append(nos, no)
		if err := s.demoAdvance(ctx, k, no, goal); err != nil {
			return nos, fmt.Errorf("%s → %s: %w", no, goal, err)
		}
	}
	return nos, nil
}

func (s *Service) demoAdvance(ctx context.Context, k DemoCast, no, goal string) error {
	win := WindowRef{WindowID: k.WindowID}
	var c *Case
	var err error
	switch goal {
	case "submitted":
		return nil
	case "correction":
		if c, err = s.Get(ctx, k.Clerk, no); err == nil && len(c.ItemSnap.Checklist) > 0 {
			m := c.ItemSnap.Checklist[0]
			_, err = s.RequestCorrection(ctx, k.Clerk, no, CorrectionRequest{WindowRef: win,
				Items: []CorrectionItem{{MaterialID: m.ID, Reason: "复印件不清晰，请提交清晰的复印件并加盖公章"}}})
		}
		return err
	case "refused":
		_, err = s.Refuse(ctx, k.Clerk, no, RefuseRequest{WindowRef: win, Reason: "申请事项依法不属于本机关职权范围",
			LegalBasis: "《中华人民共和国行政许可法》第三十二条第一款第（二）项", WhereToGo: "请向示范市相关主管部门申请"})
		return err
	case "withdrawn":
		_, err = s.Withdraw(ctx, k.Clerk, no, WithdrawRequest{WindowRef: win, Reason: "申请人书面申请撤回"})
		return err
	}
	if c, err = s.Accept(ctx, k.Clerk, no, AcceptRequest{WindowRef: win}); err != nil || goal == "accepted" {
		return err
	}
	// Walk the template up to its decision step.
	for c.StepIndex < decisionStep(c.Steps) {
		by := s.demoActor(k, c)
		if c, err = s.Review(ctx, by, no, OpinionRequest{WindowRef: win, Opinion: "经审查，符合法定条件"}); err != nil {
			return err
		}
		if goal == "review" {
			return nil
		}
	}
	switch goal {
	case "stopped":
		_, err = s.StopClock(ctx, k.Approver, no, StopRequest{Kind: "expert_review", Reason: "需组织专家进行技术评审", ExpectedDays: 5})
		return err
	case "extended":
		_, err = s.Extend(ctx, k.Approver, no, ExtendRequest{Reason: "申请材料涉及多部门核实，二十日内不能作出决定"})
		return err
	case "denied":
		_, err = s.Decide(ctx, s.demoActor(k, c), no, DecideRequest{WindowRef: win, Outcome: "deny",
			Reasons:  "经现场核查，经营场所与申请材料不符，不符合法定条件",
			Remedies: "如不服本决定，可自收到之日起六十日内向示范县人民政府申请行政复议，或六个月内向示范县人民法院提起行政诉讼"})
		return err
	}
	if _, err = s.Decide(ctx, s.demoActor(k, c), no, DecideRequest{WindowRef: win, Outcome: "grant",
		Result: &GrantResult{CertificateNo: "SF" + no[7:15] + no[16:22], Conditions: "按核准的经营项目经营"}}); err != nil || goal == "granted" {
		return err
	}
	if c, err = s.Conclude(ctx, k.Approver, no); err != nil || goal == "concluded" {
		return err
	}
	_, err = s.Deliver(ctx, k.Clerk, no, DeliverRequest{Method: DeliverExpress, Carrier: "EMS", Tracking: "1" + no[16:22] + "0990121"})
	return err
}

// demoActor is the cast member of the current step's role.
func (s *Service) demoActor(k DemoCast, c *Case) *auth.Principal {
	switch auth.Role(c.StepRole) {
	case auth.Reviewer:
		return k.Reviewer
	case auth.Approver:
		return k.Approver
	}
	return k.Clerk
}
