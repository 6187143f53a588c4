package diagram

import (
	"bytes"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestTidy(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"trailing zeros", `<rect x="-17.000000" y="38.500000" width="650.000000" height="0.250000" />`,
			`<rect x="-17" y="38.5" width="650" height="0.25"/>`},
		{"float32 noise", `<path d="M 123 67.5 C 123 114.300003 623.400024 138.699997 432.356288 183.5" />`,
			`<path d="M 123 67.5 C 123 114.3 623.4 138.7 432.356288 183.5"/>`},
		{"noise rounds up across the point", `<rect x="99.999997" />`, `<rect x="100"/>`},
		{"lists", `<polygon points="0.000000,0.000000 10.000000,6.000000" />`, `<polygon points="0,0 10,6"/>`},
		{"not a number in a word", `<rect x="a1.500000" y="#1.50" />`, `<rect x="a1.500000" y="#1.50"/>`},
		{"exponent kept", `<rect x="1.500000e3" />`, `<rect x="1.500000e3"/>`},
		{"other attributes kept", `<a href="v1.500000" title="2.000000">`, `<a href="v1.500000" title="2.000000">`},
		{"style to attributes", `<text x="1.000000" style="text-anchor:middle;font-size:16px">a b</text>`,
			`<text x="1" text-anchor="middle" font-size="16">a b</text>`},
		{"stroke style", `<rect style="stroke-width:2;stroke-dasharray:8.000000,7.892511;" />`,
			`<rect stroke-width="2" stroke-dasharray="8,7.892511"/>`},
		{"other style kept", `<rect style="stroke-width:2;opacity:0.500000;" />`, `<rect style="stroke-width:2;opacity:0.5;"/>`},
		{"single-quoted style kept", `<g style='opacity:0.500000'>`, `<g style='opacity:0.500000'>`},
		{"object key dropped", `<g class="b3JjaA== group"><g class="shape" >`, `<g class="group"><g class="shape">`},
		{"lone object key", `<g class="YQ==">`, `<g>`},
		{"not a key", `<g class="shape">`, `<g class="shape">`},
		{"key only on groups", `<rect class="YQ==" />`, `<rect class="YQ=="/>`},
		{"class spaces", `<rect class=" fill-N7" />`, `<rect class="fill-N7"/>`},
		{"empty element", "<mask id=\"m\">\n<rect x=\"1.000000\" fill=\"white\"></rect>\n\n</mask>", `<mask id="m"><rect x="1" fill="white"/></mask>`},
		{"space in text kept", `<text x="1"> <tspan x="2"> a </tspan> </text>`, `<text x="1"> <tspan x="2"> a </tspan> </text>`},
		{"style element kept", `<style type="text/css"><![CDATA[.a { x: 1.500000 }]]></style><rect x="1.0" />`,
			`<style type="text/css"><![CDATA[.a { x: 1.500000 }]]></style><rect x="1"/>`},
		{"markdown kept", `<foreignObject x="1.000000"><div class="md"><p width="2.000000"> a </p></div></foreignObject>`,
			`<foreignObject x="1.000000"><div class="md"><p width="2.000000"> a </p></div></foreignObject>`},
		{"odd tag kept", `<rect x=1.500000 y="2.000000">`, `<rect x=1.500000 y="2.000000">`},
		{"unterminated", `<rect x="1.500000`, `<rect x="1.500000`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, string(tidy([]byte(tt.in)))); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// texts returns the texts between the tags of b that are not white
// space, trimmed. A tag ends at a '>' outside quotes.
func texts(b []byte) []string {
	var out []string
	var cur []byte
	inTag, quote := false, byte(0)
	flush := func() {
		if t := bytes.TrimSpace(cur); len(t) > 0 {
			out = append(out, string(t))
		}
		cur = cur[:0]
	}
	for _, c := range b {
		switch {
		case inTag && quote != 0:
			if c == quote {
				quote = 0
			}
		case inTag && (c == '"' || c == '\''):
			quote = c
		case inTag && c == '>':
			inTag = false
		case inTag:
		case c == '<':
			flush()
			inTag = true
		default:
			cur = append(cur, c)
		}
	}
	if !inTag {
		flush()
	}
	return out
}

// FuzzTidy checks that tidy never fails and keeps every text between tags
// that is not white space, in order.
func FuzzTidy(f *testing.F) {
	f.Add([]byte(`<g class="YQ=="><rect x="1.500000" style="stroke-width:2;"></rect><text x="0.000000">a</text></g>`))
	f.Add([]byte(`<foreignObject><p>1.50</p></foreignObject><style>x</style><mask>` + "\n" + `</mask>`))
	f.Add([]byte(`<a b='c"d' e="f'g">h</a><`))
	f.Fuzz(func(t *testing.T, in []byte) {
		out := tidy(in)
		if diff := cmp.Diff(texts(in), texts(out)); diff != "" {
			t.Fatalf("texts changed (-in +out):\n%s\nin  %q\nout %q", diff, in, out)
		}
	})
}
