package htmlsafe

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var testHosts = []string{"www.youtube-nocookie.com", "codepen.io"}

// TestSanitize: what each policy keeps and removes, byte for byte.
func TestSanitize(t *testing.T) {
	safe, trusted := Safe(testHosts...), Trusted()
	for _, tc := range []struct {
		name    string
		p       *Policy
		in      string
		want    string
		removed []string
	}{
		{"markdown output is kept as it is", safe,
			`<h2 id="x">T<a class="anchor" href="#x" aria-hidden="true">#</a></h2><p>a &amp; <code>b</code><br>` + "\n" + `<img src="/images/a.png" alt="" width="2" height="2" loading="lazy" decoding="async"></p>`,
			`<h2 id="x">T<a class="anchor" href="#x" aria-hidden="true">#</a></h2><p>a &amp; <code>b</code><br>` + "\n" + `<img src="/images/a.png" alt="" width="2" height="2" loading="lazy" decoding="async"></p>`, nil},
		{"script and its content", safe, `<p>a<script>alert("</p>")</script>b</p>`, `<p>ab</p>`, []string{"a <script> element"}},
		{"event handler", safe, `<img src=x onerror=alert(1)>`, `<img src="x">`, []string{"an event handler (onerror)"}},
		{"javascript link in any spelling", safe, `<a href=" JaVa&#x53;cript&colon;alert(1)">x</a>`, `<a>x</a>`, []string{"a script URL in href"}},
		{"percent-encoded colon", safe, `<a href="javascript%3Aalert(1)">x</a>`, `<a>x</a>`, []string{"a script URL in href"}},
		{"data image kept, data html removed", safe, `<img src="data:image/png;base64,AA"><a href="data:text/html,x">y</a>`,
			`<img src="data:image/png;base64,AA"><a>y</a>`, []string{"a script URL in href"}},
		{"d2 foreignObject label", safe,
			`<svg><foreignObject x="0" width="9"><div xmlns="http://www.w3.org/1999/xhtml" class="md"><p>x</p><script>alert(1)</script><img src="data:x" onerror="alert(2)"/></div></foreignObject></svg>`,
			`<svg><foreignObject x="0" width="9"><div xmlns="http://www.w3.org/1999/xhtml" class="md"><p>x</p><img/></div></foreignObject></svg>`,
			[]string{"a <script> element", "a script URL in src", "an event handler (onerror)"}},
		{"svg link", safe, `<svg><a href="javascript:alert(1)" xlink:href="javascript:alert(1)"><g></g></a></svg>`, `<svg><a><g></g></a></svg>`,
			[]string{"a script URL in href", "a script URL in xlink:href"}},
		{"svg use of another document", safe, `<svg><use href="/x.svg#a"/><use href="#b"/></svg>`, `<svg><use/><use href="#b"/></svg>`,
			[]string{"a reference to another document in <use href>"}},
		{"svg animation", safe, `<svg><a><set attributeName="href" to="javascript:x"/></a></svg>`, `<svg><a></a></svg>`, []string{"a <set> element"}},
		{"svg style kept with its CDATA", safe, `<svg><style><![CDATA[.a{fill:url(#m)}]]></style></svg>`, `<svg><style><![CDATA[.a{fill:url(#m)}]]></style></svg>`, nil},
		{"svg style with a script URL", safe, `<svg><style>.a{background:url(&quot;javascript:x&quot;)}</style><g></g></svg>`, `<svg><g></g></svg>`,
			[]string{"a <style> with script or markup"}},
		{"CDATA with markup is written as text", safe, `<svg><style><![CDATA[a>b]]></style></svg>`, `<svg><style>a&gt;b</style></svg>`, nil},
		{"html style", safe, `<style>p{}</style><p>x</p>`, `<p>x</p>`, []string{"a <style> element"}},
		{"breakout from svg", safe, `<svg><g><p>x</g></svg>`, `<svg><g></g></svg><p>x</p>`, nil},
		{"img breaks out of svg style", safe, `<svg><style>x</style><img src=x onerror=alert(1)></svg>`, `<svg><style>x</style></svg><img src="x">`,
			[]string{"an event handler (onerror)"}},
		{"everything opened is closed", safe, `<div><svg><g><text>x`, `<div><svg><g><text>x</text></g></svg></div>`, nil},
		{"stray end tags", safe, `</div><p>x</span></p></td>`, `<p>x</p>`, nil},
		{"implicit close written out", safe, `<ul><li>a<li>b</ul>`, `<ul><li>a<li>b</li></li></ul>`, nil},
		{"a text '<' stays text", safe, `<p>a < b <</p>`, `<p>a &lt; b &lt;</p>`, nil},
		{"comments stay, other declarations go", safe, `<!DOCTYPE html><p>a<!-- x -->b<!x>c<?x>d</p>`, `<p>a<!-- x -->bcd</p>`, nil},
		{"unterminated comment goes", safe, `<p>a<!-- x`, `<p>a</p>`, nil},
		{"iframe from an embed host", safe, `<iframe src="https://www.youtube-nocookie.com/embed/x" allowfullscreen></iframe>`,
			`<iframe src="https://www.youtube-nocookie.com/embed/x" allowfullscreen></iframe>`, nil},
		{"iframe from elsewhere", safe, `<iframe src="https://evil.example/"></iframe><p>x</p>`, `<p>x</p>`,
			[]string{"an iframe from a host that is not an embed"}},
		{"unknown element: tags go, text stays", safe, `<font color=red>x</font>`, `x`, []string{"a <font> element"}},
		{"unknown attribute", safe, `<p foo="1" class="c">x</p>`, `<p class="c">x</p>`, []string{"a foo attribute"}},
		{"style attribute with a script URL", safe, `<p style="color:red;background:URL(&#39;javascript:x&#39;)">x</p>`, `<p>x</p>`,
			[]string{"a style with script"}},
		{"css escapes", safe, `<p style="background:u\72l(javas\63 ript:x)">x</p>`, `<p>x</p>`, []string{"a style with script"}},
		{"font data URL in svg style", safe, `<svg><style>@font-face{src:url("data:application/font-woff;base64,AA")}</style></svg>`,
			`<svg><style>@font-face{src:url("data:application/font-woff;base64,AA")}</style></svg>`, nil},

		{"trusted keeps any element", trusted, `<div data-x="1" foo="bar"><font color="red">x</font><details open><summary>s</summary></details></div>`,
			`<div data-x="1" foo="bar"><font color="red">x</font><details open><summary>s</summary></details></div>`, nil},
		{"trusted: iframe srcdoc", trusted, `<iframe srcdoc="<script>parent.x=1</script>" src="https://a.example/"></iframe>`,
			`<iframe src="https://a.example/"></iframe>`, []string{"an iframe srcdoc"}},
		{"trusted: svg set and animate", trusted, `<svg><a><set attributeName="href" to="javascript:x"/><animate attributeName="href" values="a;JavaScript:x"/></a></svg>`,
			`<svg><a><set attributename="href"/><animate attributename="href"/></a></svg>`, []string{"a script URL in to", "a script URL in values"}},
		{"trusted: svg animation of an event handler", trusted, `<svg><set attributeName="onmouseover" to="alert(1)"/><g></g></svg>`,
			`<svg><g></g></svg>`, []string{"an animation of an event handler"}},
		{"trusted: meta refresh", trusted, `<meta http-equiv="Refresh" content="0;url=javascript:x"><meta charset="utf-8">`, `<meta charset="utf-8">`,
			[]string{"a <meta http-equiv=refresh>"}},
		{"trusted: style url", trusted, `<div style="background:url(javascript:x)">x</div>`, `<div>x</div>`, []string{"a style with script"}},
		{"trusted: style element", trusted, `<style>p{background:url('javascript:x')}</style><style>p{color:red}</style>`, `<style>p{color:red}</style>`,
			[]string{"a <style> with script or markup"}},
		{"trusted: style with markup", trusted, `<style>p{}</style><img src=x></style>`, `<style>p{}</style><img src=x>`, nil},
		{"trusted: raw text with a tag goes", trusted, `<noscript><img src=x onerror=alert(1)></noscript>`, `<noscript></noscript>`, []string{"markup inside raw text"}},
		{"trusted: textarea text", trusted, `<textarea><b>x</b></textarea>`, `<textarea>&lt;b>x&lt;/b></textarea>`, nil},
		{"trusted: base and page tags", trusted, `<base href="https://evil.example/"><body onload="x()">y</body>`, `y`,
			[]string{"a <base> element", "a <body> tag"}},
		{"trusted: plaintext", trusted, `a<plaintext></div><p>b`, `a`, []string{"a <plaintext> element"}},
		{"trusted: any SVG attribute with a script URL", trusted, `<svg><x-a foo="javascript:x" bar="ok:1">y</x-a></svg>`,
			`<svg><x-a bar="ok:1">y</x-a></svg>`, []string{"a script URL in foo"}},
		{"text that looks like a URL stays", safe, `<img src="/a.png" alt="JavaScript: The Good Parts" title="javascript:">`,
			`<img src="/a.png" alt="JavaScript: The Good Parts" title="javascript:">`, nil},
		{"trusted: comments stay", trusted, `<p>a<!-- x -->b</p>`, `<p>a<!-- x -->b</p>`, nil},
		{"trusted: form action", trusted, `<form action="javascript:x"><button formaction="javascript:y">b</button></form>`, `<form><button>b</button></form>`,
			[]string{"a script URL in action", "a script URL in formaction"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var removed []string
			got := string(tc.p.Sanitize(nil, []byte(tc.in), &Hooks{Removed: func(what string, _ int) { removed = append(removed, what) }}))
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("output (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.removed, removed); diff != "" {
				t.Errorf("removed (-want +got):\n%s", diff)
			}
			if bad := tc.p.Audit([]byte(got)); len(bad) > 0 {
				t.Errorf("the output fails the audit: %s", strings.Join(bad, "; "))
			}
		})
	}
}

