package diagram

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"oss.terrastruct.com/d2/d2graph"
	"oss.terrastruct.com/d2/d2layouts/d2dagrelayout"
	"oss.terrastruct.com/d2/d2lib"
	"oss.terrastruct.com/d2/d2parser"
	"oss.terrastruct.com/d2/d2renderers/d2fonts"
	"oss.terrastruct.com/d2/d2renderers/d2svg"
	"oss.terrastruct.com/d2/d2themes/d2themescatalog"
	d2log "oss.terrastruct.com/d2/lib/log"
	"oss.terrastruct.com/d2/lib/textmeasure"
	d2version "oss.terrastruct.com/d2/lib/version"
)

// formatVersion changes whenever this package changes what it does to D2's
// output, so that cached diagrams of an older kiji are not served.
const formatVersion = "kiji-d2-5"

// Defaults.
const (
	DefaultTimeout        = 30 * time.Second
	DefaultMaxSourceBytes = 64 << 10
	DefaultPad            = 16
)

// An Option configures New.
type Option func(*config)

type config struct {
	cacheDir    string
	timeout     time.Duration
	maxSource   int
	themeID     int64
	darkThemeID int64 // < 0: no dark theme
	pad         int64
}

// WithCacheDir keeps laid-out diagrams in dir (created if missing), one file
// per diagram named by its content hash, so that the next build does not lay
// them out again. Files are written atomically and checked on read; a
// damaged file is laid out again and rewritten.
func WithCacheDir(dir string) Option { return func(c *config) { c.cacheDir = dir } }

// Stats counts what an Extender has done.
type Stats struct {
	Layouts         int64 // diagrams laid out by D2
	MemoryHits      int64 // diagrams served from the in-memory cache
	DiskHits        int64 // diagrams served from the cache directory
	DiskCorrupt     int64 // cache files found damaged (and laid out again)
	DiskWriteErrors int64 // cache files that could not be written
}

type engine struct {
	cfg     config
	version string // D2 version, part of the cache key
	rulers  chan *textmeasure.Ruler

	mu  sync.Mutex
	mem map[string]*entry

	layouts, memHits, diskHits, diskCorrupt, diskWriteErrs atomic.Int64

	// compile is d2's compile+render; a field so tests can make it fail.
	compile func(ctx context.Context, src string, ruler *textmeasure.Ruler, c config) (rendered, error)

	// The styles the engine's diagrams share, made on first use.
	sharedOnce sync.Once
	sh         *shared
	shErr      error
}

// rendered is D2's SVG of a diagram.
type rendered struct {
	svg []byte
	// plain is false for a diagram in sketch mode or with fonts other
	// than D2's default ones: it keeps all of its styles.
	plain bool
}

// entry is one diagram of the in-memory cache; done is closed when res or
// err is set.
type entry struct {
	done chan struct{}
	res  *result
	err  error
}

func newEngine(opts ...Option) *engine {
	c := config{
		timeout:     DefaultTimeout,
		maxSource:   DefaultMaxSourceBytes,
		themeID:     d2themescatalog.NeutralDefault.ID,
		darkThemeID: d2themescatalog.DarkMauve.ID,
		pad:         DefaultPad,
	}
	for _, o := range opts {
		if o != nil {
			o(&c)
		}
	}
	n := runtime.GOMAXPROCS(0)
	return &engine{
		cfg:     c,
		version: d2Version(),
		rulers:  make(chan *textmeasure.Ruler, n),
		mem:     map[string]*entry{},
		compile: compileD2,
	}
}

func (e *engine) statsSnapshot() Stats {
	return Stats{
		Layouts:         e.layouts.Load(),
		MemoryHits:      e.memHits.Load(),
		DiskHits:        e.diskHits.Load(),
		DiskCorrupt:     e.diskCorrupt.Load(),
		DiskWriteErrors: e.diskWriteErrs.Load(),
	}
}

// d2Version is the version of the D2 module linked in.
func d2Version() string {
	v := d2version.Version
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, m := range bi.Deps {
			if m.Path == "oss.terrastruct.com/d2" {
				v = m.Version
				if m.Replace != nil {
					v += "=>" + m.Replace.Path + "@" + m.Replace.Version
				}
			}
		}
	}
	return v
}

