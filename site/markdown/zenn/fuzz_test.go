package zenn

import (
	"regexp"
	"strings"
	"testing"
	"time"
)

var fuzzMD = newMD(New(WithOffline(true)))

var unsafeURL = regexp.MustCompile(`(?i)(src|href)="\s*(javascript|vbscript|data):`)

// fuzzConvert converts src and fails on a panic, a hang (more than 5s) or
// a script URL in the output.
func fuzzConvert(t *testing.T, src string) {
	done := make(chan result, 1)
	go func() { done <- convertWith(t, fuzzMD, src) }()
	select {
	case res := <-done:
		if unsafeURL.MatchString(res.html) {
			t.Fatalf("script URL in output of %q:\n%s", src, res.html)
		}
	case <-time.After(5 * time.Second):
		t.Fatalf("conversion of %q did not finish in 5s", src)
	}
}

func FuzzContainers(f *testing.F) {
	for _, s := range []string{
		":::message\ntext\n:::\n",
		":::message alert\n- a\n- b\n:::\n",
		"::::details t\n:::message\nx\n:::\n::::\n",
		":::details t\n| a |\n|---|\n| 1 |\n:::\n",
		":::details\n:::\n",
		"- :::details t\n  x\n  :::\n",
		"> :::message\n> x\n",
		":::message\n```\n:::\n```\n:::\n",
		"::::::::::details x\n\t:::\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) { fuzzConvert(t, s) })
}

func FuzzEmbeds(f *testing.F) {
	for _, s := range []string{
		"@[youtube](dQw4w9WgXcQ)\n",
		"@[youtube](https://youtu.be/dQw4w9WgXcQ?t=1h2m3s)\n",
		"@[card](https://example.com/x)\n",
		"@[tweet](https://x.com/a/status/1)\n",
		"@[figma](https://www.figma.com/file/AbCdEfGhIjKlMnOpQrStUv/x?a=b)\n",
		"@[codesandbox](https://codesandbox.io/embed/x?runonclick=0#a)\n",
		"@[docswell](https://www.docswell.com/s/u/ABC-x/3)\n",
		"@[x](javascript:alert(1))\n",
		"@[]()\n@[a](\n",
		"text\n@[jsfiddle](http://jsfiddle.net/a/b) tail ) (\n",
		"https://x.com/a/status/1\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) { fuzzConvert(t, s) })
}

func FuzzImageSize(f *testing.F) {
	for _, s := range []string{
		"![a](u =250x)\n",
		"![a](<u v> \"t\" =1x2)\n*cap*\n",
		"[![a](u =x2)](l)\n",
		"![a [b] \\] c](u =%x%)\n",
		"![](u =x)\n",
		"![a](u( =1x1)\n",
		"![a](u \"t =1x1)\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		fuzzConvert(t, s)
		// The scanner itself on any bytes: it must not panic and, when it
		// accepts, consume within the line.
		line := []byte(s)
		end := -1
		if len(line) > 1 {
			end = int(matchBrackets(line)[1])
		}
		if im, ok := scanSizedImage(line, end); ok && (im.end > len(s) || im.labelEnd > im.end) {
			t.Fatalf("scanSizedImage(%q) = %+v", s, im)
		}
	})
}

func FuzzInlineFootnote(f *testing.F) {
	for _, s := range []string{
		"a^[b] c[^d]\n\n[^d]: e ^[f]\n",
		"^[a ^[b] c] ^[`]`] ^[unclosed\n",
		"*a ^[b* c] d*\n",
		"[x ^[y] z](u) ^[<https://e.com/]>]\n",
		"^[**a** [b](c) ![d](e =1x)]\n",
		strings.Repeat("^[", 50) + strings.Repeat("]", 50) + "\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) { fuzzConvert(t, s) })
}

func FuzzBareURLs(f *testing.F) {
	for _, s := range []string{
		"https://example.com\n",
		"a\nhttps://example.com\nb\n",
		":::details t\nhttps://example.com\n:::\n",
		"https://example.com <!-- c -->\nhttps://x.com/a/status/1  \nhttps://www.youtube.com/watch?v=dQw4w9WgXcQ\\\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) { fuzzConvert(t, s) })
}

func FuzzStrikethrough(f *testing.F) {
	for _, s := range []string{"0001~4500", "~~a~~", "q ~~~x~~~", "~~~~a~~~~", "\\~~~a~~", "~~**a~~**", "~~a ~b~ c~~"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) { fuzzConvert(t, s) })
}

// TestLinearTime guards against quadratic parsing: long lines of brackets,
// deep nesting and many cards convert in well under the bound. (goldmark's
// own link parser is quadratic on a line of many "![a](b" without spaces;
// that case is left out.)
func TestLinearTime(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("timing test: not in -short or -race runs")
	}
	cases := map[string]string{
		"many ^[":            strings.Repeat("^[", 50000),
		"nested ^[…]":        strings.Repeat("^[", 20000) + strings.Repeat("]", 20000),
		"many ![":            strings.Repeat("![", 50000),
		"many sized images":  strings.Repeat("![a](b =", 50000),
		"code spans":         strings.Repeat("^[`` `", 20000),
		"unclosed fences":    strings.Repeat(":::message\n", 20000),
		"bare URLs":          strings.Repeat("https://e.com/x\n", 20000),
		"many inline notes":  strings.Repeat("a^[b] ", 20000),
		"embeds in a row":    strings.Repeat("@[youtube](dQw4w9WgXcQ)\n", 20000),
		"nested details":     strings.Repeat("::::details x\n", 100) + "text\n",
		"unclosed in a list": strings.Repeat("- :::message\n  x\n", 5000),
		"odd tilde runs":     strings.Repeat("~~~a~~ ", 20000) + strings.Repeat(" b~~", 20000),
		"unclosed strikes":   strings.Repeat("~~a ", 50000),
	}
	for name, src := range cases {
		t.Run(name, func(t *testing.T) {
			start := time.Now()
			convert(t, src)
			if d := time.Since(start); d > 10*time.Second {
				t.Errorf("took %v", d)
			}
		})
	}
}

func FuzzMatchBrackets(f *testing.F) {
	for _, s := range []string{"[a]", "\\``[`]`` ]", "[`]`]", "[[]", "`` ` `` [x]\\", "[\\]]"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m := matchBrackets([]byte(s))
		for i, j := range m {
			if j >= 0 && (s[i] != '[' || int(j) <= i || int(j) >= len(s) || s[j] != ']') {
				t.Fatalf("matchBrackets(%q)[%d] = %d", s, i, j)
			}
		}
	})
}
