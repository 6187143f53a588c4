package htmlsafe

import "bytes"

// The scanner cuts HTML into tokens as the HTML standard's tokenizer does
// (WHATWG HTML §13.2.5): where a tag, a comment, a CDATA section or a
// run of text begins and ends is decided by the same states, so that a
// token written out unchanged is read back by a browser as the same token.
// It does not decode character references (attribute values are decoded
// when a rule needs them) and does not build a tree: which element's text
// is raw and whether CDATA is allowed is set by the sanitizer, which
// tracks the open elements.

type tokKind uint8

const (
	tokText    tokKind = iota
	tokStart           // a start tag
	tokEnd             // an end tag
	tokComment         // <!-- … -->, terminated
	tokCDATA           // <![CDATA[ … ]]> in SVG or MathML
	tokOther           // doctype, bogus comment, </>, unterminated tag or comment: nothing for a page
)

// rawMode is how the text after a start tag is read.
type rawMode uint8

const (
	rawNone  rawMode = iota
	rawText          // RAWTEXT (style, xmp, iframe, noembed, noframes, noscript; script too)
	rcData           // RCDATA (title, textarea): character references work, tags do not
	rawPlain         // plaintext: the rest of the input
)

type attrSpan struct {
	ks, ke int // name
	vs, ve int // value, without quotes; vs < 0: no value
}

type token struct {
	kind        tokKind
	start, end  int // the raw bytes
	ns, ne      int // tag name
	selfClosing bool
	attrs       []attrSpan
	raw         rawMode // for text: the mode it was read in
}

type scanner struct {
	src    []byte
	pos    int
	raw    rawMode // set by the sanitizer after a start tag
	rawTag string
	cdata  bool // CDATA sections are allowed (SVG, MathML)
	tok    token
}

func isSpace(c byte) bool { return c == ' ' || c == '\n' || c == '\t' || c == '\f' || c == '\r' }
func isAlpha(c byte) bool { return 'a' <= c|0x20 && c|0x20 <= 'z' }

// next reads the next token into s.tok; false at the end of the input.
func (s *scanner) next() bool {
	t := &s.tok
	t.attrs, t.selfClosing, t.raw = t.attrs[:0], false, rawNone
	start := s.pos
	if start >= len(s.src) {
		return false
	}
	t.start = start
	if s.raw != rawNone {
		mode := s.raw
		end := s.rawEnd()
		s.raw = rawNone
		if end > start {
			t.kind, t.end, t.raw, s.pos = tokText, end, mode, end
			return true
		}
	}
	i := start
	for {
		j := bytes.IndexByte(s.src[i:], '<')
		if j < 0 || i+j+1 >= len(s.src) {
			i = len(s.src)
			break
		}
		i += j
		if c := s.src[i+1]; isAlpha(c) || c == '/' || c == '!' || c == '?' {
			if i > start {
				break
			}
			s.markup(i)
			return true
		}
		i++
	}
	t.kind, t.end, s.pos = tokText, i, i
	return true
}

// rawEnd finds the end of raw text: the appropriate end tag (</name
// followed by a space, / or >), or the end of the input.
func (s *scanner) rawEnd() int {
	src, n := s.src, len(s.rawTag)
	if s.raw == rawPlain {
		return len(src)
	}
	for i := s.pos; ; {
		j := bytes.Index(src[i:], []byte("</"))
		if j < 0 {
			return len(src)
		}
		i += j
		e := i + 2 + n
		if e < len(src) && bytes.EqualFold(src[i+2:e], []byte(s.rawTag)) && (isSpace(src[e]) || src[e] == '/' || src[e] == '>') {
			return i
		}
		i += 2
	}
}

