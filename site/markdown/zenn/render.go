package zenn

import (
	"html"
	"strings"

	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/util"
)

type htmlRenderer struct{ e *Extender }

func (r *htmlRenderer) RegisterFuncs(reg renderer.NodeRendererFuncRegisterer) {
	reg.Register(KindContainer, r.container)
	reg.Register(KindEmbed, r.embed)
	reg.Register(KindFigure, r.figure)
	reg.Register(KindFigCaption, r.figcaption)
	reg.Register(KindInlineFootnote, r.inlineFootnote)
	reg.Register(kindFootnoteMarker, r.marker)
	reg.Register(ast.KindAutoLink, r.autoLink)
}

func esc(s string) string { return html.EscapeString(s) }

// The markup (see the package's CSS for the classes):
//
//	<aside class="msg msg-info" role="note"><span class="msg-symbol" aria-hidden="true">!</span><div class="msg-content">…</div></aside>
//	<aside class="msg msg-alert" role="note">…</aside>
//	<details class="details"><summary>Title</summary><div class="details-content">…</div></details>
func (r *htmlRenderer) container(w util.BufWriter, src []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	n := node.(*Container)
	if n.ContainerKind == Details {
		if entering {
			_, _ = w.WriteString(`<details class="details"><summary>`)
			_, _ = w.WriteString(esc(string(n.Title)))
			_, _ = w.WriteString("</summary><div class=\"details-content\">\n")
		} else {
			_, _ = w.WriteString("</div></details>\n")
		}
		return ast.WalkContinue, nil
	}
	if entering {
		class := "msg-info"
		if n.ContainerKind == Alert {
			class = "msg-alert"
		}
		_, _ = w.WriteString(`<aside class="msg ` + class + `" role="note"><span class="msg-symbol" aria-hidden="true">!</span><div class="msg-content">` + "\n")
	} else {
		_, _ = w.WriteString("</div></aside>\n")
	}
	return ast.WalkContinue, nil
}

const linkRel = `target="_blank" rel="noopener noreferrer nofollow"`

// iframe attributes per kind, beyond src, title and loading.
var iframeAttrs = map[string]string{
	"youtube":     `allow="accelerometer; clipboard-write; encrypted-media; gyroscope; picture-in-picture; web-share" referrerpolicy="strict-origin-when-cross-origin" allowfullscreen`,
	"slideshare":  `allowfullscreen`,
	"speakerdeck": `allow="encrypted-media" allowfullscreen`,
	"docswell":    `allowfullscreen`,
	"jsfiddle":    `allowfullscreen`,
	"codepen":     `allowfullscreen`,
	"codesandbox": `allow="accelerometer; ambient-light-sensor; camera; encrypted-media; geolocation; gyroscope; hid; microphone; midi; payment; usb; vr; xr-spatial-tracking" sandbox="allow-modals allow-forms allow-popups allow-scripts allow-same-origin"`,
	"stackblitz":  `allowfullscreen`,
	"figma":       `allowfullscreen`,
	"blueprintue": `allowfullscreen`,
}

func (r *htmlRenderer) embed(w util.BufWriter, src []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	if !entering {
		return ast.WalkSkipChildren, nil
	}
	n := node.(*Embed)
	switch {
	case n.Err != "":
		_, _ = w.WriteString(`<p class="embed-error">` + esc(n.Err) + "</p>\n")
	case n.EmbedKind == "":
		r.unknown(w, n)
	case n.Src != "" && isHTTPURL(n.Src):
		spec := embedSpecs[n.EmbedKind]
		_, _ = w.WriteString(`<div class="embed embed-` + n.EmbedKind + `"><iframe src="` + esc(n.Src) +
			`" title="` + esc(spec.title) + `" loading="lazy" ` + iframeAttrs[n.EmbedKind] + "></iframe></div>\n")
	case n.EmbedKind == "tweet" && isHTTPURL(n.URL):
		// widgets.js (loaded by the theme when the page needs "tweet") turns
		// this into the post; without it, it is a link to the post.
		user := ""
		if m := tweetRE.FindStringSubmatch(n.URL); m != nil {
			user = m[1]
		}
		_, _ = w.WriteString(`<div class="embed embed-tweet"><blockquote class="twitter-tweet" data-dnt="true"><p>` +
			esc("@"+user) + `</p><a href="` + esc(n.URL) + `" ` + linkRel + `>` + esc(n.URL) + "</a></blockquote></div>\n")
	case n.IsCard() && isHTTPURL(n.URL):
		r.card(w, n)
	default:
		r.unknown(w, n)
	}
	return ast.WalkSkipChildren, nil
}

