package diagram

import (
	"bytes"
	"encoding/base64"
	"math"
	"strconv"
	"strings"
)

// tidy writes the tags of D2's SVG shorter, drawing the same thing:
//
//   - numbers lose the trailing zeros of D2's six decimals ("-17.000000"
//     is "-17", "38.500000" is "38.5"), and D2's float32 noise
//     ("114.300003" is "114.3");
//   - a style of presentation properties becomes attributes
//     (style="stroke-width:2;" is stroke-width="2"): no stylesheet of D2 or
//     kiji sets these properties, so nothing else decides them;
//   - a group's first class, the base64 of the D2 object's key (a hook for
//     D2's own tools, named by no stylesheet), is dropped;
//   - D2's stray spaces go (class=" fill-N7", <g class="shape" >, " />",
//     line breaks between elements outside a <text>), and so do the end
//     tags of empty elements (<rect ...></rect>).
//
// Text, <style> elements and the HTML of Markdown labels (in
// <foreignObject>) are copied as they are, and so is a tag that does not
// parse as name="value" attributes.
func tidy(svg []byte) []byte {
	var out bytes.Buffer
	out.Grow(len(svg))
	inText := 0 // depth of <text> elements
	for len(svg) > 0 {
		i := bytes.IndexByte(svg, '<')
		if i < 0 {
			break
		}
		// White space between tags draws nothing, except in a <text>.
		if inText > 0 || len(bytes.TrimSpace(svg[:i])) > 0 {
			out.Write(svg[:i])
		}
		svg = svg[i:]
		switch {
		case bytes.HasPrefix(svg, []byte("<text ")) || bytes.HasPrefix(svg, []byte("<text>")):
			inText++
		case bytes.HasPrefix(svg, []byte("</text>")) && inText > 0:
			inText--
		}
		if skip := skipElement(svg); skip > 0 {
			out.Write(svg[:skip])
			svg = svg[skip:]
			continue
		}
		end := tagEnd(svg)
		tag := svg[:end]
		svg = svg[end:]
		// <rect ...></rect> is <rect .../>: SVG elements may close
		// themselves in HTML.
		if n := emptyEnd(tag, svg); n > 0 {
			tag = append(append(tag[:len(tag)-1:len(tag)-1], '/'), '>')
			svg = svg[n:]
		}
		writeTag(&out, tag)
	}
	out.Write(svg)
	return out.Bytes()
}

// emptyEnd returns the length of the end tag of tag that rest starts
// with, or 0.
func emptyEnd(tag, rest []byte) int {
	if bytes.HasSuffix(tag, []byte("/>")) || !bytes.HasPrefix(rest, []byte("</")) {
		return 0
	}
	name := tag[1:]
	if i := bytes.IndexAny(name, " />"); i >= 0 {
		name = name[:i]
	}
	end := "</" + string(name) + ">"
	if len(name) == 0 || !bytes.HasPrefix(rest, []byte(end)) {
		return 0
	}
	return len(end)
}

// skipElement returns the length of the <style>, <foreignObject>, comment
// or end tag that svg starts with, or 0.
func skipElement(svg []byte) int {
	if bytes.HasPrefix(svg, []byte("</")) {
		return tagEnd(svg)
	}
	for _, s := range [][2]string{{"<style", "</style>"}, {"<foreignObject", "</foreignObject>"}, {"<!--", "-->"}} {
		if bytes.HasPrefix(svg, []byte(s[0])) {
			if j := bytes.Index(svg, []byte(s[1])); j >= 0 {
				return j + len(s[1])
			}
			return len(svg)
		}
	}
	return 0
}

// tagEnd returns the length of the tag svg starts with, up to its '>'
// outside quotes (or all of svg).
func tagEnd(svg []byte) int {
	var quote byte
	for j := 1; j < len(svg); j++ {
		c := svg[j]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '>':
			return j + 1
		}
	}
	return len(svg)
}

// attr is an attribute of a tag; q is its quote.
type attr struct {
	name, val string
	q         byte
}

// parseTag splits a start tag into its name, attributes and end ("/>" or
// ">"). ok is false for anything else than name="value" attributes
// separated by spaces.
func parseTag(tag []byte) (name string, attrs []attr, end string, ok bool) {
	s := string(tag)
	i := 1
	for i < len(s) && isAttrChar(s[i]) {
		i++
	}
	name = s[1:i]
	for {
		j := i
		for j < len(s) && s[j] == ' ' {
			j++
		}
		switch rest := s[j:]; {
		case rest == ">" || rest == "/>":
			return name, attrs, rest, name != ""
		case j == i:
			return "", nil, "", false
		}
		k := j
		for k < len(s) && isAttrChar(s[k]) {
			k++
		}
		if k == j || k+1 >= len(s) || s[k] != '=' || (s[k+1] != '"' && s[k+1] != '\'') {
			return "", nil, "", false
		}
		q := s[k+1]
		v := strings.IndexByte(s[k+2:], q)
		if v < 0 {
			return "", nil, "", false
		}
		attrs = append(attrs, attr{name: s[j:k], val: s[k+2 : k+2+v], q: q})
		i = k + 2 + v + 1
	}
}

func isAttrChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == ':' || c == '_'
}

// writeTag writes a start tag tidied.
func writeTag(out *bytes.Buffer, tag []byte) {
	name, attrs, end, ok := parseTag(tag)
	if !ok {
		out.Write(tag)
		return
	}
	out.WriteString("<" + name)
	for i, a := range attrs {
		if a.q == '"' {
			switch {
			case numericAttrs[a.name]:
				a.val = shortenValue(a.val)
			case a.name == "class":
				a.val = tidyClass(a.val, name == "g" && i == 0)
				if a.val == "" {
					continue
				}
			}
			if a.name == "style" {
				if decls, ok := presentation(a.val); ok {
					out.WriteString(decls)
					continue
				}
			}
		}
		out.WriteString(" " + a.name + "=" + string(a.q) + a.val + string(a.q))
	}
	out.WriteString(end)
}

// tidyClass trims a class list and, for a group, drops a first class that
// is D2's base64 key of an object ("b3JjaA==").
func tidyClass(v string, group bool) string {
	f := strings.Fields(v)
	if group && len(f) > 0 && len(f[0])%4 == 0 {
		if _, err := base64.URLEncoding.DecodeString(f[0]); err == nil {
			f = f[1:]
		}
	}
	return strings.Join(f, " ")
}

// presentationProps are the properties D2 writes in style attributes that
// are also presentation attributes, set by no stylesheet of a diagram.
var presentationProps = map[string]bool{"stroke-width": true, "stroke-dasharray": true, "text-anchor": true, "font-size": true}

// presentation turns a style of presentation properties into attributes:
// "text-anchor:middle;font-size:16px" gives ` text-anchor="middle"
// font-size="16"`. ok is false when a declaration is something else.
func presentation(style string) (string, bool) {
	var b strings.Builder
	for _, d := range strings.Split(strings.TrimSuffix(style, ";"), ";") {
		p, v, found := strings.Cut(d, ":")
		if !found || !presentationProps[p] || v == "" || strings.ContainsAny(v, `"&<> `) {
			return "", false
		}
		if n, ok := strings.CutSuffix(v, "px"); ok && n != "" && strings.Trim(n, "0123456789.") == "" {
			v = n // a length without unit is in pixels (user units)
		}
		b.WriteString(" " + p + `="` + v + `"`)
	}
	return b.String(), b.Len() > 0
}

// numericAttrs are the attributes of D2's SVG elements whose values are
// numbers, lists of numbers, path data or (style) declarations of numbers.
var numericAttrs = map[string]bool{
	"x": true, "y": true, "dx": true, "dy": true, "width": true, "height": true,
	"rx": true, "ry": true, "cx": true, "cy": true, "r": true,
	"x1": true, "y1": true, "x2": true, "y2": true, "d": true, "points": true,
	"viewBox": true, "refX": true, "refY": true, "markerWidth": true, "markerHeight": true,
	"stroke-width": true, "stroke-dasharray": true, "transform": true, "style": true,
}

// shortenValue shortens the decimal numbers of v: "8.000000,7.892510"
// becomes "8,7.89251". A number is digits, a point and digits, not inside
// a word ("a1.50" stays) nor followed by an exponent.
func shortenValue(v string) string {
	var out strings.Builder
	for i := 0; i < len(v); {
		c := v[i]
		if !isDigit(c) || i > 0 && (isDigit(v[i-1]) || isIdent(v[i-1]) && v[i-1] != '-' || v[i-1] == '.' || v[i-1] == '#') {
			out.WriteByte(c)
			i++
			continue
		}
		j := i
		for j < len(v) && isDigit(v[j]) {
			j++
		}
		if j+1 >= len(v) || v[j] != '.' || !isDigit(v[j+1]) {
			out.WriteString(v[i:j])
			i = j
			continue
		}
		k := j + 1
		for k < len(v) && isDigit(v[k]) {
			k++
		}
		if k < len(v) && (v[k] == 'e' || v[k] == 'E' || v[k] == '.') {
			out.WriteString(v[i:k])
			i = k
			continue
		}
		out.WriteString(shortNumber(v[i:k], j-i))
		i = k
	}
	return out.String()
}

// shortNumber writes a decimal number (point at index dot) without its
// trailing zeros. D2 computes in float32 and prints six decimals, so
// 114.3 comes out as 114.300003: a number within float32's precision of
// two decimals is written with two ("114.3"), a difference of less than
// a ten-thousandth of a pixel.
func shortNumber(n string, dot int) string {
	if len(n)-dot-1 == 6 {
		if f, err := strconv.ParseFloat(n, 64); err == nil {
			r := math.Round(f*100) / 100
			// Within float32's precision of f: a unit in the last place
			// is f×2⁻²³.
			if d := math.Abs(f - r); d > 0 && d <= math.Abs(f)*0x1p-23+1e-6 {
				n = strconv.FormatFloat(r, 'f', 2, 64)
				dot = strings.IndexByte(n, '.')
			}
		}
	}
	frac := strings.TrimRight(n[dot+1:], "0")
	if frac == "" {
		return n[:dot]
	}
	return n[:dot+1+len(frac)]
}
