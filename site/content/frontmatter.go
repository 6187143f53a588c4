package content

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
	"github.com/kiji-ssg/kiji/site/diag"
)

// A Field is one front-matter field with the position of its key.
type Field struct {
	Key       string
	Value     any // decoded as YAML 1.2 (yes/no stay strings; dates stay strings)
	Line, Col int // position of the value in the file (1-based)
	// Items are the positions of a sequence value's items (e.g. each topic
	// of topics: [a, b]), so a problem can point at the item itself.
	Items []Pos
}

// Pos is a position in a file: 1-based line and column.
type Pos struct{ Line, Col int }

// FrontMatter is a parsed YAML header. Fields keep their order and positions
// so validation can point at the right line.
type FrontMatter struct {
	Fields []Field
	Line   int // line of the opening ---, 0 when the file has none
	End    int // line of the closing ---
	// Dropped are the control characters left out before parsing (YAML
	// forbids them; zenn.dev publishes such a file without them).
	Dropped []Dropped
}

// Dropped is a control character left out of a front matter, at its
// file line and column.
type Dropped struct {
	Line, Col int
	Rune      rune
}

// Get returns the field named key.
func (fm *FrontMatter) Get(key string) (Field, bool) {
	if fm == nil {
		return Field{}, false
	}
	for _, f := range fm.Fields {
		if f.Key == key {
			return f, true
		}
	}
	return Field{}, false
}

// Map returns the fields as a map, for templates.
func (fm *FrontMatter) Map() map[string]any {
	m := make(map[string]any, len(fm.Fields))
	for _, f := range fm.Fields {
		m[f.Key] = f.Value
	}
	return m
}

// A SyntaxError is a front matter that cannot be read.
type SyntaxError struct {
	Line, Col int
	Msg       string
}

func (e *SyntaxError) Error() string { return e.Msg }

// SplitFrontMatter separates a leading YAML front matter from src. It returns
// the YAML text, the body — the whole file with the front matter lines
// blanked, so that byte offsets in the body give the file's real line numbers
// — and the 1-based line of the closing delimiter (0 without front matter).
// A file that opens a front matter but never closes it is an error.
func SplitFrontMatter(src []byte) (yml, body []byte, end int, err error) {
	return splitFrontMatter(src, true)
}

// splitFrontMatter is SplitFrontMatter; without wantBody it does not make
// the blanked copy of the file (body is nil when there is a front matter).
func splitFrontMatter(src []byte, wantBody bool) (yml, body []byte, end int, err error) {
	if !bytes.HasPrefix(src, []byte("---")) || !isDelim(firstLine(src)) {
		return nil, src, 0, nil
	}
	// Find the closing delimiter line.
	off := len(firstLine(src)) + 1
	line := 2
	for off <= len(src) {
		l := firstLine(src[off:])
		if isDelim(l) {
			yml = src[len(firstLine(src))+1 : off]
			if !wantBody {
				return yml, nil, line, nil
			}
			body = make([]byte, len(src))
			copy(body, src)
			// Blank every byte of the front matter except newlines.
			stop := off + len(l)
			for i := 0; i < stop && i < len(body); i++ {
				if body[i] != '\n' {
					body[i] = ' '
				}
			}
			return yml, body, line, nil
		}
		off += len(l) + 1
		line++
	}
	return nil, src, 0, &SyntaxError{Line: 1, Col: 1, Msg: "the front matter opened by --- on line 1 is never closed; add a line with --- after the last field"}
}

func firstLine(b []byte) []byte {
	if i := bytes.IndexByte(b, '\n'); i >= 0 {
		return b[:i]
	}
	return b
}

func isDelim(l []byte) bool {
	return string(bytes.TrimRight(l, " \t\r")) == "---"
}

// disableFast turns the fast path off (tests compare both paths).
var disableFast = false

var yamlPos = regexp.MustCompile(`^\[(\d+):(\d+)\]\s*(.*)`)

// ParseFrontMatter parses the YAML between the --- lines. firstLine is the
// file line of the first YAML line, so positions are the file's.
// Control characters (other than tab and line ends) are left out first
// and listed in Dropped, for the caller to warn about.
func ParseFrontMatter(yml []byte, firstLine int) (*FrontMatter, error) {
	yml, dropped := dropControlChars(yml, firstLine)
	fm, err := parseFrontMatter(yml, firstLine)
	if fm != nil {
		fm.Dropped = dropped
	}
	var se *SyntaxError
	if errors.As(err, &se) {
		se.Col = originalCol(se.Line, se.Col, dropped)
	}
	return fm, err
}

