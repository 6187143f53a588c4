package math

import (
	"context"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"
)

// KaTeXVersion is the version of the KaTeX files committed in katex/: from
// the npm package katex, byte for byte, dist/katex.min.js,
// dist/katex.min.css, dist/fonts/*.woff2 (not the woff and ttf fallbacks)
// and LICENSE, 567 KB in all. To update:
//
//	npm pack katex@VERSION && tar xzf katex-VERSION.tgz
//	cp package/dist/katex.min.{js,css} package/LICENSE site/markdown/math/katex/
//	rm site/markdown/math/katex/fonts/* && cp package/dist/fonts/*.woff2 site/markdown/math/katex/fonts/
//
// then change KaTeXVersion (TestKaTeXVersion checks it against the file),
// run go test ./site/markdown/math -update and review the golden diff.
const KaTeXVersion = "0.19.1"

//go:embed katex/katex.min.js
var katexJS string

// renderJS is called with (tex, displayMode). It builds fresh options for
// every call, so \gdef in one formula cannot leak into the next (KaTeX
// writes global definitions into the macros object it is given).
// Commands that need trust (\href, \url, \includegraphics, \html…) are refused
// and collected so the author can be told.
const renderJS = `(function (tex, display) {
  var blocked = [];
  var opts = {
    displayMode: display,
    output: "htmlAndMathml",
    throwOnError: true,
    strict: "ignore",
    maxExpand: 1000,
    macros: {},
    trust: function (ctx) { blocked.push(ctx.command); return false; }
  };
  try {
    return {html: katex.renderToString(tex, opts), blocked: blocked};
  } catch (e) {
    if (e instanceof katex.ParseError) {
      return {err: String(e.rawMessage || e.message), pos: typeof e.position === "number" ? e.position : -1};
    }
    throw e;
  }
})`

// TeXError is a formula KaTeX could not render.
type TeXError struct {
	// Offset is the byte offset in the TeX source where KaTeX stopped, or -1
	// when KaTeX did not say.
	Offset int
	// Msg is KaTeX's message (or why the engine gave up).
	Msg string
}

func (e *TeXError) Error() string {
	if e.Offset >= 0 {
		return fmt.Sprintf("KaTeX: %s (at byte %d of the formula)", e.Msg, e.Offset)
	}
	return "KaTeX: " + e.Msg
}

// result is what rendering one formula gives; it is cached.
type result struct {
	html    string
	err     *TeXError
	blocked []string // commands refused for lack of trust, in order
	// timeout is set when KaTeX ran out of this much time: the failure is
	// remembered, and tried again only with more time.
	timeout time.Duration
	// skipped: not tried, the article's time being spent (err says so).
	skipped bool
	// cancelled: interrupted because the build stopped or the article's
	// time ran out; never remembered.
	cancelled bool
}

// outcome says what became of a run of KaTeX.
type outcome int

const (
	renderedOK outcome = iota // html, or an error that depends on the formula only
	timedOut                  // remembered with its timeout
	transient                 // an engine failure or a cancelled build: not remembered
	undecided                 // node could not tell (see node.go): goja decides
)

// engine renders TeX with KaTeX, in node processes when it can and in goja
// runtimes otherwise, and caches the results by formula hash, failures by
// timeout included (in memory, and on disk when it has a cache dir). It is
// safe for concurrent use.
type engine struct {
	id       string // hash of the KaTeX code and the JavaScript engines: keys the disk memo
	timeout  time.Duration
	maxCache int
	cacheDir string
	runs     atomic.Int64 // KaTeX runs, for tests

	goja    *pool
	node    *pool       // nil without node
	nodeOff atomic.Bool // node failed to start: goja only from then on

	mu       sync.Mutex // guards cache and inflight
	cache    map[[32]byte]result
	inflight map[[32]byte]*call
}

// call is a formula being rendered; others asking for it wait on done.
type call struct {
	done chan struct{}
	res  result
}

func newEngine(c config) *engine {
	engines := "goja " + gojaVersion()
	if c.node != "" {
		engines += ", node " + c.node
	}
	id := sha256.Sum256([]byte(katexJS + "\x00" + renderJS + "\x00" + engines))
	e := &engine{
		id:       hex.EncodeToString(id[:]),
		timeout:  c.timeout,
		maxCache: c.maxCache,
		cacheDir: c.cacheDir,
		goja:     newPool(c.runtimes, newRuntime),
		cache:    map[[32]byte]result{},
		inflight: map[[32]byte]*call{},
	}
	if c.node != "" {
		e.node = newPool((c.runtimes+1)/2, func() (worker, error) { return startNode(c.node, c.nodeIdle) })
	}
	return e
}

func cacheKey(tex string, display bool) [32]byte {
	h := sha256.New()
	if display {
		h.Write([]byte{'D'})
	} else {
		h.Write([]byte{'I'})
	}
	h.Write([]byte(tex))
	var k [32]byte
	h.Sum(k[:0])
	return k
}

// limit is the time one formula may take, and why it is less than the
// engine's timeout ("" when it is not).
type limit struct {
	d   time.Duration
	why string
}

