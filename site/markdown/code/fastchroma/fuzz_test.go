package fastchroma

import (
	"slices"
	"testing"
	"time"

	"github.com/alecthomas/chroma/v2/lexers"
	"github.com/dlclark/regexp2/v2"
)

// FuzzMatchesChroma lexes any text in the languages of technical articles
// with chroma and with the fast lexer: the same tokens.
func FuzzMatchesChroma(f *testing.F) {
	langs := []string{"go", "yaml", "bash", "json", "typescript", "docker", "hcl", "python", "html", "sql", "rust", "diff"}
	f.Add(uint8(0), "package main\n\nfunc main() { fmt.Println(`x`) }\n")
	f.Add(uint8(2), "echo \"$(ls)\" <<EOF\nx\nEOF\n")
	f.Add(uint8(4), "const f = <T,>(a: T): T => a; // `${x}`\n")
	f.Add(uint8(5), "RUN apt-get install -y x && echo \"ok\"\n")
	f.Add(uint8(8), "<script>var a = 1 < 2;</script><style>p{}</style>\n")
	f.Add(uint8(9), "SELECT a FROM b -- c\n")
	f.Add(uint8(1), "a: [1, \"two\"]\nb: |\n  x\n\v\u3000\x00")
	f.Fuzz(func(t *testing.T, li uint8, text string) {
		if len(text) > 4096 {
			return
		}
		sameAsChroma(t, lexers.Get(langs[int(li)%len(langs)]), text)
	})
}

// FuzzSimpleMatcher compares the simple matcher with regexp2 on any
// pattern it takes and any text, at every position: the same matches and
// the same groups.
func FuzzSimpleMatcher(f *testing.F) {
	for _, s := range [][2]string{
		{`(import|package)\b`, "import x\npackage main"},
		{`([a-zA-Z_]\w*)(\s*)(\()`, "foo (bar) x.y(z)"},
		{`\d+(\.\d+[eE][+\-]?\d+|\.\d*|[eE][+\-]?\d+)`, "1.5e3 2. 3e+4 x"},
		{`(<<=|>>=|<<|>>|<=|>=|&\^=|&\^|\+=|-=)`, "<<= >> &^ += -"},
		{`^\s*([^\W\d]|\$)[\w$]*:`, "  label:\n$x: y"},
		{`(a|ab)(c|bcd)(d*)`, "abcd abcdd"},
		{`a*?b+?c{2,3}`, "aabbccc abcc"},
		{`(?:x(y)|x)z$`, "xyz\nxz"},
		{`\B-\b`, "a-b -c"},
		{`(?>a+)b|a+`, "aaab aaa"},
		{`[^\n\r]*`, "日本語\r\nx"},
	} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, pattern, text string) {
		if len(pattern) > 200 || len(text) > 200 {
			return
		}
		re, err := regexp2.Compile(rulePattern(pattern, "m"))
		if err != nil {
			return
		}
		re.MatchTimeout = time.Second
		m := compileSimple(pattern, "m", re)
		if m == nil {
			return
		}
		runes := []rune(text)
		for pos := 0; pos <= len(runes); pos++ {
			want, err := re.FindRunesMatchStartingAt(runes, pos)
			if err != nil {
				return // regexp2 timed out
			}
			run := simpleRun{text: runes, limit: 1 << 14}
			ok, done := m.match(&run, pos)
			if !done {
				continue // out of steps
			}
			if (want != nil && want.RuneIndex == pos) != ok {
				t.Fatalf("%q at %d of %q: regexp2 matched %v, simple %v", pattern, pos, text, want != nil, ok)
			}
			if !ok {
				continue
			}
			var wg []string
			for _, g := range want.Groups() {
				wg = append(wg, g.String())
			}
			if got := run.groups(m.groups); !slices.Equal(wg, got) {
				t.Fatalf("%q at %d of %q: regexp2 groups %q, simple %q", pattern, pos, text, wg, got)
			}
		}
	})
}