// originalCol is the column in the file of column col of line in the
// front matter without its dropped characters.
func originalCol(line, col int, dropped []Dropped) int {
	for _, d := range dropped {
		if d.Line == line && d.Col <= col {
			col++
		}
	}
	return col
}

func parseFrontMatter(yml []byte, firstLine int) (*FrontMatter, error) {
	fm := &FrontMatter{Line: firstLine - 1}
	if len(bytes.TrimSpace(yml)) == 0 {
		return fm, nil
	}
	if !disableFast {
		if fast, ok := fastFrontMatter(yml, firstLine); ok {
			return fast, nil
		}
	}
	f, err := parseYAML(yml)
	if err != nil {
		return nil, yamlError(err, firstLine)
	}
	if err := checkAliases(f, firstLine); err != nil {
		return nil, err
	}
	if len(f.Docs) == 0 || f.Docs[0] == nil || f.Docs[0].Body == nil {
		return fm, nil
	}
	body := f.Docs[0].Body
	if c, ok := body.(*ast.CommentNode); ok && c != nil {
		return fm, nil
	}
	var values []*ast.MappingValueNode
	switch m := body.(type) {
	case *ast.MappingNode:
		values = m.Values
	case *ast.MappingValueNode:
		values = []*ast.MappingValueNode{m}
	default:
		tok := body.GetToken()
		l, c := 1, 1
		if tok != nil && tok.Position != nil {
			l, c = tok.Position.Line, tok.Position.Column
		}
		return nil, &SyntaxError{Line: firstLine + l - 1, Col: c, Msg: "the front matter must be a list of `key: value` fields, e.g. `title: \"…\"`"}
	}
	fields, err := decodeFields(values, firstLine)
	if err != nil {
		return nil, err
	}
	fm.Fields = fields
	return fm, nil
}

// decodeFields decodes the top-level fields of a front matter, in order,
// with their positions.
func decodeFields(values []*ast.MappingValueNode, firstLine int) (fields []Field, err error) {
	seen := map[string]bool{}
	// One decoder for every field, so that an alias can name an anchor of
	// an earlier field (x: &x "T" then title: *x), as Zenn's parser allows.
	dec := yaml.NewDecoder(bytes.NewReader(nil))
	for _, mv := range values {
		if mv == nil || mv.Key == nil {
			continue
		}
		key := strings.TrimSpace(mv.Key.String())
		if kt := mv.Key.GetToken(); kt != nil {
			key = kt.Value
		}
		var v any
		if mv.Value != nil {
			if err := dec.DecodeFromNode(mv.Value, &v); err != nil {
				return nil, yamlError(err, firstLine)
			}
		}
		line, col := firstLine, 1
		if t := mv.Key.GetToken(); t != nil && t.Position != nil {
			line, col = firstLine+t.Position.Line-1, t.Position.Column
		}
		if mv.Value != nil {
			if t := mv.Value.GetToken(); t != nil && t.Position != nil && t.Position.Line > 0 {
				line, col = firstLine+t.Position.Line-1, t.Position.Column
			}
		}
		if seen[key] {
			return nil, &SyntaxError{Line: line, Col: 1, Msg: fmt.Sprintf("the field %q is given twice; keep one", key)}
		}
		seen[key] = true
		fields = append(fields, Field{Key: key, Value: v, Line: line, Col: col, Items: itemPositions(mv.Value, firstLine)})
	}
	return fields, nil
}

// itemPositions returns the file positions of a sequence's items.
func itemPositions(n ast.Node, firstLine int) []Pos {
	seq, ok := n.(*ast.SequenceNode)
	if !ok || seq == nil {
		return nil
	}
	ps := make([]Pos, 0, len(seq.Values))
	for _, v := range seq.Values {
		p := Pos{Line: firstLine, Col: 1}
		if v != nil {
			if t := v.GetToken(); t != nil && t.Position != nil && t.Position.Line > 0 {
				p = Pos{Line: firstLine + t.Position.Line - 1, Col: t.Position.Column}
			}
		}
		ps = append(ps, p)
	}
	return ps
}

