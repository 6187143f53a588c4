package markdown

import (
	"strings"
	"testing"

	"github.com/kiji-ssg/kiji/site/diag"
	"github.com/kiji-ssg/kiji/site/htmlsafe"
	"github.com/kiji-ssg/kiji/site/markdown/zenn"
)

// kijiConverter is the converter a build uses: kiji's extensions, no
// network, in-memory caches.
func kijiConverter(trust bool) *Converter {
	return New(Options{TrustHTML: trust, Image: fakeImages, Extensions: Kiji(KijiOptions{Offline: true})})
}

// policyFor is the policy a page's HTML must satisfy.
func policyFor(trust bool) *htmlsafe.Policy {
	if trust {
		return htmlsafe.Trusted()
	}
	return htmlsafe.Safe(zenn.IframeHosts...)
}

func convertPage(t testing.TB, c *Converter, src string) (string, *diag.List) {
	t.Helper()
	var l diag.List
	res, err := c.Convert(&diag.Doc{File: "content/articles/x.md", Src: []byte(src), List: &l})
	if err != nil {
		t.Fatal(err)
	}
	return string(res.HTML), &l
}

// TestScriptFromContent converts pages that try to run script, through
// the whole converter with kiji's extensions, and checks the HTML as a
// browser parses it: nothing outside the policy, and none of the given
// strings, may remain.
func TestScriptFromContent(t *testing.T) {
	for _, tc := range []struct {
		name   string
		trust  bool
		src    string
		absent []string
	}{
		{"d2 markdown label with a script", false,
			"```d2\nw: |md\n  <script>window.__kijiPwned = 1</script>\n|\n```\n", []string{"<script", "__kijiPwned"}},
		{"d2 markdown label with an onerror image", false,
			"```d2\nw: |md\n  <img src=\"data:image/png;base64,AAAA\" onerror=\"window.__kijiPwned = 2\"/>\n|\n```\n", []string{"onerror", "__kijiPwned"}},
		{"d2 javascript link", false,
			"```d2\nx: {link: \"javascript:alert(1)\"}\n```\n", []string{"javascript:"}},
		{"d2 label with a script, trusted", true,
			"```d2\nw: |md\n  <script>window.__kijiPwned = 1</script>\n|\n```\n", []string{"<script", "__kijiPwned"}},
		{"d2 javascript link, trusted", true,
			"```d2\nx: {link: \"javascript:alert(1)\"}\n```\n", []string{"javascript:"}},
		{"trusted iframe srcdoc", true,
			"<iframe srcdoc=\"<script>parent.__kijiPwned = 3</script>\"></iframe>\n", []string{"srcdoc", "__kijiPwned"}},
		{"trusted svg set to a javascript href", true,
			"<svg><a><set attributeName=\"href\" to=\"javascript:alert(1)\"/><text y=\"20\">x</text></a></svg>\n", []string{"javascript:"}},
		{"trusted svg animate values", true,
			"<svg><a><animate attributeName=\"href\" values=\"javascript:alert(1)\"/><text y=\"20\">x</text></a></svg>\n", []string{"javascript:"}},
		{"trusted meta refresh", true,
			"<meta http-equiv=\"refresh\" content=\"0;url=javascript:alert(1)\">\n", []string{"refresh", "javascript:"}},
		{"trusted style url", true,
			"<div style=\"background:url(javascript:alert(1))\">x</div>\n", []string{"javascript:"}},
		{"trusted style element", true,
			"<style>body{background:url('javascript:alert(1)')}</style>\n", []string{"javascript:"}},
		{"trusted event handler and script", true,
			"<div onclick=\"x()\"><a href=\"jAvA&#x53;cript:alert(1)\">a</a></div>\n\n<script>alert(1)</script>\n", []string{"onclick", "<script", "cript:"}},
		{"trusted base", true,
			"<base href=\"https://evil.example/\">\n", []string{"<base"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			html, _ := convertPage(t, kijiConverter(tc.trust), tc.src)
			for _, bad := range policyFor(tc.trust).Audit([]byte(html)) {
				t.Errorf("the page breaks the policy: %s", bad)
			}
			for _, s := range tc.absent {
				if strings.Contains(strings.ToLower(html), strings.ToLower(s)) {
					t.Errorf("the page still holds %q:\n%s", s, html)
				}
			}
		})
	}
}

