package content

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/kiji-ssg/kiji/site/diag"
)

// TestFrontMatterControlCharsDropped: control characters YAML forbids
// (real repositories hold a backspace in a title that zenn.dev publishes)
// are left out before parsing, each listed at its file line and column;
// tab and line ends are kept. Before, the article failed to build.
func TestFrontMatterControlCharsDropped(t *testing.T) {
	for _, tc := range []struct {
		name, yml string
		want      map[string]any
		dropped   []Dropped
	}{
		{"none", "title: \"a\tb\"\n", map[string]any{"title": "a\tb"}, nil},
		{"a backspace in a title", "title: \"怪奇！\bECS\"\ntype: tech\n", map[string]any{"title": "怪奇！ECS", "type": "tech"}, []Dropped{{Line: 2, Col: 12, Rune: 8}}},
		{"two on two lines", "emoji: \"x\"\ntitle: \x01T\x7f\n", map[string]any{"emoji": "x", "title": "T"}, []Dropped{{Line: 3, Col: 8, Rune: 1}, {Line: 3, Col: 10, Rune: 0x7f}}},
		{"a NUL in a list", "topics: [\"go\x00\", aws]\n", map[string]any{"topics": []any{"go", "aws"}}, []Dropped{{Line: 2, Col: 13, Rune: 0}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fm := checkFields(t, tc.yml, tc.want)
			if diff := cmp.Diff(tc.dropped, fm.Dropped); diff != "" {
				t.Errorf("dropped (-want +got):\n%s", diff)
			}
		})
	}
}

// TestControlCharWarning: an article with a control character in its
// front matter is built (its title without it) with a warning at the
// character; with ZennStrict (zenn-cli refuses it) the warning is an error.
func TestControlCharWarning(t *testing.T) {
	src := []byte("---\ntitle: \"A \bB\"\nemoji: \"🐛\"\ntype: tech\ntopics: [go]\npublished: true\n---\n\nText\n")
	for _, strict := range []bool{false, true} {
		var l diag.List
		a := ParseArticle("articles/control-chars-01.md", src, Options{ZennStrict: strict}, &l)
		if a == nil {
			t.Fatalf("strict=%v: the article was not read: %v", strict, l.Sorted())
		}
		if f, _ := a.Front.Get("title"); f.Value != "A B" {
			t.Errorf("strict=%v: title %q, want %q", strict, f.Value, "A B")
		}
		want := diag.Warning
		if strict {
			want = diag.Error
		}
		var got []string
		for _, p := range l.Sorted() {
			if p.Rule == "front-matter-control" {
				got = append(got, p.Severity.String()+" "+itoa(p.Line)+":"+itoa(p.Col))
			}
		}
		if diff := cmp.Diff([]string{want.String() + " 2:11"}, got); diff != "" {
			t.Errorf("strict=%v: problems (-want +got):\n%s", strict, diff)
		}
	}
}

// TestControlCharSyntaxErrorColumn: a YAML error after a dropped control
// character on its line is reported at its column in the file, not one
// to the left.
func TestControlCharSyntaxErrorColumn(t *testing.T) {
	col := func(yml string) int {
		t.Helper()
		_, err := ParseFrontMatter([]byte(yml), 2)
		var se *SyntaxError
		if !errors.As(err, &se) {
			t.Fatalf("%q: got %v, want a SyntaxError", yml, err)
		}
		return se.Col
	}
	plain := col("title: \"Half\" quoted\n")
	if got, want := col("title: \"Ha\blf\" quoted\n"), plain+1; got != want {
		t.Errorf("error column with a backspace before it: got %d, want %d (the file's column)", got, want)
	}
	if got, want := col("title: \"Half\" quoted \b\n"), col("title: \"Half\" quoted \n"); got != want {
		t.Errorf("error column with a backspace after it: got %d, want %d", got, want)
	}
}

// TestYAMLErrorSaysWhatToDo: the YAML parser's messages for common
// mistakes come with what to do, at the file's line and column.
func TestYAMLErrorSaysWhatToDo(t *testing.T) {
	for _, tc := range []struct {
		name, yml string
		line, col int
		want      string
	}{
		{"text after a quoted value", "title: \"Half\" quoted\n", 2, 15, `quote the whole value`},
		{"an apostrophe in single quotes", "title: 'it's'\n", 2, 12, `'it''s'`},
		{"a colon in a value", "title: a: b\n", 2, 8, `quote the value ("a: b")`},
		{"a line indented under a value", "title: x\n  emoji: y\n", 2, 8, `start every field at the line's beginning`},
		{"a tab", "title: x\n\ttopics: [a]\n", 3, 1, "YAML indents with spaces"},
		{"a value starting with @", "title: @x\n", 2, 8, "quote the value"},
		{"a field twice", "title: x\ntitle: y\n", 3, 1, "already defined at line 2; a field appears twice"},
		{"an unclosed quote", "title: \"x\n", 2, 8, "add its closing quote"},
		{"an unclosed list", "topics: [a, b\n", 2, 9, "add ] at its end"},
		{"a list without commas", "topics: [\"a\" \"b\"]\n", 2, 14, "with commas"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseFrontMatter([]byte(tc.yml), 2)
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("got %v, want a SyntaxError", err)
			}
			if !strings.Contains(se.Msg, tc.want) || se.Line != tc.line || se.Col != tc.col {
				t.Errorf("got %d:%d %q, want %d:%d and a message with %q", se.Line, se.Col, se.Msg, tc.line, tc.col, tc.want)
			}
		})
	}
}
