package code

import (
	"bytes"
	"crypto/sha256"
	"html"
	"strings"
	"sync"

	"github.com/alecthomas/chroma/v2"
	"github.com/alecthomas/chroma/v2/lexers"
	"github.com/kiji-ssg/kiji/site/markdown/code/fastchroma"
)

// notHighlighted are languages that other kiji extensions turn into something
// else before rendering (diagrams, score tables). When one reaches this
// renderer (the extension is not installed, or the block was left alone),
// it is shown as plain text.
var notHighlighted = map[string]bool{"mermaid": true, "d2": true, "score": true}

// maxLangLen bounds the language names that are looked up at all: a longer
// "language" is not one, and must not grow the cache.
const maxLangLen = 32

// maxCachedLexers bounds the lexer cache; past it, lookups still work (and
// give the same answer) but are not remembered. Only an input with
// thousands of distinct made-up language names gets there. A variable so
// the test can lower it.
var maxCachedLexers = 4096

// maxHighlightBytes is the largest block that is highlighted; a larger one
// is shown as plain text. chroma lexes about 0.2–1 MB/s, so this bounds
// the time one block can take to about a second.
const maxHighlightBytes = 256 << 10

// langName reports whether lang can be a language name worth looking up:
// ASCII lower-case letters, digits and _ + # . - (c++, c#, objective-c,
// vb.net). Anything else is plain text without a lookup.
func langName(lang string) bool {
	if lang == "" || len(lang) > maxLangLen {
		return false
	}
	for i := 0; i < len(lang); i++ {
		c := lang[i]
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || strings.IndexByte("_+#.-", c) >= 0) {
			return false
		}
	}
	return true
}

// lexerCache maps a language name (as normalised by parseInfo) to its
// coalescing lexer, or to nil for a name chroma does not know. chroma's
// lexers.Get falls back to matching the name as a file extension against
// every lexer's patterns, which is slow; this cache makes that happen once
// per name per process instead of once per block.
var lexerCache = struct {
	sync.RWMutex
	m map[string]chroma.Lexer
}{m: map[string]chroma.Lexer{}}

// lexerFor returns the lexer for lang, or nil when the block is plain text.
// A name chroma does not know as a name or alias costs one slow lookup (it
// tries the name as a file extension against every lexer's file patterns,
// ~25 ms); the answer is cached, so that happens once per name.
func lexerFor(lang string) chroma.Lexer {
	if !langName(lang) || notHighlighted[lang] {
		return nil
	}
	lexerCache.RLock()
	l, ok := lexerCache.m[lang]
	lexerCache.RUnlock()
	if ok {
		return l
	}
	l = lookupLexer(lang)
	lexerCache.Lock()
	defer lexerCache.Unlock()
	if prev, ok := lexerCache.m[lang]; ok {
		return prev // another goroutine looked it up at the same time
	}
	if len(lexerCache.m) < maxCachedLexers {
		lexerCache.m[lang] = l
	}
	return l
}

func lookupLexer(lang string) (l chroma.Lexer) {
	defer func() {
		if recover() != nil {
			l = nil
		}
	}()
	l = lexers.Get(lang)
	if l == nil || l.Config() == nil || l.Config().Name == "plaintext" {
		return nil
	}
	// Every regexp lexer of the verified chroma compiles into a fast one
	// (fastchroma's TestEveryLexerCompiles); one that did not would be
	// run by chroma itself: the same tokens, only slower.
	if rl, ok := l.(*chroma.RegexLexer); ok {
		if f, err := fastchroma.For(rl); err == nil {
			c := chroma.Coalesce(f)
			fastBehind.Store(c, f)
			return c
		}
	}
	return chroma.Coalesce(l)
}

// fastBehind maps the lexers lexerFor returns to the fast lexer each wraps,
// for tokeniseStop.
var fastBehind sync.Map // chroma.Lexer → *fastchroma.Lexer

// tokeniseStop is tokenise, cut short (ok=false) once stop is closed.
func tokeniseStop(stop <-chan struct{}, l chroma.Lexer, text string) (tokens []chroma.Token, ok bool) {
	defer func() {
		if recover() != nil {
			tokens, ok = nil, false
		}
	}()
	if f, isFast := fastBehind.Load(l); isFast && stop != nil {
		l = chroma.Coalesce(f.(*fastchroma.Lexer).WithStop(stop))
	}
	it, err := l.Tokenise(nil, text)
	if err != nil {
		return nil, false
	}
	tokens = it.Tokens()
	n := 0
	for i, t := range tokens {
		if !strings.HasPrefix(text[n:], t.Value) {
			return nil, false
		}
		n += len(t.Value)
		if t.Type == chroma.TextWhitespace {
			// Whitespace has no colour: writing it bare instead of in
			// <span class="w"> saves a fifth of the markup of a Go block.
			tokens[i].Type = chroma.Text
		}
	}
	return tokens, n == len(text)
}

