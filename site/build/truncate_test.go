package build

import (
	"strings"
	"testing"
)

// truncateWhole is truncate as it was, on the whole text: the reference.
func truncateWhole(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	rs := []rune(s)
	if len(rs) <= n {
		return s
	}
	return string(rs[:n]) + "…"
}

func TestTruncate(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		n        int
		want     string
	}{
		{"short", "a b", 5, "a b"},
		{"white space made one space", "  a \t\n b\u3000c  ", 10, "a b c"},
		{"cut", "abc def", 5, "abc d…"},
		{"cut at the space", "abc d", 3, "abc…"},
		{"exactly n", "abc d", 5, "abc d"},
		{"runes, not bytes", "日本語の文章", 3, "日本語…"},
		{"invalid byte kept when not cut", "a\xffb", 5, "a\xffb"},
		{"invalid byte as U+FFFD before a cut", "a\xffb cd", 4, "a\ufffdb …"},
		{"nothing", " \n ", 3, ""},
		{"n 0", "a", 0, "…"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := truncate(tc.in, tc.n); got != tc.want {
				t.Errorf("truncate(%q, %d) = %q, want %q", tc.in, tc.n, got, tc.want)
			}
			if ref := truncateWhole(tc.in, tc.n); ref != tc.want {
				t.Errorf("the reference gives %q, want %q", ref, tc.want)
			}
		})
	}
}

// FuzzTruncate: truncate is byte for byte what collapsing the whole text,
// then cutting it, gives.
func FuzzTruncate(f *testing.F) {
	f.Add("  a \t\n b\u3000c  ", 3)
	f.Add("a\xffb cd\xe3\x81", 4)
	f.Add("日本語の 文章\u0085x\u00a0y", 5)
	f.Fuzz(func(t *testing.T, s string, n int) {
		n = max(0, n%400)
		if got, want := truncate(s, n), truncateWhole(s, n); got != want {
			t.Errorf("truncate(%q, %d) = %q, want %q", s, n, got, want)
		}
	})
}
