package demo

import (
	"context"
	"fmt"

	"banhao.dev/banhao/internal/platform/auth"
	"banhao.dev/banhao/internal/platform/db"
	"banhao.dev/banhao/internal/platform/errs"
	"banhao.dev/banhao/internal/ratings"
	"banhao.dev/banhao/internal/supervise"
)

// demoLevels are the levels the demo applicants give their cases in turn:
// mostly satisfied, with two bad ratings (差评) so the rectification,
// appeal and statistics pages have something to show.
var demoLevels = []int{5, 1, 4, 5, 2, 3, 5, 4, 5, 4}

// seedRatings rates the demo cases through the ratings service, once (it
// does nothing when any rating exists): the first bad rating is called back
// and put under a rectification deadline, the second waits for its callback
// and is appealed by the department; two complaints are filed (one answered)
// and the cashier reports one fee that is not in the item's fee list, so the
// supervisor has a finding to work.
func seedRatings(ctx context.Context, d *db.DB, a *auth.Service, svc Services) error {
	if svc.Ratings == nil {
		return nil
	}
	var n int
	if err := d.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM ratings`).Scan(&n); err != nil {
		return fmt.Errorf("count ratings: %w", err)
	}
	if n > 0 {
		return nil
	}
	who := func(login string) (*auth.Principal, error) {
		u, err := a.UserByLogin(ctx, login)
		if err != nil {
			return nil, fmt.Errorf("demo cast %s: %w", login, err)
		}
		p := u.Principal()
		p.Phone, p.IDNumber = u.Phone, u.IDNumber
		return p, nil
	}
	dept, err := who("reviewer") // 市场监督管理局, the demo items' department
	if err != nil {
		return err
	}
	person, err := who(personID)
	if err != nil {
		return err
	}
	rows, err := d.R.QueryContext(ctx, `SELECT c.no, u.login FROM cases c JOIN users u ON u.id = c.applicant_id
		WHERE c.status IN ('concluded', 'delivered', 'decided', 'accepted', 'clock_stopped') ORDER BY c.id`)
	if err != nil {
		return fmt.Errorf("demo rateable cases: %w", err)
	}
	type rc struct{ no, login string }
	var list []rc
	for rows.Next() {
		var r rc
		if err := rows.Scan(&r.no, &r.login); err != nil {
			rows.Close()
			return err
		}
		list = append(list, r)
	}
	rows.Close()
	var bad []*ratings.Rating
	var rated []string
	for _, c := range list {
		if len(rated) == len(demoLevels) {
			break
		}
		p, err := who(c.login)
		if err != nil {
			return err
		}
		m, err := svc.Ratings.Rateable(ctx, p, c.no)
		if isBusiness(err) {
			continue // not rateable under the region's rules
		}
		if err != nil {
			return fmt.Errorf("demo rating of %s: %w", c.no, err)
		}
		level := demoLevels[len(rated)]
		req := ratings.RateRequest{Level: level, Tags: ratings.Tags(m.TagSet(), level)[:1]}
		if ratings.IsBad(level) {
			req.Comment = "材料要求与办事指南不一致，来回补了两次"
		}
		r, err := svc.Ratings.Rate(ctx, p, c.no, req)
		if isBusiness(err) {
			continue
		}
		if err != nil {
			return fmt.Errorf("demo rating of %s: %w", c.no, err)
		}
		rated = append(rated, c.no)
		if r.Bad {
			bad = append(bad, r)
		}
	}
	if len(bad) > 0 && bad[0].Rectification != nil {
		x := bad[0].Rectification
		if _, err := svc.Ratings.Act(ctx, dept, x.ID, ratings.ActCallback, ratings.RectAction{Note: "已电话回访申请人，核实办事指南材料清单与窗口要求不一致",
			Record: "DEMO-REC-0001", Verified: true}); err != nil {
			return fmt.Errorf("demo callback: %w", err)
		}
		if _, err := svc.Ratings.Act(ctx, dept, x.ID, ratings.ActSetDeadline, ratings.RectAction{Note: "修订办事指南材料清单并培训窗口人员"}); err != nil {
			return fmt.Errorf("demo rectification deadline: %w", err)
		}
	}
	if len(bad) > 1 {
		if _, err := svc.Ratings.FileAppeal(ctx, dept, bad[1].ID, ratings.AppealRequest{
			Reasons: "申请人在评价中反映的是其他部门办件的问题，与本办件无关，申请核实"}); err != nil {
			return fmt.Errorf("demo appeal: %w", err)
		}
	}
	if len(rated) > 0 {
		cp, err := svc.Ratings.FileComplaint(ctx, person, ratings.ComplaintRequest{Subject: "case", CaseNo: rated[0], Content: "窗口工作人员要求提供办事指南未列出的证明材料"})
		if err != nil && !isBusiness(err) {
			return fmt.Errorf("demo complaint: %w", err)
		}
		if err == nil && cp.OrgID == dept.OrgID {
			if _, err := svc.Ratings.ActOnComplaint(ctx, dept, cp.ID, ratings.CActAnswer, ratings.ComplaintAction{
				Note: "经核查，该证明材料确非必需，已向申请人致歉并更正窗口一次性告知单"}); err != nil {
				return fmt.Errorf("demo complaint answer: %w", err)
			}
		}
	}
	if _, err := svc.Ratings.FileComplaint(ctx, nil, ratings.ComplaintRequest{Kind: ratings.KindCannotDo, Subject: "item", ItemCode: CaseItems[3],
		Name: "王五", Phone: "13900000005", Content: "食品经营许可现场核查预约了两周仍未安排，办不成事"}); err != nil && !isBusiness(err) {
		return fmt.Errorf("demo 办不成事 report: %w", err)
	}
	if svc.Supervise != nil && len(rated) > 0 {
		clerk, err := who("clerk")
		if err != nil {
			return err
		}
		// A charge the item's fee list does not contain: a finding.
		if _, err := svc.Supervise.RecordFee(ctx, clerk, supervise.FeeCharge{CaseNo: rated[0], Name: "加急服务费", Amount: 200}); err != nil && !isBusiness(err) {
			return fmt.Errorf("demo fee charge: %w", err)
		}
	}
	return nil
}

// isBusiness reports whether err is a business refusal (not a failure).
func isBusiness(err error) bool {
	e, ok := errs.As(err)
	return ok && e.Kind != errs.Internal
}
