package web

import (
	"fmt"
	"html/template"
	"strings"

	"banhao.dev/banhao/internal/supervise"
)

// svBar is one bar of a server-rendered SVG chart.
type svBar struct {
	Label string
	Value float64 // plotted length
	Text  string  // shown after the svBar
	Class string  // CSS class: green, yellow, red, blue
}

// hbarChart renders horizontal bars as inline SVG (no script, no CDN), with
// a title and a text alternative for screen readers.
func hbarChart(title string, bars []svBar, max float64) template.HTML {
	const labelW, barW, rowH, textW = 190, 360, 26, 90
	if max <= 0 {
		max = 1
	}
	h := rowH*len(bars) + 8
	var b strings.Builder
	var alt []string
	fmt.Fprintf(&b, `<svg class="chart" role="img" aria-labelledby="%[1]s-t %[1]s-d" viewBox="0 0 %[2]d %[3]d" width="100%%" preserveAspectRatio="xMinYMin meet">`,
		chartID(title), labelW+barW+textW, h)
	fmt.Fprintf(&b, `<title id="%s-t">%s</title>`, chartID(title), template.HTMLEscapeString(title))
	for i, br := range bars {
		y := 4 + i*rowH
		w := int(br.Value / max * barW)
		if br.Value > 0 && w < 2 {
			w = 2
		}
		fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="end" class="chart-label">%s</text>`, labelW-6, y+17, template.HTMLEscapeString(br.Label))
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="%d" class="bar %s"></rect>`, labelW, y+3, w, rowH-8, br.Class)
		fmt.Fprintf(&b, `<text x="%d" y="%d" class="chart-value">%s</text>`, labelW+w+6, y+17, template.HTMLEscapeString(br.Text))
		alt = append(alt, br.Label+" "+br.Text)
	}
	fmt.Fprintf(&b, `<desc id="%s-d">%s</desc></svg>`, chartID(title), template.HTMLEscapeString(strings.Join(alt, "；")))
	return template.HTML(b.String())
}

func chartID(title string) string { return fmt.Sprintf("c%x", len(title)*7919+int(title[0])) }

func lightChart(l supervise.LightCount) template.HTML {
	max := float64(l.Green)
	for _, v := range []int{l.Yellow, l.Red} {
		if float64(v) > max {
			max = float64(v)
		}
	}
	return hbarChart("在办件红黄绿灯分布", []svBar{
		{"绿灯（正常）", float64(l.Green), fmt.Sprint(l.Green), "green"},
		{"黄灯（预警）", float64(l.Yellow), fmt.Sprint(l.Yellow), "yellow"},
		{"红灯（超期）", float64(l.Red), fmt.Sprint(l.Red), "red"},
	}, max)
}

func rateChart(gs []supervise.Stats) template.HTML {
	var bars []svBar
	for _, g := range gs {
		if g.Accepted == 0 {
			continue
		}
		bars = append(bars, svBar{shortLabel(g.Label), g.CompletionRate, supervise.Pct(g.CompletionRate), "blue"})
	}
	if len(bars) == 0 {
		return ""
	}
	return hbarChart("本月各部门办结率", bars, 1)
}

func scoreChart(rows []supervise.ScoreRow) template.HTML {
	var bars []svBar
	for _, r := range rows {
		bars = append(bars, svBar{shortLabel(r.Name), r.CompletionRate, supervise.Pct(r.CompletionRate), "blue"})
	}
	if len(bars) == 0 {
		return ""
	}
	return hbarChart("各部门办结率排名", bars, 1)
}

func shortLabel(s string) string {
	r := []rune(s)
	if len(r) > 12 {
		return string(r[:11]) + "…"
	}
	return s
}
