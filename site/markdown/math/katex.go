package math

import (
	"context"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/dop251/goja"
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

// The JavaScript compiled once per process and shared by every runtime: a
// goja.Program is immutable and may run in several runtimes at once.
var katexProgram = sync.OnceValues(func() (*goja.Program, error) {
	return goja.Compile("katex.min.js", katexJS, true)
})

// renderJS is called with (tex, displayMode, macrosJSON). It builds fresh
// options for every call, so \gdef in one formula cannot leak into the next
// (KaTeX writes global definitions into the macros object it is given).
// Commands that need trust (\href, \url, \includegraphics, \html…) are refused
// and collected so the author can be told.
const renderJS = `(function (tex, display, macros) {
  var blocked = [];
  var opts = {
    displayMode: display,
    output: "htmlAndMathml",
    throwOnError: true,
    strict: "ignore",
    maxExpand: 1000,
    macros: JSON.parse(macros),
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
)

// engine renders TeX with KaTeX in a pool of goja runtimes and caches the
// results by formula hash, failures by timeout included (in memory, and on
// disk when it has a cache dir). It is safe for concurrent use.
type engine struct {
	macros   string // JSON object
	id       string // hash of the KaTeX code and macros: keys the disk memo
	timeout  time.Duration
	maxCache int
	cacheDir string
	runs     atomic.Int64 // KaTeX runs, for tests

	idle     chan *jsRuntime // runtimes ready for use
	slots    chan struct{}   // one token per live runtime: bounds the pool
	mu       sync.Mutex      // guards cache and inflight
	cache    map[[32]byte]result
	inflight map[[32]byte]*call
}

// call is a formula being rendered; others asking for it wait on done.
type call struct {
	done chan struct{}
	res  result
}

type jsRuntime struct {
	vm     *goja.Runtime
	render goja.Callable
}

func newEngine(c config) *engine {
	macros, err := json.Marshal(c.macros)
	if err != nil || c.macros == nil {
		macros = []byte("{}")
	}
	id := sha256.Sum256([]byte(katexJS + "\x00" + renderJS + "\x00" + string(macros) + "\x00" + gojaVersion()))
	return &engine{
		macros:   string(macros),
		id:       hex.EncodeToString(id[:]),
		timeout:  c.timeout,
		maxCache: c.maxCache,
		cacheDir: c.cacheDir,
		idle:     make(chan *jsRuntime, c.runtimes),
		slots:    make(chan struct{}, c.runtimes),
		cache:    map[[32]byte]result{},
		inflight: map[[32]byte]*call{},
	}
}

// gojaVersion is the version of the JavaScript engine linked in: a new one
// may render in time what an old one did not.
func gojaVersion() string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, m := range bi.Deps {
			if m.Path == "github.com/dop251/goja" {
				return m.Version
			}
		}
	}
	return "unknown"
}

func newRuntime() (*jsRuntime, error) {
	prg, err := katexProgram()
	if err != nil {
		return nil, fmt.Errorf("compile katex.min.js: %w", err)
	}
	vm := goja.New()
	// Deeply nested input ({{{{…}}}}) makes KaTeX recurse; stop it with a
	// catchable error long before memory runs out. Real formulas stay far
	// below this depth.
	vm.SetMaxCallStackSize(5000)
	if _, err := vm.RunProgram(prg); err != nil {
		return nil, fmt.Errorf("load katex.min.js: %w", err)
	}
	fn, err := vm.RunString(renderJS)
	if err != nil {
		return nil, fmt.Errorf("define the KaTeX render function: %w", err)
	}
	call, ok := goja.AssertFunction(fn)
	if !ok {
		return nil, errors.New("the KaTeX render wrapper is not a function")
	}
	return &jsRuntime{vm: vm, render: call}, nil
}

// get returns an idle runtime, creating one while the pool is not full, and
// otherwise waits for one to be put back (or for ctx to be done).
func (e *engine) get(ctx context.Context) (*jsRuntime, error) {
	select {
	case rt := <-e.idle:
		return rt, nil
	default:
	}
	select {
	case rt := <-e.idle:
		return rt, nil
	case e.slots <- struct{}{}:
		rt, err := newRuntime()
		if err != nil {
			<-e.slots
			return nil, err
		}
		return rt, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (e *engine) put(rt *jsRuntime) { e.idle <- rt }

// drop forgets a runtime that may be in a bad state.
func (e *engine) drop() { <-e.slots }

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

// renderNow runs KaTeX within lim; a done ctx interrupts it at once.
func (e *engine) renderNow(ctx context.Context, tex string, display bool, lim limit) (result, outcome) {
	if !utf8.ValidString(tex) {
		return result{err: &TeXError{Offset: -1, Msg: "the formula is not valid UTF-8"}}, renderedOK
	}
	rt, err := e.get(ctx)
	if err != nil {
		if ctx.Err() != nil {
			return cancelled(ctx), transient
		}
		return result{err: &TeXError{Offset: -1, Msg: err.Error()}}, transient
	}
	e.runs.Add(1)
	timer := time.AfterFunc(lim.d, func() { rt.vm.Interrupt("timeout") })
	stop := context.AfterFunc(ctx, func() { rt.vm.Interrupt("cancelled") })
	v, err := rt.render(goja.Undefined(), rt.vm.ToValue(tex), rt.vm.ToValue(display), rt.vm.ToValue(e.macros))
	if !timer.Stop() || !stop() {
		// An interrupt was sent (or is being sent): the runtime is thrown
		// away, whether or not KaTeX finished just in time.
		e.drop()
		var ie *goja.InterruptedError
		if errors.As(err, &ie) {
			if ie.Value() == "cancelled" {
				return cancelled(ctx), transient
			}
			return result{timeout: lim.d, err: &TeXError{Offset: -1, Msg: fmt.Sprintf("rendering took longer than %v%s; simplify or split the formula", lim.d, lim.why)}}, timedOut
		}
	} else if err != nil {
		// A JavaScript exception that is not a KaTeX parse error (stack
		// overflow, internal error): do not reuse the runtime.
		e.drop()
	} else {
		e.put(rt)
	}
	if err != nil {
		var so *goja.StackOverflowError
		if errors.As(err, &so) {
			return result{err: &TeXError{Offset: -1, Msg: "the formula is nested too deeply to render; reduce the nesting of braces or environments"}}, renderedOK
		}
		return result{err: &TeXError{Offset: -1, Msg: "KaTeX failed: " + err.Error()}}, renderedOK
	}
	return decode(tex, v.Export()), renderedOK
}

// decode turns the wrapper's return value into a result.
func decode(tex string, v any) result {
	m, _ := v.(map[string]any)
	if h, ok := m["html"].(string); ok {
		r := result{html: h}
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
