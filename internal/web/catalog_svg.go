package web

import (
	"fmt"
	"html/template"
	"math"
	"strconv"
	"strings"

	"banhao.dev/banhao/internal/catalog"
)

// Charts and the flow diagram are inline SVG generated here, server-side:
// no script, no CDN, readable by screen readers through <title>/<desc>, and
// printable. Only presentation attributes are used (the CSP forbids inline
// style attributes).

func svgEsc(s string) string { return template.HTMLEscapeString(s) }

func svgNum(v float64) string { return strconv.FormatFloat(math.Round(v*10)/10, 'f', -1, 64) }

// flowSVG draws the process template of it as a vertical flow: 申请 → each
// step (name, role, organization, its share of the promised limit) → 办结.
// Steps that stop the clock (行政许可法 art. 45: 现场勘查, 专家评审, 公示…)
// are drawn dashed and labelled 不计入办理时限.
func flowSVG(it *catalog.Item) template.HTML {
	const w, boxW, boxH, gap, x0 = 560, 440, 70, 34, 60
	steps := it.Process.Steps
	n := len(steps) + 2
	h := n*boxH + (n-1)*gap + 20
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="flow" id="flow-diagram" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" width="%d" height="%d" role="img" aria-labelledby="flow-title flow-desc">`, w, h, w, h)
	desc := make([]string, 0, len(steps))
	for _, s := range steps {
		desc = append(desc, s.Name)
	}
	fmt.Fprintf(&b, `<title id="flow-title">%s办理流程图</title><desc id="flow-desc">申请、%s、办结</desc>`, svgEsc(it.Name), svgEsc(strings.Join(desc, "、")))
	b.WriteString(`<defs><marker id="flow-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" markerHeight="8" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#0b4f9c"/></marker></defs>`)
	y := 10
	node := func(title, line1, line2 string, stop bool, terminal bool) {
		fill, stroke, dash := "#eaf0f7", "#0b4f9c", ""
		if terminal {
			fill = "#0b4f9c"
		}
		if stop {
			fill, stroke, dash = "#fff8e6", "#b7791f", ` stroke-dasharray="6 4"`
		}
		cls := "flow-step"
		if stop {
			cls += " stops-clock"
		}
		rx := 6
		if terminal {
			rx = 35
		}
		fmt.Fprintf(&b, `<g class="%s"><rect x="%d" y="%d" width="%d" height="%d" rx="%d" fill="%s" stroke="%s" stroke-width="2"%s/>`, cls, x0, y, boxW, boxH, rx, fill, stroke, dash)
		color := "#083a73"
		if terminal {
			color = "#ffffff"
		}
		if line1 == "" {
			fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="middle" font-size="18" font-weight="bold" fill="%s">%s</text></g>`, x0+boxW/2, y+boxH/2+6, color, svgEsc(title))
			return
		}
		fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="middle" font-size="17" font-weight="bold" fill="%s">%s</text>`, x0+boxW/2, y+24, color, svgEsc(title))
		fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="middle" font-size="13" fill="#1d2733">%s</text>`, x0+boxW/2, y+44, svgEsc(line1))
		fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="middle" font-size="13" fill="%s">%s</text></g>`, x0+boxW/2, y+62, map[bool]string{true: "#8a5a00", false: "#5b6673"}[stop], svgEsc(line2))
	}
	arrow := func() {
		fmt.Fprintf(&b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#0b4f9c" stroke-width="2" marker-end="url(#flow-arrow)"/>`, x0+boxW/2, y, x0+boxW/2, y+gap-2)
		y += gap
	}
	node("提出申请", "", "", false, true)
	y += boxH
	for i, s := range steps {
		arrow()
		org := s.Org
		if org == "" {
			org = it.Org
		}
		line1 := fmt.Sprintf("第%d步 · %s · %s", i+1, roleLabel(s.Role), org)
		var line2 string
		if s.StopsClock {
			line2 = "特别程序，不计入办理时限（约 " + daysText(s.Days) + " 天）"
		} else {
			line2 = fmt.Sprintf("占承诺时限 %s%%", svgNum(s.Share*100))
			if it.PromisedLimit.Days > 0 {
				line2 += "（约 " + svgNum(s.Share*it.PromisedLimit.Days) + " 个" + unitOf(it.PromisedLimit).Label() + "）"
			}
		}
		node(s.Name, line1, line2, s.StopsClock, false)
		y += boxH
	}
	arrow()
	node("办结，送达结果", "", "", false, true)
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

func unitOf(l catalog.Limit) catalog.LimitUnit {
	if l.Unit == "" {
		return catalog.WorkingDay
	}
	return l.Unit
}

// bar is one row of a horizontal bar chart.
type bar struct {
	Label string
	Value float64 // drawn length relative to the chart's max
	Text  string  // printed value
}

// barChart draws labelled horizontal bars; max 0 scales to the largest value.
func barChart(id, title string, rows []bar, max float64) template.HTML {
	const labelW, barW, rowH, w = 230, 300, 28, 620
	if max <= 0 {
		for _, r := range rows {
			max = math.Max(max, r.Value)
		}
	}
	h := len(rows)*rowH + 10
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart" id="%s" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" width="%d" height="%d" role="img" aria-labelledby="%s-title">`, svgEsc(id), w, h, w, h, svgEsc(id))
	var desc []string
	for _, r := range rows {
		desc = append(desc, r.Label+" "+r.Text)
	}
	fmt.Fprintf(&b, `<title id="%s-title">%s：%s</title>`, svgEsc(id), svgEsc(title), svgEsc(strings.Join(desc, "；")))
	for i, r := range rows {
		y := 5 + i*rowH
		length := 0.0
		if max > 0 {
			length = r.Value / max * barW
		}
		fmt.Fprintf(&b, `<g class="bar"><text x="%d" y="%d" text-anchor="end" font-size="13" fill="#1d2733">%s</text>`, labelW-8, y+18, svgEsc(r.Label))
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="%d" fill="#eaf0f7"/>`, labelW, y+4, barW, rowH-8)
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%s" height="%d" fill="#0b4f9c"/>`, labelW, y+4, svgNum(length), rowH-8)
		fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="13" fill="#1d2733">%s</text></g>`, labelW+barW+8, y+18, svgEsc(r.Text))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}
