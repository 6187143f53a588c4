package fastchroma

import (
	"math"
	"strconv"

	"github.com/dlclark/regexp2/v2"
	rxsyntax "github.com/dlclark/regexp2/v2/syntax"
)

// A simple matcher runs a lexer rule's regexp itself instead of regexp2, for
// the patterns most rules are: literal characters and words, character
// classes and runs of them, alternatives, groups and the anchors ^ $ \b.
// It walks regexp2's own parse of the pattern (after regexp2's
// optimisations, so it matches what regexp2 executes) with the same
// backtracking order: alternatives in order, greedy runs longest first,
// lazy ones shortest first, atomic ones without giving back. Character
// classes are regexp2's (CharSet.CharIn), and \b is regexp2's word
// boundary, so a match is exactly regexp2's, without regexp2's per-match
// allocations (a runner, a match, its groups). Anything else in a pattern
// (lookaround, backreferences, case-insensitive parts, repeated groups)
// leaves the rule to regexp2.
//
// Its steps are counted: a lexer gives each block a budget of steps (see
// stepBudget), so that a block on which a rule backtracks quadratically (a
// very long line in a lexer with a rule like HCL's "(.*?)(\s*)(=)") is
// given up, and shown as plain text, after a bounded amount of work that
// depends only on the text.

// maxSimpleGroups is the most capture groups a simple pattern may have.
const maxSimpleGroups = 8

type simpleOp uint8

const (
	sAccept      simpleOp = iota // end of an atomic group's body
	sEnd                         // end of the pattern: the match
	sOne                         // one character
	sNotone                      // any character but one
	sSet                         // a character of a class
	sMulti                       // a string
	sLoop                        // a run of sOne/sNotone/sSet characters
	sBol                         // ^ (multiline)
	sEol                         // $ (multiline)
	sBoundary                    // \b
	sNonboundary                 // \B
	sBeginning                   // \A: the start of the text
	sStart                       // \G: where the match is tried
	sAlternate                   // one of subs, then next
	sAtomic                      // sub once, without backtracking into it, then next
	sCapStart                    // start of group k
	sCapEnd                      // end of group k
	sNothing                     // never matches
)

type simpleNode struct {
	op   simpleOp
	ch   rune
	str  []rune
	set  *rxsyntax.CharSet
	low  [2]uint64 // set's ASCII characters, looked up without it
	item simpleOp  // sLoop: what each character is (sOne, sNotone, sSet)
	min  int
	max  int
	lazy bool // sLoop: shortest first
	atom bool // sLoop: longest only
	k    int  // sCapStart, sCapEnd: the group
	subs []*simpleNode
	next *simpleNode
}

// simpleMatcher is a compiled simple pattern.
type simpleMatcher struct {
	start  *simpleNode
	groups int // capture groups, with group 0 (the whole match)
}

// compileSimple returns a simple matcher for pattern (compiled by regexp2
// as re), or nil when the pattern is not simple.
func compileSimple(pattern, flags string, re *regexp2.Regexp) *simpleMatcher {
	tree, err := ruleTree(pattern, flags)
	if err != nil || tree.Options&(rxsyntax.IgnoreCase|rxsyntax.RightToLeft) != 0 {
		return nil
	}
	if tree.Capnumlist != nil && tree.Captop != len(tree.Capnumlist) {
		return nil // sparse group numbers (regexp2 maps them)
	}
	// Groups numbered 0..n, named by their numbers, as regexp2 reports them.
	nums := re.GetGroupNumbers()
	if len(nums) == 0 || len(nums) > maxSimpleGroups {
		return nil
	}
	for i, n := range nums {
		if n != i || re.GroupNameFromNumber(i) != strconv.Itoa(i) {
			return nil
		}
	}
	c := simpleCompiler{groups: len(nums)}
	start := c.node(tree.Root, &simpleNode{op: sEnd})
	if start == nil {
		return nil
	}
	return &simpleMatcher{start: start, groups: len(nums)}
}

type simpleCompiler struct{ groups int }

// node compiles n followed by next; nil if n is not simple.
func (c *simpleCompiler) node(n *rxsyntax.RegexNode, next *simpleNode) *simpleNode {
	if n.Options&(rxsyntax.IgnoreCase|rxsyntax.RightToLeft) != 0 {
		return nil
	}
	if op, ok := anchorOps[n.T]; ok {
		return &simpleNode{op: op, next: next}
	}
	switch n.T {
	case rxsyntax.NtOne:
		return &simpleNode{op: sOne, ch: n.Ch, next: next}
	case rxsyntax.NtNotone:
		return &simpleNode{op: sNotone, ch: n.Ch, next: next}
	case rxsyntax.NtSet:
		if n.Set == nil {
			return nil
		}
		return &simpleNode{op: sSet, set: n.Set, low: asciiOf(n.Set), next: next}
	case rxsyntax.NtMulti:
		return &simpleNode{op: sMulti, str: n.Str, next: next}
	case rxsyntax.NtOneloop, rxsyntax.NtOnelazy, rxsyntax.NtOneloopatomic:
		return c.loop(n, sOne, next)
	case rxsyntax.NtNotoneloop, rxsyntax.NtNotonelazy, rxsyntax.NtNotoneloopatomic:
		return c.loop(n, sNotone, next)
	case rxsyntax.NtSetloop, rxsyntax.NtSetlazy, rxsyntax.NtSetloopatomic:
		if n.Set == nil {
			return nil
		}
		return c.loop(n, sSet, next)
	case rxsyntax.NtEmpty:
		return next
	case rxsyntax.NtNothing:
		return &simpleNode{op: sNothing}
	}
	return c.group(n, next)
}

