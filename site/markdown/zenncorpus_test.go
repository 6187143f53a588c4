package markdown

import (
	"fmt"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"golang.org/x/net/html"
	"golang.org/x/tools/txtar"

	"github.com/kiji-ssg/kiji/site/markdown/golden"
)

// TestZennCorpus renders constructs found in public Zenn repositories
// (testdata/zenn-corpus/*.txtar) with kiji's whole Markdown setup, offline.
// Each archive holds the input, Zenn's own rendering (zenn.html), kiji's
// golden output (output.html, rewritten by -update) and the problems
// reported. Beyond the golden, the test checks that kiji's page means
// what Zenn's does: the same visible text, links, images, embeds,
// footnotes and headings. An "intended" section lists kiji's deliberate
// differences, one "field: zenn => kiji" a line; they are applied to
// Zenn's meaning before the comparison (the README lists them with their
// reasons).
func TestZennCorpus(t *testing.T) {
	files, _ := filepath.Glob("testdata/zenn-corpus/*.txtar")
	if len(files) < 16 {
		t.Fatalf("want the 16 corpus cases, found %d", len(files))
	}
	opts := Options{Image: fakeImages, Extensions: Kiji(KijiOptions{Offline: true})}
	golden.Run(t, "testdata/zenn-corpus/*.txtar", func(t *testing.T, a *golden.Archive) []golden.Output {
		input, _ := a.Section("input.md")
		out, probs, _ := convert(t, opts, input)
		zennHTML, _ := a.Section("zenn.html")
		intended, _ := a.Section("intended")
		want := zennPageMeaning(t, string(zennHTML))
		if err := want.apply(string(intended)); err != nil {
			t.Fatal(err)
		}
		got := kijiPageMeaning(t, string(out))
		if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("kiji's page does not mean what Zenn's does (-zenn +kiji):\n%s", diff)
		}
		return []golden.Output{{Name: "output.html", Data: out}, {Name: "problems", Data: probs}}
	})
}

// pageMeaning is what a rendered page says, whatever its markup.
type pageMeaning struct {
	Text     string   // visible text, white space collapsed; math as $TeX$, note references as [n]
	Headings []string // "h2 text"
	Links    []string // targets of ordinary links, percent-decoded
	Images   []string // "src alt=… width=… height=…"
	Embeds   []string // "card URL", "tweet URL"…
	Notes    []string // each footnote's text, in order
}

// apply makes the intended differences: "text: a => b" replaces a by b in
// Text; "links: a => b" replaces an element of a list field, "links: a =>"
// removes it and "links: => b" adds one.
func (m *pageMeaning) apply(intended string) error {
	for _, l := range strings.Split(intended, "\n") {
		if strings.TrimSpace(l) == "" || strings.HasPrefix(l, "#") {
			continue
		}
		field, rest, ok := strings.Cut(l, ": ")
		from, to, ok2 := strings.Cut(" "+rest, " =>")
		from = strings.TrimPrefix(from, " ")
		if !ok || !ok2 {
			return fmt.Errorf("intended: bad line %q", l)
		}
		to = strings.TrimSpace(to)
		var list *[]string
		switch field {
		case "text":
			if !strings.Contains(m.Text, from) {
				return fmt.Errorf("intended: Zenn's text has no %q", from)
			}
			m.Text = strings.Replace(m.Text, from, to, 1)
			continue
		case "links":
			list = &m.Links
		case "images":
			list = &m.Images
		case "embeds":
			list = &m.Embeds
		default:
			return fmt.Errorf("intended: unknown field %q", field)
		}
		if err := replaceIn(list, from, to); err != nil {
			return err
		}
	}
	return nil
}

func replaceIn(list *[]string, from, to string) error {
	if from == "" {
		*list = append(*list, to)
		return nil
	}
	for i, v := range *list {
		if v != from {
			continue
		}
		if to == "" {
			*list = append((*list)[:i:i], (*list)[i+1:]...)
		} else {
			(*list)[i] = to
		}
		return nil
	}
	return fmt.Errorf("intended: %q is not in Zenn's list %q", from, *list)
}

