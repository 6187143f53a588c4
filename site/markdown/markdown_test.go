package markdown

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/kiji-ssg/kiji/site/diag"
	"github.com/kiji-ssg/kiji/site/markdown/golden"
)

// TestGolden converts each testdata/*.txtar's input.md and compares the HTML
// and the problems with the archive's output.html and problems sections.
// An optional "options" section holds lines like "soft_breaks", "trust_html"
// or "base_path /repo/".
func TestGolden(t *testing.T) {
	golden.Run(t, "testdata/*.txtar", func(t *testing.T, a *golden.Archive) []golden.Output {
		optLines, _ := a.Section("options")
		input, _ := a.Section("input.md")
		html, probs, res := convert(t, goldenOptions(string(optLines)), input)
		return []golden.Output{{Name: "output.html", Data: html}, {Name: "problems", Data: probs}, {Name: "toc", Data: tocText(res)}}
	})
}

// goldenOptions reads the options section of a golden file.
func goldenOptions(lines string) Options {
	opts := Options{Image: fakeImages}
	for _, l := range strings.Split(lines, "\n") {
		f := strings.Fields(l)
		if len(f) == 0 {
			continue
		}
		switch f[0] {
		case "soft_breaks":
			opts.SoftBreaks = true
		case "trust_html":
			opts.TrustHTML = true
		case "base_path":
			opts.BasePath = f[1]
		case "kiji":
			opts.Extensions = Kiji(KijiOptions{Offline: true})
		}
	}
	return opts
}

func fakeImages(p string) (int, int, bool) {
	switch p {
	case "images/a.png":
		return 640, 480, true
	case "images/unknown.bin":
		return 0, 0, true
	}
	return 0, 0, false
}

func convert(t testing.TB, opts Options, src []byte) (html, problems []byte, res *Result) {
	var l diag.List
	doc := &diag.Doc{File: "content/articles/test.md", Src: src, List: &l}
	res, err := New(opts).Convert(doc)
	if err != nil {
		t.Fatal(err)
	}
	var pb bytes.Buffer
	for _, p := range l.Sorted() {
		fmt.Fprintln(&pb, p.Error())
	}
	return res.HTML, pb.Bytes(), res
}

func tocText(r *Result) []byte {
	var b bytes.Buffer
	for _, e := range r.TOC {
		fmt.Fprintf(&b, "%sh%d %s #%s\n", strings.Repeat("  ", e.Depth), e.Level, e.Text, e.ID)
	}
	for _, l := range r.Links {
		fmt.Fprintf(&b, "link %s %d:%d\n", l.Dest, l.Line, l.Col)
	}
	for _, l := range r.Images {
		fmt.Fprintf(&b, "image %s %d:%d\n", l.Dest, l.Line, l.Col)
	}
	fmt.Fprintf(&b, "reading %d cjk %d words %d\n", r.ReadingMinutes(), r.CJKChars, r.Words)
	return b.Bytes()
}

func TestDeterministic(t *testing.T) {
	src, err := os.ReadFile("../../content/articles/ecs-vs-eks.md")
	if err != nil {
		t.Fatal(err)
	}
	a, _, _ := convert(t, Options{}, src)
	b, _, _ := convert(t, Options{}, src)
	if !bytes.Equal(a, b) {
		t.Fatal("two conversions of the seed differ")
	}
}

func TestReadingMinutes(t *testing.T) {
	for _, tc := range []struct {
		name       string
		cjk, words int
		want       int
	}{
		{"empty", 0, 0, 1},
		{"500 chars", 500, 0, 1},
		{"1000 chars", 1000, 0, 2},
		{"400 words", 0, 400, 2},
		{"mixed", 1000, 400, 4},
		{"just over", 501, 0, 1},
		{"half", 750, 0, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := &Result{CJKChars: tc.cjk, Words: tc.words}
			if got := r.ReadingMinutes(); got != tc.want {
				t.Errorf("ReadingMinutes() = %d, want %d", got, tc.want)
			}
		})
	}
}

func FuzzConvert(f *testing.F) {
	for _, s := range []string{"# a\n\n[x](#a)", "<br>\n<script>x</script>", "![a](/images/a.png)", "a\nb", "<!-- c -->", "| a |\n|---|\n| b |"} {
		f.Add(s)
	}
	c := New(Options{Image: fakeImages})
	f.Fuzz(func(t *testing.T, s string) {
		var l diag.List
		res, err := c.Convert(&diag.Doc{File: "f.md", Src: []byte(s), List: &l})
		if err != nil {
			return
		}
		if bytes.Contains(bytes.ToLower(res.HTML), []byte(`href="javascript:`)) {
			t.Fatalf("javascript URL emitted: %s", res.HTML)
		}
	})
}

// TestWithLinks: a LinkFunc sees every link and image as written; what it
// returns is written out (with the base path, when root-relative), and the
// refs keep both forms, for the link check's messages.
func TestWithLinks(t *testing.T) {
	c := New(Options{BasePath: "/repo/"})
	src := []byte("[b](./other#x) [c](https://zenn.dev/me/articles/c) [d](#here) ![i](./a.png)\n")
	var seen []string
	links := func(dest string, image bool) (string, bool) {
		seen = append(seen, fmt.Sprintf("%s %v", dest, image))
		switch dest {
		case "./other#x":
			return "/articles/other/#x", true
		case "https://zenn.dev/me/articles/c":
			return "/articles/c/", true
		}
		return "", false
	}
	res, err := c.Convert(&diag.Doc{File: "a.md", Src: src, List: &diag.List{}}, WithLinks(links))
	if err != nil {
		t.Fatal(err)
	}
	wantSeen := []string{"./other#x false", "https://zenn.dev/me/articles/c false", "#here false", "./a.png true"}
	if diff := cmp.Diff(wantSeen, seen); diff != "" {
		t.Errorf("destinations seen (-want +got):\n%s", diff)
	}
	for _, want := range []string{`href="/repo/articles/other/#x"`, `href="/repo/articles/c/"`, `href="#here"`, `src="./a.png"`} {
		if !bytes.Contains(res.HTML, []byte(want)) {
			t.Errorf("no %s in %s", want, res.HTML)
		}
	}
	wantLinks := []Ref{
		{Dest: "/articles/other/#x", Line: 1, Col: 1, Written: "./other#x"},
		{Dest: "/articles/c/", Line: 1, Col: 16, Written: "https://zenn.dev/me/articles/c"},
		{Dest: "#here", Line: 1, Col: 52},
	}
	if diff := cmp.Diff(wantLinks, res.Links); diff != "" {
		t.Errorf("links (-want +got):\n%s", diff)
	}
}

// A conversion whose context is done stops (KaTeX, D2, highlighting and
// link cards look at it) and returns the context's error, reporting
// nothing.
func TestConvertStopsWhenCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	c := New(Options{Extensions: Kiji(KijiOptions{Offline: true})})
	l := &diag.List{}
	src := "# T\n\n$$\nx^2\n$$\n\n```go\nx := 1\n```\n\n```d2\na -> b\n```\n\nhttps://example.com/\n"
	_, err := c.Convert(&diag.Doc{File: "a.md", Src: []byte(src), List: l, Ctx: ctx})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Convert = %v, want context.Canceled", err)
	}
	if ps := l.Sorted(); len(ps) > 0 {
		t.Errorf("a cancelled conversion reported %v", ps)
	}
}
