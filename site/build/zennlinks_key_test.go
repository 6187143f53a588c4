package build

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"testing"

	"github.com/kiji-ssg/kiji/site/content"
)

// TestPagesKeyAsFmt: the pages key hashes each article's line as
// fmt.Fprintf(h, "a %q %q\n", path, slug) writes it, for any path.
func TestPagesKeyAsFmt(t *testing.T) {
	as := []*content.Article{
		{Path: "articles/plain.md", Slug: "plain"},
		{Path: "articles/\"quoted\" 日本語\t.md", Slug: "q-1"},
		{Path: "articles/bad\xff\x00.md", Slug: "bad"},
	}
	r := &run{site: &content.Site{Articles: as}}
	r.indexPages()
	h := sha256.New()
	fmt.Fprintf(h, "zenn_user %q\n", "")
	for _, a := range as {
		fmt.Fprintf(h, "a %q %q\n", a.Path, a.Slug)
	}
	if want := hex.EncodeToString(h.Sum(nil)); r.pagesKey != want {
		t.Errorf("pages key %s, want %s", r.pagesKey, want)
	}
}
