package calendar

import (
	"fmt"
	"strconv"
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
// Runs of consecutive skipped days with the same name are one line. Dates
// are joined without fmt: every read of a case regenerates these lines
// (stored deadlines keep only the derivation).
func (d Derivation) Steps() []string {
	lines := []string{"受理时间 " + beijing(d.Start) + "（北京时间），受理当日不计入期限"}
	if d.LastDay.IsZero() {
		return lines
	}
	// The lists are in date order, as Deadline builds them: each is walked
	// once, along with x.
	holidays, weekends, adjusted := d.Holidays, d.Weekends, d.Adjusted
	label := func(x Date) string {
		for len(holidays) > 0 && holidays[0].Date.Before(x) {
			holidays = holidays[1:]
		}
		for len(weekends) > 0 && weekends[0].Before(x) {
			weekends = weekends[1:]
		}
		switch {
		case len(holidays) > 0 && holidays[0].Date == x:
			return holidays[0].Name
		case len(weekends) > 0 && weekends[0] == x:
			return "周末"
		}
		return ""
	}
	for x := d.AcceptanceDay.AddDays(1); !x.After(d.LastDay); x = x.AddDays(1) {
		for len(adjusted) > 0 && adjusted[0].Date.Before(x) {
			adjusted = adjusted[1:]
		}
		if len(adjusted) > 0 && adjusted[0].Date == x {
			lines = append(lines, x.String()+" "+adjusted[0].Name+"，计为工作日")
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
			lines = append(lines, x.String()+" "+l+"，不计入")
		} else {
			lines = append(lines, x.String()+" 至 "+end.String()+" "+l+"，不计入")
		}
		x = end
	}
	for _, st := range d.Stops {
		lines = append(lines, stopLine(st))
	}
	total := d.WorkingDays + d.StopDays
	if total == 0 {
		lines = append(lines, "即时办结，期限至受理当日 "+d.LastDay.String()+" 24:00（北京时间）")
		return lines
	}
	n := strconv.Itoa(total)
	head := "共" + n + "个工作日"
	if d.StopDays > 0 {
		head = fmt.Sprintf("法定（承诺）期限%d个工作日，加中止顺延%d个工作日，共%d个工作日", d.WorkingDays, d.StopDays, total)
	}
	last := d.LastDay.String()
	return append(lines, head+"，第"+n+"个工作日为 "+last+"，期限至 "+last+" 24:00（北京时间）")
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