// unknown renders an embed that cannot be shown: its link when the
// argument is a URL, else the text as written.
func (r *htmlRenderer) unknown(w util.BufWriter, n *Embed) {
	if n.URL != "" && isHTTPURL(n.URL) {
		_, _ = w.WriteString(`<p class="embed-unknown"><a href="` + esc(n.URL) + `" ` + linkRel + `>` + esc(n.URL) + "</a></p>\n")
		return
	}
	_, _ = w.WriteString(`<p class="embed-unknown">` + esc("@["+n.Name+"]("+n.Arg+")") + "</p>\n")
}

// card renders a link card:
//
//	<div class="embed embed-card"><a class="link-card" href="URL" …>
//	  <span class="link-card-body"><span class="link-card-title">…</span>
//	  <span class="link-card-desc">…</span><span class="link-card-site">…</span></span>
//	  <span class="link-card-thumb"><img …></span></a></div>
//
// A card without page data gets the class link-card-plain and shows the
// URL's host and path.
func (r *htmlRenderer) card(w util.BufWriter, n *Embed) {
	c := r.e.cards.get(n.doc.Context(), n.URL)
	if (c.Status == 404 || c.Status == 410) && n.doc != nil {
		n.doc.Warnf(n.offset, "link card: %s answered HTTP %d (the page is gone); fix or remove the link", n.URL, c.Status)
	}
	title, site := plainTitle(n.URL)
	class := "link-card link-card-plain"
	desc, img := "", ""
	if c.rich() {
		class = "link-card"
		title, desc, img = c.Title, c.Description, c.Image
		if c.SiteName != "" {
			site = c.SiteName
		} else if h := hostOf(n.URL); h != "" {
			site = h
		}
	}
	var b strings.Builder
	b.WriteString(`<div class="embed embed-card`)
	if n.EmbedKind != "card" {
		b.WriteString(" embed-" + n.EmbedKind)
	}
	b.WriteString(`"><a class="` + class + `" href="` + esc(n.URL) + `" ` + linkRel + `>`)
	b.WriteString(`<span class="link-card-body"><span class="link-card-title">` + esc(title) + `</span>`)
	if desc != "" {
		b.WriteString(`<span class="link-card-desc">` + esc(desc) + `</span>`)
	}
	if site != "" {
		b.WriteString(`<span class="link-card-site">` + esc(site) + `</span>`)
	}
	b.WriteString(`</span>`)
	if img != "" && isHTTPURL(img) {
		b.WriteString(`<span class="link-card-thumb"><img src="` + esc(img) + `" alt="" loading="lazy" decoding="async" referrerpolicy="no-referrer"></span>`)
	}
	b.WriteString("</a></div>\n")
	_, _ = w.WriteString(b.String())
}

func (r *htmlRenderer) figure(w util.BufWriter, src []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	if entering {
		_, _ = w.WriteString(`<figure class="md-figure">`)
	} else {
		_, _ = w.WriteString("</figure>\n")
	}
	return ast.WalkContinue, nil
}

func (r *htmlRenderer) figcaption(w util.BufWriter, src []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	if entering {
		_, _ = w.WriteString("<figcaption>")
	} else {
		_, _ = w.WriteString("</figcaption>")
	}
	return ast.WalkContinue, nil
}

// inlineFootnote is only reached when the transformer did not run.
func (r *htmlRenderer) inlineFootnote(w util.BufWriter, src []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	if entering {
		_, _ = w.WriteString(`<span class="footnote-inline">（`)
	} else {
		_, _ = w.WriteString(`）</span>`)
	}
	return ast.WalkContinue, nil
}

func (r *htmlRenderer) marker(w util.BufWriter, src []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	if entering {
		_, _ = w.WriteString("^[")
	}
	return ast.WalkSkipChildren, nil
}
