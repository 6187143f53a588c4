package fastchroma

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/alecthomas/chroma/v2"
	"github.com/google/go-cmp/cmp"
)

// chromaDir is the chroma module's folder in the module cache, for its
// sample texts of every language (lexers/testdata/*.actual).
func chromaDir(t testing.TB) string {
	t.Helper()
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/alecthomas/chroma/v2").Output()
	if err != nil {
		t.Fatalf("go list chroma: %v", err)
	}
	return strings.TrimSpace(string(out))
}

// chromaTokens lexes text with chroma's own lexer l.
func chromaTokens(t testing.TB, l chroma.Lexer, text string) []chroma.Token {
	t.Helper()
	it, err := l.Tokenise(nil, text)
	if err != nil {
		t.Fatal(err)
	}
	return it.Tokens()
}

// fastTokens lexes text with the fast lexer for l. A text that runs out of
// its step budget skips the test: there are no tokens to compare (the
// caller shows such a block as plain text).
func fastTokens(t testing.TB, l chroma.Lexer, text string) (tokens []chroma.Token) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			if r != ErrTooSlow {
				panic(r)
			}
			t.Skipf("%s: out of steps on this text (highlighted as plain text)", l.Config().Name)
		}
	}()
	rl, ok := l.(*chroma.RegexLexer)
	if !ok {
		t.Fatalf("%s is a %T, not a regexp lexer", l.Config().Name, l)
	}
	f, err := For(rl)
	if err != nil {
		t.Fatalf("%s: %v", l.Config().Name, err)
	}
	it, err := f.Tokenise(nil, text)
	if err != nil {
		t.Fatal(err)
	}
	return it.Tokens()
}

// sameAsChroma fails t unless the fast lexer gives exactly chroma's tokens
// for text. chroma's 250 ms match timeout can make one of its rules fail
// on a starved machine, so chroma is asked up to three times.
func sameAsChroma(t *testing.T, l chroma.Lexer, text string) {
	t.Helper()
	got := fastTokens(t, l, text)
	var diff string
	for range 3 {
		if diff = cmp.Diff(chromaTokens(t, l, text), got); diff == "" {
			return
		}
	}
	t.Errorf("%s: fast lexer differs from chroma (-chroma +fast):\n%s", l.Config().Name, diff)
}
