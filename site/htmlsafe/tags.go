package htmlsafe

import (
	"bytes"
	"strings"

	"golang.org/x/net/html"
)

var (
	// defaultScope and tableScope end the search for an end tag's element
	// (the HTML standard's "has an element in scope").
	defaultScope = set(`applet caption html table td th marquee object template`)
	tableScope   = set(`html table template`)
	tableEnds    = set(`table tbody thead tfoot tr td th caption colgroup`)
)

// info returns the info of the name b, in any case.
func (z *sanitizer) info(b []byte) *info {
	if len(b) > len(z.names) {
		return lookup(asciiLower(b))
	}
	lb := z.names[:len(b)]
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		lb[i] = c
	}
	if in := known(lb); in != nil {
		return in
	}
	return &info{name: string(lb)}
}

// asciiLower is b with A-Z in lower case (other bytes as they are, as the
// HTML tokenizer does).
func asciiLower(b []byte) string {
	out := make([]byte, len(b))
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		out[i] = c
	}
	return string(out)
}

// value returns an attribute's value with character references decoded.
func value(src []byte, a attrSpan) []byte {
	if a.vs < 0 {
		return nil
	}
	v := src[a.vs:a.ve]
	if bytes.IndexByte(v, '&') < 0 {
		return v
	}
	return []byte(html.UnescapeString(string(v)))
}

// attr returns the value of the first attribute called name, and whether
// there is one.
func (z *sanitizer) attr(t *token, name string) (string, bool) {
	for _, a := range t.attrs {
		if z.info(z.sc.src[a.ks:a.ke]).name == name {
			return string(value(z.sc.src, a)), true
		}
	}
	return "", false
}

// nsFor is the namespace a start tag's element gets, as in the HTML
// standard's tree construction: HTML rules at the top level, inside HTML
// elements and at integration points; inside SVG or MathML, the parent's
// namespace, unless the tag is one that ends foreign content (breakout).
func (z *sanitizer) nsFor(in *info, t *token) (ns uint8, breakout bool) {
	top, name := z.top(), in.name
	switch {
	case top == nil || top.ns == nsHTML || top.ip:
	case top.mtip && name != "mglyph" && name != "malignmark":
	case top.ns == nsMath && top.in.name == "annotation-xml" && name == "svg":
		return nsSVG, false
	case breakoutTag(z, in, t):
		return nsHTML, true
	default:
		return top.ns, false
	}
	switch name {
	case "svg":
		return nsSVG, false
	case "math":
		return nsMath, false
	}
	return nsHTML, false
}

func breakoutTag(z *sanitizer, in *info, t *token) bool {
	if in.breakout {
		return true
	}
	if in.name != "font" {
		return false
	}
	for _, a := range []string{"color", "face", "size"} {
		if _, ok := z.attr(t, a); ok {
			return true
		}
	}
	return false
}

// newElem describes the element a start tag opens.
func (z *sanitizer) newElem(in *info, ns uint8, t *token) elem {
	e, name := elem{in: in, ns: ns}, in.name
	switch ns {
	case nsSVG:
		e.ip = name == "foreignobject" || name == "desc" || name == "title"
	case nsMath:
		e.mtip = name == "mi" || name == "mo" || name == "mn" || name == "ms" || name == "mtext"
		if name == "annotation-xml" {
			enc, _ := z.attr(t, "encoding")
			e.ip = strings.EqualFold(enc, "text/html") || strings.EqualFold(enc, "application/xhtml+xml")
		}
	}
	return e
}

// scopeStop reports whether e ends the search for an end tag's element,
// in table scope or in the default scope.
func scopeStop(e *elem, table bool) bool {
	switch e.ns {
	case nsHTML:
		if table {
			return tableScope[e.in.name]
		}
		return e.in.scope
	case nsSVG:
		return e.ip
	}
	return e.mtip || e.in.name == "annotation-xml"
}

// start handles a start tag.
func (z *sanitizer) start(t *token) {
	in := z.info(z.sc.src[t.ns:t.ne])
	ns, breakout := z.nsFor(in, t)
	if breakout {
		for top := z.top(); top != nil && top.ns != nsHTML && !top.ip && !top.mtip; top = z.top() {
			z.pop()
		}
	}
	if ns == nsHTML && in.name == "image" {
		in = infos["img"] // as the parser renames it
	}
	if ns == nsHTML && in.tablePart != "" {
		k := z.tableParent(in)
		if k < 0 {
			return // a table part outside a table: the parser ignores it
		}
		for len(z.stack) > k+1 {
			z.pop()
		}
	}
	e := z.newElem(in, ns, t)
	void := ns == nsHTML && in.void || ns != nsHTML && t.selfClosing
	act, why := z.decide(t, &e)
	switch {
	case z.drop > 0:
	case act == actDropAll:
		z.removed(why, t.start)
		e.whole = !void
	case act == actDropTag:
		// Not on the stack either: the browser never sees the element,
		// and what follows must be read as it will read it.
		z.removed(why, t.start)
		return
	default:
		at := len(z.out)
		z.writeStart(t, &e)
		e.kept = true
		if in.name == "style" && !void && z.styleIdx < 0 {
			e.style, z.styleIdx, z.styleAt, z.styleOff, z.css, z.styleBad = true, len(z.stack), at, t.start, z.css[:0], false
		}
	}
	if void {
		return
	}
	if e.whole {
		z.drop++
	}
	z.stack = append(z.stack, e)
	if in.raw != rawNone && ns == nsHTML {
		z.sc.raw, z.sc.rawTag = in.raw, in.name
	}
}

