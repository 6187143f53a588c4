// Package site_test checks the shape of kiji's library: its packages form a
// pipeline whose imports point only down the list.
package site_test

import (
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const module = "github.com/kiji-ssg/kiji/"

// layers lists the packages from the bottom up; a package may import only
// packages of lower layers (and, for markdown, its own subpackages).
var layers = [][]string{
	{"site/diag", "site/userfile"},
	{"site/content"},
	{"site/zennlink"},
	{"site/htmlsafe"},
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
		if d.IsDir() || !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
			return nil
		}
		rel, _ := filepath.Rel(root, filepath.Dir(p))
		pkg := filepath.ToSlash(rel)
		from := layerOf(pkg)
		if from < 0 {
			if strings.HasPrefix(pkg, "site/") {
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
			dep := strings.TrimPrefix(path, module)
			to := layerOf(dep)
			checked++
			if to < 0 {
				t.Errorf("%s imports %s, which is in no layer", p, dep)
			} else if to >= from {
				t.Errorf("%s (layer %d) imports %s (layer %d): imports must point down the pipeline", p, from, dep, to)
			}
		}
		return nil
	})
	if checked == 0 {
		t.Fatal("no imports checked")
	}
	for _, banned := range []string{"util", "common", "utils", "helpers"} {
		if _, err := os.Stat(filepath.Join(root, "site", banned)); err == nil {
			t.Errorf("site/%s exists: name packages for what they do", banned)
		}
	}
}
