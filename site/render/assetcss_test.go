package render

import (
	"bytes"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"
)

// themeWithBase is a minimal theme whose base template is base.
func themeWithBase(base string) fstest.MapFS {
	fs := fstest.MapFS{
		"templates/base.html": {Data: []byte(base)},
		"assets/style.css":    {Data: []byte(`.a > .b::before { content: "<&>"; }`)},
	}
	for _, name := range pageTemplates {
		fs["templates/"+name+".html"] = &fstest.MapFile{Data: []byte(`{{define "main"}}{{end}}`)}
	}
	return fs
}

func TestAssetCSSInlinesTheStylesheetAsIs(t *testing.T) {
	th, err := LoadThemeLimits("/", Limits{}, themeWithBase(`{{define "base"}}<style>{{assetCSS "style.css"}}</style>{{end}}`))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := th.Execute(&buf, "list", nil); err != nil {
		t.Fatal(err)
	}
	want := `<style>.a > .b::before { content: "<&>"; }</style>`
	if diff := cmp.Diff(want, buf.String()); diff != "" {
		t.Errorf("inlined stylesheet (-want +got):\n%s", diff)
	}
}

func TestAssetCSSUnknownAsset(t *testing.T) {
	th, err := LoadThemeLimits("/", Limits{}, themeWithBase(`{{define "base"}}<style>{{assetCSS "missing.css"}}</style>{{end}}`))
	if err != nil {
		t.Fatal(err)
	}
	err = th.Execute(&bytes.Buffer{}, "list", nil)
	if err == nil || !strings.Contains(err.Error(), `the theme has no asset "missing.css"`) {
		t.Errorf("Execute with an unknown asset: got error %v, want one naming missing.css", err)
	}
}
