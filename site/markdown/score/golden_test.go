package score

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	"golang.org/x/tools/txtar"

	"github.com/kiji-ssg/kiji/site/diag"
)

var update = flag.Bool("update", false, "rewrite golden files")

// convert renders src with GFM and the score extension, and returns the
// HTML and the problems as file:line:col: message lines.
func convert(t testing.TB, src []byte) (string, string) {
	t.Helper()
	return convertWith(t, newMarkdown(), src)
}

func newMarkdown() goldmark.Markdown {
	return goldmark.New(goldmark.WithExtensions(extension.GFM, Extension))
}

// convertWith converts with a given converter.
func convertWith(t testing.TB, md goldmark.Markdown, src []byte) (string, string) {
	t.Helper()
	d := &diag.Doc{File: "input.md", Src: src, List: &diag.List{}}
	pc := parser.NewContext()
	diag.Attach(pc, d)
	var buf bytes.Buffer
	if err := md.Convert(src, &buf, parser.WithContext(pc)); err != nil {
		t.Fatalf("convert: %v", err)
	}
	var ps strings.Builder
	for _, p := range d.List.Sorted() {
		ps.WriteString(p.Error())
		ps.WriteByte('\n')
	}
	return buf.String(), ps.String()
}

// TestGolden converts the input.md of each testdata/*.txtar and compares
// the HTML with output.html and the problems with problems.
func TestGolden(t *testing.T) {
	files, err := filepath.Glob("testdata/*.txtar")
	if err != nil || len(files) == 0 {
		t.Fatalf("no golden files: %v", err)
	}
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".txtar")
		t.Run(name, func(t *testing.T) {
			ar, err := txtar.ParseFile(file)
			if err != nil {
				t.Fatal(err)
			}
			sections := map[string]int{}
			for i, f := range ar.Files {
				sections[f.Name] = i
			}
			in, ok := sections["input.md"]
			if !ok {
				t.Fatalf("%s has no input.md section", file)
			}
			html, problems := convert(t, ar.Files[in].Data)
			// the same input must give the same bytes
			html2, problems2 := convert(t, ar.Files[in].Data)
			if html != html2 || problems != problems2 {
				t.Errorf("output is not deterministic")
			}
			if *update {
				set := func(name, data string) {
					if i, ok := sections[name]; ok {
						ar.Files[i].Data = []byte(data)
						return
					}
					ar.Files = append(ar.Files, txtar.File{Name: name, Data: []byte(data)})
					sections[name] = len(ar.Files) - 1
				}
				set("output.html", html)
				set("problems", problems)
				if err := os.WriteFile(file, txtar.Format(ar), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want := func(name string) string {
				if i, ok := sections[name]; ok {
					return string(ar.Files[i].Data)
				}
				return ""
			}
			if diff := cmp.Diff(want("output.html"), html); diff != "" {
				t.Errorf("output.html (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(want("problems"), problems); diff != "" {
				t.Errorf("problems (-want +got):\n%s", diff)
			}
		})
	}
}
