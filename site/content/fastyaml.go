package content

import (
	"bytes"
	"regexp"
	"strings"
	"unicode/utf8"
)

// fastFrontMatter reads the front matter nearly every article has — one
// `key: value` per line, the value a double-quoted string without escapes,
// a simple word or date, true or false, or a flow list of those, each maybe
// followed by a comment — without the YAML library, which costs most of a
// rebuild's time on a large site. Anything else (block lists, escapes,
// numbers, nulls, anchors, multi-line values, duplicate keys, tabs anywhere)
// returns ok=false and the YAML parser reads it. FuzzFastFrontMatter checks that
// whenever this answers, it answers exactly what the YAML parser does.
func fastFrontMatter(yml []byte, firstLine int) (fm *FrontMatter, ok bool) {
	if !utf8.Valid(yml) || bytes.ContainsAny(yml, "\r\t\ufeff") {
		return nil, false
	}
	fm = &FrontMatter{Line: firstLine - 1}
	seen := map[string]bool{}
	line := firstLine - 1
	for len(yml) > 0 {
		var l []byte
		if i := bytes.IndexByte(yml, '\n'); i >= 0 {
			l, yml = yml[:i], yml[i+1:]
		} else {
			l, yml = yml, nil
		}
		line++
		if len(bytes.TrimSpace(l)) == 0 || l[0] == '#' {
			continue
		}
		if l[len(l)-1] == ' ' {
			return nil, false // the YAML parser places such values oddly
		}
		m := fastKeyRE.FindSubmatchIndex(l)
		if m == nil {
			return nil, false
		}
		key := string(l[m[2]:m[3]])
		if seen[key] {
			return nil, false
		}
		seen[key] = true
		rest := l[m[1]:]
		start := m[1] + 1 // 1-based column of the value
		for len(rest) > 0 && rest[0] == ' ' {
			rest = rest[1:]
			start++
		}
		rest = stripComment(rest)
		if rest == nil {
			return nil, false
		}
		f := Field{Key: key, Line: line, Col: start}
		switch {
		case len(rest) > 0 && rest[0] == '[':
			items, pos, ok := fastFlowList(rest, line, start)
			if !ok {
				return nil, false
			}
			f.Value, f.Items = items, pos
		default:
			v, ok := fastScalar(rest)
			if !ok {
				return nil, false
			}
			f.Value = v
		}
		fm.Fields = append(fm.Fields, f)
	}
	return fm, true
}

var (
	fastKeyRE   = regexp.MustCompile(`^([A-Za-z_][A-Za-z0-9_]*):( |$)`)
	fastWordRE  = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_-]*$`)
	fastDateRE  = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}(( \d{2}:\d{2})|(T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})))?$`)
	fastNotWord = map[string]bool{"true": true, "false": true, "null": true, "yes": true, "no": true, "on": true, "off": true, "y": true, "n": true, "nan": true, "inf": true}
)

// stripComment removes a trailing " # comment" outside quotes and trailing
// spaces. It returns nil when the value is empty or cannot be judged.
func stripComment(b []byte) []byte {
	inQuote := false
	for i := 0; i < len(b); i++ {
		switch b[i] {
		case '"':
			inQuote = !inQuote
		case '\'', '\t', '\\', '&', '*', '!', '|', '>', '%', '@', '`', '{':
			if !inQuote {
				return nil
			}
		case '#':
			if !inQuote && i > 0 && b[i-1] == ' ' {
				b = b[:i]
			} else if !inQuote {
				return nil
			}
		}
	}
	if inQuote {
		return nil
	}
	b = bytes.TrimRight(b, " ")
	if len(b) == 0 {
		return nil
	}
	return b
}

// fastScalar reads one simple scalar.
func fastScalar(b []byte) (any, bool) {
	s := string(b)
	switch {
	case s == "true":
		return true, true
	case s == "false":
		return false, true
	case len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"':
		in := s[1 : len(s)-1]
		if strings.ContainsAny(in, "\"\\") {
			return nil, false
		}
		return in, true
	case fastDateRE.MatchString(s):
		return s, true
	case fastWordRE.MatchString(s) && !fastNotWord[strings.ToLower(s)]:
		return s, true
	}
	return nil, false
}

// fastFlowList reads [a, "b", c] on one line.
func fastFlowList(b []byte, line, col int) ([]any, []Pos, bool) {
	if b[len(b)-1] != ']' {
		return nil, nil, false
	}
	inner := b[1 : len(b)-1]
	items := []any{}
	pos := []Pos{}
	if len(bytes.TrimSpace(inner)) == 0 {
		return items, pos, true
	}
	off := 1 // offset of inner in b
	for _, part := range bytes.Split(inner, []byte(",")) {
		lead := len(part) - len(bytes.TrimLeft(part, " "))
		item := bytes.TrimSpace(part)
		if len(item) == 0 || item[0] == '[' || item[0] == ']' || bytes.ContainsAny(item, "[]:") {
			return nil, nil, false
		}
		v, ok := fastScalar(item)
		if !ok {
			return nil, nil, false
		}
		if _, isStr := v.(string); !isStr {
			return nil, nil, false
		}
		items = append(items, v)
		pos = append(pos, Pos{Line: line, Col: col + off + lead})
		off += len(part) + 1
	}
	return items, pos, true
}
