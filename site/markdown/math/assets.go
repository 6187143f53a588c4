package math

import (
	"embed"
	"io/fs"
	"path"
	"regexp"
	"sort"
	"sync"
)

//go:embed katex/katex.min.css
var katexCSS []byte

//go:embed katex/fonts/*.woff2
var fonts embed.FS

// StylesheetName is the name of the stylesheet in Assets; its fonts are
// under "fonts/" next to it, so serve all of Assets under one directory and
// link the stylesheet, on pages that need math only:
//
//	<link rel="stylesheet" href="/assets/math/math.css">
const StylesheetName = "math.css"

// layoutCSS is kiji's own layout for the markup this package writes.
const layoutCSS = `
.math-display{display:block;overflow-x:auto;overflow-y:hidden;max-width:100%}
.math-display.math-numbered{position:relative;padding-right:4em}
.math-display .math-eqno{position:absolute;right:0;top:50%;transform:translateY(-50%)}
.math-display .katex-display{margin:.5em 0}
.math-error{white-space:pre-wrap}
`

// An Asset is one file the theme serves for pages with math.
type Asset struct {
	Name string // slash-separated, relative to the directory the theme serves them from
	Data []byte
}

// woffFallback matches the woff and ttf sources KaTeX lists after woff2:
// only the woff2 files are shipped (every browser that runs the site reads
// woff2), so the stylesheet names only those.
var woffFallback = regexp.MustCompile(`,url\(fonts/[A-Za-z0-9_-]+\.(?:woff|ttf)\) format\("(?:woff|truetype)"\)`)

var assets = sync.OnceValue(func() []Asset {
	out := []Asset{{Name: StylesheetName, Data: CSS()}}
	names, _ := fs.Glob(fonts, "katex/fonts/*.woff2")
	sort.Strings(names)
	for _, n := range names {
		b, _ := fs.ReadFile(fonts, n)
		out = append(out, Asset{Name: "fonts/" + path.Base(n), Data: b})
	}
	return out
})

// CSS returns the stylesheet for math: KaTeX's katex.min.css with only the
// woff2 fonts, followed by kiji's layout for math-display and math-eqno.
func CSS() []byte {
	css := woffFallback.ReplaceAll(katexCSS, nil)
	return append(css, layoutCSS...)
}

// Assets returns the stylesheet (StylesheetName) and the KaTeX woff2 fonts
// it refers to ("fonts/KaTeX_*.woff2"), sorted by name. The slice and its
// data are shared: do not modify them.
func Assets() []Asset { return assets() }
