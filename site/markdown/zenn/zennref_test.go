package zenn

import (
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/net/html"
)

// meaning is what a rendering of a Zenn document says, independent of
// markup and class names: the constructs, in document order.
type meaning struct {
	Messages     []string // info / alert, prefixed "details>" when inside a details
	Details      []string // summaries
	Iframes      []string // iframe sources (Figma's embed-host removed)
	Cards        []string // "card URL", "github URL", "gist URL", "tweet URL"
	Images       []string // "src width=W height=H"
	Links        []string // ordinary links that stay links
	Footnotes    int      // notes
	FootnoteRefs int      // references
	Errors       []string // embed error texts shown
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

func ancestor(n *html.Node, ok func(*html.Node) bool) bool {
	for p := n.Parent; p != nil; p = p.Parent {
		if p.Type == html.ElementNode && ok(p) {
			return true
		}
	}
	return false
}

func textOf(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return strings.TrimSpace(b.String())
}

func normalizeSrc(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return s
	}
	q := u.Query()
	if q.Has("embed-host") {
		q.Del("embed-host")
		u.RawQuery = q.Encode()
	}
	return u.String()
}

func parseHTML(t *testing.T, s string) *html.Node {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(s))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

func imageOf(n *html.Node) string {
	src, _ := attr(n, "src")
	w, _ := attr(n, "width")
	h, _ := attr(n, "height")
	return src + " width=" + w + " height=" + h
}

var errorTexts = func() []string {
	out := []string{errTooLong}
	for _, s := range embedSpecs {
		out = append(out, s.err)
	}
	return out
}()

func inDetails(n *html.Node) bool {
	return ancestor(n, func(p *html.Node) bool { return p.Data == "details" })
}