// TestAudit: the audit finds what the policy forbids, as a browser reads
// it, so that the fuzz targets can fail.
func TestAudit(t *testing.T) {
	safe, trusted := Safe(testHosts...), Trusted()
	for _, tc := range []struct {
		name string
		p    *Policy
		in   string
	}{
		{"script", trusted, `<p><script>x</script></p>`},
		{"event handler", trusted, `<img src=x onerror=alert(1)>`},
		{"svg script", safe, `<svg><script>x</script></svg>`},
		{"img out of svg style", safe, `<svg><style><img src=x onerror=alert(1)></style></svg>`},
		{"javascript in xlink:href", safe, `<svg><a xlink:href="javascript:x"><g></g></a></svg>`},
		{"unknown element", safe, `<font>x</font>`},
		{"unknown attribute", safe, `<p foo=1>x</p>`},
		{"html style", safe, `<style>p{}</style>`},
		{"iframe from elsewhere", safe, `<iframe src="https://evil.example/"></iframe>`},
		{"srcdoc", trusted, `<iframe srcdoc="x"></iframe>`},
		{"meta refresh", trusted, `<meta http-equiv=refresh content="0;url=x">`},
		{"animate values", trusted, `<svg><animate values="javascript:x"/></svg>`},
		{"animation of a handler", trusted, `<svg><set attributeName="onclick" to="alert(1)"/></svg>`},
		{"style url", trusted, `<p style="background:url(javascript:x)">x</p>`},
		{"unclosed table swallows what follows", safe, `<table><tr><td>x`},
		{"unclosed textarea swallows what follows", safe, `<textarea>`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if bad := tc.p.Audit([]byte(tc.in)); len(bad) == 0 {
				t.Errorf("Audit(%q) found nothing", tc.in)
			}
		})
	}
}

