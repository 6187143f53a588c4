package zenn

import (
	"bytes"
	"strings"
	"unicode"

	"github.com/yuin/goldmark/ast"
	east "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// linkTargets cleans link destinations as Zenn's renderer ends up with
// them, before anything else reads them (the link check included):
//
//   - white space around a destination is not part of it: a no-break or
//     ideographic space after a reference definition ("[a]: URL\u00a0")
//     is dropped (markdown-it trims the line as JavaScript's trim does);
//   - a footnote reference inside a link's text ("[text [^1]](URL)") is
//     moved right after the link: a link cannot hold a link (Zenn shows the
//     brackets as text and the URL as a bare link);
//   - a link whose target is empty ("[x]()") or has a scheme other than
//     http, https, ftp, mailto or tel ("chrome://settings",
//     "hthttps://…", "unsafe:…") is shown as its text: Zenn's sanitizer
//     drops such targets, and a reader cannot follow them anyway.
type linkTargets struct{}

func (linkTargets) Transform(doc *ast.Document, reader text.Reader, _ parser.Context) {
	src := reader.Source()
	var bad, notes, noteLinks []ast.Node
	var outer ast.Node // the outermost link being walked
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			if n == outer {
				outer = nil
			}
			return ast.WalkContinue, nil
		}
		switch n := n.(type) {
		case *east.FootnoteLink, *InlineFootnote:
			if outer != nil {
				notes, noteLinks = append(notes, n), append(noteLinks, outer)
			}
		case *ast.Link:
			if outer == nil {
				outer = n
			}
			n.Destination = trimSpace(n.Destination)
			if !allowedTarget(n.Destination) {
				bad = append(bad, n)
			}
		case *ast.Image:
			n.Destination = trimSpace(n.Destination)
		case *ast.AutoLink:
			if n.AutoLinkType == ast.AutoLinkURL && !allowedTarget(n.URL(src)) {
				bad = append(bad, n)
			}
		}
		return ast.WalkContinue, nil
	})
	moveNotesAfterLinks(notes, noteLinks)
	for _, n := range bad {
		unlink(n, src)
	}
}

// moveNotesAfterLinks moves each footnote reference notes[i] out of the
// link noteLinks[i] to just after it (after the notes moved before it).
func moveNotesAfterLinks(notes, noteLinks []ast.Node) {
	moved := map[ast.Node]ast.Node{} // link → last note moved after it
	for i, n := range notes {
		l := noteLinks[i]
		after := l
		if m := moved[l]; m != nil {
			after = m
		}
		n.Parent().RemoveChild(n.Parent(), n)
		l.Parent().InsertAfter(l.Parent(), after, n)
		moved[l] = n
	}
}

// unlink replaces a link by its text.
func unlink(n ast.Node, src []byte) {
	p := n.Parent()
	if p == nil {
		return
	}
	if a, ok := n.(*ast.AutoLink); ok {
		p.ReplaceChild(p, n, ast.NewString(append([]byte(nil), a.Label(src)...)))
		return
	}
	for c := n.FirstChild(); c != nil; {
		next := c.NextSibling()
		p.InsertBefore(p, n, c)
		c = next
	}
	p.RemoveChild(p, n)
}

// trimSpace drops Unicode white space (and a byte-order mark) around b.
func trimSpace(b []byte) []byte {
	return bytes.TrimFunc(b, func(r rune) bool { return unicode.IsSpace(r) || r == '\ufeff' })
}

// allowedTarget reports whether a link may point at dest: not empty, and
// relative or with one of the schemes Zenn's sanitizer (sanitize-html's
// defaults) keeps. Spaces and control characters are ignored in the
// scheme, as browsers do.
func allowedTarget(dest []byte) bool {
	s := strings.Map(func(r rune) rune {
		if r <= ' ' || r == 0x7f {
			return -1
		}
		return r
	}, string(util.UnescapePunctuations(dest)))
	if s == "" {
		return false
	}
	i := 0
	for i < len(s) && (isASCIIAlnum(s[i]) || s[i] == '.' || s[i] == '+' || s[i] == '-') {
		i++
	}
	if i == 0 || i >= len(s) || s[i] != ':' || !('a' <= s[0]|0x20 && s[0]|0x20 <= 'z') {
		return true // no scheme: relative
	}
	switch strings.ToLower(s[:i]) {
	case "http", "https", "ftp", "mailto", "tel":
		return true
	}
	return false
}
