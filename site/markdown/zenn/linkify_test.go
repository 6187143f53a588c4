package zenn

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
)

// TestMatchLink checks the bare-URL matcher. The "linkify-it" cases were
// run through linkify-it 5 with fuzzyLink and fuzzyEmail off (Zenn's
// setting) and give its match; the "kiji" cases are where kiji ends a URL
// before Japanese text that linkify-it would take into it.
func TestMatchLink(t *testing.T) {
	for _, tc := range []struct {
		name, in, want string
	}{
		{"linkify-it plain", "https://github.com/supabase/cli/issues/210", "https://github.com/supabase/cli/issues/210"},
		{"linkify-it localhost port", "http://localhost:8000/api now", "http://localhost:8000/api"},
		{"linkify-it trailing dot", "http://localhost:8000/api.", "http://localhost:8000/api"},
		{"linkify-it parens", "http://a.com/x_(y)", "http://a.com/x_(y)"},
		{"linkify-it unbalanced paren", "https://a.com/x) z", "https://a.com/x"},
		{"linkify-it comma", "https://a.com/x,y, z", "https://a.com/x,y"},
		{"linkify-it semicolon", "https://a.com/x;", "https://a.com/x"},
		{"linkify-it two dots", "https://a.com/a..b", "https://a.com/a..b"},
		{"linkify-it ellipsis", "https://a.com/a...", "https://a.com/a"},
		{"linkify-it apostrophe", "https://a.com/it's", "https://a.com/it's"},
		{"linkify-it quotes", `https://a.com/"q"`, `https://a.com/"q"`},
		{"linkify-it bad port", "https://a.com:99999/x", ""},
		{"linkify-it port", "https://a.com:8080", "https://a.com:8080"},
		{"linkify-it user", "https://user:pw@a.com/x", "https://user:pw@a.com/x"},
		{"linkify-it label ends in dash", "https://a-.com/", ""},
		{"linkify-it host dot", "https://a.com./x", "https://a.com"},
		{"linkify-it query", "https://a.com?x", "https://a.com?x"},
		{"linkify-it trailing question", "https://a.com/x?", "https://a.com/x"},
		{"linkify-it double question", "https://a.com/x??y", "https://a.com/x"},
		{"linkify-it bangs inside", "https://a.com/x!!y", "https://a.com/x!!y"},
		{"linkify-it trailing bang", "https://a.com/foo!", "https://a.com/foo"},
		{"linkify-it braces", "https://a.com/{a}", "https://a.com/{a}"},
		{"linkify-it mailto", "mailto:foo@bar.com.", "mailto:foo@bar.com"},
		{"linkify-it angle", "https://a.com/<x>", "https://a.com/"},
		{"linkify-it full-width bar", "https://a.com/x｜y", "https://a.com/x"},
		{"linkify-it dashes", "https://a.com/x--", "https://a.com/x--"},
		{"linkify-it brackets", "https://a.com/[a]", "https://a.com/[a]"},
		{"linkify-it closing bracket", "https://a.com/x] **No**", "https://a.com/x"},
		{"linkify-it japanese segment", "https://ja.wikipedia.org/wiki/日本語", "https://ja.wikipedia.org/wiki/日本語"},
		{"linkify-it japanese inside", "https://www.gudusoft.com/jp/sqlflow-クラウド/ text", "https://www.gudusoft.com/jp/sqlflow-クラウド/"},
		{"linkify-it japanese fragment", "https://a.com/#見出し", "https://a.com/#見出し"},
		{"linkify-it emphasis stars", "https://a.com/x** b", "https://a.com/x"},
		{"linkify-it upper case", "HTTPS://A.COM/X", "HTTPS://A.COM/X"},
		{"linkify-it ftp", "ftp://x.org/a", "ftp://x.org/a"},
		{"linkify-it no host", "https:// x", ""},
		{"linkify-it not a scheme", "httpx://a.com", ""},
		{"linkify-it mailto without host", "mailto:foo", ""},
		{"kiji japanese after letters", "https://example.com/pathを参照", "https://example.com/path"},
		{"kiji japanese after host", "https://example.comです", "https://example.com"},
		{"kiji hiragana after slash", "https://example.com/を見てください", "https://example.com/"},
		{"kiji punctuation", "https://a.com/x、y", "https://a.com/x"},
		{"kiji full stop", "https://a.com/日本。です", "https://a.com/日本"},
		{"kiji full-width paren", "https://a.com/x）です", "https://a.com/x"},
		{"kiji corner bracket", "https://ja.wikipedia.org/wiki/日本語』", "https://ja.wikipedia.org/wiki/日本語"},
		{"kiji dot before japanese", "https://a.com/path.を参照", "https://a.com/path"},
		{"kiji percent-encoded then japanese", "https://a.com/%E6%97%A5を参照", "https://a.com/%E6%97%A5"},
		{"kiji middle dot kept", "https://ja.wikipedia.org/wiki/ジョン・レノン", "https://ja.wikipedia.org/wiki/ジョン・レノン"},
		{"kiji japanese host", "https://日本語.jp/", "https://日本語.jp/"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n := matchLinkAt([]byte(tc.in), '\n')
			if diff := cmp.Diff(tc.want, tc.in[:n]); diff != "" {
				t.Errorf("matchLinkAt(%q) (-want +got):\n%s", tc.in, diff)
			}
		})
	}
}

