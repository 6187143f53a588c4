package code

import (
	"bytes"
	"html"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/alecthomas/chroma/v2"
	chromahtml "github.com/alecthomas/chroma/v2/formatters/html"
	"github.com/alecthomas/chroma/v2/lexers"
	"github.com/alecthomas/chroma/v2/styles"
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

// chromaTokens lexes text with chroma's own lexer l. chroma's 250 ms
// match timeout can make a rule fail to match on a starved machine, so a
// caller comparing with it retries on a difference.
func chromaTokens(t testing.TB, l chroma.Lexer, text string) []chroma.Token {
	t.Helper()
	it, err := l.Tokenise(nil, text)
	if err != nil {
		t.Fatal(err)
	}
	return it.Tokens()
}

// fastTokens lexes text with the fast lexer for l. A text that runs out of
// its step budget (shown as plain text by highlight) skips the test: there
// are no tokens to compare.
func fastTokens(t testing.TB, l chroma.Lexer, text string) (tokens []chroma.Token) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			if r != errTooSlow {
				panic(r)
			}
			t.Skipf("%s: out of steps on this text (highlighted as plain text)", l.Config().Name)
		}
	}()
	rl, ok := l.(*chroma.RegexLexer)
	if !ok {
		t.Fatalf("%s is a %T, not a regexp lexer", l.Config().Name, l)
	}
	f := fastFor(rl)
	if f == nil {
		t.Fatalf("%s: no fast lexer", l.Config().Name)
	}
	it, err := f.Tokenise(nil, text)
	if err != nil {
		t.Fatal(err)
	}
	return it.Tokens()
}

// sameAsChroma fails t unless the fast lexer gives exactly chroma's tokens
// for text (chroma is asked up to three times; see chromaTokens).
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

// TestFastLexerMatchesChroma lexes chroma's sample texts of every language
// (lexers/testdata/NAME.actual and NAME/*.actual) with chroma and with the
// fast lexer and wants the same tokens.
func TestFastLexerMatchesChroma(t *testing.T) {
	dir := filepath.Join(chromaDir(t), "lexers", "testdata")
	top, err1 := filepath.Glob(filepath.Join(dir, "*.actual"))
	nested, err2 := filepath.Glob(filepath.Join(dir, "*", "*.actual"))
	if err1 != nil || err2 != nil || len(top) < 100 {
		t.Fatalf("chroma's samples: %d files, %v %v", len(top), err1, err2)
	}
	tested := 0
	for _, file := range append(top, nested...) {
		rel, _ := filepath.Rel(dir, file)
		name := strings.TrimSuffix(rel, ".actual")
		if d, _, ok := strings.Cut(rel, string(filepath.Separator)); ok {
			name = d // NAME/sample.actual
		}
		l := lexers.Get(name)
		if _, ok := l.(*chroma.RegexLexer); !ok {
			continue
		}
		text, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		tested++
		t.Run(filepath.ToSlash(rel), func(t *testing.T) { sameAsChroma(t, l, string(text)) })
	}
	if tested < 150 {
		t.Errorf("only %d samples compared", tested)
	}
	t.Logf("%d samples compared", tested)
}

// TestFastLexerSamples: the languages of technical articles, including
// texts that lex a part again with the same lexer (Go calls) or another
// one (Dockerfile RUN lines are bash), and broken input.
func TestFastLexerSamples(t *testing.T) {
	tests := []struct{ name, lang, text string }{
		{"go", "go", "package main\n\n// c\nfunc main() { x := `a\nb`; fmt.Println (x, 1.5, 'c', \"s\\n\") }\n"},
		{"go unterminated", "go", "x := \"abc\ny := 'q\n/* open"},
		{"yaml", "yaml", "# c\na: [1, \"two\"]\nb: |\n  text\n---\n- &x {k: v}\n- *x\n"},
		{"bash", "bash", "#!/bin/sh\nfor f in *; do echo \"$f\" $((1+2)) $(ls \"$f\"); done # c\ncat <<EOF\nhi\nEOF\n"},
		{"typescript", "typescript", "export function f<T>(a: number): string { return `${a}`; } // c\n"},
		{"dockerfile", "docker", "FROM golang:1.22 AS build\nRUN go build -o /app . && echo \"done\"\nCMD [\"/app\", \"-v\"]\n"},
		{"hcl", "hcl", "resource \"aws_s3_bucket\" \"b\" {\n  bucket = \"x-${var.env}\"\n  tags = { a = 1 }\n}\n"},
		{"json", "json", "{\"a\": [1, 2.5e3, true, null], \"b\": {\"c\": \"d\\u00e9\"}}\n"},
		{"html with css and js", "html", "<style>a{color:red}</style><script>let x = 1 < 2;</script><p class=x>t</p>\n"},
		{"python", "python", "def f(x: int) -> str:\n    \"\"\"doc\"\"\"\n    return f\"{x!r}\"  # c\n"},
		{"sql case-insensitive", "sql", "select * FROM t WHERE a = 'x' -- c\n"},
		{"non-ASCII and control characters", "go", "s := \"日本語\"\v\x00x\u3000:= 1\r\n\f// コメント\n"},
		{"empty", "go", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { sameAsChroma(t, lexers.Get(tt.lang), tt.text) })
	}
}

