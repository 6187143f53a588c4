package diagram

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"oss.terrastruct.com/d2/lib/textmeasure"
)

const hint = ": fix the D2 source here (D2 syntax: https://d2lang.com/tour/intro)"

// TestProblems checks that each error is reported at the article's
// file:line:col with D2's message, and that the block falls back to a <pre>.
func TestProblems(t *testing.T) {
	panicky := func(e *Extender) {
		e.e.compile = func(context.Context, string, *textmeasure.Ruler, config) (rendered, error) {
			panic("boom")
		}
	}
	tests := []struct {
		name  string
		opts  []Option
		setup func(*Extender)
		src   string
		want  []string
	}{
		{
			name: "unclosed map",
			src:  "# t\n\n```d2\na -> b\nc: {\n```\n",
			want: []string{"a.md:5:4: d2 diagram: maps must be terminated with }" + hint},
		},
		{
			name: "unknown shape points at the value",
			src:  "```d2\na.shape: nonsense\n```\n",
			want: []string{`a.md:2:10: d2 diagram: unknown shape "nonsense"` + hint},
		},
		{
			name: "column counts characters after Japanese text",
			src:  "```d2\nあ: いう {style.fill: notacolor}\n```\n",
			want: []string{`a.md:2:20: d2 diagram: expected "fill" to be a valid named color ("orange"), a hex code ("#f0ff3a"), or a gradient ("linear-gradient(red, blue)")` + hint},
		},
		{
			name: "CRLF line endings",
			src:  "```d2\r\na -> b\r\nc: {\r\n```\r\n",
			want: []string{"a.md:3:4: d2 diagram: maps must be terminated with }" + hint},
		},
		{
			name: "indented in a list with a tab",
			src:  "- x\n\n\t```d2\n\tok\n\tb: {\n\t```\n",
			want: []string{"a.md:5:5: d2 diagram: maps must be terminated with }" + hint},
		},
		{
			name: "in a block quote",
			src:  "> ```d2\n> a -> b\n> b: {\n> ```\n",
			want: []string{"a.md:3:6: d2 diagram: maps must be terminated with }" + hint},
		},
		{
			name: "imports are refused",
			src:  "```d2\nx: @secret\n```\n",
			want: []string{`a.md:2:4: d2 diagram: failed to import "secret.d2": open secret.d2: imports are not supported in a d2 block (put the whole diagram in the block)` + hint},
		},
		{
			name: "block over the size limit",
			opts: []Option{WithMaxSourceBytes(10)},
			src:  "```d2\na -> b -> c -> d\n```\n",
			want: []string{"a.md:1:4: d2 diagram: the block is 17 bytes, over the 10-byte limit for one diagram: split it into smaller diagrams"},
		},
		{
			name: "layout over the time limit",
			opts: []Option{WithTimeout(time.Nanosecond)},
			src:  "```d2\na -> b\n```\n",
			want: []string{"a.md:1:4: d2 diagram: laying out the diagram took longer than 1ns: simplify it or split it into smaller diagrams"},
		},
		{
			name:  "a panic in D2 is an error at the block",
			setup: panicky,
			src:   "text\n\n```d2 title=\"x\"\na -> b\n```\n",
			want:  []string{"a.md:3:4: d2 diagram: D2 failed on this diagram (boom): simplify the diagram around the last change"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			x := New(tt.opts...)
			if tt.setup != nil {
				tt.setup(x)
			}
			html, ps := convert(t, x, "a.md", tt.src)
			if diff := cmp.Diff(tt.want, ps); diff != "" {
				t.Errorf("problems (-want +got):\n%s", diff)
			}
			if !strings.Contains(html, `<pre class="diagram-error"><code class="language-d2">`) || strings.Contains(html, "<svg") {
				t.Errorf("a failed block must be shown as its source in a <pre>, got:\n%s", html)
			}
		})
	}
}

// TestPanicThenRecover checks that a failure is not cached: once D2 works
// again, the same diagram renders.
func TestPanicThenRecover(t *testing.T) {
	x := New()
	real := x.e.compile
	x.e.compile = func(context.Context, string, *textmeasure.Ruler, config) (rendered, error) { panic("boom") }
	src := "```d2\na -> b\n```\n"
	if _, ps := convert(t, x, "a.md", src); len(ps) != 1 {
		t.Fatalf("want one problem, got %q", ps)
	}
	x.e.compile = real
	html, ps := convert(t, x, "a.md", src)
	if len(ps) != 0 || !strings.Contains(html, "<svg") {
		t.Fatalf("after the panic the diagram must render: problems %q", ps)
	}
}

