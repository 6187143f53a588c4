package math

import "strings"

// tokenAsRow writes as mrow each mi or mo of KaTeX's MathML that holds an
// element rather than text. KaTeX wraps \overset, \underset, \stackrel and
// \mathrel{…} so (<mo><mover>…</mover></mo>, KaTeX issue 3978), but mi and
// mo are token elements: an HTML parser reads an element inside one as an
// HTML element, which breaks the formula's MathML and which the page's
// HTML policy removes (with a warning telling the author to remove HTML
// they never wrote). KaTeX's HTML writes no mi or mo tags, and no '<' or
// '>' inside a tag, so a scan of the tags is enough.
func tokenAsRow(h string) string {
	var b strings.Builder
	var open []bool // the mi and mo elements open, and whether each is written as mrow
	last := 0
	for i := strings.IndexByte(h, '<'); i >= 0; {
		n := strings.IndexByte(h[i:], '>')
		if n < 0 {
			break
		}
		end := i + n + 1
		switch tag := h[i:end]; {
		case isTag(tag, "<mi") || isTag(tag, "<mo"):
			row := strings.HasPrefix(h[end:], "<") && !strings.HasPrefix(h[end:], "</")
			open = append(open, row)
			if row {
				b.WriteString(h[last:i])
				b.WriteString("<mrow" + tag[3:])
				last = end
			}
		case (tag == "</mi>" || tag == "</mo>") && len(open) > 0:
			if open[len(open)-1] {
				b.WriteString(h[last:i])
				b.WriteString("</mrow>")
				last = end
			}
			open = open[:len(open)-1]
		}
		j := strings.IndexByte(h[end:], '<')
		if j < 0 {
			break
		}
		i = end + j
	}
	if last == 0 {
		return h
	}
	b.WriteString(h[last:])
	return b.String()
}

// isTag reports whether tag is the start tag of the element name starts
// ("<mo" matches <mo> and <mo stretchy="false">, not <mover>).
func isTag(tag, start string) bool {
	return strings.HasPrefix(tag, start) && (tag[len(start)] == '>' || tag[len(start)] == ' ')
}
