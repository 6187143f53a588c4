package markdown

import (
	"path/filepath"
	"strings"
	"sync"

	"github.com/yuin/goldmark"

	"github.com/kiji-ssg/kiji/site/markdown/code"
	"github.com/kiji-ssg/kiji/site/markdown/diagram"
	"github.com/kiji-ssg/kiji/site/markdown/math"
	"github.com/kiji-ssg/kiji/site/markdown/mermaid"
	"github.com/kiji-ssg/kiji/site/markdown/score"
	"github.com/kiji-ssg/kiji/site/markdown/zenn"
)

// KijiOptions configure kiji's own extensions.
type KijiOptions struct {
	// CacheDir holds the D2 layout cache, the link-card cache and the
	// formulas that ran out of time (subfolders d2/, cards/ and math/).
	// Empty: in-memory caches only.
	CacheDir string
	// Offline never fetches link-card data.
	Offline bool
	// Lang chooses the labels of computed tables ("ja" or "en").
	Lang string
}

// Kiji returns kiji's extensions in the order they must be added: Zenn's
// blocks, math, mermaid, diagrams and score tables transform their nodes
// before code blocks are highlighted. The same options give the same
// extension values, so their caches (formulas, diagrams, highlighted
// blocks, link cards) live as long as the process: the dev server's
// rebuilds reuse them.
func Kiji(o KijiOptions) []goldmark.Extender {
	if v, ok := kijiExts.Load(o); ok {
		return v.([]goldmark.Extender)
	}
	v, _ := kijiExts.LoadOrStore(o, newKiji(o))
	return v.([]goldmark.Extender)
}

var kijiExts sync.Map // KijiOptions → []goldmark.Extender

func newKiji(o KijiOptions) []goldmark.Extender {
	var d2opts []diagram.Option
	var mopts []math.Option
	zopts := []zenn.Option{zenn.WithOffline(o.Offline)}
	if o.CacheDir != "" {
		d2opts = append(d2opts, diagram.WithCacheDir(filepath.Join(o.CacheDir, "d2")))
		mopts = append(mopts, math.WithCacheDir(filepath.Join(o.CacheDir, "math")))
		zopts = append(zopts, zenn.WithCardCacheDir(filepath.Join(o.CacheDir, "cards")))
	}
	sc := &score.Extender{}
	if o.Lang != "" && o.Lang != "ja" && !strings.HasPrefix(o.Lang, "ja-") {
		sc = &score.Extender{TotalLabel: "Total", RankFormat: "#%d", BestLabel: "best"}
	}
	return []goldmark.Extender{
		zenn.New(zopts...),
		math.New(mopts...),
		math.Footnotes{}, // markdown.New has goldmark's footnotes
		mermaid.New(),
		diagram.New(d2opts...),
		sc,
		code.New(),
	}
}

// Assets are the stylesheets and scripts kiji's extensions need, for the
// theme to serve.
type Assets struct {
	// CodeCSS styles highlighted code (light and dark); every page.
	CodeCSS []byte
	// CopyScript makes the copy buttons work; every page.
	CopyScript string
	// Math are KaTeX's stylesheet (math.css) and fonts (fonts/…), to be
	// served from one folder and linked only on pages with math.
	Math []math.Asset
	// MermaidScript is the script tag for pages with mermaid diagrams.
	MermaidScript string
	// MermaidCSS styles mermaid blocks.
	MermaidCSS string
	// ZennCSS styles Zenn's blocks: messages, details, embeds, link cards.
	ZennCSS string
}

// KijiAssets returns the assets of kiji's extensions.
func KijiAssets() Assets {
	return Assets{
		CodeCSS:       code.CSS(),
		CopyScript:    code.CopyScript,
		Math:          math.Assets(),
		MermaidScript: mermaid.ScriptTag,
		MermaidCSS:    mermaid.CSS,
		ZennCSS:       zenn.CSS,
	}
}