// reader tells the two renderers' markup apart.
type reader struct {
	skip     func(n *html.Node) bool   // not visible, or read otherwise
	math     func(n *html.Node) string // the TeX of a math element, ok when not ""
	noteRef  func(n *html.Node) bool   // a footnote reference's <a>
	notes    func(n *html.Node) bool   // the footnote section
	noteItem func(n *html.Node) bool
	embed    func(n *html.Node) string // "kind URL" of an embed element
}

var space = regexp.MustCompile(`\s+`)

func (r reader) read(t *testing.T, s string) pageMeaning {
	doc, err := html.Parse(strings.NewReader(s))
	if err != nil {
		t.Fatal(err)
	}
	var m pageMeaning
	var text strings.Builder
	r.walk(doc, &m, &text)
	m.Text = strings.TrimSpace(space.ReplaceAllString(text.String(), " "))
	return m
}

func (r reader) walk(n *html.Node, m *pageMeaning, text *strings.Builder) {
	if n.Type == html.TextNode {
		text.WriteString(n.Data)
		return
	}
	if n.Type == html.ElementNode {
		if r.visit(n, m, text) {
			return
		}
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		r.walk(c, m, text)
	}
	if n.Type == html.ElementNode && isBlock(n.Data) {
		text.WriteString(" ")
	}
}

// visit reads one element; it reports whether its children are done.
func (r reader) visit(n *html.Node, m *pageMeaning, text *strings.Builder) bool {
	switch {
	case r.notes(n):
		var items []*html.Node
		collect(n, r.noteItem, &items)
		for _, it := range items {
			var b strings.Builder
			r.walk(it, &pageMeaning{}, &b)
			m.Notes = append(m.Notes, strings.TrimSpace(space.ReplaceAllString(b.String(), " ")))
		}
		return true
	case r.embed(n) != "":
		m.Embeds = append(m.Embeds, r.embed(n))
		return true
	case r.skip(n):
		return true
	case r.math(n) != "":
		text.WriteString(" $" + strings.TrimSpace(r.math(n)) + "$ ")
		return true
	case r.noteRef(n):
		text.WriteString("[" + strings.Trim(textContent(n), "[]") + "]")
		return true
	}
	switch n.Data {
	case "br":
		text.WriteString(" ")
	case "h1", "h2", "h3", "h4", "h5", "h6":
		var b strings.Builder
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			r.walk(c, &pageMeaning{}, &b)
		}
		m.Headings = append(m.Headings, n.Data+" "+strings.TrimSpace(space.ReplaceAllString(b.String(), " ")))
	case "a":
		if href, ok := attr(n, "href"); ok && !strings.HasPrefix(href, "#") {
			m.Links = append(m.Links, decoded(href))
		}
	case "img":
		src, _ := attr(n, "src")
		alt, _ := attr(n, "alt")
		w, _ := attr(n, "width")
		h, _ := attr(n, "height")
		m.Images = append(m.Images, fmt.Sprintf("%s alt=%q width=%s height=%s", src, alt, w, h))
	}
	return false
}

func isBlock(tag string) bool {
	switch tag {
	case "p", "div", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "table", "tr", "td", "th",
		"blockquote", "section", "aside", "details", "summary", "figure", "figcaption":
		return true
	}
	return false
}

func collect(n *html.Node, ok func(*html.Node) bool, out *[]*html.Node) {
	if n.Type == html.ElementNode && ok(n) {
		*out = append(*out, n)
		return
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		collect(c, ok, out)
	}
}

func attr(n *html.Node, key string) (string, bool) {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val, true
		}
	}
	return "", false
}

func hasClass(n *html.Node, c string) bool {
	v, _ := attr(n, "class")
	for _, f := range strings.Fields(v) {
		if f == c {
			return true
		}
	}
	return false
}

func textContent(n *html.Node) string {
	if n.Type == html.TextNode {
		return n.Data
	}
	var b strings.Builder
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		b.WriteString(textContent(c))
	}
	return b.String()
}

func decoded(u string) string {
	if d, err := url.PathUnescape(u); err == nil {
		return d
	}
	return u
}