func TestSafeURL(t *testing.T) {
	for _, tc := range []struct {
		name string
		url  string
		want bool
	}{
		{"https", "https://example.com/", true},
		{"relative", "/images/a.png", true},
		{"fragment", "#x", true},
		{"mailto", "mailto:a@example.com", true},
		{"javascript", "javascript:alert(1)", false},
		{"upper", "JavaScript:alert(1)", false},
		{"spaced", " java\tscript:alert(1)", false},
		{"encoded", "javascript%3Aalert(1)", false},
		{"encoded letters", "%6Aavascript:alert(1)", false},
		{"vbscript", "vbscript:x", false},
		{"data html", "data:text/html,<script>", false},
		{"data svg", "data:image/svg+xml,<svg onload=alert(1)>", false},
		{"data png", "data:image/png;base64,AAAA", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := safeURL(tc.url); got != tc.want {
				t.Errorf("safeURL(%q) = %v, want %v", tc.url, got, tc.want)
			}
		})
	}
}

func TestCSSSafe(t *testing.T) {
	for _, tc := range []struct {
		name string
		css  string
		want bool
	}{
		{"plain", "color:red;height:1.2em", true},
		{"local ref", "fill:url(#shadow)", true},
		{"font data", `@font-face{src:url("data:application/font-woff;base64,AAAA")}`, true},
		{"image data", `background:url(data:image/svg+xml;base64,AA)`, true},
		{"scroll-behavior", "scroll-behavior:smooth", true},
		{"javascript url", "background:url(javascript:alert(1))", false},
		{"quoted, spaced, upper", `background: URL(  " JAVA` + "\t" + `SCRIPT:x" )`, false},
		{"escaped", `background:url(\6a avascript:x)`, false},
		{"escaped function", `background:\75 rl(javascript:x)`, false},
		{"html data", `background:url(data:text/html,x)`, false},
		{"import string", `@import "javascript:x";`, false},
		{"expression", "width:expression(alert(1))", false},
		{"behavior", "behavior:url(x.htc)", false},
		{"moz binding", "-moz-binding:url(x.xml#y)", false},
		{"comment inside", "background:url(java/**/script:x)", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := CSSSafe(tc.css); got != tc.want {
				t.Errorf("CSSSafe(%q) = %v, want %v", tc.css, got, tc.want)
			}
		})
	}
}
