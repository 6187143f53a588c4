package zenn

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/kiji-ssg/kiji/site/diag"
)

func TestResolveEmbed(t *testing.T) {
	type out struct{ Kind, Src, URL, Err string }
	cases := []struct {
		name, embed, arg string
		want             out
	}{
		{"youtube id", "youtube", "dQw4w9WgXcQ", out{"youtube", "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ", "", ""}},
		{"youtube t seconds", "youtube", "https://www.youtube.com/watch?v=dQw4w9WgXcQ&t=100", out{"youtube", "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?start=100", "", ""}},
		{"youtube t h m s", "youtube", "https://youtu.be/dQw4w9WgXcQ?t=1h2m3s", out{"youtube", "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?start=3723", "", ""}},
		{"youtube start capped at 48h", "youtube", "https://youtu.be/dQw4w9WgXcQ?t=999999999", out{"youtube", "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?start=172800", "", ""}},
		{"youtube shorts", "youtube", "https://www.youtube.com/shorts/dQw4w9WgXcQ", out{"youtube", "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ", "", ""}},
		{"youtube id with query is invalid", "youtube", "dQw4w9WgXcQ?t=3", out{"youtube", "", "", "YouTubeのvideoIDが不正です"}},
		{"youtube other site", "youtube", "https://example.com/watch?v=dQw4w9WgXcQ", out{"youtube", "", "", "YouTubeのvideoIDが不正です"}},
		{"speakerdeck slide", "speakerdeck", "abc?slide=2", out{"speakerdeck", "https://speakerdeck.com/player/abc?slide=2", "", ""}},
		{"docswell hash page", "docswell", "https://www.docswell.com/s/u/LK7J5V-hello#p13", out{"docswell", "https://www.docswell.com/slide/LK7J5V/embed#p13", "", ""}},
		{"docswell embed url", "docswell", "https://www.docswell.com/slide/LK7J5V/embed", out{"docswell", "https://www.docswell.com/slide/LK7J5V/embed", "", ""}},
		{"jsfiddle keeps embedded", "jsfiddle", "https://jsfiddle.net/u/x/embedded/result/", out{"jsfiddle", "https://jsfiddle.net/u/x/embedded/result/", "", ""}},
		{"codesandbox appends", "codesandbox", "https://codesandbox.io/embed/x", out{"codesandbox", "https://codesandbox.io/embed/x?runonclick=1", "", ""}},
		{"stackblitz overrides", "stackblitz", "https://stackblitz.com/edit/x?ctl=0&file=a.ts", out{"stackblitz", "https://stackblitz.com/edit/x?ctl=1&file=a.ts", "", ""}},
		{"figma embed host", "figma", "https://embed.figma.com/design/AbCdEfGhIjKlMnOpQrStUv", out{"figma", "https://embed.figma.com/design/AbCdEfGhIjKlMnOpQrStUv?embed-host=kiji", "", ""}},
		{"tweet", "tweet", "https://twitter.com/u/status/123?s=20", out{"tweet", "", "https://twitter.com/u/status/123?s=20", ""}},
		{"card http", "card", "http://example.com", out{"card", "", "http://example.com", ""}},
		{"card relative", "card", "/articles/x", out{"card", "", "", "URLが不正です"}},
		{"github long ok", "github", "https://github.com/o/r/blob/main/a" + strings.Repeat("b", 400) + ".go", out{"github", "", "https://github.com/o/r/blob/main/a" + strings.Repeat("b", 400) + ".go", ""}},
		{"gist too long", "gist", "https://gist.github.com/u/" + strings.Repeat("a", 300), out{"gist", "", "", errTooLong}},
		{"unknown", "vimeo", "https://vimeo.com/1", out{"", "", "https://vimeo.com/1", ""}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			n := &Embed{Name: c.embed, Arg: c.arg}
			cfg := New().cfg
			resolveEmbed(n, &cfg, &diag.Doc{}, 0)
			got := out{n.EmbedKind, n.Src, n.URL, n.Err}
			if diff := cmp.Diff(c.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseEmbedLine(t *testing.T) {
	cases := []struct {
		line, name, arg, trailing string
		ok                        bool
	}{
		{"@[youtube](id)\n", "youtube", "id", "", true},
		{"@[card](https://e.com/a_(b)) tail\n", "card", "https://e.com/a_(b)", " tail", true},
		{"@[my-embed_2](x)", "my-embed_2", "x", "", true},
		{"@[a b](x)", "", "", "", false},
		{"@[a]()", "", "", "", false},
		{"@[a] (x)", "", "", "", false},
		{"@[](x)", "", "", "", false},
		{"@youtube(x)", "", "", "", false},
	}
	for _, c := range cases {
		name, arg, trailing, ok := parseEmbedLine([]byte(c.line))
		if name != c.name || arg != c.arg || string(trailing) != c.trailing || ok != c.ok {
			t.Errorf("parseEmbedLine(%q) = %q, %q, %q, %v; want %q, %q, %q, %v",
				c.line, name, arg, trailing, ok, c.name, c.arg, c.trailing, c.ok)
		}
	}
}
