package diagram

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"
	"sync"

	"oss.terrastruct.com/d2/d2renderers/d2fonts"
	"oss.terrastruct.com/d2/d2renderers/d2svg"
)

// The shared stylesheets among Assets: StylesheetName for every diagram,
// MarkdownStylesheetName for diagrams with Markdown labels.
const (
	StylesheetName         = "d2.css"
	MarkdownStylesheetName = "d2-md.css"
)

// What the transformer records with diag.Doc.Need on a page: Feature when
// it shows a diagram (the page must link StylesheetName), FeatureMarkdown
// when a diagram has Markdown labels (the page must link
// MarkdownStylesheetName too).
const (
	Feature         = "d2"
	FeatureMarkdown = "d2-md"
)

// sharedScope is the class D2 gives every diagram's inner <svg>; the rules
// of the shared stylesheet are scoped to it, as a diagram's own rules are
// scoped to its id.
const sharedScope = "d2-svg"

// Asset is a file the diagrams of a site share.
type Asset struct {
	Name string
	Data []byte
}

// Assets returns what the extension's diagrams share; see the function
// Assets. With WithCacheDir they are made once and kept there.
func (x *Extender) Assets() ([]Asset, error) {
	sh, err := x.e.shared()
	if err != nil {
		return nil, err
	}
	out := []Asset{{Name: StylesheetName, Data: sh.css}, {Name: MarkdownStylesheetName, Data: sh.mdCSS}}
	for _, f := range sh.fonts {
		out = append(out, Asset{Name: f.name, Data: f.data})
	}
	return out, nil
}

// shared is what every diagram of an engine has in common, taken out of
// the diagrams and written once: D2's font, theme and Markdown style
// sheets. A diagram's <style> element is left out of the diagram when it
// holds nothing else than the shared one (compared with the diagram's
// hash written as sharedScope).
type shared struct {
	css   []byte     // the stylesheet
	mdCSS []byte     // the stylesheet of Markdown labels
	fonts []fontFile // the font files they refer to

	embed    []string // the rules d2svg.EmbedFonts can write, data URLs blanked
	theme    string   // the <style> of D2's base and theme rules
	markdown string   // the <style> of D2's Markdown rules
}

// allTriggers makes d2svg.EmbedFonts write every rule it writes outside
// sketch mode (sketch diagrams share nothing).
const allTriggers = `class="text" class="md" text-underline text-link animated-connection animated-shape appendix-icon ` +
	`class="text-bold class="text-italic class="text-mono class="text-mono-bold class="text-mono-italic`

var fontsOnce = sync.OnceValues(cutFonts)

// shared returns the engine's shared styles, made on first use.
func (e *engine) shared() (*shared, error) {
	e.sharedOnce.Do(func() { e.sh, e.shErr = e.loadShared() })
	return e.sh, e.shErr
}

func newShared(c config) (*shared, error) {
	fonts, err := fontsOnce()
	if err != nil {
		return nil, err
	}
	sh := &shared{fonts: fonts}
	var buf bytes.Buffer
	sans, mono := d2fonts.SourceSansPro, d2fonts.SourceCodePro
	d2svg.EmbedFonts(&buf, sharedScope, allTriggers, &sans, &mono, "")
	embed, ok := cdata(blankDataURLs(buf.String()))
	if ok {
		sh.embed, ok = splitRules(embed)
	}
	if !ok {
		return nil, fmt.Errorf("unexpected stylesheet from D2's EmbedFonts: update kiji's diagram package for this D2")
	}
	theme, err := themeCSS(sharedScope, c)
	if err != nil {
		return nil, err
	}
	sh.theme = `<style type="text/css"><![CDATA[` + d2svg.BaseStylesheet + theme + `]]></style>`
	md := markdownCSS(sharedScope)
	sh.markdown = `<style type="text/css">` + md + `</style>`
	fontCSS, err := fontFaces(embed, fonts)
	if err != nil {
		return nil, err
	}
	var css strings.Builder
	css.WriteString("/* kiji: what every D2 diagram of the site shares (site/markdown/diagram) */\n")
	css.WriteString(scopeCSS(fontCSS, sharedScope))
	css.WriteString(sketchRules.ReplaceAllString(scopeCSS(d2svg.BaseStylesheet+theme, sharedScope), ""))
	css.WriteString("\n")
	sh.css = []byte(css.String())
	sh.mdCSS = []byte("/* kiji: what every D2 diagram with Markdown labels shares (site/markdown/diagram) */\n" + scopeCSS(md, sharedScope) + "\n")
	return sh, nil
}

// sketchRules are the theme's rules for sketch mode, which refer to
// patterns each sketch diagram draws itself: a sketch diagram keeps its
// own styles, so the shared stylesheet leaves them out.
var sketchRules = regexp.MustCompile(`\.d2-svg \.sketch-overlay-[A-Za-z0-9]+\{[^{}]*\}`)

// themeCSS is D2's theme stylesheet for the engine's themes.
func themeCSS(hash string, c config) (string, error) {
	light := c.themeID
	var dark *int64
	if c.darkThemeID >= 0 {
		d := c.darkThemeID
		dark = &d
	}
	return d2svg.ThemeCSS(hash, &light, dark, nil, nil)
}

