// Package site_test checks the shape of kiji's library: its packages form a
// pipeline whose imports point only down the list.
package site_test

import (
	"fmt"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/kiji-ssg/kiji/"

// layers lists the packages from the bottom up; a package may import only
// packages of lower layers (and, for markdown, its own subpackages).
var layers = [][]string{
	{"site/diag", "site/userfile", "site/mediatype", "site/cputime", "site/browsertest", "site/ogimage", "site/gitdates", "site/feeds"},
	{"site/content"},
	{"site/zennlink"},
	{"site/htmlsafe"},
	{"site/markdown/code/fastchroma"},
	{"site/markdown/*"},
	{"site/markdown"},
	{"site/search"},
	{"site/render", "themes/default"},
	{"site/build"},
	{"site/serve", "site/deploy"},
	{"cmd/kiji"},
}

func layerOf(pkg string) int {
	for i, l := range layers {
		for _, p := range l {
			if p == pkg || strings.HasSuffix(p, "/*") && strings.HasPrefix(pkg, strings.TrimSuffix(p, "*")) {
				return i
			}
		}
	}
	return -1
}

// only lists packages that may import no more of the module than the
// packages named: deploy uploads the files of a built site and needs only how
// each is served, so it never pulls in the theme, Markdown or the build.
var only = map[string][]string{
	"site/deploy":      {"site/mediatype", "site/diag", "site/userfile"},
	"site/mediatype":   {},
	"site/cputime":     {},
	"site/browsertest": {},
}

// testOnly lists packages that exist for tests: only _test.go files may
// import them.
var testOnly = map[string]bool{
	"site/markdown/golden": true,
	"site/cputime":         true,
	"site/browsertest":     true,
}

// importProblems returns what is wrong with package pkg (a module-relative
// path such as "site/deploy") importing dep (likewise), from a file that is
// a test file or not.
func importProblems(pkg, dep string, test bool) []string {
	var out []string
	if testOnly[dep] && !test {
		out = append(out, fmt.Sprintf("%s imports %s, a package for tests only: import it from _test.go files", pkg, dep))
	}
	if test {
		return out
	}
	from, to := layerOf(pkg), layerOf(dep)
	switch {
	case to < 0:
		out = append(out, fmt.Sprintf("%s imports %s, which is in no layer", pkg, dep))
	case to >= from:
		out = append(out, fmt.Sprintf("%s (layer %d) imports %s (layer %d): imports must point down the pipeline", pkg, from, dep, to))
	}
	if allowed, ok := only[pkg]; ok && !slices.Contains(allowed, dep) {
		out = append(out, fmt.Sprintf("%s imports %s; it may import only %v of kiji", pkg, dep, allowed))
	}
	return out
}

// TestImportRules proves each rule of importProblems is checked.
func TestImportRules(t *testing.T) {
	tests := []struct {
		name, pkg, dep string
		test           bool
		want           []string // one phrase of each problem expected
	}{
		{"down is fine", "site/build", "site/render", false, nil},
		{"up is wrong", "site/render", "site/build", false, []string{"must point down"}},
		{"same layer is wrong", "site/serve", "site/deploy", false, []string{"must point down"}},
		{"unknown package", "site/build", "site/nowhere", false, []string{"in no layer"}},
		{"deploy uses the media table", "site/deploy", "site/mediatype", false, nil},
		{"deploy imports render again", "site/deploy", "site/render", false, []string{"may import only"}},
		{"deploy imports the pipeline", "site/deploy", "site/build", false, []string{"may import only"}},
		{"mediatype stays a leaf", "site/mediatype", "site/diag", false, []string{"must point down", "may import only"}},
		{"render uses the media table", "site/render", "site/mediatype", false, nil},
		{"golden from a test", "site/markdown/zenn", "site/markdown/golden", true, nil},
		{"golden from the program", "site/markdown/zenn", "site/markdown/golden", false, []string{"for tests only", "must point down"}},
		{"tests may import up", "site/render", "site/build", true, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := importProblems(tc.pkg, tc.dep, tc.test)
			if len(got) != len(tc.want) {
				t.Fatalf("importProblems(%s, %s, test=%v) = %q, want %d problem(s)", tc.pkg, tc.dep, tc.test, got, len(tc.want))
			}
			for i, w := range tc.want {
				if !strings.Contains(got[i], w) {
					t.Errorf("problem %d is %q, want one saying %q", i, got[i], w)
				}
			}
		})
	}
}

func TestImportsPointDown(t *testing.T) {
	root := ".."
	fset := token.NewFileSet()
	checked := 0
	filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "testdata" || d.Name() == "node_modules" || strings.HasPrefix(d.Name(), ".") && p != root) {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(p, ".go") {
			return nil
		}
		test := strings.HasSuffix(p, "_test.go")
		rel, _ := filepath.Rel(root, filepath.Dir(p))
		pkg := filepath.ToSlash(rel)
		if layerOf(pkg) < 0 {
			if strings.HasPrefix(pkg, "site/") && !test {
				t.Errorf("package %s is not in the layer list; add it to layers in this test", pkg)
			}
			return nil
		}
		f, err := parser.ParseFile(fset, p, nil, parser.ImportsOnly)
		if err != nil {
			t.Errorf("%s: %v", p, err)
			return nil
		}
		for _, im := range f.Imports {
			path := strings.Trim(im.Path.Value, `"`)
			if !strings.HasPrefix(path, module) {
				continue
			}
			checked++
			for _, problem := range importProblems(pkg, strings.TrimPrefix(path, module), test) {
				t.Errorf("%s: %s", p, problem)
			}
		}
		return nil
	})
	if checked == 0 {
		t.Fatal("no imports checked")
	}
	for pkg := range only {
		if layerOf(pkg) < 0 {
			t.Errorf("only names %s, which is in no layer", pkg)
		}
	}
	for _, banned := range []string{"util", "common", "utils", "helpers"} {
		if _, err := os.Stat(filepath.Join(root, "site", banned)); err == nil {
			t.Errorf("site/%s exists: name packages for what they do", banned)
		}
	}
}
