package content

import (
	"fmt"

	"github.com/goccy/go-yaml/ast"
)

// MaxAliasValues bounds what YAML aliases (*name) may add to a document
// once expanded: each alias counts the values of what it repeats. Real
// front matter and config files stay far below; a "billion laughs" (nine
// levels of nine aliases, 9^9 values) is refused at the alias that crosses
// the bound, before anything is decoded.
const MaxAliasValues = 10000

// CheckYAML reports a YAML document whose aliases expand past
// MaxAliasValues, as a *SyntaxError at that alias (firstLine is the file
// line of the document's first line). A document that does not parse is
// left to the decoder to report.
func CheckYAML(yml []byte, firstLine int) error {
	f, err := parseYAML(yml)
	if err != nil {
		return nil
	}
	return checkAliases(f, firstLine)
}

func checkAliases(f *ast.File, firstLine int) error {
	c := &aliasCounter{anchors: map[string]int{}}
	for _, d := range f.Docs {
		if d != nil {
			c.count(d.Body)
		}
	}
	if c.over == nil {
		return nil
	}
	line, col := firstLine, 1
	if t := c.over.GetToken(); t != nil && t.Position != nil {
		line, col = firstLine+t.Position.Line-1, t.Position.Column
	}
	return &SyntaxError{Line: line, Col: col, Msg: fmt.Sprintf("the aliases (*name) of this YAML would repeat more than %d values (a \"billion laughs\"); kiji stops here: write the values out instead of repeating aliases of aliases", MaxAliasValues)}
}

// aliasCounter counts a YAML tree's values as if its aliases were
// expanded: a node counts 1 plus its children, an alias the count of its
// anchor's value. added sums what aliases add; over is the alias that
// takes it past MaxAliasValues. Counts saturate, so no nesting overflows
// them.
type aliasCounter struct {
	anchors map[string]int // anchor name → count of its value
	added   int
	over    ast.Node
}

const countCap = 1 << 40

func (c *aliasCounter) count(n ast.Node) int {
	if c.over != nil {
		return 0
	}
	switch n := n.(type) {
	case nil:
		return 0
	case *ast.AliasNode:
		size := 1
		if n.Value != nil && n.Value.GetToken() != nil {
			if s, ok := c.anchors[n.Value.GetToken().Value]; ok {
				size = s
			}
		}
		if c.added = min(c.added+size, countCap); c.added > MaxAliasValues {
			c.over = n
		}
		return size
	case *ast.AnchorNode:
		size := c.count(n.Value)
		if n.Name != nil && n.Name.GetToken() != nil {
			c.anchors[n.Name.GetToken().Value] = size
		}
		return size
	case *ast.MappingNode:
		size := 1
		for _, v := range n.Values {
			size = min(size+c.count(v), countCap)
		}
		return size
	case *ast.MappingValueNode:
		return min(1+c.count(n.Key)+c.count(n.Value), countCap)
	case *ast.MappingKeyNode:
		return min(1+c.count(n.Value), countCap)
	case *ast.TagNode:
		return min(1+c.count(n.Value), countCap)
	case *ast.SequenceNode:
		size := 1
		for _, v := range n.Values {
			size = min(size+c.count(v), countCap)
		}
		return size
	}
	return 1
}
