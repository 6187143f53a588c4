package diagram

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/tools/txtar"
)

// TestGolden converts the input.md of every testdata/*.txtar and compares
// the HTML with output.html and the problems with problems. Refresh with
// go test ./site/markdown/diagram -update.
func TestGolden(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.txtar"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no golden files in testdata")
	}
	x := New()
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".txtar")
		t.Run(name, func(t *testing.T) {
			ar, err := txtar.ParseFile(file)
			if err != nil {
				t.Fatal(err)
			}
			sections := map[string]*txtar.File{}
			for i := range ar.Files {
				sections[ar.Files[i].Name] = &ar.Files[i]
			}
			in, ok := sections["input.md"]
			if !ok {
				t.Fatalf("%s has no input.md section", file)
			}
			html, ps := convert(t, x, "input.md", string(in.Data))
			gotProblems := ""
			if len(ps) > 0 {
				gotProblems = strings.Join(ps, "\n") + "\n"
			}
			if *update {
				out := &txtar.Archive{Comment: ar.Comment}
				out.Files = append(out.Files, *in, txtar.File{Name: "output.html", Data: []byte(html)})
				if gotProblems != "" {
					out.Files = append(out.Files, txtar.File{Name: "problems", Data: []byte(gotProblems)})
				}
				if err := os.WriteFile(file, txtar.Format(out), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, ok := sections["output.html"]
			if !ok {
				t.Fatalf("%s has no output.html section: run go test -update", file)
			}
			if diff := cmp.Diff(string(want.Data), html); diff != "" {
				t.Errorf("output.html (-want +got):\n%s", diff)
			}
			wantProblems := ""
			if p, ok := sections["problems"]; ok {
				wantProblems = string(p.Data)
			}
			if diff := cmp.Diff(wantProblems, gotProblems); diff != "" {
				t.Errorf("problems (-want +got):\n%s", diff)
			}
		})
	}
}
