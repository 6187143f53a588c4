package htmlsafe

import (
	"bytes"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

var fuzzSeeds = []string{
	`<p>hi <b>x</b></p>`,
	`<script>alert(1)</script><p onclick="x">a</p>`,
	`<svg><foreignObject><div xmlns="http://www.w3.org/1999/xhtml"><script>alert(1)</script><img src="data:x" onerror="alert(2)"/></div></foreignObject><a href="javascript:alert(1)" xlink:href="javascript:alert(1)"><g></g></a></svg>`,
	`<iframe srcdoc="<script>x</script>"></iframe><iframe src="https://codepen.io/x"></iframe>`,
	`<svg><set attributeName=href to="javascript:alert(1)"/><animate values="a;javascript:alert(1)"/></svg>`,
	`<meta http-equiv="refresh" content="0;url=javascript:alert(1)"><div style="background:url(javascript:alert(1))">x</div>`,
	`<svg><style><![CDATA[ .a{fill:url(#x)} ]]></style><style>x</style><img src=x onerror=alert(1)></svg>`,
	`<math><mi><style><img src=x onerror=alert(1)></style></mi><annotation-xml encoding="text/html"><svg><title><style>`,
	`<select><svg><style><![CDATA[ ><img src=x onerror=alert(1)> ]]></style></svg></select>`,
	`<table><tr><td><svg><foreignObject><td><style><img src=x onerror=1>`,
	`<p><b>x<div><svg><foreignObject>y</foreignObject></svg></div></b></p>`,
	`<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>`,
	`<textarea></textarea><img src=x onerror=alert(1)>`,
	`<!--><img src=x onerror=1>--><!---><x><!-- a --!><img onerror=1>`,
	`<a href="java&#x09;script:x">a</a><a href=' javascript:x'>b</a><a href=vbscript:x>c</a>`,
	"<svg><![CDATA[x]]><g/><desc><style></style></desc></svg>",
	// Findings of the fuzzers, kept: a non-ASCII byte in a tag name; a
	// <template> in foreignObject (x/net/html's parser loses what follows);
	// HTML page and table elements inside MathML; a table part in a
	// foster-parented element; a dropped tag that changed the namespace.
	"<A\x80>",
	"<svg><annotation-xml</iframe><foreignObject><template></iframe></iframe>",
	"<td><svg><br><math><html><mtext><table><td>",
	"<svg><title><a><object><a></iframe><table><marquee><tr>",
	"<math><mi><html><mglyph><frameset>",
	"<svg><title><form><select><form>",
}

// FuzzSanitize: whatever the input, the output of either policy, read by
// a browser's parser, holds nothing the policy forbids and swallows
// nothing after it; sanitizing it again changes nothing.
func FuzzSanitize(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	safe, trusted := Safe("codepen.io"), Trusted()
	f.Fuzz(func(t *testing.T, in string) {
		for _, p := range []*Policy{safe, trusted} {
			out := p.Sanitize(nil, []byte(in), nil)
			if bad := p.Audit(out); len(bad) > 0 {
				t.Fatalf("trusted %v: %q\n→ %q\nbreaks the policy: %s", p.trusted, in, out, strings.Join(bad, "; "))
			}
			if again := p.Sanitize(nil, out, nil); !bytes.Equal(again, out) {
				t.Fatalf("trusted %v: sanitizing twice differs:\n%q\n→ %q\n→ %q", p.trusted, in, out, again)
			}
		}
	})
}

// FuzzScanner: the scanner cuts any input where x/net/html's tokenizer
// does (which follows the HTML standard): the same tags, with the same
// names and attributes, the same text, in the same places. Script content
// is read more simply here (it is dropped whole) and left out.
func FuzzScanner(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Add(`<a b=c/><a b="c"/><a/b><A HREF='x' =y z >t</a ><!DOCTYPE html><?x><!x>< p>`)
	f.Add(`<title><b></title ><textarea>&lt;</textarea/><style></STYLE><xmp></xmp x><plaintext><a>`)
	f.Fuzz(func(t *testing.T, in string) {
		if strings.Contains(strings.ToLower(in), "<script") {
			t.Skip()
		}
		want := theirTokens(in)
		got := ourTokens(in)
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Fatalf("%q:\nx/net/html:\n%s\nscanner:\n%s", in, strings.Join(want, "\n"), strings.Join(got, "\n"))
		}
	})
}

// theirTokens lists x/net/html's tokens, with comments, doctypes and tags
// cut off by the end of the input as "other".
func theirTokens(in string) []string {
	z := html.NewTokenizer(strings.NewReader(in))
	var out []string
	for {
		tt := z.Next()
		raw := string(z.Raw())
		switch tt {
		case html.ErrorToken:
			return out
		case html.TextToken:
			out = append(out, "text "+raw)
		case html.StartTagToken, html.SelfClosingTagToken, html.EndTagToken:
			out = append(out, tagLine(z, tt, raw))
		default:
			out = append(out, "other")
		}
	}
}