// TestExtensionsPassPolicy: what kiji's extensions write for legitimate
// content reaches the page whole under the default policy: nothing is
// removed (the policy's allow-lists cover D2's shapes, labels, icons and
// links, KaTeX's HTML and MathML, score charts).
func TestExtensionsPassPolicy(t *testing.T) {
	for _, tc := range []struct{ name, src string }{
		{"d2 shapes and styles", "```d2\ndirection: right\na: A {shape: cylinder}\nb: {shape: person}\nc: {shape: cloud}\nd: {shape: hexagon}\ne: {shape: circle; style.double-border: true}\n" +
			"f: {style.shadow: true; style.3d: true; style.multiple: true; style.fill-pattern: dots}\ng: {style.font: mono; style.underline: true; style.italic: true; style.opacity: 0.5}\n" +
			"a -> b: label {style.animated: true; source-arrowhead: 1; target-arrowhead: {shape: diamond; style.filled: true}}\nb -> c: {style.stroke-dash: 3}\nc <-> d\n" +
			"h: {shape: text; label: just text}\ni: {shape: oval; style.fill: \"#ffcccc\"; style.stroke: red}\n```\n"},
		{"d2 tables, classes, code, tooltips, links, icons", "```d2\nt: {shape: sql_table; id: int {constraint: primary_key}; name: text}\nk: {shape: class; +x: int; -y(): string}\n" +
			"c: |go\n  func main() {}\n|\nn: {link: \"https://example.com/page\"; tooltip: \"hello & bye\"}\nl: {link: \"/articles/x/\"}\n" +
			"i: {icon: https://icons.terrastruct.com/essentials/004-picture.svg}\nj: {shape: image; icon: https://example.com/i.png}\n```\n"},
		{"d2 markdown labels", "````d2\nm: |||md\n  # Title **bold** _em_ `code`\n  - item [link](https://example.com)\n  1. one\n\n  > quote\n\n  | a | b |\n  |---|---|\n  | 1 | 2 |\n\n  ```\n  code block\n  ```\n  ~~del~~ ![i](https://example.com/i.png)\n|||\n````\n"},
		{"d2 latex, grid, sketch", "```d2\nvars: {d2-config: {sketch: true}}\nx: |latex\n  \\\\frac{1}{2} + \\\\sqrt{x^2}\n|\ng: {grid-rows: 2; a; b; c; d}\n```\n"},
		{"katex", "$$\n\\begin{aligned} f(x) &= \\frac{1}{\\sqrt{2\\pi}} e^{-x^2/2} \\\\ &\\ne \\cancel{y} + \\overbrace{a+b}^{n} + \\underbrace{c}_{m} \\end{aligned}\n$$\n\n" +
			"$\\xrightarrow[below]{above} \\color{red}{r} \\colorbox{yellow}{b} \\boxed{x} \\phantom{p} \\hat{a} \\vec{v} \\widehat{abc} \\overline{x} \\sum_{i=1}^n \\int_0^1 \\binom{n}{k} \\left( \\frac{a}{b} \\right) \\rule{1em}{2pt} \\not= \\mathbb{R} \\mathcal{L} \\operatorname{sgn} \\text{テキスト}$\n\n" +
			"$$\n\\begin{array}{c|c} a & b \\\\ \\hline c & d \\end{array} \\quad \\begin{pmatrix} 1 & 0 \\\\ 0 & 1 \\end{pmatrix} \\quad \\sqrt[3]{x} \\quad \\tag{1}\n$$\n"},
		{"score chart", "<!-- score: ◎=3 ○=2 △=1 chart=radar -->\n| 項目 | A | B |\n| --- | :-: | :-: |\n| 料金 | ◎ | ○ |\n| 運用 | △ | ◎ |\n| 拡張 | ○ | ○ |\n"},
		{"zenn blocks and embeds", ":::message alert\n**注意**\n:::\n\n:::details タイトル\n中身\n:::\n\n@[youtube](dQw4w9WgXcQ)\n\n@[codepen](https://codepen.io/example/pen/AbCdEf)\n\n@[tweet](https://x.com/example/status/123)\n\n![画像](/images/a.png =250x)\n*キャプション*\n\n脚注[^1]\n\n[^1]: 注\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, trust := range []bool{false, true} {
				html, l := convertPage(t, kijiConverter(trust), tc.src)
				for _, p := range l.Sorted() {
					if strings.Contains(p.Msg, "was removed from the page") || p.Severity == diag.Error {
						t.Errorf("trust %v: %s", trust, p.Error())
					}
				}
				if strings.Contains(tc.src, "```d2") && !strings.Contains(html, "<svg") {
					t.Errorf("no diagram drawn: %s", html)
				}
			}
		})
	}
}

// FuzzPage feeds arbitrary Markdown and an arbitrary D2 diagram through
// the whole converter with kiji's extensions, with and without
// trust_html, and reads the HTML as a browser would: no element,
// attribute or URL the page's policy forbids may reach it.
func FuzzPage(f *testing.F) {
	f.Add("# T\n\n<script>alert(1)</script>\n\n[x](javascript:alert(1))", "a: |md\n  <script>alert(1)</script>\n|", false)
	f.Add("<img src=x onerror=alert(1)>\n\n<iframe srcdoc=\"<script>x</script>\"></iframe>", "x: {link: \"javascript:alert(1)\"}", true)
	f.Add("<svg><set attributeName=href to=\"javascript:x\"/></svg> $x^2$ @[youtube](dQw4w9WgXcQ)", "b: |md\n  <img src=\"data:x\" onerror=\"alert(2)\"/>\n|", true)
	f.Add(":::details t\n<div style=\"background:url(javascript:x)\">\n:::\n", "c -> d: {style.animated: true}", false)
	convs := map[bool]*Converter{false: kijiConverter(false), true: kijiConverter(true)}
	f.Fuzz(func(t *testing.T, md, d2 string, trust bool) {
		if len(md)+len(d2) > 4000 {
			t.Skip()
		}
		src := md + "\n\n````d2\n" + strings.ReplaceAll(d2, "````", "") + "\n````\n"
		html, _ := convertPage(t, convs[trust], src)
		if bad := policyFor(trust).Audit([]byte(html)); len(bad) > 0 {
			t.Fatalf("trust %v: %q\nbreaks the policy: %s\n%s", trust, src, strings.Join(bad, "; "), html)
		}
	})
}
