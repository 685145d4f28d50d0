package reform

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"banhao.dev/banhao/internal/platform/blob"
	"banhao.dev/banhao/internal/platform/calendar"
	"banhao.dev/banhao/internal/platform/errs"
)

// Field limits keep a task printable on one letter line and in one table row.
const (
	maxTitle       = 100
	maxDescription = 4000
	maxSource      = 200
	maxText        = 2000
	maxAttachments = 10
)

// checked is a validated TaskInput.
type checked struct {
	in       TaskInput
	start    calendar.Date
	deadline calendar.Date
}

// validateTask checks in; orgName returns the name of an organization and
// false when it does not exist. today is the default start date.
func validateTask(in TaskInput, today calendar.Date, orgName func(int64) (string, bool)) (checked, error) {
	in.Title = strings.TrimSpace(in.Title)
	in.Description = strings.TrimSpace(in.Description)
	in.SourceDoc = strings.TrimSpace(in.SourceDoc)
	c := checked{in: in, start: today}
	var fe errs.Fields
	switch n := utf8.RuneCountInString(in.Title); {
	case n == 0:
		fe.Add("title", "请填写任务名称")
	case n > maxTitle:
		fe.Addf("title", "任务名称不能超过 %d 个字", maxTitle)
	}
	if utf8.RuneCountInString(in.Description) > maxDescription {
		fe.Addf("description", "任务内容不能超过 %d 个字", maxDescription)
	}
	if utf8.RuneCountInString(in.SourceDoc) > maxSource {
		fe.Addf("source_doc", "来源文件不能超过 %d 个字", maxSource)
	}
	switch _, ok := orgName(in.LeadOrgID); {
	case in.LeadOrgID == 0:
		fe.Add("lead_org_id", "请选择牵头单位")
	case !ok:
		fe.Add("lead_org_id", "牵头单位不存在")
	}
	seen := map[int64]bool{}
	for _, id := range in.UnitIDs {
		name, ok := orgName(id)
		switch {
		case !ok:
			fe.Add("responsible_org_ids", "责任单位不存在（编号 "+itoa(id)+"）")
		case id == in.LeadOrgID:
			fe.Add("responsible_org_ids", "牵头单位“"+name+"”不必再列为责任单位")
		case seen[id]:
			fe.Add("responsible_org_ids", "责任单位“"+name+"”重复")
		}
		seen[id] = true
	}
	if s := strings.TrimSpace(in.StartDate); s != "" {
		d, err := calendar.ParseDate(s)
		if err != nil {
			fe.Add("start_date", "开始日期格式不正确，应为YYYY-MM-DD")
		}
		c.start = d
	}
	if s := strings.TrimSpace(in.Deadline); s == "" {
		fe.Add("deadline", "请填写完成时限")
	} else if d, err := calendar.ParseDate(s); err != nil {
		fe.Add("deadline", "完成时限格式不正确，应为YYYY-MM-DD，如2026-06-30")
	} else {
		c.deadline = d
		if !fe.Has("start_date") && d.Before(c.start) {
			fe.Add("deadline", "完成时限不能早于开始日期 "+c.start.String())
		}
	}
	return c, fe.Err()
}

// validateProgress checks a progress report.
func validateProgress(in *ProgressInput) error {
	in.Text = strings.TrimSpace(in.Text)
	var fe errs.Fields
	switch n := utf8.RuneCountInString(in.Text); {
	case n == 0:
		fe.Add("text", "请填写进展情况")
	case n > maxText:
		fe.Addf("text", "进展情况不能超过 %d 个字", maxText)
	}
	switch {
	case in.Percent == nil:
		fe.Add("percent", "请填写完成进度（0—100）")
	case *in.Percent < 0 || *in.Percent > 100:
		fe.Add("percent", "完成进度应为 0—100 之间的整数")
	}
	if len(in.Attachments) > maxAttachments {
		fe.Addf("attachments", "附件不能超过 %d 个", maxAttachments)
	}
	for _, a := range in.Attachments {
		if strings.TrimSpace(a.Name) == "" || !blob.ValidHash(a.Hash) {
			fe.Add("attachments", "附件信息不完整或编号不正确")
			break
		}
	}
	return fe.Err()
}

// validateComplete checks a completion for task t on today.
func validateComplete(in *CompleteInput, t *Task, today calendar.Date) (calendar.Date, error) {
	in.Evidence = strings.TrimSpace(in.Evidence)
	var fe errs.Fields
	switch n := utf8.RuneCountInString(in.Evidence); {
	case n == 0:
		fe.Add("evidence", "请填写完成情况及佐证材料说明")
	case n > maxText:
		fe.Addf("evidence", "完成情况不能超过 %d 个字", maxText)
	}
	on := today
	if s := strings.TrimSpace(in.CompletedOn); s != "" {
		d, err := calendar.ParseDate(s)
		switch {
		case err != nil:
			fe.Add("completed_on", "完成日期格式不正确，应为YYYY-MM-DD")
		case d.After(today):
			fe.Add("completed_on", "完成日期不能晚于今天")
		case d.Before(t.StartDate):
			fe.Add("completed_on", "完成日期不能早于任务开始日期")
		}
		on = d
	}
	return on, fe.Err()
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