var (
	outerSVG = regexp.MustCompile(`<svg class="d2"[^>]*>`)
	titleEl  = regexp.MustCompile(`<title>([^<]*)</title>`)
)

// TestSVGElement checks the outer <svg>: accessible, responsive, dark mode.
func TestSVGElement(t *testing.T) {
	tests := []struct {
		name, info, label string
		caption           bool
	}{
		{"with title", `d2 title="コンテナ & <Pod>"`, "コンテナ &amp; &lt;Pod&gt;", true},
		{"without title", "d2", DefaultLabel, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			html, ps := convert(t, New(), "a.md", "```"+tt.info+"\nコンテナ -> ポッド: 起動\n```\n")
			if len(ps) != 0 {
				t.Fatalf("problems: %q", ps)
			}
			tag := outerSVG.FindString(html)
			if tag == "" {
				t.Fatalf("no outer <svg> in %s", html)
			}
			for _, want := range []string{`role="img"`, `aria-label="` + tt.label + `"`, `width="100%"`, `viewBox="0 0 `, "max-width:", "height:auto"} {
				if !strings.Contains(tag, want) {
					t.Errorf("outer <svg> lacks %s: %s", want, tag)
				}
			}
			if strings.Contains(tag, ` height="`) || !strings.Contains(tag, ` width="100%"`) || strings.Count(tag, ` width="`) != 1 {
				t.Errorf("outer <svg> has a fixed pixel size: %s", tag)
			}
			vb := regexp.MustCompile(`viewBox="0 0 (\d+) (\d+)"`).FindStringSubmatch(tag)
			if vb == nil || !strings.Contains(tag, "max-width:"+vb[1]+"px") {
				t.Errorf("max-width must be the natural width of the viewBox: %s", tag)
			}
			if m := titleEl.FindStringSubmatch(html); m == nil || m[1] != tt.label {
				t.Errorf("<title> = %q, want %q", m, tt.label)
			}
			if got := strings.Contains(html, "<figcaption>"+tt.label+"</figcaption>"); got != tt.caption {
				t.Errorf("figcaption present = %v, want %v", got, tt.caption)
			}
			if strings.Contains(html, "<style") {
				t.Error("a plain diagram must leave its styles to the shared stylesheet")
			}
			for _, text := range []string{">コンテナ</text>", ">ポッド</text>", ">起動</text>"} {
				if !strings.Contains(html, text) {
					t.Errorf("Japanese label %s missing from the SVG", text)
				}
			}
			if strings.Contains(html, "<?xml") || strings.Contains(html, "data-d2-version") {
				t.Error("the inline SVG must not carry an XML declaration or a version stamp")
			}
		})
	}
}

// TestDarkTheme checks that the shared stylesheet follows the reader's
// colour scheme, and has no dark rules under WithThemes with a negative
// dark id.
func TestDarkTheme(t *testing.T) {
	tests := []struct {
		name string
		opts []Option
		dark bool
	}{
		{"default", nil, true},
		{"no dark theme", []Option{WithThemes(0, -1)}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			html, _ := convert(t, New(tt.opts...), "a.md", "```d2\na -> b\n```\n")
			if strings.Contains(html, "prefers-color-scheme") {
				t.Error("the diagram carries dark rules of its own")
			}
			css := string(assetNamed(t, tt.opts, StylesheetName))
			if got := strings.Contains(css, "@media screen and (prefers-color-scheme:dark){"); got != tt.dark {
				t.Errorf("dark rules in %s: %v, want %v", StylesheetName, got, tt.dark)
			}
		})
	}
}

// assetNamed returns the asset name of Assets(opts...).
func assetNamed(t *testing.T, opts []Option, name string) []byte {
	t.Helper()
	assets, err := Assets(opts...)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range assets {
		if a.Name == name {
			return a.Data
		}
	}
	t.Fatalf("no asset %s", name)
	return nil
}

var rectOf = regexp.MustCompile(`<g class="shape"><rect x="[^"]+" y="[^"]+" width="([0-9.]+)"[^>]*/></g><text[^>]*>([^<]+)</text>`)