// writeTokens writes tokens as chroma's HTML formatter does with classes
// and no surrounding <pre> (the <pre>, <code> and the diff line wrappers are
// written by this package): each token as <span class="…">, with chroma's
// standard short class name for its type, around its escaped text, split at
// line ends. The same bytes as chroma's formatter (TestWriteTokensMatchesChroma),
// without its per-token formatting and allocations.
func writeTokens(buf *bytes.Buffer, tokens []chroma.Token) bool {
	inLine := 0 // pieces written on the current line
	for i, t := range tokens {
		cls := tokenClass(t.Type)
		v := t.Value
		for {
			j := strings.IndexByte(v, '\n')
			if j < 0 {
				break
			}
			writeSpan(buf, cls, v[:j+1])
			inLine = 0
			v = v[j+1:]
			if v == "" {
				break // chroma drops the empty tail of a split token
			}
		}
		if v == "" && t.Value != "" {
			continue
		}
		if v == "" && i == len(tokens)-1 && inLine == 0 {
			break // chroma drops a last line that is one empty token
		}
		writeSpan(buf, cls, v)
		inLine++
	}
	return true
}

func writeSpan(buf *bytes.Buffer, cls, text string) {
	if cls == "" {
		escapeHTML(buf, text)
		return
	}
	buf.WriteString(`<span class="`)
	buf.WriteString(cls)
	buf.WriteString(`">`)
	escapeHTML(buf, text)
	buf.WriteString(`</span>`)
}

// escapeHTML writes s escaped as html.EscapeString does.
func escapeHTML(buf *bytes.Buffer, s string) {
	last := 0
	for i := 0; i < len(s); i++ {
		var esc string
		switch s[i] {
		case '<':
			esc = "&lt;"
		case '>':
			esc = "&gt;"
		case '&':
			esc = "&amp;"
		case '\'':
			esc = "&#39;"
		case '"':
			esc = "&#34;"
		default:
			continue
		}
		buf.WriteString(s[last:i])
		buf.WriteString(esc)
		last = i + 1
	}
	buf.WriteString(s[last:])
}

// tokenClass is chroma's HTML formatter's class for a token type: the
// standard short name of the type or of its nearest parent that has one.
func tokenClass(t chroma.TokenType) string {
	for t != 0 {
		if cls, ok := chroma.StandardTypes[t]; ok {
			return cls
		}
		t = t.Parent()
	}
	return chroma.StandardTypes[t]
}

// diffKind is what the first character of a diff line says about it.
type diffKind uint8

const (
	diffNone    diffKind = iota // no recognised prefix (or an empty line)
	diffAdd                     // "+" or ">"
	diffRemove                  // "-" or "<"
	diffContext                 // " "
)

func classify(line string) diffKind {
	if line == "" {
		return diffNone
	}
	switch line[0] {
	case '+', '>':
		return diffAdd
	case '-', '<':
		return diffRemove
	case ' ':
		return diffContext
	}
	return diffNone
}

var diffLineClass = [...]string{
	diffNone:    "diff-line",
	diffAdd:     "diff-line diff-add",
	diffRemove:  "diff-line diff-remove",
	diffContext: "diff-line diff-context",
}

// highlightStop is highlight, giving up (plain text) once stop is closed.
func highlightStop(stop <-chan struct{}, l chroma.Lexer, text string, diff bool) []byte {
	var buf bytes.Buffer
	buf.Grow(len(text) * 3)
	if len(text) > maxHighlightBytes {
		l = nil
	}
	if diff {
		writeDiff(stop, &buf, l, text)
		return buf.Bytes()
	}
	if l != nil {
		if tokens, ok := tokeniseStop(stop, l, text); ok && writeTokens(&buf, tokens) {
			return buf.Bytes()
		}
		buf.Reset()
	}
	buf.WriteString(html.EscapeString(text))
	return buf.Bytes()
}

