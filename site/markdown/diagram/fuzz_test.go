package diagram

import (
	"strings"
	"testing"
	"time"
)

// FuzzBlock feeds arbitrary D2 sources and info strings through the whole
// extension: it must not panic or hang, a failed block must be reported,
// and a block without errors must become an SVG.
func FuzzBlock(f *testing.F) {
	seeds := []struct{ info, body string }{
		{`d2 title="図"`, "a -> b: ラベル"},
		{"d2", "x: {\n  y -> z\n}"},
		{"d2 title='a", "a -> {"},
		{"d2 title=x y=z", "a.shape: circle\nb.style.fill: \"#ff0000\"\na -> b"},
		{"d2", "grid-rows: 2\na\nb\nc"},
		{"d2", "...@x\nvars: {d2-config: {sketch: true}}"},
		{"d2", "a: |md\n  # t\n|\nb: {shape: sql_table; id: int}"},
		{"d2", "\"\\\n\x00\t```"},
		{"d2", "layers: {l: {a -> b}}\nc"},
	}
	for _, s := range seeds {
		f.Add(s.info, s.body)
	}
	x := New(WithTimeout(20*time.Second), WithMaxSourceBytes(4<<10))
	f.Fuzz(func(t *testing.T, info, body string) {
		if strings.ContainsAny(info, "\n\r`") {
			return // not an info string
		}
		src := "# t\n\n```d2 " + info + "\n" + body + "\n```\n\nafter\n"
		html, ps, err := convertErr(x, "f.md", src)
		if err != nil {
			t.Fatalf("render error: %v", err)
		}
		failed := false
		for _, p := range ps {
			if !strings.HasPrefix(p, "f.md:") {
				t.Errorf("problem without a position: %q", p)
			}
			if !strings.Contains(p, "warning:") {
				failed = true
			}
		}
		plain := strings.TrimSpace(body) != "" && !strings.Contains(body, "```") && !strings.Contains(body, "~~~")
		if plain && !failed && !strings.Contains(html, `<figure class="diagram diagram-d2"><svg`) {
			t.Errorf("no error reported, yet no diagram:\n%s", html)
		}
	})
}
