package demo

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"banhao.dev/banhao/internal/platform/auth"
	"banhao.dev/banhao/internal/platform/calendar"
	"banhao.dev/banhao/internal/platform/clock"
	"banhao.dev/banhao/internal/platform/db"
	"banhao.dev/banhao/internal/reform"
)

// demoTask is a reform task of the demo, from the seeds' plans (the "3550"
// targets, 网上可办率, 一窗受理, 12345 热线, 电子证照, 中介服务超市).
// Deadlines are month ends relative to the demo clock's month.
type demoTask struct {
	title, desc, source string
	lead                string
	units               []string
	dueMonth            int    // month end, relative to the current month
	state               string // "on_time", "late", "open", "progress"
	percent             int
	report              string
}

var demoTasks = []demoTask{
	{"企业开办3个工作日内办结", "营业执照1个工作日内办结，公章刻制0.5个工作日，银行开户2个工作日内办结，涉税办理和社保登记即时办结，确保新开办企业3个工作日完成。",
		"示政办发〔2026〕3号 “一次办好”改革十大专项行动方案", "示范县市场监督管理局", []string{"国家税务总局示范县税务局", "示范县公安局", "中国工商银行示范县支行"},
		-1, "on_time", 100, "已实现营业执照、公章刻制、银行开户、涉税办理一窗联办，平均用时2.6个工作日。"},
	{"不动产登记5个工作日内办结", "整合不动产登记、房产交易、税收业务三类窗口，设置“3合1”联合受理窗口，资料齐全的5个工作日内办结。",
		"示政办发〔2026〕3号 “一次办好”改革十大专项行动方案", "示范县不动产登记中心", []string{"示范县自然资源局", "国家税务总局示范县税务局"},
		-1, "late", 100, "联合受理窗口已运行，交易登记流程由6个环节压缩为4个。"},
	{"工业建设项目施工许可50个工作日内办结", "精简审批事项、推行并联审批、多评合一、多图联审，工业建设项目施工许可50个工作日内办结。",
		"示政发〔2026〕1号 推行“四办”改革实施方案", "示范县住房和城乡建设局", []string{"示范县自然资源局", "示范县发展和改革局", "示范市生态环境局示范县分局"},
		-1, "open", 60, "已完成流程图绘制和多图联审系统部署，联合验收方案待印发。"},
	{"网上可办率达到90%以上", "依申请政务服务事项“应上尽上、全程在线”，网上可办率达到90%以上。",
		"示政发〔2026〕1号 推行“四办”改革实施方案", "示范县行政审批服务局", []string{"示范县市场监督管理局", "示范县人力资源和社会保障局", "示范县医疗保障局"},
		0, "progress", 75, "已上线事项1138项，网上可办率82.4%，剩余事项正在逐项梳理。"},
	{"“一窗受理”综合窗口改革", "将按部门分设的窗口整合为商事登记、不动产登记、社保医保等综合窗口，推行“前台综合受理、后台分类审批、统一窗口出件”。",
		"示政办发〔2026〕7号 全面推行“一窗受理”实施方案", "示范县行政审批服务局", []string{"示范县不动产登记中心", "国家税务总局示范县税务局", "示范县人力资源和社会保障局"},
		0, "progress", 50, "已整合窗口32个，设置综合受理窗口8个。"},
	{"12345政务服务便民热线整合", "整合各部门非紧急类热线，建立“统一接收、按责转办、限时办结、统一督办、评价反馈”工作机制。",
		"示政办发〔2026〕9号", "示范县行政审批服务局", []string{"示范县公安局", "示范县人力资源和社会保障局", "示范县住房和城乡建设局"},
		1, "", 0, ""},
	{"电子证照共享应用", "营业执照、身份证、户口簿等高频电子证照在政务服务中共享应用，减少纸质材料提交。",
		"示政发〔2026〕1号 推行“四办”改革实施方案", "示范县行政审批服务局", []string{"示范县公安局", "示范县民政局", "示范县市场监督管理局"},
		2, "progress", 30, "已归集营业执照、身份证电子证照，正在对接户口簿。"},
	{"网上中介服务超市上线运行", "建成网上中介服务超市，中介机构“零门槛、零限制”入驻，项目业主网上选取中介服务机构。",
		"示政办发〔2026〕11号", "示范县发展和改革局", []string{"示范县行政审批服务局", "示范县住房和城乡建设局"},
		3, "", 0, ""},
}

// monthEnd is the last day of the month off months after the month of d.
func monthEnd(d calendar.Date, off int) calendar.Date {
	return calendar.D(d.Year, d.Month+time.Month(off)+1, 1).AddDays(-1)
}

// SeedReform writes the demo reform tasks (once: a task whose title exists
// is skipped), their progress and this month's reminder letters.
func SeedReform(ctx context.Context, d *db.DB, orgs map[string]int64, at time.Time) error {
	clk := clock.NewFrozen(at)
	svc := reform.NewService(d, clk, calendar.New(d, clk))
	var supID int64
	err := d.R.QueryRowContext(ctx, `SELECT id FROM users WHERE login = 'supervisor'`).Scan(&supID)
	if errors.Is(err, sql.ErrNoRows) {
		return nil // no demo supervisor: nothing to keep the tasks
	} else if err != nil {
		return fmt.Errorf("demo supervisor: %w", err)
	}
	sup := &auth.Principal{UserID: supID, Name: "刘洋", Kind: auth.KindStaff, Roles: []auth.Role{auth.Supervisor}, RegionCode: County,
		OrgID: orgs["示范县行政审批服务局"]}
	today := calendar.DateOf(at)
	start := calendar.D(today.Year, today.Month-3, 1)
	for _, dt := range demoTasks {
		var n int
		if err := d.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM reform_tasks WHERE title = $1`, dt.title).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			continue
		}
		if err := seedTask(ctx, svc, sup, orgs, dt, start, today); err != nil {
			return fmt.Errorf("demo reform task %s: %w", dt.title, err)
		}
	}
	_, err = svc.SendReminders(ctx, at)
	return err
}

func seedTask(ctx context.Context, svc *reform.Service, sup *auth.Principal, orgs map[string]int64, dt demoTask, start, today calendar.Date) error {
	in := reform.TaskInput{Title: dt.title, Description: dt.desc, SourceDoc: dt.source, LeadOrgID: orgs[dt.lead],
		StartDate: start.String(), Deadline: monthEnd(today, dt.dueMonth).String()}
	for _, u := range dt.units {
		in.UnitIDs = append(in.UnitIDs, orgs[u])
	}
	t, err := svc.Create(ctx, sup, in)
	if err != nil {
		return err
	}
	if dt.report != "" {
		unit := &auth.Principal{Name: dt.lead + "联络员", Kind: auth.KindStaff, Roles: []auth.Role{auth.Approver}, RegionCode: County, OrgID: t.Lead.ID}
		pct := dt.percent
		if _, err := svc.AddProgress(ctx, unit, t.ID, reform.ProgressInput{Text: dt.report, Percent: &pct}); err != nil {
			return err
		}
	}
	switch dt.state {
	case "on_time":
		_, err = svc.Complete(ctx, sup, t.ID, reform.CompleteInput{Evidence: dt.report, CompletedOn: t.Deadline.AddDays(-5).String()})
	case "late":
		_, err = svc.Complete(ctx, sup, t.ID, reform.CompleteInput{Evidence: dt.report, CompletedOn: today.String()})
	}
	return err
}