func tagLine(z *html.Tokenizer, tt html.TokenType, raw string) string {
	name, more := z.TagName()
	s := map[html.TokenType]string{html.StartTagToken: "start ", html.SelfClosingTagToken: "start/ ", html.EndTagToken: "end "}[tt] + string(name)
	for more && tt != html.EndTagToken {
		var k []byte
		k, _, more = z.TagAttr()
		s += " " + string(k)
	}
	return s + " " + raw
}

func ourTokens(in string) []string {
	sc := scanner{src: []byte(in)}
	var out []string
	for sc.next() {
		t := &sc.tok
		raw := in[t.start:t.end]
		switch t.kind {
		case tokText:
			out = append(out, "text "+raw)
		case tokStart, tokEnd:
			s := strings.ReplaceAll(asciiLower([]byte(in[t.ns:t.ne])), "\x00", "\ufffd")
			seen, dup := map[string]bool{}, false
			for _, a := range t.attrs {
				k := strings.ReplaceAll(asciiLower([]byte(in[a.ks:a.ke])), "\x00", "\ufffd")
				if t.kind == tokStart && !seen[k] && k != "" {
					s += " " + k
				}
				dup = dup || seen[k]
				seen[k] = true
			}
			kind := map[bool]string{true: "end ", false: "start "}[t.kind == tokEnd]
			// x/net/html calls a tag self-closing when it drops a repeated
			// attribute whose unquoted value ends in "/" (<a x="" x=y/>);
			// the standard, browsers and the scanner do not. Compared
			// without that difference.
			quirk := dup && strings.HasSuffix(raw, "/>")
			if t.kind == tokStart && (t.selfClosing || quirk) {
				kind = "start/ "
			}
			out = append(out, kind+s+" "+raw)
			if in := lookup(asciiLower([]byte(in[t.ns:t.ne]))); t.kind == tokStart && in.raw != rawNone {
				sc.raw, sc.rawTag = in.raw, in.name
			}
		default:
			if t.end == len(in) && tagCutOff(in[t.start:]) {
				continue // a tag cut off by the end: x/net/html gives no token
			}
			out = append(out, "other")
		}
	}
	return out
}

// tagCutOff reports whether the rest of the input is a tag without its end.
func tagCutOff(rest string) bool {
	return len(rest) > 1 && (isAlpha(rest[1]) || rest[1] == '/' && len(rest) > 2 && isAlpha(rest[2]))
}

// markupPieces are what FuzzSanitizeMarkup builds its inputs from: the
// elements whose parsing depends on where they are (foreign content,
// integration points, tables, raw text, formatting elements) and the
// payloads that would run script.
var markupPieces = strings.Fields(`<svg> </svg> <math> </math> <foreignObject> </foreignObject> <desc> <title> </title>
	<g> </g> <style> </style> <![CDATA[ ]]> <mi> </mi> <mtext> <annotation-xml encoding="text/html"> </annotation-xml>
	<mglyph> <table> </table> <tr> <td> </td> <caption> <p> </p> <b> </b> <i> <a> </a> <div> </div> <span> </span>
	<select> </select> <option> <textarea> </textarea> <noscript> </noscript> <xmp> <iframe> </iframe> <template>
	</template> <object> <marquee> <li> <ul> </ul> <br> </br> <font color=red> <font> <form> </form> <button> <body>
	<html> <head> <frameset> <plaintext> <script> </script> <img/src=x/onerror=alert(1)> <a/href=javascript:x>
	<svg/onload=alert(1)> <set/attributeName=href/to=javascript:x> <!-- --> --!> < > " ' = x &lt; &#60; / <image/href=x>
	<noembed> <noframes> <h1> <pre> <table><td> <math><mi> <svg><foreignObject> <svg><desc><style> <style/>`)

// FuzzSanitizeMarkup is FuzzSanitize on inputs made of markupPieces, so
// that the fuzzer explores the parser's states rather than random bytes.
func FuzzSanitizeMarkup(f *testing.F) {
	f.Add([]byte{0, 15, 26, 60, 61})
	f.Add([]byte{24, 4, 10, 12, 61, 13, 11})
	safe, trusted := Safe("codepen.io"), Trusted()
	f.Fuzz(func(t *testing.T, picks []byte) {
		var b strings.Builder
		for _, c := range picks {
			b.WriteString(markupPieces[int(c)%len(markupPieces)])
		}
		in := b.String()
		for _, p := range []*Policy{safe, trusted} {
			out := p.Sanitize(nil, []byte(in), nil)
			if bad := p.Audit(out); len(bad) > 0 {
				t.Fatalf("trusted %v: %q\n→ %q\nbreaks the policy: %s", p.trusted, in, out, strings.Join(bad, "; "))
			}
		}
	})
}
