// Package render turns the page model into HTML with a theme.
//
// A theme is a folder with templates/ (html/template files) and assets/
// (CSS, JS, images). kiji's default theme is embedded in the binary; a site
// chooses another with `theme: NAME` in kiji.yaml, and any file in
// themes/NAME/ overrides the default's file of the same path, so a theme can
// change one template or one stylesheet and inherit the rest.
//
// Templates:
//
//	base.html      the page frame: defines "base", calls "meta" and "main"
//	article.html   one article: defines "meta" and "main"
//	list.html      home, topic and book lists
//	topics.html    all topics
//	404.html       not found
//	book.html      a book: cover, summary, its chapters
//	chapter.html   one chapter of a book, with previous/next chapter links
//	books.html     all books
//	archive.html   the archive: years and months, or one year's articles
//	_*.html        partials shared by the pages (e.g. _books.html: book cards;
//	               _pager.html: "pager", the links between a list's pages,
//	               and "pager-links", their rel=prev/next in <head>)
//
// Template functions, beside html/template's own:
//
//	asset "style.css"         the asset's URL, fingerprinted
//	assetCSS "style.css"      a stylesheet's content, for a <style> element
//	t .Site.Lang "key" args…  the theme's word for key in the site's
//	                          language (Japanese for "ja…" or no language,
//	                          else English; i18n.go lists the keys), with
//	                          args formatted in: {{t .Site.Lang "chapters" 3}}
//	card $.Site .             the data of the "card" template (CardData) for
//	                          one article of a list: {{template "card" (card $.Site .)}}
//
// Assets are served fingerprinted (mediatype.Fingerprint): {{asset
// "style.css"}} gives /assets/style.1a2b3c4d5e.css (under the base path),
// so they can be cached forever; {{assetCSS "style.css"}} inlines a
// stylesheet, saving the render-blocking request on a first visit. A theme
// whose list.html defines "card" has each article's entry rendered once
// per build (Summary.Card) and reused on every list that shows it; a
// key t does not know is written as it is. Render writes to an io.Writer;
// it never touches the disk.
package render

import (
	"bytes"
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"path"
	"sort"
	"strings"
	"sync"

	"github.com/kiji-ssg/kiji/site/mediatype"
	"github.com/kiji-ssg/kiji/site/userfile"
)

// Theme is a parsed theme and its fingerprinted assets.
type Theme struct {
	basePath string
	pages    map[string]*template.Template

	mu     sync.Mutex
	assets map[string]*Asset // by logical name, e.g. "style.css"
}

// Asset is a theme file with its fingerprinted output path.
type Asset struct {
	Name string // logical name, e.g. "style.css"
	Path string // output path, e.g. "assets/style.1a2b3c4d.css"
	Data []byte
}

// pageTemplates are the templates that render a whole page.
var pageTemplates = []string{"article", "list", "topics", "404", "book", "chapter", "books", "archive", "search"}

// Limits bound the size of one theme file: a template (default
// userfile.TextLimit) and an asset (default userfile.ImageLimit).
type Limits struct{ Template, Asset int64 }

// readTheme reads the templates and assets of the layers, each later layer
// overriding files of the earlier ones.
func readTheme(lim Limits, layers []fs.FS) (map[string][]byte, error) {
	files := map[string][]byte{}
	for _, l := range layers {
		if l == nil {
			continue
		}
		err := fs.WalkDir(l, ".", func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() || strings.HasPrefix(path.Base(p), ".") {
				return nil
			}
			if !strings.HasPrefix(p, "templates/") && !strings.HasPrefix(p, "assets/") {
				return nil
			}
			limit := cmp.Or(lim.Asset, userfile.ImageLimit)
			if strings.HasPrefix(p, "templates/") {
				limit = cmp.Or(lim.Template, userfile.TextLimit)
			}
			b, err := userfile.ReadFile(l, p, limit)
			if err != nil {
				return err
			}
			files[p] = b
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("reading the theme: %w", err)
		}
	}
	return files, nil
}

// LoadThemeLimits reads a theme from layers, the first being the default
// theme and each later one overriding files of the earlier ones. basePath is
// the path the site is served under ("/" or "/repo/"). A theme file that is
// not a regular file (a FIFO, a device) or is over its limit (zero limits
// take the defaults) is an error naming it.
func LoadThemeLimits(basePath string, lim Limits, layers ...fs.FS) (*Theme, error) {
	if basePath == "" {
		basePath = "/"
	}
	t := &Theme{basePath: basePath, assets: map[string]*Asset{}, pages: map[string]*template.Template{}}
	files, err := readTheme(lim, layers)
	if err != nil {
		return nil, err
	}
	for p, b := range files {
		if name, ok := strings.CutPrefix(p, "assets/"); ok {
			t.AddAsset(name, b)
		}
	}
	base, ok := files["templates/base.html"]
	if !ok {
		return nil, fmt.Errorf("the theme has no templates/base.html; copy it from kiji's default theme")
	}
	root, err := template.New("base.html").Funcs(t.funcs()).Parse(string(base))
	if err != nil {
		return nil, fmt.Errorf("theme template base.html: %w", err)
	}
	// Shared partials: every templates/_*.html.
	var partials []string
	for p := range files {
		if strings.HasPrefix(path.Base(p), "_") && strings.HasPrefix(p, "templates/") {
			partials = append(partials, p)
		}
	}
	sort.Strings(partials)
	for _, p := range partials {
		if _, err := root.New(path.Base(p)).Parse(string(files[p])); err != nil {
			return nil, fmt.Errorf("theme template %s: %w", path.Base(p), err)
		}
	}
	for _, name := range pageTemplates {
		src, ok := files["templates/"+name+".html"]
		if !ok {
			return nil, fmt.Errorf("the theme has no templates/%s.html; copy it from kiji's default theme", name)
		}
		c, err := root.Clone()
		if err != nil {
			return nil, err
		}
		if _, err := c.New(name + ".html").Parse(string(src)); err != nil {
			return nil, fmt.Errorf("theme template %s.html: %w", name, err)
		}
		t.pages[name] = c
	}
	return t, nil
}

