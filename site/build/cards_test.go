package build

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestBuildCardsNetworkUnreachable builds an article with 50 link cards to
// addresses no network routes (TEST-NET-1, RFC 5737), as a build without a
// network sees every card: it finishes in well under 5 s and reports one
// warning that says why the cards are plain and suggests --offline.
func TestBuildCardsNetworkUnreachable(t *testing.T) {
	root := t.TempDir()
	var body strings.Builder
	for i := 1; i <= 50; i++ {
		fmt.Fprintf(&body, "@[card](http://192.0.2.%d/page)\n\n", i)
	}
	writeFile(t, filepath.Join(root, "content/articles/cards.md"),
		"---\ntitle: \"カード\"\nemoji: \"🃏\"\ntype: \"tech\"\ntopics: [\"zenn\"]\npublished: true\n---\n\n"+body.String())
	start := time.Now()
	rep, err := Build(context.Background(), Options{Root: root, Dest: filepath.Join(root, "public"), BaseURL: "https://example.com/"})
	if err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("the build took %v with the network unreachable, want under 5s", d)
	}
	var lines []string
	for _, p := range rep.Problems {
		if strings.Contains(p.Error(), "link card") {
			lines = append(lines, p.Error())
		}
	}
	if len(lines) != 1 || !strings.Contains(lines[0], "50 link cards are plain") || !strings.Contains(lines[0], "--offline") ||
		!strings.HasPrefix(lines[0], filepath.ToSlash(filepath.Join(root, ".kiji-cache", "cards"))+": warning: ") {
		t.Errorf("want one warning about the link cards, got %q", lines)
	}
}