// TestFastLexerTimeout: every rule of a fast lexer (and of one it hands a
// part to) has matchTimeout, not chroma's 250 ms.
func TestFastLexerTimeout(t *testing.T) {
	for _, lang := range []string{"go", "docker", "bash"} {
		f, err := newFastLexer(lexers.Get(lang).(*chroma.RegexLexer))
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for state, rules := range f.rules {
			for i, r := range rules {
				n++
				if r.Regexp.MatchTimeout != matchTimeout {
					t.Errorf("%s: %s.%d: timeout %v, want %v", lang, state, i, r.Regexp.MatchTimeout, matchTimeout)
				}
			}
		}
		if n == 0 {
			t.Errorf("%s: no rules", lang)
		}
	}
	if _, ok := lexerNamed("Bash", nil).(*fastLexer); !ok {
		t.Errorf("lexerNamed(Bash) is not a fast lexer")
	}
}

// TestFirstChars: the characters a rule's match can begin with, and the
// patterns that are always tried.
func TestFirstChars(t *testing.T) {
	tests := []struct {
		name, pattern, flags string
		want                 string // the printable ASCII in the set; "-" for always tried
	}{
		{"literal", `func\b`, "m", "f"},
		{"alternation", `(import|package)\b`, "m", "ip"},
		{"class", `[a-c_]\w*`, "m", "_abc"},
		{"case folding", `select\b`, "mi", "Ss"},
		{"folded class", `[a-b]`, "i", "ABab"},
		{"optional prefix", `-?\d+`, "", "-0123456789"},
		{"star then literal", `\s*=`, "", " ="},
		{"can be empty", `a*`, "", "-"},
		{"empty alternative", `(a|)`, "", "-"},
		{"lookahead", `(?=x)y`, "", "y"},
		{"backreference first", `(a)?\1`, "", "-"},
		{"dot", `.`, "", "-"},
		{"anchor then literal", `^#`, "m", "#"},
		{"repeat zero", `a{0,2}b`, "", "ab"},
		{"empty pattern", ``, "", "-"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			set, ok := firstChars(tt.pattern, tt.flags)
			got := "-"
			if ok {
				var b strings.Builder
				n := 0
				for c := rune(0x20); c < 0x7f; c++ {
					if set.has(c) {
						b.WriteRune(c)
						n++
					}
				}
				got = b.String()
				if n == 0x7f-0x20 {
					got = "all"
				}
			}
			if got != tt.want {
				t.Errorf("firstChars(%q, %q) = %q, want %q", tt.pattern, tt.flags, got, tt.want)
			}
		})
	}
}

// BenchmarkLexer lexes chroma's samples of the languages most used in
// technical articles with chroma's lexer and with the fast one.
//
//	go test ./site/markdown/code -run '^$' -bench Lexer
func BenchmarkLexer(b *testing.B) {
	dir := filepath.Join(chromaDir(b), "lexers", "testdata")
	for _, lang := range []string{"go", "yaml", "bash", "json", "typescript", "terraform"} {
		text, err := os.ReadFile(filepath.Join(dir, lang+".actual"))
		if err != nil {
			b.Fatal(err)
		}
		l := lexers.Get(lang)
		f, err := newFastLexer(l.(*chroma.RegexLexer))
		if err != nil {
			b.Fatal(err)
		}
		for _, c := range []struct {
			name string
			l    chroma.Lexer
		}{{"chroma", l}, {"fast", f}} {
			b.Run(lang+"/"+c.name, func(b *testing.B) {
				b.SetBytes(int64(len(text)))
				for b.Loop() {
					it, err := c.l.Tokenise(nil, string(text))
					if err != nil {
						b.Fatal(err)
					}
					for t := it(); t != chroma.EOF; t = it() {
					}
				}
			})
		}
	}
}