// AddAsset adds (or replaces) an asset; generated stylesheets such as the
// code highlighting CSS are added this way before pages are rendered.
func (t *Theme) AddAsset(name string, data []byte) *Asset {
	a := &Asset{Name: name, Path: "assets/" + mediatype.Fingerprint(name, data), Data: data}
	t.mu.Lock()
	t.assets[name] = a
	t.mu.Unlock()
	return a
}

// Assets returns the assets sorted by path.
func (t *Theme) Assets() []*Asset {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := make([]*Asset, 0, len(t.assets))
	for _, a := range t.assets {
		out = append(out, a)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out
}

// AssetURL returns the URL of an asset under the base path.
func (t *Theme) AssetURL(name string) (string, error) {
	t.mu.Lock()
	a, ok := t.assets[name]
	t.mu.Unlock()
	if !ok {
		return "", fmt.Errorf("the theme has no asset %q; add assets/%s to the theme", name, name)
	}
	return t.basePath + a.Path, nil
}

// Hash identifies the theme's templates and assets, for build caches.
func (t *Theme) Hash() string {
	h := sha256.New()
	for _, a := range t.Assets() {
		io.WriteString(h, a.Path)
	}
	names := make([]string, 0, len(t.pages))
	for n := range t.pages {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		// Templates() comes from a map: sort it, or the hash (and every
		// build cache keyed on it) changes from run to run.
		tts := t.pages[n].Templates()
		sort.Slice(tts, func(i, j int) bool { return tts[i].Name() < tts[j].Name() })
		for _, tt := range tts {
			if tt.Tree != nil && tt.Tree.Root != nil {
				io.WriteString(h, tt.Name()+tt.Tree.Root.String())
			}
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}

// AssetCSS returns a stylesheet asset's content, to inline it in a page:
// <style>{{assetCSS "style.css"}}</style> saves the render-blocking request
// on a first visit. The theme's own files are trusted, so it is not escaped.
func (t *Theme) AssetCSS(name string) (template.CSS, error) {
	t.mu.Lock()
	a, ok := t.assets[name]
	t.mu.Unlock()
	if !ok {
		return "", fmt.Errorf("the theme has no asset %q; add assets/%s to the theme", name, name)
	}
	return template.CSS(a.Data), nil
}

func (t *Theme) funcs() template.FuncMap {
	return template.FuncMap{
		"asset":    t.AssetURL,
		"assetCSS": t.AssetCSS,
		"t":        Translate,
		"card":     func(site *Site, s *Summary) CardData { return CardData{Site: site, Summary: s} },
	}
}

// HasCard reports whether the theme's list template defines "card", the
// entry of one article in a list.
func (t *Theme) HasCard() bool {
	tm, ok := t.pages["list"]
	return ok && tm.Lookup("card") != nil
}

// Card renders the "card" template of the list page for one article.
func (t *Theme) Card(site *Site, s *Summary) (template.HTML, error) {
	tm, ok := t.pages["list"]
	if !ok || tm.Lookup("card") == nil {
		return "", nil
	}
	var b strings.Builder
	if err := tm.ExecuteTemplate(&b, "card", CardData{Site: site, Summary: s}); err != nil {
		return "", fmt.Errorf("rendering the card of %s in list.html: %w", s.URL, err)
	}
	return template.HTML(b.String()), nil
}

// Has reports whether the theme has the page template name.
func (t *Theme) Has(name string) bool {
	_, ok := t.pages[name]
	return ok
}

// Execute renders the page template name ("article", "list", "topics",
// "404") with data into w.
func (t *Theme) Execute(w io.Writer, name string, data any) error {
	tm, ok := t.pages[name]
	if !ok {
		return fmt.Errorf("no page template %q", name)
	}
	if b, ok := w.(*bytes.Buffer); ok {
		// Straight into the caller's buffer; on an error it is left as
		// it was.
		n := b.Len()
		if err := tm.ExecuteTemplate(b, "base", data); err != nil {
			b.Truncate(n)
			return fmt.Errorf("rendering %s.html: %w", name, err)
		}
		return nil
	}
	var buf bytes.Buffer
	if err := tm.ExecuteTemplate(&buf, "base", data); err != nil {
		return fmt.Errorf("rendering %s.html: %w", name, err)
	}
	_, err := w.Write(buf.Bytes())
	return err
}