// zennPageMeaning reads Zenn's rendering.
func zennPageMeaning(t *testing.T, s string) pageMeaning {
	return reader{
		skip: func(n *html.Node) bool {
			style, _ := attr(n, "style")
			return hasClass(n, "header-anchor-link") || hasClass(n, "footnote-backref") ||
				strings.Contains(style, "display:none")
		},
		math: func(n *html.Node) string {
			if n.Data == "embed-katex" {
				return textContent(n)
			}
			return ""
		},
		noteRef:  func(n *html.Node) bool { return n.Data == "sup" && hasClass(n, "footnote-ref") },
		notes:    func(n *html.Node) bool { return n.Data == "section" && hasClass(n, "footnotes") },
		noteItem: func(n *html.Node) bool { return hasClass(n, "footnote-item") },
		embed: func(n *html.Node) string {
			src, _ := attr(n, "src")
			if n.Data != "iframe" || !strings.HasPrefix(src, "https://embed.zenn.studio/") {
				return ""
			}
			kind, _, _ := strings.Cut(strings.TrimPrefix(src, "https://embed.zenn.studio/"), "#")
			data, _ := attr(n, "data-content")
			u, _ := url.QueryUnescape(data)
			return kind + " " + decoded(u)
		},
	}.read(t, s)
}

// kijiPageMeaning reads kiji's rendering.
func kijiPageMeaning(t *testing.T, s string) pageMeaning {
	return reader{
		skip: func(n *html.Node) bool {
			return hasClass(n, "anchor") || hasClass(n, "footnote-backref") || n.Data == "button"
		},
		math: func(n *html.Node) string {
			if !hasClass(n, "katex") {
				return ""
			}
			var ann []*html.Node
			collect(n, func(c *html.Node) bool { return c.Data == "annotation" }, &ann)
			if len(ann) == 0 {
				return ""
			}
			return textContent(ann[0])
		},
		noteRef:  func(n *html.Node) bool { return n.Data == "sup" && strings.HasPrefix(idOf(n), "fnref:") },
		notes:    func(n *html.Node) bool { return hasClass(n, "footnotes") },
		noteItem: func(n *html.Node) bool { return n.Data == "li" && strings.HasPrefix(idOf(n), "fn:") },
		embed: func(n *html.Node) string {
			var a []*html.Node
			switch {
			case n.Data == "div" && hasClass(n, "embed-card"):
				collect(n, func(c *html.Node) bool { return hasClass(c, "link-card") }, &a)
				if len(a) > 0 {
					href, _ := attr(a[0], "href")
					return "card " + decoded(href)
				}
			case n.Data == "blockquote" && hasClass(n, "twitter-tweet"):
				collect(n, func(c *html.Node) bool { return c.Data == "a" }, &a)
				if len(a) > 0 {
					href, _ := attr(a[0], "href")
					return "tweet " + decoded(href)
				}
			case n.Data == "p" && hasClass(n, "embed-unknown"):
				return "unknown " + strings.TrimSpace(textContent(n))
			}
			return ""
		},
	}.read(t, s)
}

func idOf(n *html.Node) string {
	id, _ := attr(n, "id")
	return id
}

// TestZennCorpusReader guards the comparison itself: reading Zenn's pages
// must find what they hold, so that an empty reading cannot pass.
func TestZennCorpusReader(t *testing.T) {
	read := func(name string) pageMeaning {
		ar, err := txtar.ParseFile("testdata/zenn-corpus/" + name + ".txtar")
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range ar.Files {
			if f.Name == "zenn.html" {
				return zennPageMeaning(t, string(f.Data))
			}
		}
		t.Fatalf("%s has no zenn.html", name)
		return pageMeaning{}
	}
	m := read("case06")
	want := pageMeaning{Text: "A[1] and B C [3] end", Notes: []string{"note a [2]", "note b", "note c"}}
	if diff := cmp.Diff(want, m, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("case06 (-want +got):\n%s", diff)
	}
	if m := read("case03"); len(m.Links) != 6 || len(m.Embeds) != 1 {
		t.Errorf("case03: want 6 links and 1 card, got %q %q", m.Links, m.Embeds)
	}
	if m := read("case05"); !strings.Contains(m.Text, "$T^n = T \\times T$") {
		t.Errorf("case05: math not read: %q", m.Text)
	}
}