// tableParent is the stack index of the nearest element that may hold the
// table part in (a row, a cell…), or -1. The elements above it are closed
// before the part opens: the parser would close them too (or ignore the
// part), and closing them here keeps its elements and this stack alike.
func (z *sanitizer) tableParent(in *info) int {
	for k, steps := len(z.stack)-1, 0; k >= 0 && steps < maxEndSearch; k, steps = k-1, steps+1 {
		e := &z.stack[k]
		if e.ns != nsHTML {
			continue
		}
		if strings.Contains(in.tablePart, " "+e.in.name+" ") {
			return k
		}
		if e.in.name == "table" || e.in.name == "html" {
			return -1
		}
	}
	return -1
}

// decide applies the policy to an element, with the rules that need its
// attributes: a refreshing <meta>, a safe iframe's host, an SVG animation
// of an event handler, the depth limit.
func (z *sanitizer) decide(t *token, e *elem) (elemAction, string) {
	act, why := z.p.element(e.ns, e.in)
	if act == actKeep && e.ns == nsSVG {
		if a, _ := z.attr(t, "attributename"); animatesHandler(e.in.name, a) {
			return actDropAll, "an animation of an event handler"
		}
	}
	if act != actKeep || e.ns != nsHTML {
		if act == actKeep && len(z.stack) >= maxDepth {
			return actDropAll, "an element nested too deep"
		}
		return act, why
	}
	switch e.in.name {
	case "meta":
		if v, _ := z.attr(t, "http-equiv"); metaRefresh("http-equiv", v) {
			return actDropTag, "a <meta http-equiv=refresh>"
		}
	case "iframe":
		if src, _ := z.attr(t, "src"); !z.p.trusted && !z.p.hostAllowed(src) {
			return actDropAll, "an iframe from a host that is not an embed"
		}
	}
	if len(z.stack) >= maxDepth {
		return actDropAll, "an element nested too deep"
	}
	return actKeep, ""
}

// end handles an end tag: it closes its element and, explicitly, every
// element opened inside it; an end tag that matches no open element (or
// one the browser would not close) is dropped.
func (z *sanitizer) end(t *token) {
	k := len(z.stack) - 1
	if top := z.top(); top == nil || !bytes.EqualFold(z.sc.src[t.ns:t.ne], []byte(top.in.name)) {
		k = z.find(z.info(z.sc.src[t.ns:t.ne])) // not the innermost element
	}
	if k < 0 {
		return
	}
	for len(z.stack) > k+1 {
		z.pop()
	}
	raw := z.sc.src[t.start:t.end]
	if t.ne+1 != t.end {
		raw = nil // attributes or spaces in the end tag: written plain
	}
	z.popWith(raw)
}

// find returns the stack index of the element an end tag closes, or -1.
func (z *sanitizer) find(in *info) int {
	k := len(z.stack) - 1
	if k >= 0 && z.stack[k].ns != nsHTML {
		// In SVG and MathML, the nearest foreign element of that name.
		for i := k; i >= 0 && z.stack[i].ns != nsHTML; i-- {
			if z.stack[i].in.name == in.name {
				return i
			}
		}
	}
	for steps := 0; k >= 0 && steps < maxEndSearch; k, steps = k-1, steps+1 {
		e := &z.stack[k]
		if e.ns == nsHTML && e.in.name == in.name {
			return k
		}
		if scopeStop(e, in.tableEnd) {
			return -1
		}
	}
	return -1
}

func (z *sanitizer) pop() { z.popWith(nil) }

// popWith closes the innermost element, writing raw as its end tag (or a
// plain one when raw is nil) if its start tag was written.
func (z *sanitizer) popWith(raw []byte) {
	k := len(z.stack) - 1
	e := z.stack[k]
	z.stack = z.stack[:k]
	if e.whole {
		z.drop--
	}
	if e.kept {
		if raw == nil {
			z.out = append(append(append(z.out, "</"...), e.in.name...), '>')
		} else {
			z.out = append(z.out, raw...)
		}
	}
	if k == z.styleIdx {
		z.styleIdx = -1
		if z.styleBad || !cssSafe(z.css) {
			z.out = z.out[:z.styleAt]
			z.removed("a <style> with script or markup", z.styleOff)
		}
	}
}