// key is the content hash of a diagram: source, options and D2 version.
func (e *engine) key(src string) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%s\x00theme=%d dark=%d pad=%d layout=dagre\x00",
		formatVersion, e.version, e.cfg.themeID, e.cfg.darkThemeID, e.cfg.pad)
	h.Write([]byte(src))
	return hex.EncodeToString(h.Sum(nil))
}

// get returns the laid-out diagram of src, from the caches when it can.
// When ctx is done it returns at once (the layout, which cannot be
// interrupted, finishes in the background and fills the cache).
func (e *engine) get(ctx context.Context, src string) (*result, error) {
	if len(src) > e.cfg.maxSource {
		return nil, fmt.Errorf("the block is %d bytes, over the %d-byte limit for one diagram: split it into smaller diagrams", len(src), e.cfg.maxSource)
	}
	key := e.key(src)
	e.mu.Lock()
	en, ok := e.mem[key]
	if !ok {
		en = &entry{done: make(chan struct{})}
		e.mem[key] = en
	}
	e.mu.Unlock()
	if !ok {
		go e.produce(key, src, en)
	}
	timer := time.NewTimer(e.cfg.timeout)
	defer timer.Stop()
	select {
	case <-en.done:
		if ok && en.err == nil {
			e.memHits.Add(1)
		}
		return en.res, en.err
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-timer.C:
		// D2's layout cannot be interrupted: it finishes in the
		// background (and fills the cache), but this build does not wait.
		return nil, fmt.Errorf("laying out the diagram took longer than %s: simplify it or split it into smaller diagrams", e.cfg.timeout)
	}
}

// produce fills en from the disk cache or by laying the diagram out. It
// never panics.
func (e *engine) produce(key, src string, en *entry) {
	defer close(en.done)
	defer func() {
		if p := recover(); p != nil {
			en.res, en.err = nil, fmt.Errorf("D2 failed on this diagram (%v): simplify the diagram around the last change", p)
		}
		if en.err != nil {
			// Failures are not cached: the next build tries again.
			e.mu.Lock()
			if e.mem[key] == en {
				delete(e.mem, key)
			}
			e.mu.Unlock()
		}
	}()
	if e.cfg.cacheDir != "" {
		res, status := readCache(e.cfg.cacheDir, key)
		switch status {
		case cacheHit:
			e.diskHits.Add(1)
			en.res = res
			return
		case cacheCorrupt:
			e.diskCorrupt.Add(1)
		}
	}
	res, err := e.layout(key, src)
	if err != nil {
		en.err = err
		return
	}
	en.res = res
	if e.cfg.cacheDir != "" {
		if err := writeCache(e.cfg.cacheDir, key, res); err != nil {
			e.diskWriteErrs.Add(1)
		}
	}
}

// layout runs D2 with a ruler from the pool.
func (e *engine) layout(key, src string) (res *result, err error) {
	ruler, err := e.getRuler()
	if err != nil {
		return nil, err
	}
	ok := false
	defer func() {
		// A ruler that saw a panic may be half-updated: drop it.
		if ok {
			e.putRuler(ruler)
		}
	}()
	ctx := d2log.With(context.Background(), slog.New(slog.DiscardHandler))
	ctx, cancel := context.WithTimeout(ctx, e.cfg.timeout)
	defer cancel()
	e.layouts.Add(1)
	out, err := e.compile(ctx, src, ruler, e.cfg)
	ok = true
	if err != nil {
		return nil, err
	}
	var sh *shared
	if out.plain {
		// Without the shared styles (D2's fonts could not be read), the
		// diagram keeps its own.
		sh, _ = e.shared()
	}
	return postprocess(out.svg, "d2-"+key[:12], sh)
}

func (e *engine) getRuler() (*textmeasure.Ruler, error) {
	select {
	case r := <-e.rulers:
		return r, nil
	default:
		r, err := textmeasure.NewRuler()
		if err != nil {
			return nil, fmt.Errorf("loading D2's fonts: %w", err)
		}
		return r, nil
	}
}