// TestCJKWidths checks that boxes fit Japanese labels: at least one em per
// character at 16px (so text does not overflow), and not absurdly wide.
func TestCJKWidths(t *testing.T) {
	const label = "コンテナオーケストレーション" // 14 characters
	n := len([]rune(label))
	html, ps := convert(t, New(), "a.md", "```d2\nj: "+label+"\nl: abcdefghijklmn\n```\n")
	if len(ps) != 0 {
		t.Fatal(ps)
	}
	widths := map[string]float64{} // by label
	for _, m := range rectOf.FindAllStringSubmatch(html, -1) {
		w, _ := strconv.ParseFloat(m[1], 64)
		widths[m[2]] = w
	}
	j, l := widths[label], widths["abcdefghijklmn"]
	if j == 0 || l == 0 {
		t.Fatalf("shapes not found: %v", widths)
	}
	if j < float64(n*16) {
		t.Errorf("box of %d CJK characters is %.0fpx wide, less than 16px per character", n, j)
	}
	if j > float64(n*16)*1.6+80 {
		t.Errorf("box of %d CJK characters is %.0fpx wide, far wider than needed", n, j)
	}
	if j <= l {
		t.Errorf("CJK box (%.0f) should be wider than the box of as many Latin letters (%.0f)", j, l)
	}
}

var (
	idAttr = regexp.MustCompile(` id="([^"]+)"`)
	idRef  = regexp.MustCompile(`url\(#([^)]+)\)|href="#([^"]+)"`)
)

// TestSeveralDiagramsOnAPage checks that ids are unique on the page, that
// references stay inside their own diagram, and that each diagram's CSS
// targets only that diagram.
func TestSeveralDiagramsOnAPage(t *testing.T) {
	src := "```d2\na -> b: x\nb.style.fill-pattern: dots\n```\n\n" +
		"```d2\nc: |md\n  # 見出し\n  - 項目\n|\nc -> d\n```\n\n" +
		"```d2\na -> b: x\nb.style.fill-pattern: dots\n```\n"
	html, ps := convert(t, New(), "a.md", src)
	if len(ps) != 0 {
		t.Fatal(ps)
	}
	seen := map[string]bool{}
	for _, m := range idAttr.FindAllStringSubmatch(html, -1) {
		if seen[m[1]] {
			t.Errorf("id %q used twice on the page", m[1])
		}
		seen[m[1]] = true
	}
	figs := strings.Split(html, "<figure")[1:]
	if len(figs) != 3 {
		t.Fatalf("%d figures, want 3", len(figs))
	}
	var classes []string
	rules := 0
	for i, f := range figs {
		m := regexp.MustCompile(`<svg class="(d2-[0-9a-f]{12}(?:-\d+)?) d2-svg"`).FindStringSubmatch(f)
		if m == nil {
			t.Fatalf("figure %d: no diagram class", i)
		}
		class := m[1]
		classes = append(classes, class)
		own := map[string]bool{}
		for _, id := range idAttr.FindAllStringSubmatch(f, -1) {
			own[id[1]] = true
		}
		styles := regexp.MustCompile(`(?s)<style.*?</style>`)
		for _, r := range idRef.FindAllStringSubmatch(styles.ReplaceAllString(f, ""), -1) {
			ref := r[1] + r[2]
			if !own[ref] {
				t.Errorf("figure %d refers to #%s, which is not one of its own ids", i, ref)
			}
		}
		// CSS may refer to patterns drawn only in sketch mode, but
		// always to ones named after its own diagram.
		for _, st := range styles.FindAllString(f, -1) {
			for _, r := range idRef.FindAllStringSubmatch(st, -1) {
				if ref := r[1] + r[2]; !own[ref] && !strings.HasSuffix(ref, class) {
					t.Errorf("figure %d: CSS refers to #%s, another diagram's id", i, ref)
				}
			}
		}
		sels := selectors(t, f)
		rules += len(sels)
		for _, sel := range sels {
			if !strings.HasPrefix(sel, "."+class+" ") {
				t.Errorf("figure %d: CSS selector %q is not scoped to .%s", i, sel, class)
			}
		}
	}
	if rules == 0 {
		t.Error("no CSS rules of a diagram's own found (the fill patterns have some)")
	}
	if classes[0] == classes[1] || classes[0] == classes[2] || classes[1] == classes[2] {
		t.Errorf("diagram classes clash: %q", classes)
	}
	if !strings.HasSuffix(classes[2], "-2") || strings.TrimSuffix(classes[2], "-2") != classes[0] {
		t.Errorf("the repeated diagram should get a numbered class: %q", classes)
	}
}

