package zenn

import (
	"regexp"
	"strings"

	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"

	"github.com/kiji-ssg/kiji/site/diag"
)

// ContainerKind says what a ::: container is.
type ContainerKind int

const (
	// Message is :::message.
	Message ContainerKind = iota
	// Alert is :::message alert.
	Alert
	// Details is :::details Title.
	Details
)

// KindContainer is the node kind of Container.
var KindContainer = ast.NewNodeKind("ZennContainer")

// Container is a :::message, :::message alert or :::details block. Its
// children are ordinary blocks.
type Container struct {
	ast.BaseBlock
	ContainerKind ContainerKind
	// Title is the summary of a details container (plain text, as on Zenn).
	Title []byte
	// Fence is the number of colons of the opening line.
	Fence int

	closed bool
}

// Kind implements ast.Node.
func (n *Container) Kind() ast.NodeKind { return KindContainer }

// Dump implements ast.Node.
func (n *Container) Dump(src []byte, level int) {
	ast.DumpHelper(n, src, level, map[string]string{
		"Kind":  [...]string{"message", "alert", "details"}[n.ContainerKind],
		"Title": string(n.Title),
	}, nil)
}

func (n *Container) name() string {
	switch n.ContainerKind {
	case Alert:
		return "message alert"
	case Details:
		return "details"
	}
	return "message"
}

// jsSpace is JavaScript's \s, which String.prototype.trim also removes:
// Go's \s is ASCII only, but Zenn's validators run in JavaScript, so
// ":::details　Title" (a full-width space) is a details container there.
const jsSpace = `[\t\n\v\f\r \x{a0}\x{1680}\x{2000}-\x{200a}\x{2028}\x{2029}\x{202f}\x{205f}\x{3000}\x{feff}]`

// Zenn's validators (markdown-it-container), applied to the trimmed text
// after the colons.
var (
	messageRE = regexp.MustCompile(`^message` + jsSpace + `*(alert)?$`)
	detailsRE = regexp.MustCompile(`^details` + jsSpace + `+(.*)$`)
	jsSpaceRE = regexp.MustCompile(`^` + jsSpace + `+|` + jsSpace + `+$`)
)

// jsTrim is JavaScript's String.prototype.trim.
func jsTrim(s string) string { return jsSpaceRE.ReplaceAllString(s, "") }

// parseContainerParams reads what follows the colons of an opening fence.
func parseContainerParams(params string) (kind ContainerKind, title string, ok bool) {
	params = jsTrim(params)
	if m := messageRE.FindStringSubmatch(params); m != nil {
		if m[1] == "alert" {
			return Alert, "", true
		}
		return Message, "", true
	}
	if m := detailsRE.FindStringSubmatch(params); m != nil {
		return Details, m[1], true
	}
	return 0, "", false
}

// maxContainerDepth bounds the nesting of containers (Zenn articles use two
// or three levels).
const maxContainerDepth = 32

var depthWarnedKey = parser.NewContextKey()

func containerDepth(n ast.Node) int {
	d := 0
	for ; n != nil; n = n.Parent() {
		if _, ok := n.(*Container); ok {
			d++
		}
	}
	return d
}

type containerParser struct{}

func (p *containerParser) Trigger() []byte { return []byte{':'} }

func (p *containerParser) Open(parent ast.Node, reader text.Reader, pc parser.Context) (ast.Node, parser.State) {
	line, seg := reader.PeekLine()
	pos := pc.BlockOffset()
	if pos < 0 || pos >= len(line) || line[pos] != ':' {
		return nil, parser.NoChildren
	}
	i := pos
	for i < len(line) && line[i] == ':' {
		i++
	}
	fence := i - pos
	if fence < 3 {
		return nil, parser.NoChildren
	}
	kind, title, ok := parseContainerParams(string(line[i:]))
	if !ok {
		return nil, parser.NoChildren
	}
	if containerDepth(parent) >= maxContainerDepth {
		// Every open block is visited on every line: unbounded nesting
		// would make a long run of unclosed fences quadratic.
		if pc.Get(depthWarnedKey) == nil {
			pc.Set(depthWarnedKey, true)
			diag.From(pc).Warnf(max(seg.Start-seg.Padding+pos, 0), "containers nested more than %d deep are shown as text; close the ::: containers you opened", maxContainerDepth)
		}
		return nil, parser.NoChildren
	}
	n := &Container{ContainerKind: kind, Fence: fence}
	if kind == Details {
		n.Title = []byte(title)
	}
	reader.AdvanceToEOL()
	return n, parser.HasChildren
}

func (p *containerParser) Continue(node ast.Node, reader text.Reader, pc parser.Context) parser.State {
	n := node.(*Container)
	line, _ := reader.PeekLine()
	if line == nil {
		return parser.Close
	}
	w, pos := util.IndentWidth(line, reader.LineOffset())
	if w < 4 && pos < len(line) && line[pos] == ':' {
		i := pos
		for i < len(line) && line[i] == ':' {
			i++
		}
		if i-pos >= n.Fence && util.IsBlank(line[i:]) {
			n.closed = true
			reader.AdvanceToEOL()
			return parser.Close
		}
	}
	return parser.Continue | parser.HasChildren
}

func (p *containerParser) Close(node ast.Node, reader text.Reader, pc parser.Context) {
	n := node.(*Container)
	if n.closed {
		return
	}
	// Zenn (markdown-it-container) closes an unclosed container at the end
	// of its parent, which usually swallows the rest of the document.
	fence := strings.Repeat(":", n.Fence)
	d := diag.From(pc)
	if _, isDoc := n.Parent().(*ast.Document); isDoc {
		d.Warnf(n.Pos(), "%s%s is never closed, so it runs to the end of the document; add a line %s after its content",
			fence, n.name(), fence)
		return
	}
	d.Warnf(n.Pos(), "%s%s is not closed before the block around it ends; add a line %s after its content (to nest containers, give the outer one more colons: ::::details … :::message … ::: … ::::)",
		fence, n.name(), fence)
}

func (p *containerParser) CanInterruptParagraph() bool { return true }
func (p *containerParser) CanAcceptIndentedLine() bool { return false }

// insideDetailsOnly reports whether every block above n (up to the
// document) is a details container: Zenn turns bare URLs into cards only
// there and at the top level.
func insideDetailsOnly(n ast.Node) bool {
	for p := n.Parent(); p != nil; p = p.Parent() {
		switch p := p.(type) {
		case *ast.Document:
			return true
		case *Container:
			if p.ContainerKind != Details {
				return false
			}
		default:
			return false
		}
	}
	return false
}
