package math

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kiji-ssg/kiji/site/diag"
	"github.com/yuin/goldmark/parser"
)

// slowTeX is a formula KaTeX takes far longer than a second on (a sum of
// 20,000 terms: more than 30 s), different for each i.
func slowTeX(i int) string { return strings.Repeat("a+", 20000) + "b_{" + strconv.Itoa(i) + "}" }

// slowArticle has n slow display formulas; formula i's $$ is on line 3+4i.
func slowArticle(n int) []byte {
	var b strings.Builder
	b.WriteString("# Slow\n\n")
	for i := range n {
		b.WriteString("$$\n" + slowTeX(i) + "\n$$\n\n")
	}
	return []byte(b.String())
}

func convertCtx(t testing.TB, ctx context.Context, e *Extender, src []byte) converted {
	t.Helper()
	list := &diag.List{}
	doc := &diag.Doc{File: "content/articles/test.md", Src: src, List: list, Ctx: ctx}
	pc := parser.NewContext()
	diag.Attach(pc, doc)
	var b bytes.Buffer
	if err := newMD(e).Convert(src, &b, parser.WithContext(pc)); err != nil {
		t.Fatalf("Convert: %v", err)
	}
	c := converted{html: b.String(), needs: doc.Needs("math")}
	for _, p := range list.Sorted() {
		c.problems = append(c.problems, p.Error())
	}
	return c
}

// gojaOnly sets a goja engine with one runtime and timeout d: timings
// below are goja's (node renders slowTeX faster; TestNodeTimeout).
func gojaOnly(d time.Duration) func(*config) {
	return func(c *config) { c.timeout, c.runtimes, c.node = d, 1, "" }
}

func TestTimeoutRemembered(t *testing.T) {
	e := newExt(gojaOnly(100 * time.Millisecond))
	if _, err := e.Render(slowTeX(0), true); err == nil || !strings.Contains(err.Error(), "longer than 100ms") {
		t.Fatalf("err = %v, want a timeout", err)
	}
	runs := e.eng.runs.Load()
	_, err := e.Render(slowTeX(0), true)
	if err == nil || !strings.Contains(err.Error(), "longer than 100ms") || !strings.Contains(err.Error(), "remembered") {
		t.Errorf("second time: err = %v, want the remembered timeout", err)
	}
	if n := e.eng.runs.Load(); n != runs {
		t.Errorf("KaTeX ran %d more times on a formula known to time out", n-runs)
	}
	// Given more time, the formula is tried again.
	e.eng.timeout = 300 * time.Millisecond
	if _, err := e.Render(slowTeX(0), true); err == nil || !strings.Contains(err.Error(), "longer than 300ms") {
		t.Errorf("with a longer timeout: err = %v", err)
	}
	if n := e.eng.runs.Load(); n != runs+1 {
		t.Errorf("with a longer timeout KaTeX ran %d times, want once", n-runs)
	}
}

func TestTimeoutRememberedOnDisk(t *testing.T) {
	dir := t.TempDir()
	set := func(c *config) { gojaOnly(100 * time.Millisecond)(c); c.cacheDir = dir }
	if _, err := newExt(set).Render(slowTeX(1), false); err == nil {
		t.Fatal("no timeout")
	}
	e := newExt(set) // a later build: a new process
	if _, err := e.Render(slowTeX(1), false); err == nil || !strings.Contains(err.Error(), "remembered") {
		t.Errorf("err = %v, want the timeout remembered on disk", err)
	}
	if n := e.eng.runs.Load(); n != 0 {
		t.Errorf("KaTeX ran %d times on a formula remembered on disk", n)
	}
	// A damaged memo is not trusted: the formula is tried again.
	files, _ := filepath.Glob(filepath.Join(dir, "*"))
	if len(files) != 1 {
		t.Fatalf("%d memo files, want 1", len(files))
	}
	b, _ := os.ReadFile(files[0])
	b[len(b)/2] ^= 1
	os.WriteFile(files[0], b, 0o644)
	e = newExt(set)
	e.Render(slowTeX(1), false)
	if n := e.eng.runs.Load(); n != 1 {
		t.Errorf("KaTeX ran %d times after the memo was damaged, want 1", n)
	}
}

func TestArticleBudget(t *testing.T) {
	e := newExt(func(c *config) {
		gojaOnly(200 * time.Millisecond)(c)
		c.articleLost, c.articleTotal = 500*time.Millisecond, time.Hour
	})
	src := slowArticle(10)
	for round := 0; round < 2; round++ {
		before := e.eng.runs.Load()
		c := convertCtx(t, context.Background(), e, src)
		if len(c.problems) != 10 {
			t.Fatalf("round %d: %d problems, want one per formula:\n%s", round, len(c.problems), strings.Join(c.problems, "\n"))
		}
		skipped := 0
		for i, p := range c.problems {
			if !strings.HasPrefix(p, "content/articles/test.md:"+strconv.Itoa(3+4*i)+":") {
				t.Errorf("problem %d is not at its formula's line: %s", i, p)
			}
			if strings.Contains(p, "limit per article") {
				skipped++
			}
		}
		// 500 ms at 200 ms a formula: three are tried, the rest skipped
		// (the second time, the first three are remembered).
		if ran := e.eng.runs.Load() - before; ran > 4 || skipped < 5 {
			t.Errorf("round %d: KaTeX ran %d formulas and skipped %d; the budget allows 3", round, ran, skipped)
		}
	}
}

func TestBuildBudget(t *testing.T) {
	e := newExt(gojaOnly(200 * time.Millisecond))
	ctx := WithBuildBudget(context.Background(), 300*time.Millisecond)
	convertCtx(t, ctx, e, slowArticle(3)) // 600 ms lost to timeouts
	c := convertCtx(t, ctx, e, []byte("$$\n"+slowTeX(99)+"\n$$\n"))
	if len(c.problems) != 1 || !strings.Contains(c.problems[0], "longer than 20ms") || !strings.Contains(c.problems[0], "this build") {
		t.Errorf("after the build's budget, problems = %q; want a 20ms timeout (a tenth)", c.problems)
	}
}

func TestCancelStopsKaTeX(t *testing.T) {
	e := newExt(gojaOnly(time.Minute))
	ctx, cancel := context.WithCancel(context.Background())
	timer := time.AfterFunc(300*time.Millisecond, cancel)
	defer timer.Stop()
	done := make(chan converted, 1)
	go func() { done <- convertCtx(t, ctx, e, slowArticle(3)) }()
	select {
	case c := <-done:
		if len(c.problems) != 0 {
			t.Errorf("a cancelled conversion reported %q", c.problems)
		}
	case <-time.After(30 * time.Second): // uncancelled, it takes 3 minutes
		t.Fatal("cancelling did not stop KaTeX")
	}
	e.eng.mu.Lock()
	n := len(e.eng.cache)
	e.eng.mu.Unlock()
	if n != 0 {
		t.Errorf("a cancelled rendering was remembered (%d results)", n)
	}
}