// selectors returns the selectors of the style rules in the <style>
// elements of html, leaving out @font-face and @keyframes blocks.
func selectors(t *testing.T, html string) []string {
	t.Helper()
	var out []string
	for _, m := range regexp.MustCompile(`(?s)<style type="text/css">(.*?)</style>`).FindAllStringSubmatch(html, -1) {
		css := strings.TrimSuffix(strings.TrimPrefix(m[1], "<![CDATA["), "]]>")
		css = regexp.MustCompile(`(?s)/\*.*?\*/`).ReplaceAllString(css, "")
		// Drop @font-face and @keyframes blocks (with nested braces).
		for _, at := range []string{"@font-face", "@keyframes"} {
			for {
				i := strings.Index(css, at)
				if i < 0 {
					break
				}
				j := i + strings.IndexByte(css[i:], '{')
				depth, k := 0, j
				for ; k < len(css); k++ {
					if css[k] == '{' {
						depth++
					} else if css[k] == '}' {
						depth--
						if depth == 0 {
							break
						}
					}
				}
				css = css[:i] + css[min(k+1, len(css)):]
			}
		}
		css = regexp.MustCompile(`@media[^{]*\{`).ReplaceAllString(css, "")
		for _, r := range regexp.MustCompile(`([^{}]+)\{[^{}]*\}`).FindAllStringSubmatch(css, -1) {
			for _, s := range strings.Split(r[1], ",") {
				if s = strings.TrimSpace(s); s != "" {
					out = append(out, s)
				}
			}
		}
	}
	return out
}

const sample = "# 図\n\n```d2 title=\"構成\"\ncp: コントロールプレーン {\n  ecs: ECS\n  eks: EKS\n}\ndp: データプレーン {\n  ec2: EC2\n  fargate: Fargate\n}\ncp -> dp: 管理\n```\n\n```d2\nx -> y -> z\n```\n"

// TestDeterministic checks that separate extenders, and concurrent
// conversions sharing one extender, give the same bytes.
func TestDeterministic(t *testing.T) {
	want, _ := convert(t, New(), "a.md", sample)
	again, _ := convert(t, New(), "a.md", sample)
	if want != again {
		t.Fatalf("two extenders disagree:\n%s", cmp.Diff(want, again))
	}
	x := New()
	var wg sync.WaitGroup
	errs := make(chan string, 16)
	for i := 0; i < 16; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			src := sample
			if i%2 == 1 { // half the goroutines lay out a diagram of their own
				src += fmt.Sprintf("\n```d2\nn%d -> m\n```\n", i)
			}
			got, _, err := convertErr(x, "a.md", src)
			if err != nil {
				errs <- err.Error()
				return
			}
			if !strings.HasPrefix(got, want) {
				errs <- fmt.Sprintf("goroutine %d differs", i)
			}
		}(i)
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

// TestMemoryCache checks that a diagram is laid out once per extender.
func TestMemoryCache(t *testing.T) {
	x := New()
	first, _ := convert(t, x, "a.md", sample)
	if s := x.Stats(); s.Layouts != 2 || s.MemoryHits != 0 {
		t.Fatalf("after the first conversion: %+v, want 2 layouts", s)
	}
	second, _ := convert(t, x, "b.md", sample)
	if s := x.Stats(); s.Layouts != 2 || s.MemoryHits != 2 {
		t.Fatalf("after the second conversion: %+v, want 2 layouts and 2 memory hits", s)
	}
	if first != second {
		t.Fatal("a cached diagram differs from the laid-out one")
	}
}

