package fastchroma

import (
	"errors"
	"strings"
	"testing"

	"github.com/alecthomas/chroma/v2"
	"github.com/alecthomas/chroma/v2/lexers"
)

// hcl is the fast HCL lexer, whose rule "(.*?)(\s*)(=)" rescans a line
// without "=" from every character.
func hcl(t *testing.T) *Lexer {
	t.Helper()
	l, err := For(lexers.Get("hcl").(*chroma.RegexLexer))
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// drainTokens runs it to the end and returns what it panicked with.
func drainTokens(it chroma.Iterator) (panicked any) {
	defer func() { panicked = recover() }()
	for t := it(); t != chroma.EOF; t = it() {
	}
	return nil
}

// TestWithStop: an iterator of WithStop stops, with ErrCancelled, once its
// stop channel is closed, long before the block is lexed.
func TestWithStop(t *testing.T) {
	stop := make(chan struct{})
	close(stop)
	long := strings.Repeat("abc ", 16<<10) + "\n" // HCL rescans this line: seconds
	it, err := hcl(t).WithStop(stop).Tokenise(nil, long)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := drainTokens(it).(error); !errors.Is(got, ErrCancelled) {
		t.Fatalf("lexing went on after stop (recovered %v)", got)
	}
	it, _ = hcl(t).WithStop(make(chan struct{})).Tokenise(nil, "a = 1\n")
	if got := drainTokens(it); got != nil {
		t.Errorf("an open stop channel stopped lexing: %v", got)
	}
}

// TestGivesUp: a block on which a rule rescans a 64 KB line at every
// character runs out of its work budget (ErrTooSlow) instead of taking
// minutes; the same amount of code in ordinary lines is lexed.
func TestGivesUp(t *testing.T) {
	it, _ := hcl(t).Tokenise(nil, strings.Repeat("abc ", 16<<10)+"\n")
	if got := drainTokens(it); got != ErrTooSlow {
		t.Errorf("long line: recovered %v, want ErrTooSlow", got)
	}
	it, _ = hcl(t).Tokenise(nil, strings.Repeat("name = \"abc\"\n", 5<<10))
	if got := drainTokens(it); got != nil {
		t.Errorf("ordinary lines: recovered %v", got)
	}
}
