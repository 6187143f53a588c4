// Package golden is the golden-file harness of kiji's Markdown tests; only
// _test.go files import it (site/layers_test.go holds that).
//
// A golden file is a txtar archive under a package's testdata/: an input.md
// section (and any sections the test reads, such as options or cache.json)
// and the sections the conversion is expected to produce (output.html,
// problems, needs, toc...). A test names what its conversion produced, and
// Run compares each with the archive's section of that name:
//
//	func TestGolden(t *testing.T) {
//		md := goldmark.New(goldmark.WithExtensions(extension.GFM, New()))
//		golden.Run(t, "testdata/*.txtar", func(t *testing.T, a *golden.Archive) []golden.Output {
//			r := golden.Convert(t, md, "input.md", a.Input(t))
//			return []golden.Output{{Name: "output.html", Data: []byte(r.HTML)}, {Name: "problems", Data: r.ProblemLines()}}
//		})
//	}
//
// A golden file that is one plain file is compared with File. A missing
// section counts as empty. With `go test ./PKG -update` the
// archives are rewritten instead: each output replaces the section of its
// name where it stands, and a new non-empty one is appended; the other
// sections are kept as they are. Review the diff of testdata before
// committing it.
package golden

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/parser"
	"golang.org/x/tools/txtar"

	"github.com/kiji-ssg/kiji/site/diag"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata instead of comparing with them")

// File compares got with the content of the golden file named file, or
// with -update writes got into it. It serves the tests whose golden output
// is one plain file (a build's problems) rather than a txtar archive.
func File(t testing.TB, file, got string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(file, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("%v (run the test with -update)", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s differs (-want +got); if the change is right, refresh with go test -update:\n%s", file, diff)
	}
}

// Archive is one golden file.
type Archive struct {
	Path string // as matched by Run's glob
	ar   *txtar.Archive
}

// Section returns the content of the section named name.
func (a *Archive) Section(name string) ([]byte, bool) {
	for _, f := range a.ar.Files {
		if f.Name == name {
			return f.Data, true
		}
	}
	return nil, false
}

// Input returns the input.md section; a golden file without one fails the
// test.
func (a *Archive) Input(t testing.TB) []byte {
	t.Helper()
	in, ok := a.Section("input.md")
	if !ok {
		t.Fatalf("%s has no input.md section", a.Path)
	}
	return in
}

// Output is one section a conversion produced.
type Output struct {
	Name string
	Data []byte
}

// Run runs a subtest for each file matching glob (named after the file,
// without .txtar): produce converts the archive and returns its outputs,
// which are compared with the archive's sections or, with -update, written
// into it. No file matching glob fails the test.
func Run(t *testing.T, glob string, produce func(t *testing.T, a *Archive) []Output) {
	t.Helper()
	files, err := filepath.Glob(glob)
	if err != nil || len(files) == 0 {
		t.Fatalf("no golden files match %s: %v", glob, err)
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".txtar"), func(t *testing.T) {
			ar, err := txtar.ParseFile(file)
			if err != nil {
				t.Fatal(err)
			}
			a := &Archive{Path: file, ar: ar}
			outs := produce(t, a)
			if *update {
				write(t, a, outs)
				return
			}
			for _, o := range outs {
				want, _ := a.Section(o.Name)
				if diff := cmp.Diff(string(want), string(o.Data)); diff != "" {
					t.Errorf("%s: %s (-want +got); if the change is right, refresh with go test -update:\n%s", file, o.Name, diff)
				}
			}
		})
	}
}

// write sets the outputs into the archive and rewrites its file.
func write(t *testing.T, a *Archive, outs []Output) {
	t.Helper()
	for _, o := range outs {
		set(a.ar, o)
	}
	if err := os.WriteFile(a.Path, txtar.Format(a.ar), 0o644); err != nil {
		t.Fatal(err)
	}
}

// set replaces the section of o's name where it stands, or appends o if it
// is new and not empty.
func set(ar *txtar.Archive, o Output) {
	for i := range ar.Files {
		if ar.Files[i].Name == o.Name {
			ar.Files[i].Data = o.Data
			return
		}
	}
	if len(o.Data) > 0 {
		ar.Files = append(ar.Files, txtar.File{Name: o.Name, Data: o.Data})
	}
}

// Result is one conversion by Convert.
type Result struct {
	HTML     string
	Problems []string // file:line:col: message, sorted
	Doc      *diag.Doc
}

// ProblemLines returns the problems one a line, or nil if there are none.
func (r Result) ProblemLines() []byte { return Lines(r.Problems) }

// Lines joins s one a line, each ending in a newline; nil if s is empty.
func Lines(s []string) []byte {
	if len(s) == 0 {
		return nil
	}
	return []byte(strings.Join(s, "\n") + "\n")
}

// Convert converts src as the content file named file with md, collecting
// its problems as kiji's build does (a diag.Doc attached to the parser
// context). A conversion error fails the test.
func Convert(t testing.TB, md goldmark.Markdown, file string, src []byte) Result {
	t.Helper()
	var list diag.List
	doc := &diag.Doc{File: file, Src: src, List: &list}
	pc := parser.NewContext()
	diag.Attach(pc, doc)
	var b bytes.Buffer
	if err := md.Convert(src, &b, parser.WithContext(pc)); err != nil {
		t.Fatalf("convert %s: %v", file, err)
	}
	r := Result{HTML: b.String(), Doc: doc}
	for _, p := range list.Sorted() {
		r.Problems = append(r.Problems, p.Error())
	}
	return r
}
