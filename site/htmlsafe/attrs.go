package htmlsafe

import "bytes"

// writeStart writes a kept start tag: as it came when every attribute
// stays, else rebuilt from the attributes that stay (in lower case,
// double-quoted, the first of duplicates, as a browser keeps them).
func (z *sanitizer) writeStart(t *token, e *elem) {
	src := z.sc.src
	mark := len(z.out)
	z.out = append(z.out, src[t.start:t.end]...)
	changed := false
	z.rm = z.rm[:0]
	for _, a := range t.attrs {
		an := z.info(src[a.ks:a.ke])
		why := z.checkAttr(e, an, src, a)
		z.rm = append(z.rm, why != "")
		if why != "" {
			changed = true
			z.removed(why, t.start)
			continue
		}
		if z.h.Attr != nil && (an.name == "href" || an.name == "src" || an.name == "id") {
			z.h.Attr(an.name, value(src, a), t.start)
		}
	}
	if !changed {
		return
	}
	z.out = append(z.out[:mark], '<')
	z.out = append(z.out, e.in.name...)
	for i, a := range t.attrs {
		name := z.info(src[a.ks:a.ke]).name
		if z.rm[i] || z.seenBefore(t, i, name) || name[0] == '=' {
			continue // (a name that starts with '=' would read as a value here)
		}
		z.out = append(append(z.out, ' '), name...)
		if a.vs >= 0 {
			z.out = append(z.out, `="`...)
			z.out = appendAttr(z.out, value(src, a))
			z.out = append(z.out, '"')
		}
	}
	if t.selfClosing {
		z.out = append(z.out, '/')
	}
	z.out = append(z.out, '>')
}

// checkAttr applies the policy to one attribute.
func (z *sanitizer) checkAttr(e *elem, attr *info, src []byte, a attrSpan) string {
	if why := z.p.attrName(e.ns, e.in, attr); why != "" {
		return why
	}
	if a.vs < 0 {
		if z.p.needsValue(e.ns, attr) {
			return z.p.attrValue(e.ns, e.in, attr, nil) // <svg href>: an empty value, as a browser reads it
		}
		return ""
	}
	raw := src[a.vs:a.ve]
	if !z.p.needsValue(e.ns, attr) && bytes.IndexByte(raw, ':') < 0 && bytes.IndexByte(raw, '%') < 0 && bytes.IndexByte(raw, '&') < 0 {
		return "" // no scheme, no escape: nothing to check
	}
	return z.p.attrValue(e.ns, e.in, attr, value(src, a))
}

// seenBefore reports whether an attribute called name comes before the
// i-th of t (a browser keeps only the first).
func (z *sanitizer) seenBefore(t *token, i int, name string) bool {
	for _, a := range t.attrs[:i] {
		if z.info(z.sc.src[a.ks:a.ke]).name == name {
			return true
		}
	}
	return false
}

// appendAttr appends v escaped for a double-quoted attribute value.
func appendAttr(b, v []byte) []byte {
	for _, c := range v {
		switch c {
		case '&':
			b = append(b, "&amp;"...)
		case '"':
			b = append(b, "&#34;"...)
		default:
			b = append(b, c)
		}
	}
	return b
}
