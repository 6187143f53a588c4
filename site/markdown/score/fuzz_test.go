package score

import (
	"strings"
	"sync"
	"testing"
	"time"
)

// FuzzNumber: reading and writing numbers never panics, and a number read
// from text writes back to text that reads as the same number in the same
// shape.
func FuzzNumber(f *testing.F) {
	for _, s := range []string{"13 点", "USD 0.0856（c6g.large）", "+ 15 %", "¥1,234,567", "−3", ".5", "1,23", "c6g", "9.999", "1e400", "+0 %"} {
		f.Add(s, 1.25)
	}
	f.Fuzz(func(t *testing.T, s string, v float64) {
		n, ok := parseNumber(s)
		if !ok {
			return
		}
		out := format(n.value, n.shape)
		m, ok := parseNumber(out)
		if !ok {
			t.Fatalf("format(parseNumber(%q)) = %q does not read back", s, out)
		}
		if format(m.value, n.shape) != out {
			t.Fatalf("%q → %q → %q: not stable", s, out, format(m.value, n.shape))
		}
		_ = format(v, n.shape)
		_, _ = parsePattern(s)
	})
}

// FuzzDirective: score and calc comments of any text never panic, and
// every offset they report lies inside the comment.
func FuzzDirective(f *testing.F) {
	for _, s := range []string{
		"◎=3 ○=2 △=1 chart=bar", `1..5 blank=0 weight="重 み" ignore=a,b best=low`, `"x"=1 ="" a=`, `"unclosed`,
		`let a = 1; b = a * 2; c["x"] = cell("b", 1); format c = "+0.0 %"`, `a[ = ]`, `"a`, `x[1`, `;;;`, `let = 3`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		in := mkText(s)
		var sc scale
		for _, p := range parseScale(&sc, in) {
			if p.off < 0 || p.off > len(s) {
				t.Fatalf("score problem offset %d outside %q", p.off, s)
			}
		}
		sc.rating(s)
		sc.outOfRange(s)
		sts, ps := parseCalc(in)
		for _, p := range ps {
			if p.off < 0 || p.off > len(s) {
				t.Fatalf("calc problem offset %d outside %q", p.off, s)
			}
		}
		for _, st := range sts {
			if o := st.expr.offset(0); o < 0 || o > len(s) {
				t.Fatalf("expression offset %d outside %q", o, s)
			}
		}
		_, _, _ = parseComment(mkText("<!-- score:" + s + "-->"))
	})
}

// stubTable answers the table functions with fixed numbers.
type stubTable struct{}

func (stubTable) col(string) (float64, error)                { return 2, nil }
func (stubTable) cell(string, rowRef) (float64, error)       { return 3, nil }
func (stubTable) column(string, int, int) ([]float64, error) { return []float64{1, 2, 3}, nil }

// FuzzFormula: any formula text compiles or fails with a message, runs in
// bounded time and never panics.
func FuzzFormula(f *testing.F) {
	for _, s := range []string{
		"a * 2 + b", "a / 0", "a % 0", "sum(column(\"x\")) / 3", "1..1000000000", "map(1..100000000, # * 2)",
		"let x = 1; x", "\"s\" + \"t\"", "$env", "a ** 1e308", "round(a, 2) > 1 ? a : b", "cell(\"x\", 1.5)",
		"max()", "min(column(\"x\", 2, 1))", "sqrt(-1)", "repeat(\"x\", 1000000000)", "a.b", "a[0]", "{a: 1}",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := compile(s, []string{"a", "b", "row"}, func() tableFuncs { return stubTable{} })
		if err != nil {
			if _, ok := err.(*exprError); !ok {
				t.Fatalf("compile(%q) error %T is not an exprError", s, err)
			}
			return
		}
		start := time.Now()
		_, _ = run(p, map[string]any{"a": 1.5, "b": -2.0, "row": 1.0})
		if d := time.Since(start); d > time.Second {
			t.Fatalf("run(%q) took %v", s, d)
		}
	})
}

// FuzzConvert: whole documents with score and calc comments never panic
// and never hit the transformer's internal-error guard.
func FuzzConvert(f *testing.F) {
	f.Add("<!-- score: ◎=3 ○=2 △=1 chart=bar -->\n| a | x | y |\n| - | - | - |\n| p | ◎ | ○(※1) |\n| | | |\n| 合計 | 3 | 2 |\n")
	f.Add("<!-- score: 1..5 blank=0 chart=radar weight=w -->\n| a | w | x |\n|-|-|-|\n| p | 2 | 5 |\n| q | 1 | |\n| r | x | 3 |\n")
	f.Add("<!-- calc: let k = 2; b = a * k; c[1] = cell(\"b\", 2) / 0; format b = \"+0.0 %\" -->\n| a | b | c |\n|-|-|-|\n| 1 | | |\n| 2 | 4 | |\n")
	f.Add("> <!-- calc: s = col(\"a b\") + row -->\n> | a b | s |\n> |---|---|\n> | 1 | |\n")
	f.Add("- <!-- score: A=1 -->\n  | x | y |\n  | - | - |\n  | z | A |\n")
	f.Add("<!-- calc: a = b; b = a -->\n| a | b |\n|-|-|\n| | |\n")
	f.Fuzz(func(t *testing.T, src string) {
		if len(src) > 4000 {
			return
		}
		_, problems := convert(t, []byte(src))
		if strings.Contains(problems, "internal error") {
			t.Fatalf("internal error for %q:\n%s", src, problems)
		}
	})
}

// TestConcurrent converts documents from several goroutines at once with
// one converter (run with -race): the extension keeps no shared state.
func TestConcurrent(t *testing.T) {
	src := []byte("<!-- score: ◎=3 ○=2 △=1 chart=bar -->\n| a | x | y |\n| - | - | - |\n| p | ◎ | ○ |\n| q | △ | ◎ |\n\n" +
		"<!-- calc: c = a / b; format c = \"0.00\" -->\n| a | b | c |\n|-|-|-|\n| 1 | 3 | |\n")
	md := newMarkdown()
	want, wantP := convertWith(t, md, src)
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 20; j++ {
				got, gotP := convertWith(t, md, src)
				if got != want || gotP != wantP {
					t.Errorf("concurrent conversion differs")
					return
				}
			}
		}()
	}
	wg.Wait()
}
