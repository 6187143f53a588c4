package mermaid

import (
	"bytes"
	"crypto/sha512"
	"encoding/base64"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/kiji-ssg/kiji/site/diag"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	"golang.org/x/tools/txtar"
)

var update = flag.Bool("update", false, "rewrite golden files")

func newMD() goldmark.Markdown {
	return goldmark.New(goldmark.WithExtensions(extension.GFM, New()))
}

type converted struct {
	html     string
	problems []string
	needs    bool
}

func convert(t testing.TB, md goldmark.Markdown, src []byte) converted {
	t.Helper()
	list := &diag.List{}
	doc := &diag.Doc{File: "content/articles/test.md", Src: src, List: list}
	pc := parser.NewContext()
	diag.Attach(pc, doc)
	var b bytes.Buffer
	if err := md.Convert(src, &b, parser.WithContext(pc)); err != nil {
		t.Fatalf("Convert: %v", err)
	}
	c := converted{html: b.String(), needs: doc.Needs("mermaid")}
	for _, p := range list.Sorted() {
		c.problems = append(c.problems, p.Error())
	}
	return c
}

func section(ar *txtar.Archive, name string) ([]byte, bool) {
	for _, f := range ar.Files {
		if f.Name == name {
			return f.Data, true
		}
	}
	return nil, false
}

func setSection(ar *txtar.Archive, name string, data []byte) {
	for i, f := range ar.Files {
		if f.Name == name {
			ar.Files[i].Data = data
			return
		}
	}
	ar.Files = append(ar.Files, txtar.File{Name: name, Data: data})
}

func lines(s []string) []byte {
	if len(s) == 0 {
		return nil
	}
	return []byte(strings.Join(s, "\n") + "\n")
}

// TestGolden converts testdata/*.txtar's input.md and compares the HTML
// (output.html), the problems and whether the page needs mermaid (needs).
// Refresh with: go test ./site/markdown/mermaid -update
func TestGolden(t *testing.T) {
	files, err := filepath.Glob("testdata/*.txtar")
	if err != nil || len(files) == 0 {
		t.Fatalf("no golden files: %v", err)
	}
	md := newMD()
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".txtar")
		t.Run(name, func(t *testing.T) {
			ar, err := txtar.ParseFile(file)
			if err != nil {
				t.Fatal(err)
			}
			input, ok := section(ar, "input.md")
			if !ok {
				t.Fatalf("%s has no input.md", file)
			}
			got := convert(t, md, input)
			needs := []byte("no\n")
			if got.needs {
				needs = []byte("mermaid\n")
			}
			if *update {
				setSection(ar, "output.html", []byte(got.html))
				setSection(ar, "problems", lines(got.problems))
				setSection(ar, "needs", needs)
				if err := os.WriteFile(file, txtar.Format(ar), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, ok := section(ar, "output.html")
			if !ok {
				t.Fatalf("%s has no output.html; run with -update", file)
			}
			if diff := cmp.Diff(string(want), got.html); diff != "" {
				t.Errorf("output.html (-want +got):\n%s", diff)
			}
			wantProblems, _ := section(ar, "problems")
			if diff := cmp.Diff(string(wantProblems), string(lines(got.problems))); diff != "" {
				t.Errorf("problems (-want +got):\n%s", diff)
			}
			wantNeeds, _ := section(ar, "needs")
			if diff := cmp.Diff(string(wantNeeds), string(needs)); diff != "" {
				t.Errorf("needs (-want +got):\n%s", diff)
			}
		})
	}
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
	local := LocalScriptTag(`/assets/m"x/mermaid.min.js`)
	if !strings.Contains(local, `src="/assets/m&#34;x/mermaid.min.js" integrity="`+Integrity+`"`) {
		t.Errorf("LocalScriptTag does not escape its src or lacks the integrity: %s", local)
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
		a := convert(t, md, []byte(src))
		b := convert(t, md, []byte(src))
		if diff := cmp.Diff(a, b, cmp.AllowUnexported(converted{})); diff != "" {
			t.Fatalf("two conversions differ:\n%s", diff)
		}
		if strings.Count(a.html, `<pre class="mermaid">`) > 0 != (a.needs || len(a.problems) > 0) {
			t.Fatalf("a diagram was written but the page does not need mermaid (or the reverse): %q", src)
		}
	})
}