// known returns the remembered result for key when there is one that
// holds under lim: a rendering, or a timeout at least as long as lim.
func (e *engine) known(key [32]byte, lim limit) (result, bool) {
	e.mu.Lock()
	r, ok := e.cache[key]
	e.mu.Unlock()
	if !ok && e.cacheDir != "" {
		r, ok = e.readMemo(key)
		if ok {
			e.store(key, r)
		}
	}
	if !ok || (r.timeout > 0 && r.timeout < lim.d) {
		return result{}, false
	}
	if r.timeout > 0 {
		again := "when it changes"
		if e.cacheDir != "" {
			again += ", or once " + e.cacheDir + " is removed"
		}
		r.err = &TeXError{Offset: -1, Msg: r.err.Msg + " (remembered from an earlier build: kiji tries this formula again " + again + ")"}
	}
	return r, true
}

func (e *engine) store(key [32]byte, r result) {
	e.mu.Lock()
	if len(e.cache) >= e.maxCache {
		clear(e.cache) // crude bound for long-running dev servers
	}
	e.cache[key] = r
	e.mu.Unlock()
}

// render renders one formula within lim, from the cache when it can, and
// returns how long KaTeX ran for it (0 when it did not run). Goroutines
// asking for a formula that is being rendered wait for that rendering.
func (e *engine) render(ctx context.Context, tex string, display bool, lim limit) (result, time.Duration) {
	key := cacheKey(tex, display)
	if r, ok := e.known(key, lim); ok {
		return r, 0
	}
	e.mu.Lock()
	if c, ok := e.inflight[key]; ok {
		e.mu.Unlock()
		select {
		case <-c.done:
			return c.res, 0
		case <-ctx.Done():
			return cancelled(ctx), 0
		}
	}
	c := &call{done: make(chan struct{})}
	e.inflight[key] = c
	e.mu.Unlock()

	start := time.Now()
	r, out := e.renderNow(ctx, tex, display, lim)
	ran := time.Since(start)

	e.mu.Lock()
	delete(e.inflight, key)
	e.mu.Unlock()
	switch out {
	case renderedOK:
		e.store(key, r)
	case timedOut:
		e.store(key, r)
		e.writeMemo(key, r)
	}
	c.res = r
	close(c.done)
	return r, ran
}

func cancelled(ctx context.Context) result {
	return result{cancelled: true, err: &TeXError{Offset: -1, Msg: "cancelled: " + context.Cause(ctx).Error()}}
}

// renderNow runs KaTeX within lim, in node when it can decide and in goja
// otherwise; a done ctx interrupts it at once.
func (e *engine) renderNow(ctx context.Context, tex string, display bool, lim limit) (result, outcome) {
	if !utf8.ValidString(tex) {
		return result{err: &TeXError{Offset: -1, Msg: "the formula is not valid UTF-8"}}, renderedOK
	}
	if e.node != nil && !e.nodeOff.Load() && bmpOnly(tex) {
		if r, out := e.runOn(ctx, e.node, tex, display, lim); out != undecided {
			return r, out
		}
	}
	return e.runOn(ctx, e.goja, tex, display, lim)
}

// runOn runs KaTeX on a worker of p.
func (e *engine) runOn(ctx context.Context, p *pool, tex string, display bool, lim limit) (result, outcome) {
	w, err := p.get(ctx)
	switch {
	case err != nil && ctx.Err() != nil:
		return cancelled(ctx), transient
	case err != nil && p == e.node:
		e.nodeOff.Store(true)
		return result{}, undecided
	case err != nil:
		return result{err: &TeXError{Offset: -1, Msg: err.Error()}}, transient
	}
	e.runs.Add(1)
	r, out, keep := w.run(ctx, tex, display, lim)
	if keep {
		p.put(w)
	} else {
		p.drop()
	}
	return r, out
}

// timeoutResult is a formula that ran out of lim.
func timeoutResult(lim limit) result {
	return result{timeout: lim.d, err: &TeXError{Offset: -1, Msg: fmt.Sprintf("rendering took longer than %v%s; simplify or split the formula", lim.d, lim.why)}}
}

// decode turns the wrapper's return value into a result.
func decode(tex string, v any) result {
	m, _ := v.(map[string]any)
	if h, ok := m["html"].(string); ok {
		r := result{html: tokenAsRow(h)}
		if bl, ok := m["blocked"].([]any); ok {
			for _, b := range bl {
				if s, ok := b.(string); ok {
					r.blocked = append(r.blocked, s)
				}
			}
		}
		return r
	}
	msg, _ := m["err"].(string)
	if msg == "" {
		msg = "unknown error"
	}
	pos := -1
	switch p := m["pos"].(type) {
	case int64:
		pos = int(p)
	case float64:
		pos = int(p)
	}
	return result{err: &TeXError{Offset: utf16ToByte(tex, pos), Msg: msg}}
}

// utf16ToByte converts a JavaScript string index (UTF-16 code units) into a
// byte offset in s; -1 stays -1 and indexes past the end clamp to len(s).
func utf16ToByte(s string, idx int) int {
	if idx < 0 {
		return -1
	}
	units := 0
	for i, r := range s {
		if units >= idx {
			return i
		}
		if r >= 0x10000 {
			units += 2
		} else {
			units++
		}
	}
	return len(s)
}