func parseYAML(yml []byte) (f *ast.File, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("[1:1] the YAML parser failed on this front matter (%v)", r)
		}
	}()
	return parser.ParseBytes(yml, 0)
}

func yamlError(err error, firstLine int) error {
	msg := err.Error()
	first := msg
	if i := strings.IndexByte(first, '\n'); i >= 0 {
		first = first[:i]
	}
	if m := yamlPos.FindStringSubmatch(first); m != nil {
		l, _ := strconv.Atoi(m[1])
		c, _ := strconv.Atoi(m[2])
		what := yamlInnerPos.ReplaceAllStringFunc(m[3], func(at string) string {
			n, _ := strconv.Atoi(yamlInnerPos.FindStringSubmatch(at)[1])
			return "line " + strconv.Itoa(firstLine+n-1)
		})
		return &SyntaxError{Line: firstLine + l - 1, Col: c, Msg: "front matter is not valid YAML: " + what + "; " + yamlHint(what)}
	}
	return &SyntaxError{Line: firstLine, Col: 1, Msg: "front matter is not valid YAML: " + first}
}

// yamlInnerPos is a position the YAML parser names inside its message
// ("already defined at [1:1]"), relative to the front matter.
var yamlInnerPos = regexp.MustCompile(`\[(\d+):\d+\]`)

// yamlHints say what to do about the YAML parser's most common messages,
// in the words of the mistakes that cause them.
var yamlHints = []struct{ says, hint string }{
	{"map key-value is pre-defined", `text follows a quoted value: quote the whole value ("Half quoted"), and write a ' inside single quotes as '' ('it''s')`},
	{"mapping value is not allowed", `a ": " inside a value, or a line indented under another: quote the value ("a: b"), and start every field at the line's beginning`},
	{"cannot start any token", "a tab indents this line: YAML indents with spaces"},
	{"is a reserved character", "a value starts with @ or `: quote the value"},
	{"already defined", "a field appears twice: delete one of them"},
	{"could not find end character", `a quoted value is not closed: add its closing quote, or quote it with ' if it holds a "`},
	{"sequence end token ']' not found", "a [ list is not closed: add ] at its end"},
	{"',' or ']' must be specified", `separate a list's items with commas: ["a", "b"]`},
}

// yamlHint is what to do about a YAML parser message.
func yamlHint(msg string) string {
	for _, h := range yamlHints {
		if strings.Contains(msg, h.says) {
			return h.hint
		}
	}
	return "fix the YAML between the --- lines (quote values that contain ': ' or '#')"
}

// dropControlChars leaves out the control characters YAML forbids, which
// real repositories sometimes hold after a copy and paste (a backspace in
// a title that zenn.dev publishes without it). yml is returned as it is
// when it has none; else a copy without them.
func dropControlChars(yml []byte, firstLine int) ([]byte, []Dropped) {
	var dropped []Dropped
	line, col := firstLine, 1
	for _, r := range string(yml) {
		switch {
		case r == '\n':
			line++
			col = 1
			continue
		case r == '\t' || r == '\r':
		case r < 0x20 || r == 0x7f:
			dropped = append(dropped, Dropped{Line: line, Col: col, Rune: r})
		}
		col++
	}
	if dropped == nil {
		return yml, nil
	}
	out := make([]byte, 0, len(yml))
	for _, b := range yml {
		if (b < 0x20 && b != '\t' && b != '\r' && b != '\n') || b == 0x7f {
			continue
		}
		out = append(out, b)
	}
	return out, dropped
}

// warnDropped reports the control characters left out of a front matter:
// warnings (zenn.dev publishes such a file), errors with ZennStrict
// (zenn-cli's YAML parser refuses them).
func (s *Site) warnDropped(file string, fm *FrontMatter, l *diag.List) {
	sev := diag.Warning
	if s.opts.ZennStrict {
		sev = diag.Error
	}
	for _, d := range fm.Dropped {
		l.Add(diag.Problem{File: file, Line: d.Line, Col: d.Col, Severity: sev, Rule: "front-matter-control",
			Msg: fmt.Sprintf("front matter contains the control character U+%04X, which YAML forbids; kiji leaves it out (zenn.dev shows the text without it): delete it from the file", d.Rune)})
	}
}
