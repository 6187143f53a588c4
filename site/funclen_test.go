package site_test

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// maxFuncLines is the longest a non-test function may be, from its func
// line to its closing brace. A longer one is split into named steps.
const maxFuncLines = 60

// longFuncExceptions are functions allowed over maxFuncLines for now, by
// "dir/file.go:Func" (methods as "Type.Func"). Each is in a file another
// change is rewriting at the same time; the lead empties this list after
// merging those changes, and the test then holds every function.
var longFuncExceptions = map[string]bool{}

// funcName names a declaration "Func" or "Type.Func".
func funcName(fd *ast.FuncDecl) string {
	if fd.Recv == nil || len(fd.Recv.List) == 0 {
		return fd.Name.Name
	}
	t := fd.Recv.List[0].Type
	for {
		switch x := t.(type) {
		case *ast.StarExpr:
			t = x.X
			continue
		case *ast.IndexExpr:
			t = x.X
			continue
		case *ast.IndexListExpr:
			t = x.X
			continue
		case *ast.Ident:
			return x.Name + "." + fd.Name.Name
		}
		return fd.Name.Name
	}
}

// longFuncs returns, for every function of the Go source src over
// maxFuncLines, its key "file:Func" (file being the slash path src is named
// by) and its length in lines.
func longFuncs(fset *token.FileSet, file string, src any) (map[string]int, error) {
	f, err := parser.ParseFile(fset, file, src, parser.SkipObjectResolution)
	if err != nil {
		return nil, err
	}
	out := map[string]int{}
	for _, d := range f.Decls {
		fd, ok := d.(*ast.FuncDecl)
		if !ok || fd.Body == nil {
			continue
		}
		n := fset.Position(fd.End()).Line - fset.Position(fd.Pos()).Line + 1
		if n > maxFuncLines {
			out[file+":"+funcName(fd)] = n
		}
	}
	return out, nil
}

// moduleGoFiles lists the module's non-test Go files, relative to root.
func moduleGoFiles(t *testing.T, root string) []string {
	t.Helper()
	var files []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "testdata" || d.Name() == "node_modules" || strings.HasPrefix(d.Name(), ".") && p != root) {
			return filepath.SkipDir
		}
		if !d.IsDir() && strings.HasSuffix(p, ".go") && !strings.HasSuffix(p, "_test.go") {
			rel, _ := filepath.Rel(root, p)
			files = append(files, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func TestFunctionsAreShort(t *testing.T) {
	root := ".."
	fset := token.NewFileSet()
	seen := map[string]bool{}
	var over []string
	files := moduleGoFiles(t, root)
	if len(files) < 50 {
		t.Fatalf("found only %d Go files under %s; is the walk broken?", len(files), root)
	}
	for _, rel := range files {
		src, err := os.ReadFile(filepath.Join(root, rel))
		if err != nil {
			t.Fatal(err)
		}
		long, err := longFuncs(fset, rel, src)
		if err != nil {
			t.Errorf("%s: %v", rel, err)
			continue
		}
		for k, n := range long {
			seen[k] = true
			if !longFuncExceptions[k] {
				over = append(over, fmt.Sprintf("%s is %d lines", k, n))
			}
		}
	}
	sort.Strings(over)
	for _, o := range over {
		t.Errorf("%s (at most %d): split it into named steps", o, maxFuncLines)
	}
	for k := range longFuncExceptions {
		if !seen[k] {
			t.Errorf("%s is listed in longFuncExceptions but is no longer over %d lines (or is gone): remove it from the list", k, maxFuncLines)
		}
	}
}

// TestLongFuncsCounts proves the check measures what it says: a function of
// exactly maxFuncLines lines passes, one line more is reported, methods are
// named by their receiver type.
func TestLongFuncsCounts(t *testing.T) {
	body := func(name string, lines int) string {
		// func line + (lines-2) statements + closing brace
		return name + " {\n" + strings.Repeat("\t_ = 0\n", lines-2) + "}\n"
	}
	tests := []struct {
		name string
		src  string
		want map[string]int
	}{
		{"at the limit", "package p\n" + body("func f()", maxFuncLines), map[string]int{}},
		{"one over", "package p\n" + body("func f()", maxFuncLines+1), map[string]int{"x.go:f": maxFuncLines + 1}},
		{"method", "package p\ntype T struct{}\n" + body("func (t *T) m()", maxFuncLines+5), map[string]int{"x.go:T.m": maxFuncLines + 5}},
		{"generic method", "package p\ntype G[K any] struct{}\n" + body("func (g G[K]) m()", maxFuncLines+2), map[string]int{"x.go:G.m": maxFuncLines + 2}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := longFuncs(token.NewFileSet(), "x.go", tc.src)
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tc.want, got); d != "" {
				t.Errorf("longFuncs (-want +got):\n%s", d)
			}
		})
	}
}
