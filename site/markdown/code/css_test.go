package code

import (
	"bytes"
	"regexp"
	"strings"
	"testing"

	"github.com/alecthomas/chroma/v2"
	"github.com/alecthomas/chroma/v2/styles"
)

func TestCSSDeterministicAndScoped(t *testing.T) {
	a, b := CSS(), CSS()
	if !bytes.Equal(a, b) {
		t.Fatal("CSS differs between calls")
	}
	a[0] = 'X' // the caller owns its copy
	if CSS()[0] == 'X' {
		t.Fatal("CSS returns shared memory")
	}
	css := string(b)
	light, dark, ok := strings.Cut(css, "@media (prefers-color-scheme: dark){\n")
	if !ok || !strings.HasSuffix(dark, "}\n") {
		t.Fatalf("no dark media block in:\n%s", css)
	}
	for _, part := range []string{light, strings.TrimSuffix(dark, "}\n")} {
		for _, r := range parseCSS(t, part) {
			for _, sel := range strings.Split(r.sel, ",") {
				if !strings.HasPrefix(sel, ".code-block") {
					t.Errorf("selector %q is not scoped under .code-block", sel)
				}
			}
		}
	}
	// Every token class the light mode styles is styled again in dark mode,
	// so no light colour shows through on the dark background.
	lightSel, darkSel := selectors(t, light), selectors(t, strings.TrimSuffix(dark, "}\n"))
	tokenSel := regexp.MustCompile(`^\.code-block \.[a-z0-9]+$`)
	for sel := range lightSel {
		if tokenSel.MatchString(sel) && !darkSel[sel] {
			t.Errorf("%s has a light rule but no dark one", sel)
		}
	}
	for _, cls := range []string{".code-block .k", ".code-block .c1", ".code-block .s", ".code-block .nf"} {
		if !lightSel[cls] && !darkSel[cls] {
			t.Errorf("no rule for %s", cls)
		}
	}
}

type cssRule struct{ sel, decl string }

var ruleRe = regexp.MustCompile(`(?m)^\s*([^{}/\n]+)\{([^{}]*)\}$`)

func parseCSS(t *testing.T, css string) []cssRule {
	t.Helper()
	var out []cssRule
	for _, m := range ruleRe.FindAllStringSubmatch(css, -1) {
		out = append(out, cssRule{strings.TrimSpace(m[1]), m[2]})
	}
	if len(out) < 10 {
		t.Fatalf("only %d rules parsed from:\n%s", len(out), css)
	}
	return out
}

func selectors(t *testing.T, css string) map[string]bool {
	out := map[string]bool{}
	for _, r := range parseCSS(t, css) {
		for _, s := range strings.Split(r.sel, ",") {
			out[s] = true
		}
	}
	return out
}

func prop(decl, name string) string {
	for _, d := range strings.Split(decl, ";") {
		if k, v, ok := strings.Cut(d, ":"); ok && k == name {
			return v
		}
	}
	return ""
}

// TestCSSContrast reads the generated CSS back and checks every text colour
// against every background it can be on, in both modes: WCAG AA, 4.5:1.
func TestCSSContrast(t *testing.T) {
	light, dark, _ := strings.Cut(string(CSS()), "@media (prefers-color-scheme: dark){\n")
	for mode, part := range map[string]string{"light": light, "dark": dark} {
		rules := parseCSS(t, part)
		bgs := map[string]chroma.Colour{}
		for _, r := range rules {
			switch r.sel {
			case ".code-block>pre.chroma", ".code-block .diff-add", ".code-block .diff-remove":
				if c := prop(r.decl, "background-color"); c != "" {
					bgs[r.sel] = chroma.ParseColour(c)
				}
			}
		}
		if len(bgs) != 3 {
			t.Fatalf("%s: backgrounds not found: %v", mode, bgs)
		}
		checked := 0
		for _, r := range rules {
			fg := prop(r.decl, "color")
			if fg == "" {
				continue
			}
			var on []chroma.Colour
			switch bg := prop(r.decl, "background-color"); {
			case bg != "" && bg != "transparent":
				on = []chroma.Colour{chroma.ParseColour(bg)}
			case strings.Contains(r.sel, ".diff-add>"):
				on = []chroma.Colour{bgs[".code-block .diff-add"]}
			case strings.Contains(r.sel, ".diff-remove>"):
				on = []chroma.Colour{bgs[".code-block .diff-remove"]}
			default:
				on = []chroma.Colour{bgs[".code-block>pre.chroma"], bgs[".code-block .diff-add"], bgs[".code-block .diff-remove"]}
			}
			for _, bg := range on {
				checked++
				if c := contrast(chroma.ParseColour(fg), bg); c < 4.5 {
					t.Errorf("%s: %s: %s on %s is %.2f:1, below 4.5:1", mode, r.sel, fg, bg, c)
				}
			}
		}
		if checked < 30 {
			t.Errorf("%s: only %d colour pairs checked", mode, checked)
		}
	}
}

func TestContrastFormula(t *testing.T) {
	// Known values: black on white is 21:1, #767676 on white 4.54:1.
	tests := []struct {
		a, b string
		want float64
	}{
		{"#000000", "#ffffff", 21},
		{"#767676", "#ffffff", 4.54},
		{"#ffffff", "#ffffff", 1},
	}
	for _, tt := range tests {
		if got := contrast(chroma.MustParseColour(tt.a), chroma.MustParseColour(tt.b)); got < tt.want-0.01 || got > tt.want+0.01 {
			t.Errorf("contrast(%s, %s) = %.3f, want %.2f", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestReadable(t *testing.T) {
	// The light github style's NameBuiltinPseudo (#6a737d) falls short on
	// the block and diff backgrounds; it is darkened until it passes, and a
	// colour that passes already is left alone.
	p := newPalette(styles.Get(LightStyle), false)
	grey := chroma.MustParseColour("#6a737d")
	if contrast(grey, p.remove) >= 4.5 {
		t.Fatalf("test premise: %s already passes on %s", grey, p.remove)
	}
	got := p.readable(grey, p.backgrounds()...)
	for _, bg := range p.backgrounds() {
		if c := contrast(got, bg); c < minContrast {
			t.Errorf("readable(%s) = %s: %.2f:1 on %s", grey, got, c, bg)
		}
	}
	if luminance(got) >= luminance(grey) {
		t.Errorf("readable(%s) = %s did not darken it on a light background", grey, got)
	}
	black := chroma.MustParseColour("#1f2328")
	if got := p.readable(black, p.backgrounds()...); got != black {
		t.Errorf("readable(%s) = %s; a passing colour must not change", black, got)
	}
	d := newPalette(styles.Get(DarkStyle), true)
	dim := chroma.MustParseColour("#6e7681")
	got = d.readable(dim, d.backgrounds()...)
	if luminance(got) <= luminance(dim) || contrast(got, d.bg) < minContrast {
		t.Errorf("dark readable(%s) = %s: not lightened to pass", dim, got)
	}
}