// markdownCSS is D2's stylesheet for Markdown labels, as d2svg.Render
// writes it for a diagram.
func markdownCSS(hash string) string {
	css := d2svg.MarkdownCSS
	css = strings.ReplaceAll(css, ".md", "."+hash+" .md")
	for _, f := range []string{"font-italic", "font-bold", "font-mono", "font-regular", "font-semibold"} {
		css = strings.ReplaceAll(css, f, hash+"-"+f)
	}
	return css
}

// fontFaces replaces the @font-face rules of D2's font stylesheet, which
// carry D2's fonts as data URLs (blanked here), by rules naming the font
// files, one per file with its unicode-range.
func fontFaces(css string, fonts []fontFile) (string, error) {
	for _, f := range faces {
		family := sharedScope + "-font-" + f.suffix
		rule := "@font-face {\n\tfont-family: " + family + ";\n\tsrc: url(\"\");\n}"
		if !strings.Contains(css, rule) {
			return "", fmt.Errorf("unexpected stylesheet from D2's EmbedFonts (no @font-face for %s): update kiji's diagram package for this D2", family)
		}
		var b strings.Builder
		for _, ff := range fonts {
			if ff.face == f {
				fmt.Fprintf(&b, "@font-face{font-family:%s;src:url(%s) format(\"woff\");font-display:swap;unicode-range:%s}\n", family, ff.name, ff.ranges)
			}
		}
		css = strings.Replace(css, rule, strings.TrimSuffix(b.String(), "\n"), 1)
	}
	return css, nil
}

// unshare leaves out of D2's SVG the <style> elements the shared
// stylesheet holds; hash is the diagram's class as D2 wrote it. When the
// font rules are left out, the diagram's font families become the shared
// ones.
func (sh *shared) unshare(svg []byte, hash string) []byte {
	const open, end = `<style type="text/css">`, `</style>`
	var out bytes.Buffer
	out.Grow(len(svg))
	fonts := false
	rest := svg
	for {
		i := bytes.Index(rest, []byte(open))
		if i < 0 {
			break
		}
		j := bytes.Index(rest[i:], []byte(end))
		if j < 0 {
			break
		}
		el := rest[i : i+j+len(end)]
		norm := string(replaceToken(el, []byte(hash), []byte(sharedScope), isDigit))
		out.Write(rest[:i])
		switch {
		case norm == sh.theme || norm == sh.markdown:
		case sh.isEmbed(norm):
			fonts = true
		default:
			out.Write(el)
		}
		rest = rest[i+len(el):]
	}
	out.Write(rest)
	if !fonts {
		return out.Bytes()
	}
	return bytes.ReplaceAll(out.Bytes(), []byte(hash+"-font-"), []byte(sharedScope+"-font-"))
}

// isEmbed reports whether a <style> element holds only rules of D2's font
// stylesheet, in D2's order.
func (sh *shared) isEmbed(el string) bool {
	const open, end = `<style type="text/css">`, `</style>`
	css, ok := cdata(blankDataURLs(strings.TrimSuffix(strings.TrimPrefix(el, open), end)))
	if !ok {
		return false
	}
	rules, ok := splitRules(css)
	if !ok {
		return false
	}
	k := 0
	for _, r := range rules {
		for k < len(sh.embed) && sh.embed[k] != r {
			k++
		}
		if k == len(sh.embed) {
			return false
		}
		k++
	}
	return true
}

// cdata returns the text of a <style> element written by
// d2svg.EmbedFonts, inside its CDATA section.
func cdata(s string) (string, bool) {
	s = strings.TrimPrefix(s, `<style type="text/css">`)
	s = strings.TrimSuffix(s, `</style>`)
	if !strings.HasPrefix(s, "<![CDATA[") || !strings.HasSuffix(s, "]]>") {
		return "", false
	}
	return s[len("<![CDATA[") : len(s)-len("]]>")], true
}

var dataURL = regexp.MustCompile(`url\("data:[^"]*"\)`)

func blankDataURLs(s string) string { return dataURL.ReplaceAllString(s, `url("")`) }

// splitRules splits a stylesheet into its top-level rules, without the
// white space around them. It fails on text outside a rule or unbalanced
// braces.
func splitRules(css string) ([]string, bool) {
	var out []string
	for {
		css = strings.TrimLeft(css, " \t\r\n")
		if css == "" {
			return out, true
		}
		open := strings.IndexByte(css, '{')
		if open < 0 || strings.ContainsAny(css[:open], ";}") {
			return nil, false
		}
		end := matchBrace(css, open)
		if end == len(css) {
			return nil, false
		}
		out = append(out, css[:end+1])
		css = css[end+1:]
	}
}

// hasMarkdown reports whether a diagram's body has Markdown labels, whose
// HTML D2 writes in a <div class="md ...">.
func hasMarkdown(body []byte) bool { return bytes.Contains(body, []byte(` class="md`)) }
