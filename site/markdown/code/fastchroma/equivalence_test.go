package fastchroma

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/alecthomas/chroma/v2"
	"github.com/alecthomas/chroma/v2/lexers"
)

// TestMatchesChroma is the gate for this package and for any bump of
// chroma or regexp2: it lexes chroma's sample texts of every language
// (lexers/testdata/NAME.actual and NAME/*.actual, from the chroma version
// in use) with chroma and with the fast lexer, and fails on any token that
// differs.
func TestMatchesChroma(t *testing.T) {
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

// TestSamples: the languages of technical articles, including texts that
// lex a part again with the same lexer (Go calls) or another one
// (Dockerfile RUN lines are bash), and broken input.
func TestSamples(t *testing.T) {
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
		{"carriage returns", "python", "a = 1\r\nb = 2\rc = 3"},
		{"empty", "go", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { sameAsChroma(t, lexers.Get(tt.lang), tt.text) })
	}
}

// TestEveryLexerCompiles: every regexp lexer chroma registers compiles
// into a fast lexer, and every Using and UsingSelf emitter in its rules
// (alone or inside ByGroups) was recognised and replaced: the reflection on
// chroma's unexported emitter types still finds the fields it reads.
func TestEveryLexerCompiles(t *testing.T) {
	n := 0
	for _, l := range lexers.GlobalLexerRegistry.Lexers {
		rl, ok := l.(*chroma.RegexLexer)
		if !ok {
			continue
		}
		n++
		f, err := newLexer(rl, both)
		if err != nil {
			t.Errorf("%s: %v", l.Config().Name, err)
			continue
		}
		for state, rules := range f.rules {
			for i, r := range rules {
				if bad := unreplaced(r.Type); bad != "" {
					t.Errorf("%s: rule %s.%d: a %q emitter was not replaced (chroma's emitter types changed?)", l.Config().Name, state, i, bad)
				}
			}
		}
	}
	if n < 200 {
		t.Errorf("only %d regexp lexers in chroma's registry", n)
	}
	t.Logf("%d regexp lexers compiled", n)
}

// unreplaced returns the kind of a chroma emitter in e that rewriteEmitter
// should have replaced or been able to look into, or "".
func unreplaced(e chroma.Emitter) string {
	se, ok := e.(chroma.SerialisableEmitter)
	if !ok {
		return ""
	}
	switch k := se.EmitterKind(); k {
	case "using", "usingself":
		return k
	case "bygroups":
		inner, ok := byGroupsEmitters(e)
		if !ok {
			return k
		}
		for _, ie := range inner {
			if bad := unreplaced(ie); bad != "" {
				return bad
			}
		}
	}
	return ""
}

// TestTimeout: every rule of a fast lexer (and of one it hands a part to)
// has MatchTimeout, not chroma's 250 ms.
func TestTimeout(t *testing.T) {
	for _, lang := range []string{"go", "docker", "bash"} {
		f, err := For(lexers.Get(lang).(*chroma.RegexLexer))
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for state, rules := range f.rules {
			for i, r := range rules {
				n++
				if r.Regexp.MatchTimeout != MatchTimeout {
					t.Errorf("%s: %s.%d: timeout %v, want %v", lang, state, i, r.Regexp.MatchTimeout, MatchTimeout)
				}
			}
		}
		if n == 0 {
			t.Errorf("%s: no rules", lang)
		}
	}
	if _, ok := lexerNamed("Bash", nil, both).(*Lexer); !ok {
		t.Errorf("lexerNamed(Bash) is not a fast lexer")
	}
}
