package mermaid

import (
	"crypto/sha512"
	"encoding/base64"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"

	"github.com/kiji-ssg/kiji/site/markdown/golden"
)

func newMD() goldmark.Markdown {
	return goldmark.New(goldmark.WithExtensions(extension.GFM, New()))
}

// TestGolden converts testdata/*.txtar's input.md and compares the HTML
// (output.html), the problems and whether the page needs mermaid (needs).
// Refresh with: go test ./site/markdown/mermaid -update
func TestGolden(t *testing.T) {
	md := newMD()
	golden.Run(t, "testdata/*.txtar", func(t *testing.T, a *golden.Archive) []golden.Output {
		got := golden.Convert(t, md, "content/articles/test.md", a.Input(t))
		needs := []byte("no\n")
		if got.Doc.Needs("mermaid") {
			needs = []byte("mermaid\n")
		}
		return []golden.Output{{Name: "output.html", Data: []byte(got.HTML)}, {Name: "problems", Data: got.ProblemLines()}, {Name: "needs", Data: needs}}
	})
}

func TestIsMermaid(t *testing.T) {
	tests := []struct {
		info string
		want bool
	}{
		{"mermaid", true},
		{"Mermaid", true},
		{"MERMAID", true},
		{"mermaid:flow.mmd", true},
		{"mermaid title", true},
		{"  mermaid  ", true},
		{"mermaidx", false},
		{"xmermaid", false},
		{"", false},
		{"js", false},
		{"diff mermaid", false},
	}
	for _, tt := range tests {
		if got := isMermaid([]byte(tt.info)); got != tt.want {
			t.Errorf("isMermaid(%q) = %v, want %v", tt.info, got, tt.want)
		}
	}
}

func TestScriptTag(t *testing.T) {
	if !strings.HasPrefix(Integrity, "sha384-") {
		t.Fatalf("Integrity %q is not a sha384 hash", Integrity)
	}
	sum, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(Integrity, "sha384-"))
	if err != nil || len(sum) != sha512.Size384 {
		t.Fatalf("Integrity %q does not hold a 48-byte SHA-384: %v", Integrity, err)
	}
	for _, want := range []string{
		`src="https://cdn.jsdelivr.net/npm/mermaid@` + Version + `/dist/mermaid.min.js"`,
		`integrity="` + Integrity + `"`,
		`crossorigin="anonymous"`,
		`prefers-color-scheme: dark`,
		`securityLevel:"strict"`,
		`<script>` + InitScript + `</script>`,
	} {
		if !strings.Contains(ScriptTag, want) {
			t.Errorf("ScriptTag lacks %s", want)
		}
	}
}

// TestIntegrityOfFile checks Integrity against the real file when one is
// given (it is 5.5 MB and not committed):
//
//	npm pack mermaid@12.3.0 && tar xzf mermaid-12.3.0.tgz package/dist/mermaid.min.js
//	KIJI_MERMAID_JS=$PWD/package/dist/mermaid.min.js go test ./site/markdown/mermaid -run Integrity
func TestIntegrityOfFile(t *testing.T) {
	path := os.Getenv("KIJI_MERMAID_JS")
	if path == "" {
		t.Skip("set KIJI_MERMAID_JS to the path of mermaid.min.js from npm's mermaid@" + Version)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha512.Sum384(b)
	if got := "sha384-" + base64.StdEncoding.EncodeToString(sum[:]); got != Integrity {
		t.Errorf("%s has integrity %s, the package says %s", path, got, Integrity)
	}
}

// FuzzConvert: any document converts without panic, deterministically.
func FuzzConvert(f *testing.F) {
	for _, s := range []string{"```mermaid\ngraph LR\nA-->B\n```", "```mermaid\n", "~~~Mermaid:x\n<b>\n~~~", "> ```mermaid\n> a\n", "```mermaid\n```"} {
		f.Add(s)
	}
	md := newMD()
	f.Fuzz(func(t *testing.T, src string) {
		a := golden.Convert(t, md, "content/articles/test.md", []byte(src))
		b := golden.Convert(t, md, "content/articles/test.md", []byte(src))
		type conv struct {
			HTML     string
			Problems []string
			Needs    bool
		}
		if diff := cmp.Diff(conv{a.HTML, a.Problems, a.Doc.Needs("mermaid")}, conv{b.HTML, b.Problems, b.Doc.Needs("mermaid")}); diff != "" {
			t.Fatalf("two conversions differ:\n%s", diff)
		}
		if strings.Count(a.HTML, `<pre class="mermaid">`) > 0 != (a.Doc.Needs("mermaid") || len(a.Problems) > 0) {
			t.Fatalf("a diagram was written but the page does not need mermaid (or the reverse): %q", src)
		}
	})
}
