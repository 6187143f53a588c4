package diagram

import "bytes"

// hoistTextDefaults writes the text-anchor and font-size most of a
// diagram's <text> elements share once, on its root <svg>, and drops them
// from those texts: both properties are inherited and set by no
// stylesheet of a diagram (see presentationProps), so every text draws as
// before. A diagram is left as it is when one of its texts lacks either
// attribute (it would inherit the root's instead of the initial value) or
// cannot be read; font-size stays on the texts when the diagram holds
// Markdown labels (HTML in <foreignObject> would inherit it too).
func hoistTextDefaults(svg []byte) []byte {
	if !bytes.HasPrefix(svg, []byte("<svg ")) {
		return svg
	}
	anchors, sizes, ok := textDefaults(svg)
	if !ok {
		return svg
	}
	hoist := map[string]string{"text-anchor": mostCommon(anchors)}
	if !bytes.Contains(svg, []byte("<foreignObject")) {
		hoist["font-size"] = mostCommon(sizes)
	}
	var out bytes.Buffer
	out.Grow(len(svg))
	root := tagEnd(svg)
	out.Write(svg[:root-1])
	for _, p := range []string{"text-anchor", "font-size"} {
		if v, ok := hoist[p]; ok {
			out.WriteString(" " + p + `="` + v + `"`)
		}
	}
	out.WriteByte('>')
	eachTag(svg[root:], func(chunk []byte, text bool) {
		if !text {
			out.Write(chunk)
			return
		}
		for p, v := range hoist {
			chunk = bytes.Replace(chunk, []byte(" "+p+`="`+v+`"`), nil, 1)
		}
		out.Write(chunk)
	})
	return out.Bytes()
}

// textDefaults returns the text-anchor and font-size of every <text> of
// svg; ok is false when one lacks either or does not parse.
func textDefaults(svg []byte) (anchors, sizes []string, ok bool) {
	ok = true
	eachTag(svg[tagEnd(svg):], func(chunk []byte, text bool) {
		if !text || !ok {
			return
		}
		_, attrs, _, parsed := parseTag(chunk)
		var a, s string
		for _, at := range attrs {
			switch at.name {
			case "text-anchor":
				a = at.val
			case "font-size":
				s = at.val
			}
		}
		if !parsed || a == "" || s == "" {
			ok = false
			return
		}
		anchors, sizes = append(anchors, a), append(sizes, s)
	})
	return anchors, sizes, ok && len(anchors) > 0
}

// eachTag calls f with each piece of svg in order: text between tags,
// whole <style>, <foreignObject> and comment elements, and tags; text is
// true for a <text> start tag.
func eachTag(svg []byte, f func(chunk []byte, text bool)) {
	for len(svg) > 0 {
		i := bytes.IndexByte(svg, '<')
		if i < 0 {
			f(svg, false)
			return
		}
		if i > 0 {
			f(svg[:i], false)
			svg = svg[i:]
		}
		n := skipElement(svg)
		if n == 0 {
			n = tagEnd(svg)
		}
		f(svg[:n], bytes.HasPrefix(svg, []byte("<text ")))
		svg = svg[n:]
	}
}

// mostCommon is the value vs holds most often (the first of a tie).
func mostCommon(vs []string) string {
	count := map[string]int{}
	best := ""
	for _, v := range vs {
		count[v]++
		if count[v] > count[best] || best == "" {
			best = v
		}
	}
	return best
}