// TestDiskCache checks that a new extender on the same cache directory
// serves the diagrams without laying them out, byte for byte, and that no
// temporary file is left behind.
func TestDiskCache(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "d2cache")
	a := New(WithCacheDir(dir))
	want, _ := convert(t, a, "a.md", sample)
	if s := a.Stats(); s.Layouts != 2 || s.DiskHits != 0 || s.DiskWriteErrors != 0 {
		t.Fatalf("first build: %+v", s)
	}
	files := cacheFiles(t, dir)
	if len(files) != 2 {
		t.Fatalf("cache holds %v, want 2 files", files)
	}
	b := New(WithCacheDir(dir))
	got, _ := convert(t, b, "a.md", sample)
	if s := b.Stats(); s.Layouts != 0 || s.DiskHits != 2 {
		t.Fatalf("rebuild: %+v, want no layout and 2 disk hits", s)
	}
	if got != want {
		t.Fatalf("diagram from the disk cache differs:\n%s", cmp.Diff(want, got))
	}
	// Different options are a different diagram.
	c := New(WithCacheDir(dir), WithThemes(4, 201))
	convert(t, c, "a.md", sample)
	if s := c.Stats(); s.Layouts != 2 || s.DiskHits != 0 {
		t.Fatalf("other themes: %+v, want 2 layouts", s)
	}
}

func cacheFiles(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".tmp-") {
			t.Errorf("temporary file left in the cache: %s", e.Name())
		}
		if strings.HasSuffix(e.Name(), ".d2svg") { // not the shared styles
			names = append(names, e.Name())
		}
	}
	return names
}

// TestDiskCacheCorrupt damages a cache file in several ways: each time the
// diagram is laid out again (never served damaged) and the file repaired.
func TestDiskCacheCorrupt(t *testing.T) {
	src := "```d2\na -> b\n```\n"
	dir := t.TempDir()
	want, _ := convert(t, New(WithCacheDir(dir)), "a.md", src)
	files := cacheFiles(t, dir)
	if len(files) != 1 {
		t.Fatalf("cache holds %v", files)
	}
	path := filepath.Join(dir, files[0])
	good, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	nl := strings.IndexByte(string(good), '\n')
	tests := []struct {
		name   string
		damage func([]byte) []byte
	}{
		{"empty", func([]byte) []byte { return nil }},
		{"truncated body", func(b []byte) []byte { return b[:len(b)-100] }},
		{"truncated header", func(b []byte) []byte { return b[:nl/2] }},
		{"flipped byte in the body", func(b []byte) []byte { b[len(b)-50] ^= 0x20; return b }},
		{"extra bytes", func(b []byte) []byte { return append(b, "<script>"...) }},
		{"garbage", func([]byte) []byte { return []byte("not a cache file\n<svg></svg>") }},
		{"header of another diagram", func(b []byte) []byte {
			return []byte(strings.Replace(string(b), files[0][:8], "00000000", 1))
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bad := tt.damage(append([]byte(nil), good...))
			if err := os.WriteFile(path, bad, 0o644); err != nil {
				t.Fatal(err)
			}
			x := New(WithCacheDir(dir))
			got, ps := convert(t, x, "a.md", src)
			if len(ps) != 0 {
				t.Fatal(ps)
			}
			if s := x.Stats(); s.DiskCorrupt != 1 || s.Layouts != 1 || s.DiskHits != 0 {
				t.Errorf("stats %+v: want the damage detected and the diagram laid out again", s)
			}
			if got != want {
				t.Errorf("output differs after a damaged cache file:\n%s", cmp.Diff(want, got))
			}
			repaired, err := os.ReadFile(path)
			if err != nil || string(repaired) != string(good) {
				t.Errorf("cache file not repaired (err %v)", err)
			}
		})
	}
}

// TestDiskCacheUnwritable checks that a cache directory that cannot be
// written does not fail the build.
func TestDiskCacheUnwritable(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	x := New(WithCacheDir(filepath.Join(file, "sub"))) // a directory under a file
	html, ps := convert(t, x, "a.md", "```d2\na -> b\n```\n")
	if len(ps) != 0 || !strings.Contains(html, "<svg") {
		t.Fatalf("problems %q", ps)
	}
	if s := x.Stats(); s.DiskWriteErrors != 1 {
		t.Errorf("stats %+v, want 1 write error", s)
	}
}

