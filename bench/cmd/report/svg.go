package main

import (
	"fmt"
	"html"
	"math"
	"strings"
)

type bar struct {
	label string
	value float64
	ours  bool // reftask's own bar, drawn in the accent colour
	text  string
}

type panel struct {
	title string
	unit  string
	log   bool // log scale, for values that span orders of magnitude
	bars  []bar
}

const (
	svgWidth   = 860
	labelWidth = 150
	valueWidth = 250
	barHeight  = 18
	barGap     = 6
	panelPad   = 46
)

// chart draws the panels one below the other as horizontal bar charts, in plain SVG.
func chart(title string, panels []panel) string {
	var b strings.Builder
	height := 50
	for _, p := range panels {
		height += panelPad + len(p.bars)*(barHeight+barGap) + 10
	}
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="Helvetica, Arial, sans-serif" font-size="12">`+"\n",
		svgWidth, height, svgWidth, height)
	fmt.Fprintf(&b, `<rect width="100%%" height="100%%" fill="#ffffff"/>`+"\n")
	fmt.Fprintf(&b, `<text x="16" y="28" font-size="17" font-weight="bold">%s</text>`+"\n", html.EscapeString(title))
	y := 50
	plotW := float64(svgWidth - labelWidth - valueWidth - 16)
	for _, p := range panels {
		scale := "linear scale"
		if p.log {
			scale = "log scale"
		}
		fmt.Fprintf(&b, `<text x="16" y="%d" font-size="14" font-weight="bold">%s</text>`, y+22, html.EscapeString(p.title))
		fmt.Fprintf(&b, `<text x="%d" y="%d" fill="#666" text-anchor="end">%s, %s</text>`+"\n", svgWidth-16, y+22, html.EscapeString(p.unit), scale)
		y += panelPad - 10
		maxV, minV := 0.0, math.Inf(1)
		for _, br := range p.bars {
			maxV = max(maxV, br.value)
			if br.value > 0 {
				minV = min(minV, br.value)
			}
		}
		width := func(v float64) float64 {
			if v <= 0 || maxV <= 0 {
				return 0
			}
			if !p.log {
				return plotW * v / maxV
			}
			lo := math.Log10(minV) - 0.5
			return plotW * (math.Log10(v) - lo) / (math.Log10(maxV) - lo)
		}
		for _, br := range p.bars {
			fill := "#9aa5b1"
			if br.ours {
				fill = "#d9480f"
			}
			fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="end">%s</text>`, labelWidth-8, y+barHeight-5, html.EscapeString(br.label))
			fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%.1f" height="%d" fill="%s"/>`, labelWidth, y, max(1, width(br.value)), barHeight, fill)
			fmt.Fprintf(&b, `<text x="%.1f" y="%d">%s</text>`+"\n", float64(labelWidth)+max(1, width(br.value))+6, y+barHeight-5, html.EscapeString(br.text))
			y += barHeight + barGap
		}
		y += 10
	}
	b.WriteString("</svg>\n")
	return b.String()
}
