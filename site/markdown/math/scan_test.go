package math

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestScanInline(t *testing.T) {
	type want struct {
		TeX     string
		Next    int
		Display bool
	}
	tests := []struct {
		name string
		line string
		want *want // nil: not math
	}{
		{"simple", "$x$ rest", &want{"x", 3, false}},
		{"longer", "$E = mc^2$.", &want{"E = mc^2", 10, false}},
		{"double is display", "$$x^2$$ text", &want{"x^2", 7, true}},
		{"double one char", "$$x$$", &want{"x", 5, true}},
		{"space after opening", "$ x$", nil},
		{"space before closing", "$x $", nil},
		{"tab after opening", "$\tx$", nil},
		{"ideographic space before closing", "$x\u3000$", nil},
		{"skips a closer after a space", "$a $b$", &want{"a $b", 6, false}},
		{"digit after closing", "$5 and $10", nil},
		{"digit right after closing", "$x$1", nil},
		{"dot after closing", "$x$.", &want{"x", 3, false}},
		{"no closer", "$x", nil},
		{"only dollars", "$$", nil},
		{"escaped dollar does not close", `$a\$b$`, &want{`a\$b`, 6, false}},
		{"escaped backslash then closer", `$a\\$`, &want{`a\\`, 5, false}},
		{"one escaped char", `$\$`, nil},
		{"stays on its line", "$a\nb$", nil},
		{"stops at CR", "$a\rb$", nil},
		{"stops at U+2028", "$a\u2028b$", nil},
		{"unicode", "$\\text{速度}$", &want{"\\text{速度}", 15, false}},
		{"double falls back to single", "$$ x$", &want{"$ x", 5, false}},
		{"double with digit after falls back", "$$x$$1", &want{"$x", 4, false}},
		{"link guard keeps the link", "$x](https://e.com/$y)", nil},
		{"link guard allows one char", "$x$](https://e.com/$y)", &want{"x", 3, false}},
		{"link guard: a link before the next dollar", "$x](https://e.com/y) $z$", nil},
		{"double link guard, then single", "$$x](https://e.com/y)$$", nil},
		{"double link guard falls back to single", "$$xy$$ [l](https://e.com/) $z$", &want{"$xy", 5, false}},
		{"a link after the closer is no guard", "$ab$ [l](https://e.com/) and $c$ (x)", &want{"ab", 4, false}},
		{"a link after the closer, in parentheses", "$1e^{-4}$)とか([他](https://e.com/x))では$0.1$など)", &want{"1e^{-4}", 9, false}},
		{"link guard looks past an escaped dollar", `$a\$b](http://e.com)$`, nil},
		{"not starting with a dollar", "x$", nil},
		{"code span inside", "$a `b` c$", &want{"a `b` c", 9, false}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, ok := scanInline([]byte(tt.line))
			var got *want
			if ok {
				got = &want{tt.line[m.start:m.end], m.next, m.display}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("scanInline(%q) (-want +got):\n%s", tt.line, diff)
			}
		})
	}
}

func TestScanLabel(t *testing.T) {
	tests := []struct {
		name, in, label string
		n               int
	}{
		{"number", " (1)", "1", 4},
		{"no space", "(2.1)\n", "2.1", 5},
		{"tab", "\t(a)", "a", 4},
		{"none", "\n", "", 0},
		{"space inside", " (a b)", "", 0},
		{"empty", " ()", "", 0},
		{"unclosed", " (1", "", 0},
		{"text first", " x (1)", "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			label, n := scanLabel([]byte(tt.in))
			if string(label) != tt.label || n != tt.n {
				t.Errorf("scanLabel(%q) = %q, %d; want %q, %d", tt.in, label, n, tt.label, tt.n)
			}
		})
	}
}

func TestUTF16ToByte(t *testing.T) {
	s := "a速😀b" // 1 + 3 + 4 + 1 bytes; 1 + 1 + 2 + 1 UTF-16 units
	tests := []struct{ idx, want int }{{-1, -1}, {0, 0}, {1, 1}, {2, 4}, {4, 8}, {5, 9}, {99, 9}}
	for _, tt := range tests {
		if got := utf16ToByte(s, tt.idx); got != tt.want {
			t.Errorf("utf16ToByte(%q, %d) = %d, want %d", s, tt.idx, got, tt.want)
		}
	}
}

// Many openers with no closer on one line, or many display blocks, must not
// cost quadratic time (Zenn's regular expressions do).
func TestManyDollarsLinearTime(t *testing.T) {
	md := newMD(ext())
	tests := []struct {
		name, in string
		math     bool
	}{
		{"openers without closers", strings.Repeat("$a ", 100000), false},
		{"openers then a closer and a digit", strings.Repeat("$a ", 100000) + "b$1", false},
		{"openers and link guards", strings.Repeat("[$a](https://e.com/$b) ", 20000), false},
		{"double openers and closers", strings.Repeat("$$a$$ ", 20000), true},
		{"display blocks", strings.Repeat("$$\nx\n$$\n\n", 20000), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Now()
			got := convert(t, md, []byte(tt.in))
			if el := time.Since(start); el > 5*time.Second {
				t.Errorf("took %v", el)
			}
			if tt.math != strings.Contains(got.html, `class="math-`) {
				t.Errorf("math found: %v, want %v", !tt.math, tt.math)
			}
		})
	}
}

// scanInline matches inline math at the start of line, which begins with
// '$'. The caller checks the character before the '$' (backslash, digit).
func scanInline(line []byte) (inlineMatch, bool) {
	var s scanner
	return s.scan(line, 0)
}
