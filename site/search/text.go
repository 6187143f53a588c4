package search

import (
	"bytes"
	"html"
)

// Field is the part of a page a piece of text comes from; a match in
// the title ranks above one in a heading (or a topic), which ranks above
// one in the body.
type Field uint8

const (
	Title Field = iota
	Heading
	Body
)

// A Block is one paragraph, list item, cell, heading… of a page's text,
// normalised. No match spans two blocks.
type Block struct {
	Field Field
	Text  string
}

// What the text reader needs to know of an element, by name.
const (
	skipped   = 1 << iota // holds no text a reader searches for
	rawText               // ends only at its own end tag ("<" inside is text)
	inline                // continues the text around it: "<code>go</code>lang" reads "golang"
	void                  // has no end tag
	isPre                 // code blocks
	isBr                  // a line break: a space
	isHeading             // h1–h6
)

// kindOf is what the text reader knows of an element (0: a block).
func kindOf(name []byte) uint8 {
	switch string(name) {
	case "a", "abbr", "b", "bdi", "bdo", "big", "cite", "code", "data", "del", "dfn", "em", "font", "i", "ins", "kbd", "label", "mark", "q", "ruby", "s", "samp", "small", "span", "strike", "strong", "sub", "sup", "time", "tt", "u", "var":
		return inline
	case "img", "input", "wbr":
		return inline | void
	case "h1", "h2", "h3", "h4", "h5", "h6":
		return isHeading
	case "pre":
		return isPre
	case "button", "iframe", "math", "noscript", "object", "rp", "rt", "select", "svg", "template":
		return skipped
	case "script", "style", "textarea":
		return skipped | rawText
	case "area", "base", "col", "embed", "hr", "link", "meta", "source", "track":
		return void
	case "br":
		return void | isBr
	}
	return 0
}

// Blocks reads the text of an HTML fragment (an article's body as
// rendered) as blocks: headings are Heading blocks, everything else Body.
// Scripts, styles, SVG, MathML and whatever is aria-hidden are left out;
// so is code in <pre> when code is false. It reads any input (raw HTML an
// author wrote included) without failing: what is not a tag is text.
func Blocks(body []byte, code bool) []Block {
	var s blockScanner
	s.scan(body, code)
	out := make([]Block, len(s.spans))
	for i, sp := range s.spans {
		out[i] = Block{sp.field, string(s.text[sp.off:sp.end])}
	}
	return out
}

// blockScanner reads the blocks of an HTML fragment into one buffer (one
// scanner is reused from page to page: it allocates nothing once grown).
type blockScanner struct {
	code     bool
	text     []byte      // the blocks' normalised text, one after another
	spans    []blockSpan // the blocks, in document order
	cur      []byte      // text of the current block, entities not yet decoded
	esc      []byte      // cur decoded
	name     []byte      // the current tag's name, lower case
	heading  int         // depth inside h1–h6
	skip     int         // depth inside a skipped element
	skipName string
}

// A blockSpan is a block of blockScanner.text: text[off:end].
type blockSpan struct {
	field    Field
	off, end int32
}

// scan reads body's blocks into s.text and s.spans (what they held is
// dropped).
func (s *blockScanner) scan(body []byte, code bool) {
	s.code, s.text, s.spans, s.cur = code, s.text[:0], s.spans[:0], s.cur[:0]
	s.heading, s.skip, s.skipName = 0, 0, ""
	for i := 0; i < len(body); {
		if body[i] != '<' {
			j := bytes.IndexByte(body[i:], '<')
			if j < 0 {
				j = len(body) - i
			}
			if s.skip == 0 {
				s.cur = append(s.cur, body[i:i+j]...)
			}
			i += j
			continue
		}
		i = s.tag(body, i)
	}
	s.flush()
}

func (s *blockScanner) flush() {
	if len(s.cur) == 0 {
		return
	}
	f := Body
	if s.heading > 0 {
		f = Heading
	}
	text := s.cur
	if bytes.IndexByte(s.cur, '&') >= 0 {
		var ok bool
		if s.esc, ok = appendUnescaped(s.esc[:0], text); ok {
			text = s.esc
		} else {
			text = []byte(html.UnescapeString(string(text)))
		}
	}
	s.add(f, text, false)
	s.cur = s.cur[:0]
}

// commonEntities are the character references a Markdown renderer
// writes, with what they stand for.
var commonEntities = [...]struct{ ref, char string }{
	{"&amp;", "&"}, {"&lt;", "<"}, {"&gt;", ">"}, {"&quot;", `"`}, {"&#39;", "'"}, {"&#34;", `"`},
}

