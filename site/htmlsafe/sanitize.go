package htmlsafe

import (
	"bytes"
	stdhtml "html"

	"golang.org/x/net/html"
)

// Hooks let the caller see what Sanitize keeps and removes. Offsets are
// byte offsets in Sanitize's input, at the start of the tag concerned.
type Hooks struct {
	// Attr is called for every href, src and id attribute that stays,
	// with its unescaped value (valid only during the call).
	Attr func(name string, val []byte, off int)
	// Removed is called for everything taken out, with what it was
	// ("a <script> element", "an event handler (onerror)"…).
	Removed func(what string, off int)
}

// elem is an element open in the output, as a browser's parser would
// have it on its stack of open elements.
type elem struct {
	in    *info
	ns    uint8
	kept  bool // its start tag was written
	whole bool // removed with its content: nothing is written inside it
	ip    bool // an HTML integration point (svg foreignObject/desc/title, some annotation-xml)
	mtip  bool // a MathML text integration point (mi mo mn ms mtext)
	style bool // a kept <style>, whose CSS is checked when it closes
}

// Limits that keep a hostile input linear: deeper elements are dropped
// (their text stays), and an end tag looks this far down for its element.
const (
	maxDepth     = 1024
	maxEndSearch = 256
)

type sanitizer struct {
	p     *Policy
	h     *Hooks
	sc    scanner
	out   []byte
	stack []elem
	drop  int // open elements removed with their content
	// The <style> being written: its place on the stack (-1: none), where
	// it began in out, its CSS so far, whether it held markup.
	styleIdx int
	styleAt  int
	styleOff int
	css      []byte
	styleBad bool
	names    [64]byte // scratch for lower-case names
	rm       []bool   // the attributes of the current tag that go
}

// Sanitize appends to dst the HTML fragment src with everything p does not
// allow removed, and returns it. The result is balanced (every element it
// opens is closed) and reads the same in a browser as Sanitize meant: text
// never turns into markup, whatever element it ends up in. h may be nil.
func (p *Policy) Sanitize(dst, src []byte, h *Hooks) []byte {
	z := &sanitizer{p: p, h: h, sc: scanner{src: src}, out: dst, styleIdx: -1}
	if z.h == nil {
		z.h = &Hooks{}
	}
	for z.sc.next() {
		z.token()
	}
	for len(z.stack) > 0 {
		z.pop()
	}
	return z.out
}

func (z *sanitizer) token() {
	t := &z.sc.tok
	switch t.kind {
	case tokText:
		z.text(t)
	case tokStart:
		z.start(t)
	case tokEnd:
		z.end(t)
	case tokComment:
		if z.drop == 0 {
			z.out = append(z.out, z.sc.src[t.start:t.end]...)
		}
	case tokCDATA:
		z.cdataSection(t)
	}
	top := z.top()
	z.sc.cdata = top != nil && top.ns != nsHTML
}

func (z *sanitizer) top() *elem {
	if len(z.stack) == 0 {
		return nil
	}
	return &z.stack[len(z.stack)-1]
}

func (z *sanitizer) removed(what string, off int) {
	if z.h.Removed != nil {
		z.h.Removed(what, off)
	}
}

// text writes a text token. In data and RCDATA a '<' is written as &lt;
// (it reads the same there); raw text with a '<' in it is dropped: were a
// browser to read it as markup rather than as the raw text it is here, it
// could become a tag.
func (z *sanitizer) text(t *token) {
	if z.drop > 0 {
		return
	}
	raw := z.sc.src[t.start:t.end]
	if z.styleIdx >= 0 {
		if t.raw == rawText || bytes.IndexByte(raw, '&') < 0 {
			z.css = append(z.css, raw...)
		} else {
			z.css = append(z.css, html.UnescapeString(string(raw))...)
		}
	}
	if t.raw == rawText {
		if bytes.IndexByte(raw, '<') >= 0 {
			z.styleBad = z.styleBad || z.styleIdx >= 0
			z.removed("markup inside raw text", t.start)
			return
		}
		z.out = append(z.out, raw...)
		return
	}
	z.writeLT(raw)
}

// writeLT appends b with each '<' as &lt;.
func (z *sanitizer) writeLT(b []byte) {
	for {
		i := bytes.IndexByte(b, '<')
		if i < 0 {
			z.out = append(z.out, b...)
			return
		}
		z.out = append(append(z.out, b[:i]...), "&lt;"...)
		b = b[i+1:]
	}
}

// cdataSection writes CDATA (SVG, MathML) as it came when it holds no '<'
// or '>' (so it reads the same even where CDATA is not recognised), else
// as escaped text, which means the same there.
func (z *sanitizer) cdataSection(t *token) {
	if z.drop > 0 {
		return
	}
	data := z.sc.src[t.start+len("<![CDATA[") : t.end]
	data = bytes.TrimSuffix(data, []byte("]]>"))
	if z.styleIdx >= 0 {
		z.css = append(z.css, data...)
	}
	if bytes.IndexByte(data, '<') < 0 && bytes.IndexByte(data, '>') < 0 {
		z.out = append(append(append(z.out, "<![CDATA["...), data...), "]]>"...)
		return
	}
	// the standard library's escaping (x/net/html's also escapes \r: other bytes)
	z.out = append(z.out, stdhtml.EscapeString(string(data))...)
}