// writeDiff writes each line as
//
//	<span class="diff-line diff-add"><span class="diff-prefix">+</span>…highlighted rest…\n</span>
//
// The prefixes are cut off before the lexer sees the code, so the whole block
// is highlighted as one piece of the language (a string or comment spanning
// lines stays one), and the tokens are then split back into lines.
func writeDiff(stop <-chan struct{}, buf *bytes.Buffer, l chroma.Lexer, text string) {
	lines := strings.SplitAfter(text, "\n")
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	kinds := make([]diffKind, len(lines))
	var body strings.Builder
	body.Grow(len(text))
	for i, line := range lines {
		kinds[i] = classify(line)
		if kinds[i] != diffNone {
			line = line[1:]
		}
		body.WriteString(line)
	}
	rest := splitLines(stop, l, body.String(), len(lines))
	for i, line := range lines {
		buf.WriteString(`<span class="`)
		buf.WriteString(diffLineClass[kinds[i]])
		buf.WriteString(`">`)
		if kinds[i] != diffNone {
			buf.WriteString(`<span class="diff-prefix">`)
			buf.WriteString(html.EscapeString(line[:1]))
			buf.WriteString(`</span>`)
		}
		buf.Write(rest[i])
		buf.WriteString(`</span>`)
	}
}

// splitLines highlights body and returns the HTML of each of its n lines
// (each with its "\n", if any). Without a lexer, or if highlighting fails,
// the lines are escaped plain text.
func splitLines(stop <-chan struct{}, l chroma.Lexer, body string, n int) [][]byte {
	out := make([][]byte, 0, n)
	if l != nil {
		if tokens, ok := tokeniseStop(stop, l, body); ok {
			var buf bytes.Buffer
			good := true
			for _, line := range chroma.SplitTokensIntoLines(tokens) {
				buf.Reset()
				if !writeTokens(&buf, line) {
					good = false
					break
				}
				out = append(out, bytes.Clone(buf.Bytes()))
			}
			if good && len(out) == n {
				return out
			}
			out = out[:0]
		}
	}
	for _, line := range strings.SplitAfter(body, "\n") {
		if len(out) == n {
			break
		}
		out = append(out, []byte(html.EscapeString(line)))
	}
	for len(out) < n {
		out = append(out, nil)
	}
	return out
}

// memoKey identifies one highlighted block: lexer, mode and a hash of the code.
type memoKey struct {
	lexer string
	diff  bool
	sum   [sha256.Size]byte
}

// memo remembers highlighted blocks across documents (a rebuild in the dev
// server highlights the same blocks again). It holds two generations: new
// entries go into cur; when cur is full it becomes old and a fresh cur
// starts, so at most 2×max entries and 2×maxBytes bytes are kept and
// recently used blocks survive. Safe for concurrent use.
type memo struct {
	mu       sync.Mutex
	max      int
	maxBytes int
	cur, old map[memoKey][]byte
	curBytes int
}

// memoMaxBytes bounds the bytes held by one generation of the memo.
const memoMaxBytes = 4 << 20

func newMemo(entries int) *memo {
	if entries <= 0 {
		return nil
	}
	return &memo{max: entries, maxBytes: memoMaxBytes, cur: map[memoKey][]byte{}}
}

func (m *memo) get(k memoKey) ([]byte, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if v, ok := m.cur[k]; ok {
		return v, true
	}
	if v, ok := m.old[k]; ok {
		m.putLocked(k, v)
		return v, true
	}
	return nil, false
}

func (m *memo) put(k memoKey, v []byte) {
	if len(v) > m.maxBytes/4 {
		return // one huge block must not flush everything else
	}
	m.mu.Lock()
	m.putLocked(k, v)
	m.mu.Unlock()
}

func (m *memo) putLocked(k memoKey, v []byte) {
	if _, ok := m.cur[k]; ok {
		return
	}
	if len(m.cur) >= m.max || m.curBytes+len(v) > m.maxBytes {
		m.old, m.cur, m.curBytes = m.cur, make(map[memoKey][]byte, len(m.cur)), 0
	}
	m.cur[k] = v
	m.curBytes += len(v)
}

// highlightMemoStop is highlightMemo, giving up once stop is closed; what
// was cut short is not remembered.
func highlightMemoStop(stop <-chan struct{}, m *memo, l chroma.Lexer, text string, diff bool) []byte {
	if m == nil {
		return highlightStop(stop, l, text, diff)
	}
	k := memoKey{diff: diff, sum: sha256.Sum256([]byte(text))}
	if l != nil {
		k.lexer = l.Config().Name
	}
	if v, ok := m.get(k); ok {
		return v
	}
	v := highlightStop(stop, l, text, diff)
	select {
	case <-stop:
		return v // cut short: not remembered
	default:
	}
	m.put(k, v)
	return v
}