// anchorOps are the assertions a simple pattern may have.
var anchorOps = map[rxsyntax.NodeType]simpleOp{
	rxsyntax.NtBol:         sBol,
	rxsyntax.NtEol:         sEol,
	rxsyntax.NtBoundary:    sBoundary,
	rxsyntax.NtNonboundary: sNonboundary,
	rxsyntax.NtBeginning:   sBeginning,
	rxsyntax.NtStart:       sStart,
}

// group compiles the nodes made of others: concatenations, groups,
// captures, alternations and atomic groups; nil for anything else.
func (c *simpleCompiler) group(n *rxsyntax.RegexNode, next *simpleNode) *simpleNode {
	switch n.T {
	case rxsyntax.NtConcatenate:
		for i := len(n.Children) - 1; i >= 0 && next != nil; i-- {
			next = c.node(n.Children[i], next)
		}
		return next
	case rxsyntax.NtGroup:
		if len(n.Children) != 1 {
			return nil
		}
		return c.node(n.Children[0], next)
	case rxsyntax.NtCapture:
		if len(n.Children) != 1 || n.M < 0 || n.M >= c.groups || n.N != -1 {
			return nil
		}
		end := &simpleNode{op: sCapEnd, k: n.M, next: next}
		body := c.node(n.Children[0], end)
		if body == nil {
			return nil
		}
		return &simpleNode{op: sCapStart, k: n.M, next: body}
	case rxsyntax.NtAlternate:
		alt := &simpleNode{op: sAlternate, next: next}
		for _, ch := range n.Children {
			s := c.node(ch, next)
			if s == nil {
				return nil
			}
			alt.subs = append(alt.subs, s)
		}
		return alt
	case rxsyntax.NtAtomic:
		if len(n.Children) != 1 {
			return nil
		}
		body := c.node(n.Children[0], &simpleNode{op: sAccept})
		if body == nil {
			return nil
		}
		return &simpleNode{op: sAtomic, subs: []*simpleNode{body}, next: next}
	}
	return nil
}

func (c *simpleCompiler) loop(n *rxsyntax.RegexNode, item simpleOp, next *simpleNode) *simpleNode {
	if n.M < 0 || n.N < n.M {
		return nil
	}
	max := n.N
	if max == math.MaxInt32 {
		max = math.MaxInt
	}
	s := &simpleNode{op: sLoop, item: item, ch: n.Ch, set: n.Set, min: n.M, max: max, next: next}
	if item == sSet {
		s.low = asciiOf(n.Set)
	}
	switch n.T {
	case rxsyntax.NtOnelazy, rxsyntax.NtNotonelazy, rxsyntax.NtSetlazy:
		s.lazy = true
	case rxsyntax.NtOneloopatomic, rxsyntax.NtNotoneloopatomic, rxsyntax.NtSetloopatomic:
		s.atom = true
	}
	return s
}

// simpleRun is one match attempt.
type simpleRun struct {
	text  []rune
	start int // where the match is tried
	steps int
	limit int                     // the most steps this match may take
	caps  [maxSimpleGroups][2]int // start and end of each group; start -1: unmatched
}

// match tries the pattern at pos, in at most r.limit steps. ok reports a
// match (its groups in r.caps); done is false when the steps ran out.
func (m *simpleMatcher) match(r *simpleRun, pos int) (ok, done bool) {
	for i := range m.groups {
		r.caps[i] = [2]int{-1, -1}
	}
	r.start, r.steps = pos, 0
	end, ok := r.run(m.start, pos)
	if r.steps > r.limit {
		return false, false
	}
	if ok {
		r.caps[0] = [2]int{pos, end}
	}
	return ok, true
}

func (r *simpleRun) has(n *simpleNode, item simpleOp, pos int) bool {
	if pos >= len(r.text) {
		return false
	}
	c := r.text[pos]
	switch item {
	case sOne:
		return c == n.ch
	case sNotone:
		return c != n.ch
	}
	if c < 128 {
		return n.low[c>>6]&(1<<(c&63)) != 0
	}
	return n.set.CharIn(c)
}

