package code

import (
	"bytes"
	"html"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/alecthomas/chroma/v2"
	chromahtml "github.com/alecthomas/chroma/v2/formatters/html"
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
