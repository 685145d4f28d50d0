package calendar

import (
	"fmt"
	"time"

	"banhao.dev/banhao/internal/platform/clock"
)

// Steps renders the derivation as Chinese lines, in date order, for the
// citizen's case page and the cases API ("derivation": [...]), e.g.
//
//	受理时间 2026-02-13 10:00（北京时间），受理当日不计入期限
//	2026-02-14 春节调休上班，计为工作日
//	2026-02-15 至 2026-02-23 春节，不计入
//	共3个工作日，第3个工作日为 2026-02-25，期限至 2026-02-25 24:00（北京时间）
//
// Runs of consecutive skipped days with the same name are one line.
func (d Derivation) Steps() []string {
	lines := []string{fmt.Sprintf("受理时间 %s（北京时间），受理当日不计入期限", beijing(d.Start))}
	if d.LastDay.IsZero() {
		return lines
	}
	holiday := map[Date]string{}
	for _, h := range d.Holidays {
		holiday[h.Date] = h.Name
	}
	adjusted := map[Date]string{}
	for _, a := range d.Adjusted {
		adjusted[a.Date] = a.Name
	}
	weekend := map[Date]bool{}
	for _, w := range d.Weekends {
		weekend[w] = true
	}
	label := func(x Date) string {
		if name, ok := holiday[x]; ok {
			return name
		}
		if weekend[x] {
			return "周末"
		}
		return ""
	}
	for x := d.AcceptanceDay.AddDays(1); !x.After(d.LastDay); x = x.AddDays(1) {
		if name, ok := adjusted[x]; ok {
			lines = append(lines, fmt.Sprintf("%s %s，计为工作日", x, name))
			continue
		}
		l := label(x)
		if l == "" {
			continue
		}
		end := x
		for next := x.AddDays(1); !next.After(d.LastDay) && label(next) == l; next = next.AddDays(1) {
			end = next
		}
		if end == x {
			lines = append(lines, fmt.Sprintf("%s %s，不计入", x, l))
		} else {
			lines = append(lines, fmt.Sprintf("%s 至 %s %s，不计入", x, end, l))
		}
		x = end
	}
	for _, st := range d.Stops {
		lines = append(lines, stopLine(st))
	}
	total := d.WorkingDays + d.StopDays
	if total == 0 {
		lines = append(lines, fmt.Sprintf("即时办结，期限至受理当日 %s 24:00（北京时间）", d.LastDay))
		return lines
	}
	head := fmt.Sprintf("共%d个工作日", total)
	if d.StopDays > 0 {
		head = fmt.Sprintf("法定（承诺）期限%d个工作日，加中止顺延%d个工作日，共%d个工作日", d.WorkingDays, d.StopDays, total)
	}
	return append(lines, fmt.Sprintf("%s，第%d个工作日为 %s，期限至 %s 24:00（北京时间）", head, total, d.LastDay, d.LastDay))
}

func stopLine(st StopExtension) string {
	reason := ""
	if st.Reason != "" {
		reason = "（" + st.Reason + "）"
	}
	switch {
	case st.Ignored:
		return fmt.Sprintf("%s 起中止%s，开始时期限已届满，不顺延", beijing(st.From), reason)
	case st.Open:
		return fmt.Sprintf("%s 起中止%s，尚未恢复，暂按截至目前所占工作日时间顺延%d个工作日", beijing(st.From), reason, st.DaysAdded)
	case st.DaysAdded == 0:
		return fmt.Sprintf("%s 至 %s 中止%s，未占用工作日，不顺延", beijing(st.From), beijing(st.To), reason)
	}
	return fmt.Sprintf("%s 至 %s 中止%s，占用%.2f个工作日，顺延%d个工作日", beijing(st.From), beijing(st.To), reason, st.WorkingTime, st.DaysAdded)
}

func beijing(t time.Time) string { return t.In(clock.Shanghai).Format("2006-01-02 15:04") }