func (e *engine) putRuler(r *textmeasure.Ruler) {
	select {
	case e.rulers <- r:
	default:
	}
}

// noImports is the file system D2 sees: a diagram is self-contained, its
// build does not depend on other files.
type noImports struct{}

func (noImports) Open(name string) (fs.File, error) {
	return nil, &fs.PathError{Op: "open", Path: name, Err: errors.New("imports are not supported in a d2 block (put the whole diagram in the block)")}
}

// compileD2 compiles, lays out (dagre) and renders src to SVG.
func compileD2(ctx context.Context, src string, ruler *textmeasure.Ruler, c config) (rendered, error) {
	layout := "dagre"
	pad := c.pad
	theme := c.themeID
	ro := &d2svg.RenderOpts{
		Pad:         &pad,
		ThemeID:     &theme,
		NoXMLTag:    ptr(true),
		OmitVersion: ptr(true),
	}
	if c.darkThemeID >= 0 {
		dark := c.darkThemeID
		ro.DarkThemeID = &dark
	}
	co := &d2lib.CompileOptions{
		Ruler:  ruler,
		FS:     noImports{},
		Layout: &layout,
		LayoutResolver: func(engine string) (d2graph.LayoutGraph, error) {
			return func(ctx context.Context, g *d2graph.Graph) error {
				return d2dagrelayout.Layout(ctx, g, nil)
			}, nil
		},
	}
	diagram, _, err := d2lib.Compile(ctx, src, co, ro)
	if err != nil {
		return rendered{}, d2Errors(err)
	}
	if diagram == nil {
		return rendered{}, errors.New("D2 produced no diagram: check the D2 source")
	}
	svg, err := d2svg.Render(diagram, ro)
	plain := (ro.Sketch == nil || !*ro.Sketch) &&
		(diagram.FontFamily == nil || *diagram.FontFamily == d2fonts.SourceSansPro) &&
		(diagram.MonoFontFamily == nil || *diagram.MonoFontFamily == d2fonts.SourceCodePro)
	return rendered{svg: svg, plain: plain}, err
}

func ptr[T any](v T) *T { return &v }

// compileErrors are D2's errors with their positions in the block.
type compileErrors []srcError

type srcError struct {
	line, col int // 0-based line, byte column in the D2 source; line -1: unknown
	msg       string
}

func (ce compileErrors) Error() string {
	var b strings.Builder
	for i, e := range ce {
		if i > 0 {
			b.WriteByte('\n')
		}
		fmt.Fprintf(&b, "%d:%d: %s", e.line+1, e.col+1, e.msg)
	}
	return b.String()
}

// d2Errors turns D2's parse/compile error into compileErrors.
func d2Errors(err error) error {
	var pe *d2parser.ParseError
	if !errors.As(err, &pe) || len(pe.Errors) == 0 {
		return err
	}
	ce := make(compileErrors, 0, len(pe.Errors))
	for _, e := range pe.Errors {
		msg := strings.TrimPrefix(e.Message, e.Range.String()+": ")
		ce = append(ce, srcError{line: e.Range.Start.Line, col: e.Range.Start.Column, msg: msg})
	}
	return ce
}

// result is a laid-out diagram ready to be written into a page.
type result struct {
	id   string // "d2-" + 12 hex digits of the content hash
	w, h int    // natural size (the viewBox)
	body []byte // D2's inner <svg class="id d2-svg" ...>...</svg>
}

// svg returns the <svg> element of the n-th use (0-based) of the diagram on
// a page, with its accessible name.
func (r *result) svg(n int, title string) []byte {
	body := r.body
	id := r.id
	if n > 0 {
		id = r.id + "-" + strconv.Itoa(n+1)
		body = replaceToken(body, []byte(r.id), []byte(id), isHex)
	}
	label := title
	if label == "" {
		label = DefaultLabel
	}
	label = htmlEscape(label)
	var b bytes.Buffer
	b.Grow(len(body) + 512)
	// In an HTML page, <svg> is SVG without xmlns (and xlink:href is
	// XLink's without xmlns:xlink).
	fmt.Fprintf(&b, `<svg class="d2" role="img" aria-label="%s" viewBox="0 0 %d %d" width="100%%" preserveAspectRatio="xMinYMin meet" style="display:block;margin:0 auto;max-width:%dpx;height:auto"><title>%s</title>`,
		label, r.w, r.h, r.w, label)
	b.Write(body)
	b.WriteString("</svg>")
	return b.Bytes()
}

var attrEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "'", "&#39;")

func htmlEscape(s string) string { return attrEscaper.Replace(s) }

// postprocess takes D2's SVG apart: the outer element (replaced at write
// time), the styles shared by every diagram (left out, when sh is not
// nil), D2's own id (replaced by id, derived from the content hash), its
// page-wide CSS rules (scoped to the diagram) and its numbers (written
// short).
func postprocess(out []byte, id string, sh *shared) (*result, error) {
	bad := func(what string) error {
		return fmt.Errorf("unexpected SVG from D2 (%s): report this with the diagram", what)
	}
	if !bytes.HasPrefix(out, []byte("<svg ")) {
		return nil, bad("no <svg> element")
	}
	end := bytes.IndexByte(out, '>')
	if end < 0 || !bytes.HasSuffix(out, []byte("</svg>")) {
		return nil, bad("unterminated <svg>")
	}
	outer := out[:end]
	w, h, ok := viewBoxSize(outer)
	if !ok {
		return nil, bad("no viewBox")
	}
	body := out[end+1 : len(out)-len("</svg>")]
	const innerPrefix = `<svg class="`
	if !bytes.HasPrefix(body, []byte(innerPrefix)) {
		return nil, bad("no inner <svg>")
	}
	rest := body[len(innerPrefix):]
	sp := bytes.IndexByte(rest, ' ')
	if sp <= 0 || !bytes.HasPrefix(rest, []byte("d2-")) {
		return nil, bad("no diagram class")
	}
	d2id := rest[:sp]
	if sh != nil {
		body = sh.unshare(body, string(d2id))
	}
	body = replaceToken(body, d2id, []byte(id), isDigit)
	body = scopeStyles(body, id)
	body = hoistTextDefaults(tidy(body))
	return &result{id: id, w: w, h: h, body: body}, nil
}