// TestLinkifyInText checks where a bare URL may start: after Japanese
// text and punctuation, not after ASCII letters, digits or "+" (Zenn's
// output for each, zenn-markdown-html 0.5.4), and
// never as www.… or name@host.
func TestLinkifyInText(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"after full-width colon", "参考：https://a.com/x", `<p>参考：<a href="https://a.com/x">https://a.com/x</a></p>`},
		{"after japanese", "詳細はhttps://a.com/pathを参照", `<p>詳細は<a href="https://a.com/path">https://a.com/path</a>を参照</p>`},
		{"inside brackets", "[ Detail: https://a.com/x ] **No**", `<p>[ Detail: <a href="https://a.com/x">https://a.com/x</a> ] <strong>No</strong></p>`},
		{"not after letters", "hthttps://a.com/x", `<p>hthttps://a.com/x</p>`},
		{"not after digits", "1https://a.com/x", `<p>1https://a.com/x</p>`},
		{"not after plus", "C++https://a.com/x", `<p>C++https://a.com/x</p>`},
		{"after a full stop", "Microsoft Docs.https://a.com/x, (参照)", `<p>Microsoft Docs.<a href="https://a.com/x">https://a.com/x</a>, (参照)</p>`},
		{"after a hyphen", "a-http://a.com/x", `<p>a-<a href="http://a.com/x">http://a.com/x</a></p>`},
		{"after an underscore", "a_ftp://a.com/x", `<p>a_<a href="ftp://a.com/x">ftp://a.com/x</a></p>`},
		{"mailto after a full stop", "x.mailto:a@b.co", `<p>x.<a href="mailto:a@b.co">mailto:a@b.co</a></p>`},
		{"upper case", "x.HTTPS://a.com/x", `<p>x.<a href="HTTPS://a.com/x">HTTPS://a.com/x</a></p>`},
		{"no www", "see www.getdbt.com here", `<p>see www.getdbt.com here</p>`},
		{"no bare e-mail", "CDK@1.98.0で", `<p>CDK@1.98.0で</p>`},
		{"mailto", "mail mailto:a@b.com now", `<p>mail <a href="mailto:a@b.com">mailto:a@b.com</a> now</p>`},
		{"link text stays text", "[https://a.com/x](https://b.com/)", `<p><a href="https://b.com/">https://a.com/x</a></p>`},
		{"image alt stays text", "![see https://a.com/x](/images/a.png)", `<p><img src="/images/a.png" alt="see https://a.com/x" loading="lazy"></p>`},
		{"code span", "`https://a.com/x`", `<p><code>https://a.com/x</code></p>`},
		{"emphasis", "**https://a.com/x**", `<p><strong><a href="https://a.com/x">https://a.com/x</a></strong></p>`},
		{"two on a line", "a https://a.com/x b https://b.com/y", `<p>a <a href="https://a.com/x">https://a.com/x</a> b <a href="https://b.com/y">https://b.com/y</a></p>`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := strings.TrimSpace(convert(t, tc.in+"\n", WithoutBareURLCards()).html)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func FuzzMatchLink(f *testing.F) {
	for _, s := range []string{"https://a.com/x", "http://localhost:8000/a(b)[c]{d}", "mailto:a@b.c", "https://日本.jp/を", "https://a.com/'x'..y!!?"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n := matchLinkAt([]byte(s), '\n')
		if n < 0 || n > len(s) {
			t.Fatalf("matchLinkAt(%q) = %d", s, n)
		}
		if n > 0 && !utf8.ValidString(s[:n]) && utf8.ValidString(s) {
			t.Fatalf("matchLinkAt(%q) cut a character: %q", s, s[:n])
		}
		_ = convertWith(t, fuzzMD, s)
	})
}
