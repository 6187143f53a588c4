package htmlsafe

import (
	"bytes"
	"fmt"
	"io"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// Audit reads b as a browser would — x/net/html's implementation of the
// HTML standard's parser, b inside a <div> in a page's <body> — and lists
// every way the result breaks p: an element or attribute p does not
// allow, a script URL, script in CSS, and (for the safe policy) content
// that escapes its container (the markup after b ends up inside it). It is the check that
// Sanitize's output is what Sanitize meant, independent of Sanitize's own
// reading of the HTML; tests and fuzzing use it.
func (p *Policy) Audit(b []byte) []string {
	const after = "kiji-audit-after"
	in := io.MultiReader(strings.NewReader("<div>"), bytes.NewReader(b),
		strings.NewReader(`</div><p id="`+after+`"></p>`))
	body := &html.Node{Type: html.ElementNode, Data: "body", DataAtom: atom.Body}
	nodes, err := html.ParseFragment(in, body)
	if err != nil {
		return []string{"unparsable: " + err.Error()}
	}
	var bad []string
	found := false
	for _, n := range nodes {
		if n.Type == html.ElementNode && n.Data == "p" && n.Namespace == "" && len(n.Attr) == 1 && n.Attr[0].Val == after {
			found = true
			continue
		}
		p.auditTree(n, &bad)
	}
	// Trusted HTML may break the page's layout as any raw HTML would (an
	// unclosed <select>, a misplaced <form>); HTML of the safe policy may
	// not.
	if !found && !p.trusted {
		bad = append(bad, "the content does not end where it should: the markup after it is swallowed")
	}
	return bad
}

func (p *Policy) auditTree(n *html.Node, bad *[]string) {
	if n.Type == html.ElementNode {
		p.auditElem(n, bad)
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		p.auditTree(c, bad)
	}
}

func (p *Policy) auditElem(n *html.Node, bad *[]string) {
	ns := map[string]uint8{"": nsHTML, "svg": nsSVG, "math": nsMath}[n.Namespace]
	name := strings.ToLower(n.Data)
	in := lookup(name)
	where := fmt.Sprintf("<%s> (%s)", name, nsNames[ns])
	if act, why := p.element(ns, in); act != actKeep {
		*bad = append(*bad, where+": "+why)
	}
	for _, a := range n.Attr {
		key := strings.ToLower(a.Key)
		if a.Namespace != "" {
			key = a.Namespace + ":" + key
		}
		why := p.attrName(ns, in, lookup(key))
		if why == "" {
			why = p.attrValue(ns, in, lookup(key), []byte(a.Val))
		}
		if ns == nsHTML && name == "meta" && metaRefresh(key, a.Val) {
			why = "a meta refresh"
		}
		if ns == nsHTML && name == "iframe" && key == "src" && !p.trusted && !p.hostAllowed(a.Val) {
			why = "an iframe from a host that is not an embed"
		}
		if why != "" {
			*bad = append(*bad, where+" "+key+"="+fmt.Sprintf("%q", a.Val)+": "+why)
		}
	}
	if a, _ := attrOf(n, "attributename"); ns == nsSVG && animatesHandler(name, a) {
		*bad = append(*bad, where+": an animation of an event handler")
	}
	if ns == nsHTML && name == "iframe" && !p.trusted {
		if _, ok := attrOf(n, "src"); !ok {
			*bad = append(*bad, where+": an iframe without a src")
		}
	}
	if name == "style" {
		var css strings.Builder
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if c.Type == html.TextNode {
				css.WriteString(c.Data)
			}
		}
		if !CSSSafe(css.String()) {
			*bad = append(*bad, where+": CSS with script")
		}
	}
}

func attrOf(n *html.Node, key string) (string, bool) {
	for _, a := range n.Attr {
		if a.Namespace == "" && strings.EqualFold(a.Key, key) {
			return a.Val, true
		}
	}
	return "", false
}