// appendUnescaped appends src with its character references decoded, as
// html.UnescapeString does, when each is one of commonEntities (what the
// renderer writes, without the strings html.UnescapeString allocates);
// it reports false, dst as it was, at any other "&".
func appendUnescaped(dst, src []byte) ([]byte, bool) {
	start := len(dst)
	for {
		i := bytes.IndexByte(src, '&')
		if i < 0 {
			return append(dst, src...), true
		}
		dst = append(dst, src[:i]...)
		src = src[i:]
		n := 0
		for _, e := range commonEntities {
			if bytes.HasPrefix(src, []byte(e.ref)) {
				dst, n = append(dst, e.char...), len(e.ref)
				break
			}
		}
		if n == 0 {
			return dst[:start], false
		}
		src = src[n:]
	}
}

// add appends a block of text, normalised; unless always, none if that
// leaves nothing.
func (s *blockScanner) add(f Field, text []byte, always bool) {
	off := len(s.text)
	s.text = appendNormalized(s.text, text)
	if always || len(s.text) > off {
		s.spans = append(s.spans, blockSpan{f, int32(off), int32(len(s.text))})
	}
}

// tag reads the markup at body[i] ('<') and returns where it ends.
func (s *blockScanner) tag(body []byte, i int) int {
	if bytes.HasPrefix(body[i:], []byte("<!--")) {
		end := bytes.Index(body[i+4:], []byte("-->"))
		if end < 0 {
			return len(body)
		}
		return i + 4 + end + 3
	}
	j, closing := i+1, false
	if j < len(body) && body[j] == '/' {
		closing, j = true, j+1
	}
	k := j
	for k < len(body) && (body[k]|0x20 >= 'a' && body[k]|0x20 <= 'z' || k > j && (body[k] >= '0' && body[k] <= '9' || body[k] == '-')) {
		k++
	}
	if k == j { // not a tag: a "<" in the text
		if s.skip == 0 {
			s.cur = append(s.cur, '<')
		}
		return i + 1
	}
	s.name = append(s.name[:0], body[j:k]...)
	for i, c := range s.name {
		if 'A' <= c && c <= 'Z' {
			s.name[i] = c + 'a' - 'A'
		}
	}
	kind := kindOf(s.name)
	m := tagEnd(body, k)
	attrs := body[k:min(m, len(body))]
	end := min(m+1, len(body))
	selfClosing := bytes.HasSuffix(attrs, []byte("/"))
	if s.skip > 0 {
		if string(s.name) == s.skipName && !selfClosing {
			if closing {
				s.skip--
			} else {
				s.skip++
			}
		}
		return end
	}
	if closing {
		s.element(kind, false)
		return end
	}
	if kind&rawText != 0 {
		return pastEndTag(body, end, string(s.name))
	}
	if (kind&skipped != 0 || kind&isPre != 0 && !s.code || hidden(attrs)) && kind&void == 0 && !selfClosing {
		s.skip, s.skipName = 1, string(s.name)
		return end
	}
	s.element(kind, true)
	return end
}

// tagEnd returns the index of the ">" that ends the tag whose attributes
// start at k (quoted values may hold ">"), or len(body).
func tagEnd(body []byte, k int) int {
	m, quote := k, byte(0)
	for ; m < len(body); m++ {
		c := body[m]
		if quote != 0 {
			if c == quote {
				quote = 0
			}
		} else if c == '"' || c == '\'' {
			quote = c
		} else if c == '>' {
			break
		}
	}
	return m
}

// pastEndTag returns the index just past the end tag of the raw-text
// element name (script, style…, lower case) whose content starts at end,
// or len(body). The tag name matches in ASCII case only, as in a browser;
// body is not lower-cased as a whole (that changes the length of invalid
// UTF-8 and of some letters, and the index would point elsewhere).
func pastEndTag(body []byte, end int, name string) int {
	for i := end; ; {
		j := bytes.Index(body[i:], []byte("</"))
		if j < 0 {
			return len(body)
		}
		i += j + 2
		if !asciiPrefixFold(body[i:], name) {
			continue
		}
		gt := bytes.IndexByte(body[i:], '>')
		if gt < 0 {
			return len(body)
		}
		return i + gt + 1
	}
}

// asciiPrefixFold reports whether b starts with the lower-case ASCII
// name, in any ASCII case.
func asciiPrefixFold(b []byte, name string) bool {
	if len(b) < len(name) {
		return false
	}
	for k := 0; k < len(name); k++ {
		c := b[k]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != name[k] {
			return false
		}
	}
	return true
}

// element handles a start or end tag that is not skipped.
func (s *blockScanner) element(kind uint8, start bool) {
	if kind&isBr != 0 {
		s.cur = append(s.cur, ' ')
		return
	}
	if kind&inline != 0 {
		return
	}
	s.flush()
	if kind&isHeading != 0 {
		if start {
			s.heading++
		} else if s.heading > 0 {
			s.heading--
		}
	}
}

// hidden reports whether a tag's attributes say aria-hidden="true".
func hidden(attrs []byte) bool {
	i := bytes.Index(attrs, []byte("aria-hidden="))
	if i < 0 {
		return false
	}
	v := bytes.Trim(attrs[i+len("aria-hidden="):], `"'`)
	return bytes.HasPrefix(v, []byte("true"))
}
