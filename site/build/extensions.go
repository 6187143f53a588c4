package build

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"html/template"
	"path/filepath"

	"github.com/yuin/goldmark"

	"github.com/kiji-ssg/kiji/site/markdown"
	"github.com/kiji-ssg/kiji/site/markdown/code"
	"github.com/kiji-ssg/kiji/site/markdown/diagram"
	"github.com/kiji-ssg/kiji/site/markdown/zenn"
)

// tweetScript is X's widget script, loaded only on pages with a tweet.
const tweetScript = `<script async src="https://platform.twitter.com/widgets.js" charset="utf-8"></script>`

// extensions returns kiji's Markdown extensions, configured for this build,
// and adds the theme assets they need: the code stylesheet and copy script
// on every page; KaTeX's stylesheet, mermaid and X's script only on pages
// that need them.
func (r *run) extensions() []goldmark.Extender {
	a := markdown.KijiAssets()
	// code.css styles everything the Markdown extensions write: code,
	// mermaid blocks, Zenn's blocks and link cards. The theme's style.css
	// comes after it and can override any of it.
	css := append([]byte{}, a.CodeCSS...)
	css = append(css, a.MermaidCSS...)
	css = append(css, a.ZennCSS...)
	r.theme.AddAsset("code.css", css)
	r.theme.AddAsset("copy.js", []byte(a.CopyScript))

	// KaTeX's stylesheet refers to its fonts relatively, so the files keep
	// their names inside one folder fingerprinted as a whole.
	h := sha256.New()
	for _, f := range a.Math {
		h.Write([]byte(f.Name))
		h.Write(f.Data)
	}
	dir := "assets/katex." + hex.EncodeToString(h.Sum(nil))[:10] + "/"
	r.extraFiles = nil
	for _, f := range a.Math {
		r.extraFiles = append(r.extraFiles, extraFile{rel: dir + f.Name, data: f.Data})
	}
	r.extras.styles["math"] = []string{r.base.rel(dir + "math.css")}
	r.extras.scripts["mermaid"] = []template.HTML{template.HTML(a.MermaidScript)}
	r.extras.scripts["tweet"] = []template.HTML{tweetScript}

	return markdown.Kiji(r.kijiOptions())
}

func (r *run) kijiOptions() markdown.KijiOptions {
	return markdown.KijiOptions{CacheDir: r.opts.CacheDir, Offline: r.opts.Offline, Lang: r.cfg.Language}
}

// reportCards adds one warning when link cards of this build are plain
// because their pages could not be reached (the network down…), saying
// why and what to do.
func (r *run) reportCards() error {
	for _, e := range markdown.Kiji(r.kijiOptions()) {
		if z, ok := e.(*zenn.Extender); ok {
			if msg := z.CardTrouble(); msg != "" {
				r.probs.Warnf(filepath.ToSlash(filepath.Join(r.opts.CacheDir, "cards")), 0, 0, "%s", msg)
			}
		}
	}
	return nil
}

// forgetHighlighted empties the memo of highlighted code blocks once a
// one-off build has converted all its Markdown: the extension lives as
// long as the process, and the memo (up to 8 MB at 10,000 articles) would
// otherwise be carried through the lists, the link check and the commit,
// where the build's memory peaks. The dev server's Builder keeps it for
// its next build.
func (r *run) forgetHighlighted() {
	if r.b != nil {
		return
	}
	for _, e := range markdown.Kiji(r.kijiOptions()) {
		if c, ok := e.(*code.Extender); ok {
			c.ForgetHighlighted()
		}
	}
}

// addDiagramAssets adds what the D2 diagrams share to the theme assets:
// the stylesheets (fingerprinted like the theme's own), linked only from
// pages with a diagram (or a diagram with Markdown labels), and beside
// them the font files they name (whose names carry their own
// fingerprints), fetched by browsers only for the characters a diagram
// shows.
func (r *run) addDiagramAssets() error {
	var assets []diagram.Asset
	var err error
	if d := r.diagrams(); d != nil {
		assets, err = d.Assets() // made by startDiagramAssets, or now
	}
	if err != nil {
		return fmt.Errorf("preparing the diagrams' shared stylesheet: %w", err)
	}
	features := map[string]string{diagram.StylesheetName: diagram.Feature, diagram.MarkdownStylesheetName: diagram.FeatureMarkdown}
	for _, a := range assets {
		if f, ok := features[a.Name]; ok {
			css := r.theme.AddAsset(a.Name, a.Data)
			r.extras.styles[f] = []string{r.base.rel(css.Path)}
			continue
		}
		// Theme assets are all in assets/, the stylesheet too.
		r.extraFiles = append(r.extraFiles, extraFile{rel: "assets/" + a.Name, data: a.Data})
	}
	return nil
}

// diagrams is the extension that draws the D2 diagrams, with its cache.
func (r *run) diagrams() *diagram.Extender {
	for _, e := range markdown.Kiji(r.kijiOptions()) {
		if d, ok := e.(*diagram.Extender); ok {
			return d
		}
	}
	return nil
}

// startDiagramAssets starts making what the diagrams share while the
// content is read (git log and the files): without the cache, cutting
// D2's fonts costs about 0.2 s of CPU, and the machine often has a core
// to spare then. The result (or the error) is kept for addDiagramAssets.
func (r *run) startDiagramAssets() {
	if d := r.diagrams(); d != nil {
		go func() { _, _ = d.Assets() }()
	}
}

// extraFile is a generated file written with the theme assets.
type extraFile struct {
	rel  string
	data []byte
}
