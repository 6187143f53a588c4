package build

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/kiji-ssg/kiji/site/diag"
)

// TestLinkToALabel: [text](GOY) beside the definition [GOY]: … (found in a
// public Zenn repository) is a broken link, on zenn.dev too; the message
// says to write [text][GOY]. (TestStateRoundTrip keeps Ref.Label.)
func TestLinkToALabel(t *testing.T) {
	const article = "---\ntitle: t\nemoji: \"🐳\"\ntype: tech\ntopics: [go]\npublished: true\n---\n\n" +
		"[Go の仕様](GOY) と [ほか](other)\n\n[GOY]: https://go.dev/ref/spec\n"
	root := testSite(t, map[string]string{"content/articles/label-link-01.md": article})
	want := []string{
		"content/articles/label-link-01.md:9:1: the link GOY points to /articles/GOY/, which does not exist; this page defines [GOY]: to link to what it names, write [text][GOY] instead of [text](GOY)",
		"content/articles/label-link-01.md:9:17: the link other points to /articles/other/, which does not exist; fix the link or add the page",
	}
	rep, err := Build(context.Background(), Options{Root: root, Now: testNow, Workers: 2, BaseURL: "https://example.com/"})
	if err == nil {
		t.Fatal("no error")
	}
	var got []string
	for _, p := range rep.Problems {
		if p.Severity == diag.Error {
			got = append(got, strings.TrimPrefix(p.Error(), root+"/"))
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("errors (-want +got):\n%s", diff)
	}
}
