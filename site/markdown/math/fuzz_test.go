package math

import (
	"bytes"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
)

var fuzzSeeds = []string{
	"$x$", "$$x$$", "$5 and $10", "USD 0.04045", "\\$x$", "2$x$", "$x$1", "$a\\$b$",
	"$ x$", "$x $", "[$x](https://example.com/$y)", "$$x](https://e.com/y)$$",
	"$$\nx\n$$", "$$\nx\n$$ (1)", "$$ x $$ (2.1)", "> $$\n> x\n> $$", "- a\n\n  $$\n  b\n  $$",
	"text\n$$\nx\n$$", "$$\nx\n$$ tail", "$$", "$$$", "$$$$", "$$\n\n$$", "`$x$`", "```\n$$\n```\n$$",
	"$\\frac{1}{$", "$$\n\\foo\n$$", "\t$$\n\tx\n\t$$", "| $a|b$ |\n|---|\n| $c$ |",
	"$\u3000x$", "$x\u2028$", "$x\r\n$", "$$\\begin{aligned}a&=b\\end{aligned}$$",
}

// FuzzScanInline checks the inline scanner's invariants on any line.
func FuzzScanInline(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		b := []byte(line)
		m, ok := scanInline(b)
		if !ok {
			return
		}
		d := 1
		if m.display {
			d = 2
		}
		if m.start != d || m.end <= m.start || m.next != m.end+d || m.next > len(b) {
			t.Fatalf("scanInline(%q) = %+v: bad bounds", line, m)
		}
		if string(b[:d]) != "$$"[:d] || string(b[m.end:m.next]) != "$$"[:d] {
			t.Fatalf("scanInline(%q) = %+v: delimiters are not dollars", line, m)
		}
		tex := b[m.start:m.end]
		if bytes.ContainsAny(tex, "\n\r") {
			t.Fatalf("scanInline(%q): TeX %q spans lines", line, tex)
		}
		first, _ := utf8.DecodeRune(tex)
		last, _ := utf8.DecodeLastRune(tex)
		if jsSpace(first) || jsSpace(last) {
			t.Fatalf("scanInline(%q): TeX %q starts or ends with white space", line, tex)
		}
		if m.next < len(b) && isDigit(b[m.next]) {
			t.Fatalf("scanInline(%q): a digit follows the closing dollar", line)
		}
		if escaped(b, m.end) {
			t.Fatalf("scanInline(%q): the closing dollar is escaped", line)
		}
	})
}

// FuzzConvert runs the block and inline parsers, KaTeX and the renderer on
// any document: no panic, no hang, the same bytes twice, and every problem
// on a real line.
func FuzzConvert(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	e := newExt(func(c *config) { c.timeout = 2 * time.Second })
	md := newMD(e)
	f.Fuzz(func(t *testing.T, src string) {
		if len(src) > 4096 {
			return
		}
		a := convert(t, md, []byte(src))
		b := convert(t, md, []byte(src))
		if diff := cmp.Diff(a, b, cmp.AllowUnexported(converted{})); diff != "" {
			t.Fatalf("two conversions of %q differ:\n%s", src, diff)
		}
		for _, p := range a.problems {
			if !bytes.HasPrefix([]byte(p), []byte("content/articles/test.md:")) || bytes.HasPrefix([]byte(p), []byte("content/articles/test.md:0")) {
				t.Fatalf("problem without a line: %s", p)
			}
		}
	})
}
