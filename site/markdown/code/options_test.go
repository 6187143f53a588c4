package code

// Options and shorthands only tests use: the build sets none of them, so
// they live here, out of the program (deadcode).

import (
	"github.com/alecthomas/chroma/v2"
)

// WithMemo sets how many highlighted blocks are remembered, keyed by the
// lexer, the diff mode and a SHA-256 of the code, so that a block seen
// again (a rebuild in the dev server, the same snippet in many pages) is
// not highlighted again. Up to 2×entries blocks and 2×4 MiB are kept.
// entries <= 0 turns the memo off.
func WithMemo(entries int) Option {
	return func(e *Extender) { e.memo = newMemo(entries) }
}

// WithCopyButton turns the copy button on (the default) or off, e.g. for a
// feed, where there is no script.
func WithCopyButton(on bool) Option {
	return func(e *Extender) { e.copyButton = on }
}

// tokenise runs the lexer over text. It returns ok=false when chroma fails,
// panics, or returns tokens that do not add up to text exactly (so no byte of
// the author's code is ever lost or changed by highlighting); the caller
// then shows the block as plain text.
func tokenise(l chroma.Lexer, text string) (tokens []chroma.Token, ok bool) {
	return tokeniseStop(nil, l, text)
}

// highlight returns the HTML that goes inside <code> for text, highlighted
// with l (nil: plain text), in diff mode or not. text uses "\n" line ends.
func highlight(l chroma.Lexer, text string, diff bool) []byte {
	return highlightStop(nil, l, text, diff)
}

func (m *memo) len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.cur) + len(m.old)
}

// highlightMemo is highlight with the memo in front of it (m may be nil).
func highlightMemo(m *memo, l chroma.Lexer, text string, diff bool) []byte {
	return highlightMemoStop(nil, m, l, text, diff)
}
