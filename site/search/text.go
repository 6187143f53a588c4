package search

import (
	"bytes"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
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

// skipped elements hold no text a reader searches for.
var skipped = map[atom.Atom]bool{
	atom.Script: true, atom.Style: true, atom.Template: true, atom.Svg: true, atom.Math: true,
	atom.Button: true, atom.Noscript: true, atom.Rt: true, atom.Rp: true, atom.Textarea: true,
	atom.Select: true, atom.Iframe: true, atom.Object: true,
}

// inline elements continue the text around them: "<code>go</code>lang"
// reads "golang".
var inline = map[atom.Atom]bool{
	atom.A: true, atom.Abbr: true, atom.B: true, atom.Bdi: true, atom.Bdo: true, atom.Cite: true,
	atom.Code: true, atom.Data: true, atom.Dfn: true, atom.Em: true, atom.I: true, atom.Kbd: true,
	atom.Mark: true, atom.Q: true, atom.S: true, atom.Samp: true, atom.Small: true, atom.Span: true,
	atom.Strong: true, atom.Sub: true, atom.Sup: true, atom.Time: true, atom.U: true, atom.Var: true,
	atom.Del: true, atom.Ins: true, atom.Wbr: true, atom.Label: true, atom.Font: true, atom.Ruby: true,
	atom.Img: true, atom.Input: true, atom.Br: true, atom.Strike: true, atom.Tt: true, atom.Big: true,
}

// Blocks reads the text of an HTML fragment (an article's body as
// rendered) as blocks: headings are Heading blocks, everything else Body.
// Scripts, styles, SVG, MathML and whatever is aria-hidden are left out;
// so is code in <pre> when code is false.
func Blocks(body []byte, code bool) []Block {
	z := html.NewTokenizer(bytes.NewReader(body))
	var (
		out      []Block
		cur      strings.Builder
		heading  int // depth inside h1–h6
		skipTag  atom.Atom
		skipName string
		skip     int
	)
	flush := func() {
		if cur.Len() == 0 {
			return
		}
		f := Body
		if heading > 0 {
			f = Heading
		}
		if t := Normalize(cur.String()); t != "" {
			out = append(out, Block{f, t})
		}
		cur.Reset()
	}
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			flush()
			return out
		case html.TextToken:
			if skip == 0 {
				cur.Write(z.Text())
			}
		case html.StartTagToken, html.SelfClosingTagToken, html.EndTagToken:
			name, hasAttr := z.TagName()
			a := atom.Lookup(name)
			if skip > 0 {
				if a == skipTag && (a != 0 || string(name) == skipName) && tt != html.SelfClosingTagToken {
					if tt == html.StartTagToken {
						skip++
					} else {
						skip--
					}
				}
				continue
			}
			if tt == html.StartTagToken && (skipped[a] || a == atom.Pre && !code || hasAttr && ariaHidden(z)) {
				if !voidElement(a) {
					skipTag, skipName, skip = a, string(name), 1
				}
				continue
			}
			if a == atom.Br {
				cur.WriteByte(' ')
				continue
			}
			if inline[a] {
				continue
			}
			flush()
			if a == atom.H1 || a == atom.H2 || a == atom.H3 || a == atom.H4 || a == atom.H5 || a == atom.H6 {
				if tt == html.StartTagToken {
					heading++
				} else if tt == html.EndTagToken && heading > 0 {
					heading--
				}
			}
		}
	}
}

// ariaHidden reports whether the tag being read has aria-hidden="true".
func ariaHidden(z *html.Tokenizer) bool {
	for {
		k, v, more := z.TagAttr()
		if string(k) == "aria-hidden" && string(v) == "true" {
			return true
		}
		if !more {
			return false
		}
	}
}

func voidElement(a atom.Atom) bool {
	switch a {
	case atom.Area, atom.Base, atom.Br, atom.Col, atom.Embed, atom.Hr, atom.Img, atom.Input,
		atom.Link, atom.Meta, atom.Source, atom.Track, atom.Wbr:
		return true
	}
	return false
}
