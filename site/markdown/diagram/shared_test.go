package diagram

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/yuin/goldmark/parser"
	"golang.org/x/image/font"
	"golang.org/x/image/font/sfnt"
	"golang.org/x/image/math/fixed"
	"oss.terrastruct.com/d2/d2renderers/d2fonts"
	fontlib "oss.terrastruct.com/d2/lib/font"

	"github.com/kiji-ssg/kiji/site/diag"
)

// TestStylesheets checks the shared stylesheets: every rule scoped to the
// diagrams, every face of D2's fonts given by files among the assets (no
// font inside the stylesheet), no sketch rules (a sketch diagram keeps its
// own).
func TestStylesheets(t *testing.T) {
	assets, err := Assets()
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{}
	for _, a := range assets {
		files[a.Name] = a.Data
	}
	css, md := string(files[StylesheetName]), string(files[MarkdownStylesheetName])
	for name, sheet := range map[string]string{StylesheetName: css, MarkdownStylesheetName: md} {
		if strings.Contains(sheet, "data:") || strings.Contains(sheet, "sketch-overlay") {
			t.Errorf("%s holds a data URL or a sketch rule", name)
		}
		sels := selectors(t, `<style type="text/css">`+sheet+`</style>`)
		if len(sels) < 20 {
			t.Errorf("%s has %d selectors, want its rules", name, len(sels))
		}
		for _, s := range sels {
			if !strings.HasPrefix(s, ".d2-svg ") {
				t.Errorf("%s: selector %q is not scoped to .d2-svg", name, s)
			}
		}
	}
	for _, f := range faces {
		family := "font-family:d2-svg-font-" + f.suffix + ";"
		faceRules := regexp.MustCompile(`@font-face\{`+regexp.QuoteMeta(family)+`src:url\(([^)]+)\)`).FindAllStringSubmatch(css, -1)
		if len(faceRules) != len(fontRanges) {
			t.Errorf("%s: %d @font-face rules, want %d", family, len(faceRules), len(fontRanges))
		}
		for _, m := range faceRules {
			if !bytes.HasPrefix(files[m[1]], []byte("wOFF")) {
				t.Errorf("%s names %s, which is not a WOFF font among the assets", family, m[1])
			}
		}
	}
}

// TestShared renders diagrams and checks what each keeps of its own
// styles: a plain diagram (with links, Markdown, an animation) nothing but
// its fill pattern; a sketch diagram, which draws in other fonts and
// patterns of its own, all of them.
func TestShared(t *testing.T) {
	tests := []struct {
		name, src    string
		keep         []string // in the diagram's HTML
		drop         []string // not in it
		markdownNeed bool
	}{
		{name: "plain", src: "a -> b: x", drop: []string{"<style", "data:", "font-family"}},
		{name: "link and animation", src: "a: {link: https://example.com}\na -> b: {style.animated: true}", drop: []string{"<style"}},
		{name: "markdown", src: "a: |md\n  # 見出し\n  **太字** `code`\n|\na -> b", drop: []string{"<style", "data:"},
			keep: []string{` class="md`}, markdownNeed: true},
		{name: "fill pattern", src: "a.style.fill-pattern: dots", keep: []string{"<style", ".dots-overlay"}, drop: []string{"data:", "fill-N1{"}},
		{name: "sketch", src: "vars: {d2-config: {sketch: true}}\na -> b: x",
			keep: []string{"<style", "data:application/font-woff", "@font-face", "fill-N1{", "streaks-"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			html, doc := convertDoc(t, New(), "```d2\n"+tt.src+"\n```\n")
			for _, s := range tt.keep {
				if !strings.Contains(html, s) {
					t.Errorf("the diagram lacks %q", s)
				}
			}
			for _, s := range tt.drop {
				if strings.Contains(html, s) {
					t.Errorf("the diagram still has %q", s)
				}
			}
			if !doc.Needs(Feature) || doc.Needs(FeatureMarkdown) != tt.markdownNeed {
				t.Errorf("needs %s: %v, %s: %v (want true, %v)", Feature, doc.Needs(Feature), FeatureMarkdown, doc.Needs(FeatureMarkdown), tt.markdownNeed)
			}
		})
	}
}