// markup reads the token at src[i] == '<', which is not text.
func (s *scanner) markup(i int) {
	src := s.src
	switch c := src[i+1]; {
	case isAlpha(c):
		s.tag(i, i+1, tokStart)
	case c == '/':
		switch {
		case i+2 >= len(src):
			s.finish(tokText, len(src)) // "</" at the end is text
		case isAlpha(src[i+2]):
			s.tag(i, i+2, tokEnd)
		case src[i+2] == '>':
			s.finish(tokOther, i+3) // "</>" is nothing
		default:
			s.until(i+2, ">", tokOther) // a bogus comment
		}
	case c == '?':
		s.until(i+2, ">", tokOther)
	default: // "<!"
		rest := src[i+2:]
		switch {
		case bytes.HasPrefix(rest, []byte("--")):
			s.comment(i)
		case s.cdata && bytes.HasPrefix(rest, []byte("[CDATA[")):
			s.until(i+9, "]]>", tokCDATA)
		default: // a doctype or a bogus comment: both end at the first '>'
			s.until(i+2, ">", tokOther)
		}
	}
}

func (s *scanner) finish(kind tokKind, end int) {
	s.tok.kind, s.tok.end, s.pos = kind, end, end
}

// until ends the token after the first occurrence of term at or after
// from; unterminated, it runs to the end of the input (and is tokOther,
// unless it is CDATA, which the sanitizer closes itself).
func (s *scanner) until(from int, term string, kind tokKind) {
	j := bytes.Index(s.src[from:], []byte(term))
	if j < 0 {
		if kind != tokCDATA {
			kind = tokOther
		}
		s.finish(kind, len(s.src))
		return
	}
	s.finish(kind, from+j+len(term))
}

// comment reads <!-- … -->: it ends at the first --> or --!> after the
// opening, or right away as <!--> or <!--->.
func (s *scanner) comment(i int) {
	src, j := s.src, i+4
	switch {
	case j < len(src) && src[j] == '>':
		s.finish(tokComment, j+1)
		return
	case j+1 < len(src) && src[j] == '-' && src[j+1] == '>':
		s.finish(tokComment, j+2)
		return
	}
	a := bytes.Index(src[j:], []byte("-->"))
	b := bytes.Index(src[j:], []byte("--!>"))
	switch {
	case a < 0 && b < 0:
		s.finish(tokOther, len(src))
	case b < 0 || a >= 0 && a < b:
		s.finish(tokComment, j+a+3)
	default:
		s.finish(tokComment, j+b+4)
	}
}

// tag reads a start or end tag whose name begins at src[name]. A tag cut
// off by the end of the input is nothing (tokOther), as for a browser.
func (s *scanner) tag(start, name int, kind tokKind) {
	t, src, n := &s.tok, s.src, len(s.src)
	i := name
	for i < n && !isSpace(src[i]) && src[i] != '/' && src[i] != '>' {
		i++
	}
	t.ns, t.ne = name, i
	for {
		for i < n && isSpace(src[i]) {
			i++
		}
		if i >= n {
			s.finish(tokOther, n)
			return
		}
		switch src[i] {
		case '>':
			s.finish(kind, i+1)
			return
		case '/':
			if i++; i < n && src[i] == '>' {
				t.selfClosing = true
				s.finish(kind, i+1)
				return
			}
			continue
		}
		var a attrSpan
		if i, a = attribute(src, i); i < 0 {
			s.finish(tokOther, n)
			return
		}
		t.attrs = append(t.attrs, a)
	}
}

// attribute reads one attribute at src[i] (its first character, which may
// be '='). It returns the index after it, or -1 at the end of the input.
func attribute(src []byte, i int) (int, attrSpan) {
	n := len(src)
	a := attrSpan{ks: i, vs: -1, ve: -1}
	i++
	for i < n && !isSpace(src[i]) && src[i] != '/' && src[i] != '>' && src[i] != '=' {
		i++
	}
	a.ke = i
	for i < n && isSpace(src[i]) {
		i++
	}
	if i >= n || src[i] != '=' {
		return i, a
	}
	for i++; i < n && isSpace(src[i]); i++ {
	}
	if i >= n {
		return -1, a
	}
	switch q := src[i]; q {
	case '"', '\'':
		k := bytes.IndexByte(src[i+1:], q)
		if k < 0 {
			return -1, a
		}
		a.vs, a.ve = i+1, i+1+k
		return a.ve + 1, a
	case '>':
		a.vs, a.ve = i, i
		return i, a
	}
	a.vs = i
	for i < n && !isSpace(src[i]) && src[i] != '>' {
		i++
	}
	a.ve = i
	return i, a
}