func viewBoxSize(tag []byte) (w, h int, ok bool) {
	const attr = `viewBox="`
	i := bytes.Index(tag, []byte(attr))
	if i < 0 {
		return 0, 0, false
	}
	v := tag[i+len(attr):]
	j := bytes.IndexByte(v, '"')
	if j < 0 {
		return 0, 0, false
	}
	f := strings.Fields(string(v[:j]))
	if len(f) != 4 {
		return 0, 0, false
	}
	w, err1 := strconv.Atoi(f[2])
	h, err2 := strconv.Atoi(f[3])
	if err1 != nil || err2 != nil || w <= 0 || h <= 0 {
		return 0, 0, false
	}
	return w, h, true
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
func isHex(c byte) bool   { return isDigit(c) || (c >= 'a' && c <= 'f') }

// isIdent reports whether c can continue a CSS identifier.
func isIdent(c byte) bool {
	return isDigit(c) || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '-' || c == '_' || c >= 0x80
}

// replaceToken replaces old by new wherever old is not followed by a byte
// for which cont is true (so "d2-12" does not match inside "d2-123").
func replaceToken(b, old, new []byte, cont func(byte) bool) []byte {
	var out bytes.Buffer
	out.Grow(len(b) + len(b)/64)
	for {
		i := bytes.Index(b, old)
		if i < 0 {
			out.Write(b)
			return out.Bytes()
		}
		j := i + len(old)
		out.Write(b[:i])
		if j < len(b) && cont(b[j]) {
			out.Write(old)
		} else {
			out.Write(new)
		}
		b = b[j:]
	}
}

// scopeStyles prefixes the CSS rules D2 writes for the whole page (.shape,
// .connection, .text-link, ...) with the diagram's class, inside the
// <style> elements of body.
func scopeStyles(body []byte, id string) []byte {
	const open, close = `<style type="text/css">`, `</style>`
	var out bytes.Buffer
	out.Grow(len(body) + 256)
	for {
		i := bytes.Index(body, []byte(open))
		if i < 0 {
			out.Write(body)
			return out.Bytes()
		}
		i += len(open)
		j := bytes.Index(body[i:], []byte(close))
		if j < 0 {
			out.Write(body)
			return out.Bytes()
		}
		out.Write(body[:i])
		out.WriteString(scopeCSS(string(body[i:i+j]), id))
		body = body[i+j:]
	}
}

// scopeCSS prefixes every selector of css that is not already scoped to the
// diagram with ".id ", so that D2's page-wide rules (.shape, .md,
// .light-code, .sketch-overlay-*, ...) apply only inside the diagram. Rules
// nested in @media and @supports are scoped too; @font-face and @keyframes
// are left alone. A CDATA wrapper is kept.
func scopeCSS(css, id string) string {
	const cdOpen, cdClose = "<![CDATA[", "]]>"
	pre, post := "", ""
	if t := strings.TrimLeft(css, " \t\r\n"); strings.HasPrefix(t, cdOpen) {
		k := len(css) - len(t) + len(cdOpen)
		pre, css = css[:k], css[k:]
		if j := strings.LastIndex(css, cdClose); j >= 0 {
			css, post = css[:j], css[j:]
		}
	}
	var b strings.Builder
	b.Grow(len(css) + len(css)/8)
	scopeRules(&b, css, "."+id)
	return pre + b.String() + post
}

// scopeRules writes the rules of css with their selectors scoped.
func scopeRules(b *strings.Builder, css, scope string) {
	i := 0
	for i < len(css) {
		// Copy whitespace and comments before a rule.
		for i < len(css) {
			if c := css[i]; c == ' ' || c == '\t' || c == '\n' || c == '\r' {
				b.WriteByte(c)
				i++
				continue
			}
			if strings.HasPrefix(css[i:], "/*") {
				j := strings.Index(css[i+2:], "*/")
				if j < 0 {
					b.WriteString(css[i:])
					return
				}
				b.WriteString(css[i : i+2+j+2])
				i += 2 + j + 2
				continue
			}
			break
		}
		if i >= len(css) {
			return
		}
		open := strings.IndexAny(css[i:], "{;}")
		if open < 0 {
			b.WriteString(css[i:])
			return
		}
		open += i
		prelude := css[i:open]
		if css[open] != '{' { // "@import ...;" or a stray "}"
			b.WriteString(css[i : open+1])
			i = open + 1
			continue
		}
		end := matchBrace(css, open)
		if strings.HasPrefix(prelude, "@") {
			b.WriteString(prelude)
			at := strings.ToLower(strings.Fields(prelude + " ")[0])
			if at == "@media" || at == "@supports" {
				b.WriteByte('{')
				scopeRules(b, css[open+1:end], scope)
				if end < len(css) {
					b.WriteByte('}')
				}
			} else {
				b.WriteString(css[open:min(end+1, len(css))])
			}
		} else {
			b.WriteString(scopeSelectors(prelude, scope))
			b.WriteString(css[open:min(end+1, len(css))])
		}
		i = end + 1
	}
}

// matchBrace returns the index of the } that closes the { at open, or
// len(css) when there is none.
func matchBrace(css string, open int) int {
	depth := 0
	for j := open; j < len(css); j++ {
		switch css[j] {
		case '{':
			depth++
		case '}':
			depth--
			if depth == 0 {
				return j
			}
		}
	}
	return len(css)
}

// scopeSelectors prefixes each selector of a comma-separated list with
// scope, unless it already starts with it.
func scopeSelectors(list, scope string) string {
	parts := strings.Split(list, ",")
	for k, p := range parts {
		t := strings.TrimLeft(p, " \t\r\n")
		if t == "" {
			continue
		}
		if strings.HasPrefix(t, scope) {
			if rest := t[len(scope):]; rest == "" || !isIdent(rest[0]) {
				continue
			}
		}
		parts[k] = p[:len(p)-len(t)] + scope + " " + t
	}
	return strings.Join(parts, ",")
}
