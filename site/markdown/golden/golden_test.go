package golden

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/yuin/goldmark"
	"golang.org/x/tools/txtar"
)

func TestSet(t *testing.T) {
	base := func() *txtar.Archive {
		return &txtar.Archive{Comment: []byte("note\n"), Files: []txtar.File{
			{Name: "input.md", Data: []byte("a\n")},
			{Name: "output.html", Data: []byte("old\n")},
			{Name: "problems", Data: []byte("p\n")},
			{Name: "extra", Data: []byte("kept\n")},
		}}
	}
	tests := []struct {
		name string
		out  Output
		want string
	}{
		{"replaces where it stands", Output{"output.html", []byte("new\n")},
			"note\n-- input.md --\na\n-- output.html --\nnew\n-- problems --\np\n-- extra --\nkept\n"},
		{"empties an existing section", Output{"problems", nil},
			"note\n-- input.md --\na\n-- output.html --\nold\n-- problems --\n-- extra --\nkept\n"},
		{"appends a new section", Output{"needs", []byte("math\n")},
			"note\n-- input.md --\na\n-- output.html --\nold\n-- problems --\np\n-- extra --\nkept\n-- needs --\nmath\n"},
		{"adds no empty section", Output{"needs", nil},
			"note\n-- input.md --\na\n-- output.html --\nold\n-- problems --\np\n-- extra --\nkept\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ar := base()
			set(ar, tt.out)
			if diff := cmp.Diff(tt.want, string(txtar.Format(ar))); diff != "" {
				t.Errorf("archive (-want +got):\n%s", diff)
			}
		})
	}
}

func TestLines(t *testing.T) {
	tests := []struct {
		name string
		in   []string
		want []byte
	}{
		{"none", nil, nil},
		{"one", []string{"a"}, []byte("a\n")},
		{"two", []string{"a", "b"}, []byte("a\nb\n")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, Lines(tt.in)); diff != "" {
				t.Errorf("Lines(%q) (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

// TestRunUpdates runs the harness as `go test -update` would on a golden
// file that lacks its output, then as a plain run that must now pass.
func TestRunUpdates(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "case.txtar")
	if err := os.WriteFile(file, []byte("-- input.md --\n# Hi\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	md := goldmark.New()
	produce := func(t *testing.T, a *Archive) []Output {
		r := Convert(t, md, "input.md", a.Input(t))
		return []Output{{"output.html", []byte(r.HTML)}, {"problems", r.ProblemLines()}}
	}
	old := *update
	*update = true
	Run(t, filepath.Join(dir, "*.txtar"), produce)
	*update = old
	got, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	want := "-- input.md --\n# Hi\n-- output.html --\n<h1>Hi</h1>\n"
	if diff := cmp.Diff(want, string(got)); diff != "" {
		t.Errorf("updated golden file (-want +got):\n%s", diff)
	}
	Run(t, filepath.Join(dir, "*.txtar"), produce)
}
