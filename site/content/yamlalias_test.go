package content

import (
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// laughs is a "billion laughs": levels of nine aliases to the level below,
// 9^levels values once expanded.
func laughs(levels int, last string) string {
	var b strings.Builder
	b.WriteString(`a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]` + "\n")
	for i := 1; i < levels; i++ {
		p := "*a" + itoa(i-1)
		b.WriteString("a" + itoa(i) + ": &a" + itoa(i) + " [" + strings.Repeat(p+",", 8) + p + "]\n")
	}
	b.WriteString(last + ": *a" + itoa(levels-1) + "\n")
	return b.String()
}

func itoa(i int) string { return strconv.Itoa(i) }

// checkFields parses yml as a front matter starting on line 2 and
// compares its fields with want.
func checkFields(t *testing.T, yml string, want map[string]any) *FrontMatter {
	t.Helper()
	fm, err := ParseFrontMatter([]byte(yml), 2)
	if err != nil {
		t.Fatalf("ParseFrontMatter: %v", err)
	}
	if diff := cmp.Diff(want, fm.Map()); diff != "" {
		t.Errorf("fields (-want +got):\n%s", diff)
	}
	return fm
}

func TestFrontMatterAliasesAcrossKeys(t *testing.T) {
	for _, tc := range []struct {
		name, yml string
		want      map[string]any
	}{
		{"scalar", "x: &x \"Aliased\"\ntitle: *x\n", map[string]any{"x": "Aliased", "title": "Aliased"}},
		{"list", "base: &b [\"go\", \"aws\"]\ntopics: *b\n", map[string]any{"base": []any{"go", "aws"}, "topics": []any{"go", "aws"}}},
		{"anchor on the field itself", "title: &t \"T\"\ndescription: *t\n", map[string]any{"title": "T", "description": "T"}},
		{"inside a list", "x: &x go\ntopics: [*x, aws]\n", map[string]any{"x": "go", "topics": []any{"go", "aws"}}},
	} {
		t.Run(tc.name, func(t *testing.T) { checkFields(t, tc.yml, tc.want) })
	}
}

func TestYAMLAliasBombsAreRefused(t *testing.T) {
	for _, tc := range []struct{ name, yml string }{
		{"nine levels (a billion laughs)", laughs(9, "title")},
		{"twenty levels", laughs(20, "title")},
		{"as a book config", "title: t\n" + laughs(9, "summary")},
		{"nested maps", "a: &a {x: 1, y: 1, z: 1, w: 1}\nb: &b {x: *a, y: *a, z: *a, w: *a}\nc: &c {x: *b, y: *b, z: *b, w: *b}\nd: &d {x: *c, y: *c, z: *c, w: *c}\ne: &e {x: *d, y: *d, z: *d, w: *d}\nf: &f {x: *e, y: *e, z: *e, w: *e}\ng: &g {x: *f, y: *f, z: *f, w: *f}\nh: &h {x: *g, y: *g, z: *g, w: *g}\ntitle: *h\n"},
		{"one alias to a huge list", "big: &b [" + strings.Repeat("x, ", 20000) + "x]\ntitle: *b\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseFrontMatter([]byte(tc.yml), 2)
			se, ok := err.(*SyntaxError)
			if !ok {
				t.Fatalf("ParseFrontMatter = %v, want a *SyntaxError", err)
			}
			if !strings.Contains(se.Msg, "aliases") || !strings.Contains(se.Msg, "10000") {
				t.Errorf("message %q does not say what the limit is", se.Msg)
			}
			lines := strings.Split(tc.yml, "\n")
			if se.Line < 2 || se.Line-2 >= len(lines) || !strings.Contains(lines[se.Line-2][se.Col-1:], "*") {
				t.Errorf("reported at %d:%d, not at an alias", se.Line, se.Col)
			}
		})
	}
	// A few aliases, even to a large list, are fine.
	yml := "big: &b [" + strings.Repeat("x, ", 3000) + "x]\ntitle: t\nc: *b\nd: *b\n"
	if _, err := ParseFrontMatter([]byte(yml), 2); err != nil {
		t.Errorf("three copies of a 3,000-item list refused: %v", err)
	}
}

func TestCheckYAML(t *testing.T) {
	if err := CheckYAML([]byte(laughs(9, "title")), 1); err == nil {
		t.Error("CheckYAML accepted a billion laughs")
	}
	if err := CheckYAML([]byte("title: &t x\nauthor: *t\n"), 1); err != nil {
		t.Errorf("CheckYAML refused one alias: %v", err)
	}
	if err := CheckYAML([]byte("title: [\n"), 1); err != nil {
		t.Errorf("CheckYAML reported a syntax error (left to the decoder): %v", err)
	}
}