// convertDoc renders src with x and returns the HTML and the page's
// diag.Doc.
func convertDoc(t *testing.T, x *Extender, src string) (string, *diag.Doc) {
	t.Helper()
	var list diag.List
	doc := &diag.Doc{File: "a.md", Src: []byte(src), List: &list}
	pc := parser.NewContext()
	diag.Attach(pc, doc)
	html, ps, err := convertWith(x, doc, pc)
	if err != nil || len(ps) > 0 {
		t.Fatalf("render: %v %q", err, ps)
	}
	return html, doc
}

// TestFontFiles checks that the font files hold, for every character a
// diagram may show, the glyph of D2's own subset (same outline, same
// advance), in exactly one range, and that characters D2's fonts do not
// have (Japanese) are in no range, so no file is fetched for them.
func TestFontFiles(t *testing.T) {
	const corpus = "AWS Fargate Ωμέγα Привет Đặng ≤≥ ✓ → “q” … ﬁ ①日本語、。"
	files, err := fontsOnce()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range faces {
		ttf := d2fonts.FontFaces.Get(f.family.Font(0, f.style))
		d2sub := parseFont(t, fontlib.UTF8CutFont(append([]byte(nil), ttf...), corpus))
		compared := 0
		for _, r := range corpus {
			want := glyph(t, d2sub, r)
			var in []fontFile
			for _, ff := range files {
				if ff.face == f && inRange(t, ff.ranges, r) {
					in = append(in, ff)
				}
			}
			switch {
			case want == "" && len(in) > 0 && r >= 0x2000:
				// Below U+2000, a range may span characters the face
				// lacks (see unicodeRange); Japanese text is above.
				t.Errorf("%s %q: not in D2's fonts but in the range of %s", f.suffix, r, in[0].name)
			case want != "" && len(in) != 1:
				t.Errorf("%s %q: in %d files' ranges, want 1", f.suffix, r, len(in))
			case want != "":
				compared++
				if got := glyph(t, parseFont(t, unwoff(t, in[0].data)), r); got != want {
					t.Errorf("%s %q: glyph in %s differs from D2's:\n got %s\nwant %s", f.suffix, r, in[0].name, got, want)
				}
			}
		}
		if compared < 25 {
			t.Errorf("%s: %d glyphs compared, want the corpus's Latin letters and symbols at least", f.suffix, compared)
		}
	}
}

func parseFont(t *testing.T, b []byte) *sfnt.Font {
	t.Helper()
	f, err := sfnt.Parse(b)
	if err != nil {
		t.Fatalf("parsing a font: %v", err)
	}
	return f
}

// glyph describes the glyph of r in f (advance and outline), or "" when f
// has none.
func glyph(t *testing.T, f *sfnt.Font, r rune) string {
	t.Helper()
	var b sfnt.Buffer
	g, err := f.GlyphIndex(&b, r)
	if err != nil || g == 0 {
		return ""
	}
	adv, err := f.GlyphAdvance(&b, g, fixed.I(1000), font.HintingNone)
	if err != nil {
		t.Fatal(err)
	}
	segs, err := f.LoadGlyph(&b, g, fixed.I(1000), nil)
	if err != nil {
		t.Fatal(err)
	}
	var s strings.Builder
	s.WriteString(adv.String())
	for _, sg := range segs {
		s.WriteString(" " + strconv.Itoa(int(sg.Op)))
		for _, p := range sg.Args {
			s.WriteString("," + p.X.String() + ":" + p.Y.String())
		}
	}
	return s.String()
}