func TestParseInfo(t *testing.T) {
	tests := []struct {
		name, info string
		title      string
		problems   []infoProblem
	}{
		{"bare", "d2", "", nil},
		{"double quotes", `d2 title="コンテナ オーケストレーション"`, "コンテナ オーケストレーション", nil},
		{"single quotes and escapes", `d2 title='a \'b\' "c" \\'`, `a 'b' "c" \`, nil},
		{"unquoted", "d2 title=x", "x", nil},
		{"extra spaces", "d2   title=\"x\"  ", "x", nil},
		{"unknown key", `d2 theme=3 title="t"`, "t", []infoProblem{{offset: 3, warn: true,
			msg: `d2 info string: unknown attribute "theme" is ignored: the only attribute is title="..."`}}},
		{"not key=value", `d2 hello`, "", []infoProblem{{offset: 3, warn: true,
			msg: `d2 info string: "hello" is not a key="value" attribute and is ignored: write title="..."`}}},
		{"unclosed", `d2 title="abc`, "", []infoProblem{{offset: 9,
			msg: `d2 info string: the value of title has no closing ": close the quote`}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, ps := parseInfo([]byte(tt.info))
			if a.title != tt.title {
				t.Errorf("title = %q, want %q", a.title, tt.title)
			}
			if diff := cmp.Diff(tt.problems, ps, cmp.AllowUnexported(infoProblem{})); diff != "" {
				t.Errorf("problems (-want +got):\n%s", diff)
			}
		})
	}
}

func TestScopeCSS(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"plain rule", ".shape {\n  x: y;\n}\n", ".d2-x .shape {\n  x: y;\n}\n"},
		{"already scoped", ".d2-x .fill-N1{fill:#000;}", ".d2-x .fill-N1{fill:#000;}"},
		{"longer id is not ours", ".d2-xy .a{}", ".d2-x .d2-xy .a{}"},
		{"selector list", ".a, .b{}", ".d2-x .a, .d2-x .b{}"},
		{"media", "@media screen and (prefers-color-scheme:dark){.md{c:d}}", "@media screen and (prefers-color-scheme:dark){.d2-x .md{c:d}}"},
		{"font-face untouched", "@font-face {\n\tfont-family: f;\n\tsrc: url(\"data:x\");\n}", "@font-face {\n\tfont-family: f;\n\tsrc: url(\"data:x\");\n}"},
		{"keyframes untouched", "@keyframes k {\n\tfrom {a:b}\n\tto {a:c}\n}\n.k{}", "@keyframes k {\n\tfrom {a:b}\n\tto {a:c}\n}\n.d2-x .k{}"},
		{"cdata kept", "<![CDATA[.a{}]]>", "<![CDATA[.d2-x .a{}]]>"},
		{"comment kept", "/* c */.a{}", "/* c */.d2-x .a{}"},
		{"unterminated", ".a{b", ".d2-x .a{b"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, scopeCSS(tt.in, "d2-x")); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// articlePath is the seed article whose figures are D2 blocks.
const articlePath = "../../../content/articles/ecs-vs-eks.md"

// TestArticleFigures renders the seed article's diagrams: all lay out
// without problems, carry a title, and no missing image remains. With
// KIJI_D2_PREVIEW=dir it also writes dir/ecs-vs-eks.html to look at.
func TestArticleFigures(t *testing.T) {
	src, err := os.ReadFile(articlePath)
	if err != nil {
		t.Skipf("seed article not found: %v", err)
	}
	html, ps := convert(t, New(), articlePath, string(src))
	for _, p := range ps {
		if strings.Contains(p, "d2 ") {
			t.Errorf("problem: %s", p)
		}
	}
	if n := strings.Count(html, `<figure class="diagram diagram-d2">`); n != 7 {
		t.Errorf("%d diagrams, want 7", n)
	}
	if n := strings.Count(html, "<figcaption>"); n != 7 {
		t.Errorf("%d captions, want 7 (every figure has a title)", n)
	}
	if strings.Contains(html, "/images/ecs-vs-eks/") {
		t.Error("the article still refers to an image that does not exist")
	}
	if dir := os.Getenv("KIJI_D2_PREVIEW"); dir != "" {
		page := `<!doctype html><meta charset="utf-8"><title>preview</title><style>body{margin:0;font-family:sans-serif}@media (prefers-color-scheme:dark){body{background:#111;color:#eee}}main{max-width:720px;margin:0 auto;padding:8px}figcaption{text-align:center;font-size:14px}</style><main>` + html + "</main>\n"
		if err := os.WriteFile(filepath.Join(dir, "ecs-vs-eks.html"), []byte(page), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