// zennMeaning reads Zenn's own output. Embed-server output marks cards,
// tweets, gists and GitHub files as iframes of embed.zenn.studio; without
// the embed server they are links with rel="noreferrer noopener nofollow"
// (ordinary links have rel="nofollow noopener noreferrer").
func zennMeaning(t *testing.T, s string) meaning {
	var m meaning
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		switch n.Type {
		case html.TextNode:
			for _, e := range errorTexts {
				if strings.TrimSpace(n.Data) == e {
					m.Errors = append(m.Errors, e)
				}
			}
		case html.ElementNode:
			switch n.Data {
			case "aside":
				if hasClass(n, "msg") {
					k := "info"
					if hasClass(n, "alert") {
						k = "alert"
					}
					if inDetails(n) {
						k = "details>" + k
					}
					m.Messages = append(m.Messages, k)
				}
			case "summary":
				m.Details = append(m.Details, textOf(n))
			case "iframe":
				src, _ := attr(n, "src")
				if strings.HasPrefix(src, "https://embed.zenn.studio/") {
					typ := strings.TrimPrefix(src, "https://embed.zenn.studio/")
					typ, _, _ = strings.Cut(typ, "#")
					data, _ := attr(n, "data-content")
					u, _ := url.QueryUnescape(data)
					if typ != "mermaid" {
						m.Cards = append(m.Cards, typ+" "+u)
					}
				} else {
					m.Iframes = append(m.Iframes, normalizeSrc(src))
				}
			case "img":
				m.Images = append(m.Images, imageOf(n))
			case "li":
				if hasClass(n, "footnote-item") {
					m.Footnotes++
				}
			case "sup":
				if hasClass(n, "footnote-ref") {
					m.FootnoteRefs++
				}
			case "a":
				href, _ := attr(n, "href")
				style, _ := attr(n, "style")
				rel, _ := attr(n, "rel")
				switch {
				case strings.HasPrefix(href, "#"), strings.Contains(style, "display:none"):
				case rel == "noreferrer noopener nofollow":
					m.Cards = append(m.Cards, "card "+href)
				default:
					m.Links = append(m.Links, href)
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(parseHTML(t, s))
	return m
}

// ourMeaning reads this package's output.
func ourMeaning(t *testing.T, s string) meaning {
	var m meaning
	inCard := func(n *html.Node) bool {
		return ancestor(n, func(p *html.Node) bool {
			return hasClass(p, "link-card") || hasClass(p, "twitter-tweet") || hasClass(p, "embed-unknown")
		})
	}
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			switch n.Data {
			case "aside":
				if hasClass(n, "msg") {
					k := "info"
					if hasClass(n, "msg-alert") {
						k = "alert"
					}
					if inDetails(n) {
						k = "details>" + k
					}
					m.Messages = append(m.Messages, k)
				}
			case "summary":
				m.Details = append(m.Details, textOf(n))
			case "iframe":
				src, _ := attr(n, "src")
				m.Iframes = append(m.Iframes, normalizeSrc(src))
			case "div":
				if hasClass(n, "embed-card") {
					typ := "card"
					for _, k := range []string{"github", "gist"} {
						if hasClass(n, "embed-"+k) {
							typ = k
						}
					}
					for c := n.FirstChild; c != nil; c = c.NextSibling {
						if c.Data == "a" && hasClass(c, "link-card") {
							href, _ := attr(c, "href")
							m.Cards = append(m.Cards, typ+" "+href)
						}
					}
				}
			case "blockquote":
				if hasClass(n, "twitter-tweet") {
					for c := n.FirstChild; c != nil; c = c.NextSibling {
						if c.Data == "a" {
							href, _ := attr(c, "href")
							m.Cards = append(m.Cards, "tweet "+href)
						}
					}
				}
			case "img":
				if !inCard(n) {
					m.Images = append(m.Images, imageOf(n))
				}
			case "li":
				if id, _ := attr(n, "id"); strings.HasPrefix(id, "fn:") {
					m.Footnotes++
				}
			case "a":
				href, _ := attr(n, "href")
				if hasClass(n, "footnote-ref") {
					m.FootnoteRefs++
				}
				if !strings.HasPrefix(href, "#") && !inCard(n) && !hasClass(n, "link-card") {
					m.Links = append(m.Links, href)
				}
			case "p":
				if hasClass(n, "embed-error") {
					m.Errors = append(m.Errors, textOf(n))
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(parseHTML(t, s))
	return m
}

// TestZennReference renders Zenn's own reference documents and checks that
// every construct means what Zenn's rendering means: the same messages and
// details, iframes with the same sources, cards for the same URLs, the same
// image sizes, footnotes and error texts. kiji's one deliberate difference,
// an unknown @[x](URL) shown as a link (Zenn shows nothing), is left out of
// the comparison by ourMeaning and checked in the golden tests.
func TestZennReference(t *testing.T) {
	cases := []struct {
		name, md, zenn string
		problems       []string
	}{
		{
			name: "features", md: "testdata/zenn/features.md", zenn: "testdata/zenn/features.zenn.embed.html",
			problems: []string{
				"input.md:141:1: warning: @[youtube](bad id!): YouTubeのvideoIDが不正です: write the 11-character video ID or a youtube.com/watch?v= or youtu.be URL",
			},
		},
		{
			name: "edge-cases", md: "testdata/zenn/edge-cases.md", zenn: "testdata/zenn/edge-cases.zenn.html",
			problems: []string{
				"input.md:35:1: warning: unknown embed @[unknown]: it is shown as a plain link; use one of youtube, slideshare, speakerdeck, docswell, jsfiddle, codepen, codesandbox, stackblitz, figma, blueprintue, tweet, card, github, gist",
			},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			src, err := os.ReadFile(c.md)
			if err != nil {
				t.Fatal(err)
			}
			zennHTML, err := os.ReadFile(c.zenn)
			if err != nil {
				t.Fatal(err)
			}
			want := zennMeaning(t, string(zennHTML))
			res := convert(t, string(blankFrontMatter(src)))
			got := ourMeaning(t, res.html)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("meaning differs from Zenn's (-zenn +kiji):\n%s\n%s", diff, res.html)
			}
			if diff := cmp.Diff(c.problems, res.problems); diff != "" {
				t.Errorf("problems (-want +got):\n%s", diff)
			}
		})
	}
}

// TestZennReferenceNonTrivial guards the comparison itself: Zenn's
// reference must contain each construct, so an empty parse cannot pass.
func TestZennReferenceNonTrivial(t *testing.T) {
	b, err := os.ReadFile("testdata/zenn/features.zenn.embed.html")
	if err != nil {
		t.Fatal(err)
	}
	m := zennMeaning(t, string(b))
	if len(m.Messages) != 3 || len(m.Details) != 2 || len(m.Iframes) != 11 || len(m.Cards) != 7 ||
		len(m.Images) != 3 || m.Footnotes != 2 || len(m.Errors) != 1 {
		t.Errorf("unexpected reference meaning: %+v", m)
	}
}