// inRange reports whether r is in a CSS unicode-range value.
func inRange(t *testing.T, ranges string, r rune) bool {
	t.Helper()
	for _, part := range strings.Split(ranges, ",") {
		lo, hi, _ := strings.Cut(strings.TrimPrefix(part, "U+"), "-")
		if hi == "" {
			hi = lo
		}
		a, err1 := strconv.ParseUint(lo, 16, 32)
		b, err2 := strconv.ParseUint(hi, 16, 32)
		if err1 != nil || err2 != nil {
			t.Fatalf("bad unicode-range %q", part)
		}
		if uint64(r) >= a && uint64(r) <= b {
			return true
		}
	}
	return false
}

// unwoff turns a WOFF file back into the font it holds.
func unwoff(t *testing.T, w []byte) []byte {
	t.Helper()
	be := binary.BigEndian
	n := int(be.Uint16(w[12:]))
	var head, data bytes.Buffer
	head.Write(w[4:8])
	binary.Write(&head, be, [4]uint16{uint16(n), 0, 0, 0})
	offset := 12 + 16*n
	for i := 0; i < n; i++ {
		e := w[44+20*i:]
		off, comp, orig := be.Uint32(e[4:]), be.Uint32(e[8:]), be.Uint32(e[12:])
		table := w[off : off+comp]
		if comp < orig {
			z, err := zlib.NewReader(bytes.NewReader(table))
			if err != nil {
				t.Fatal(err)
			}
			if table, err = io.ReadAll(z); err != nil {
				t.Fatal(err)
			}
		}
		head.Write(e[:4])
		binary.Write(&head, be, [3]uint32{be.Uint32(e[16:]), uint32(offset + data.Len()), orig})
		data.Write(table)
		for data.Len()%4 != 0 {
			data.WriteByte(0)
		}
	}
	return append(head.Bytes(), data.Bytes()...)
}

func TestUnicodeRange(t *testing.T) {
	tests := []struct {
		name    string
		in, all []rune
		want    string
	}{
		{"one", []rune{0x41}, []rune{0x41}, "U+41"},
		{"run", []rune{0x20, 0x21, 0x22, 0x7E}, []rune{0x20, 0x21, 0x22, 0x7E}, "U+20-22,U+7E"},
		{"small gap below U+2000 merged", []rune{0x100, 0x101, 0x130, 0x200}, []rune{0x100, 0x101, 0x130, 0x200}, "U+100-130,U+200"},
		{"not over a character of another range", []rune{0x100, 0x130}, []rune{0x100, 0x110, 0x130}, "U+100,U+130"},
		{"gaps above U+2000 exact", []rune{0x2190, 0x2192, 0x25A0}, []rune{0x2190, 0x2192, 0x25A0}, "U+2190,U+2192,U+25A0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, unicodeRange(tt.in, tt.all)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// TestSharedCache checks that the shared assets kept in the cache
// directory come back the same, and that a damaged file is made again.
func TestSharedCache(t *testing.T) {
	want, err := Assets()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	damage := map[string]func([]byte) []byte{
		"none":      func(b []byte) []byte { return b },
		"truncated": func(b []byte) []byte { return b[:len(b)/2] },
		"flipped":   func(b []byte) []byte { b[len(b)-10] ^= 1; return b },
		"garbage":   func([]byte) []byte { return []byte("kiji-d2-shared x 1 y\nz") },
	}
	for _, name := range []string{"none", "truncated", "flipped", "garbage"} {
		t.Run(name, func(t *testing.T) {
			if _, err := Assets(WithCacheDir(dir)); err != nil { // writes the file
				t.Fatal(err)
			}
			files, _ := filepath.Glob(filepath.Join(dir, "shared-*.d2shared"))
			if len(files) != 1 {
				t.Fatalf("%d shared cache files, want 1", len(files))
			}
			data, _ := os.ReadFile(files[0])
			if err := os.WriteFile(files[0], damage[name](data), 0o644); err != nil {
				t.Fatal(err)
			}
			got, err := Assets(WithCacheDir(dir))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("assets with a %s cache file (-want +got):\n%s", name, diff)
			}
		})
	}
}