// asciiOf is the ASCII part of set, as a bitmap.
func asciiOf(set *rxsyntax.CharSet) (b [2]uint64) {
	for c := rune(0); c < 128; c++ {
		if set.CharIn(c) {
			b[c>>6] |= 1 << (c & 63)
		}
	}
	return b
}

func (r *simpleRun) boundary(pos int) bool {
	return (pos > 0 && rxsyntax.IsWordChar(r.text[pos-1])) != (pos < len(r.text) && rxsyntax.IsWordChar(r.text[pos]))
}

// run matches from node n at pos and returns where the match ends.
func (r *simpleRun) run(n *simpleNode, pos int) (int, bool) {
	for {
		r.steps++
		if r.steps > r.limit {
			return 0, false
		}
		switch n.op {
		case sEnd, sAccept:
			return pos, true
		case sCapStart, sCapEnd:
			return r.capture(n, pos)
		case sAlternate:
			for _, s := range n.subs {
				if end, ok := r.run(s, pos); ok {
					return end, true
				}
				if r.steps > r.limit {
					return 0, false
				}
			}
			return 0, false
		case sAtomic:
			saved := r.caps
			e, ok := r.run(n.subs[0], pos)
			if !ok {
				r.caps = saved
				return 0, false
			}
			if end, ok := r.run(n.next, e); ok {
				return end, true
			}
			r.caps = saved
			return 0, false
		case sLoop:
			return r.loop(n, pos)
		}
		var ok bool
		if pos, ok = r.single(n, pos); !ok {
			return 0, false
		}
		n = n.next
	}
}

// capture records the start (sCapStart) or end (sCapEnd) of group n.k at
// pos and matches the rest, restoring the group when the rest fails.
func (r *simpleRun) capture(n *simpleNode, pos int) (int, bool) {
	side := 0
	if n.op == sCapEnd {
		side = 1
	}
	old := r.caps[n.k][side]
	r.caps[n.k][side] = pos
	if end, ok := r.run(n.next, pos); ok {
		return end, true
	}
	r.caps[n.k][side] = old
	return 0, false
}

// single matches a node that does not backtrack (a character, a string, an
// assertion) at pos and returns where it ends.
func (r *simpleRun) single(n *simpleNode, pos int) (int, bool) {
	switch n.op {
	case sOne, sNotone, sSet:
		return pos + 1, r.has(n, n.op, pos)
	case sMulti:
		if len(r.text)-pos < len(n.str) {
			return 0, false
		}
		for i, c := range n.str {
			if r.text[pos+i] != c {
				return 0, false
			}
		}
		return pos + len(n.str), true
	case sBol:
		return pos, pos == 0 || r.text[pos-1] == '\n'
	case sEol:
		return pos, pos >= len(r.text) || r.text[pos] == '\n'
	case sBoundary:
		return pos, r.boundary(pos)
	case sNonboundary:
		return pos, !r.boundary(pos)
	case sBeginning:
		return pos, pos == 0
	case sStart:
		return pos, pos == r.start
	}
	return 0, false // sNothing
}

func (r *simpleRun) loop(n *simpleNode, pos int) (int, bool) {
	if n.lazy {
		for k := 0; ; k++ {
			if k >= n.min {
				if end, ok := r.run(n.next, pos+k); ok {
					return end, true
				}
				if r.steps > r.limit {
					return 0, false
				}
			}
			if k >= n.max || !r.has(n, n.item, pos+k) {
				return 0, false
			}
		}
	}
	cnt := 0
	for cnt < n.max && r.has(n, n.item, pos+cnt) {
		cnt++
	}
	if cnt < n.min {
		return 0, false
	}
	if n.atom {
		return r.run(n.next, pos+cnt)
	}
	for k := cnt; k >= n.min; k-- {
		if end, ok := r.run(n.next, pos+k); ok {
			return end, true
		}
		if r.steps > r.limit {
			return 0, false
		}
	}
	return 0, false
}

// groups returns the text of each of the first n groups of a match, as
// regexp2's Match.Groups would ("" for a group that did not take part).
func (r *simpleRun) groups(n int) []string {
	out := make([]string, n)
	for k := range out {
		if s, e := r.caps[k][0], r.caps[k][1]; s >= 0 && e >= s {
			out[k] = string(r.text[s:e])
		}
	}
	return out
}

// groupNames are the names regexp2 gives numbered groups.
var groupNames = func() (names [maxSimpleGroups]string) {
	for i := range names {
		names[i] = strconv.Itoa(i)
	}
	return names
}()

// names returns the groups by name (their numbers), when want.
func (r *simpleRun) names(n int, want bool) map[string]string {
	if !want {
		return nil
	}
	g := r.groups(n)
	m := make(map[string]string, n)
	for k, v := range g {
		m[groupNames[k]] = v
	}
	return m
}