// chromaHTML is chroma's own HTML formatter, set up as this package's
// markup: classes, nothing around the tokens.
func chromaHTML(t *testing.T, tokens []chroma.Token) string {
	t.Helper()
	var b bytes.Buffer
	f := chromahtml.New(chromahtml.WithClasses(true), chromahtml.PreventSurroundingPre(true))
	if err := f.Format(&b, styles.Get(LightStyle), chroma.Literator(tokens...)); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// TestWriteTokensMatchesChroma: writeTokens writes what chroma's formatter
// writes, for chroma's samples of the common languages and for token lists
// with empty tokens and line ends in every place.
func TestWriteTokensMatchesChroma(t *testing.T) {
	tok := func(tt chroma.TokenType, v string) chroma.Token { return chroma.Token{Type: tt, Value: v} }
	cases := map[string][]chroma.Token{
		"none":                 nil,
		"one empty":            {tok(chroma.Comment, "")},
		"empty after newline":  {tok(chroma.Comment, "a\n"), tok(chroma.Keyword, "")},
		"two empty at the end": {tok(chroma.Comment, "a\n"), tok(chroma.Keyword, ""), tok(chroma.Name, "")},
		"empty in the middle":  {tok(chroma.Comment, "a"), tok(chroma.Keyword, ""), tok(chroma.Name, "b\n")},
		"multi-line token":     {tok(chroma.CommentMultiline, "/* a\n\nb */"), tok(chroma.Text, "\n")},
		"newline only":         {tok(chroma.Text, "\n"), tok(chroma.LiteralString, "\n\n")},
		"escapes":              {tok(chroma.LiteralString, `"<a href='x'>&amp;</a>"`)},
		"unknown type":         {tok(chroma.TokenType(12345), "x"), tok(chroma.NameBuiltinPseudo, "self")},
	}
	dir := filepath.Join(chromaDir(t), "lexers", "testdata")
	for _, lang := range []string{"go", "yaml", "bash", "json", "typescript", "terraform", "java", "ruby", "javascript"} {
		text, err := os.ReadFile(filepath.Join(dir, lang+".actual"))
		if err != nil {
			t.Fatal(err)
		}
		it, err := lexerFor(lang).Tokenise(nil, string(text))
		if err != nil {
			t.Fatal(err)
		}
		cases[lang] = it.Tokens()
	}
	for name, tokens := range cases {
		t.Run(name, func(t *testing.T) {
			var b bytes.Buffer
			writeTokens(&b, tokens)
			if diff := cmp.Diff(chromaHTML(t, tokens), b.String()); diff != "" {
				t.Errorf("(-chroma +writeTokens):\n%s", diff)
			}
		})
	}
}

// TestLiteralPrefixes: the strings a rule's match must begin with, when its
// pattern starts with literal text.
func TestLiteralPrefixes(t *testing.T) {
	tests := []struct {
		name, pattern, flags string
		want                 []string // nil: no prefix check
	}{
		{"word", `func\b`, "m", []string{"func"}},
		{"words", `(import|package)\b`, "m", []string{"import", "package"}},
		{"words then group", `(len|cap)\b(\()`, "m", []string{"cap(", "len("}},
		{"literal then class", `0x[0-9a-f]+`, "", []string{"0x"}},
		{"class first", `[a-z]+`, "", nil},
		{"case-insensitive", `select\b`, "mi", nil},
		{"optional word", `(foo)?bar`, "", nil},
		{"empty alternative", `(a|)`, "", nil},
		{"assertion first", `^#`, "m", []string{"#"}},
		{"lookahead first", `(?=ab)a`, "", []string{"a"}},
		{"long word cut", `abcdefghijklmnopqrstuvwxyz`, "", []string{"abcdefghijklmnop"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, p := range literalPrefixes(tt.pattern, tt.flags) {
				got = append(got, string(p))
			}
			slices.Sort(got)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("literalPrefixes(%q, %q) (-want +got):\n%s", tt.pattern, tt.flags, diff)
			}
		})
	}
}

// TestHighlightGivesUp: a block on which a lexer's rule would rescan a long
// line at every character (HCL's "(.*?)(\s*)(=)" on a 64 KB line without
// "=") is shown as plain text once its step budget is spent, instead of
// taking minutes; the same amount of code in ordinary lines is highlighted.
func TestHighlightGivesUp(t *testing.T) {
	long := strings.Repeat("abc ", 16<<10) + "\n"
	if got, want := string(highlight(lexerFor("hcl"), long, false)), html.EscapeString(long); got != want {
		t.Errorf("long line: got %.80q…, want it as plain text", got)
	}
	lines := strings.Repeat("name = \"abc\"\n", 5<<10)
	if got := string(highlight(lexerFor("hcl"), lines, false)); !strings.Contains(got, `<span class="`) {
		t.Errorf("ordinary lines not highlighted: %.80q…", got)
	}
}
