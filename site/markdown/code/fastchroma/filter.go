package fastchroma

import rxsyntax "github.com/dlclark/regexp2/v2/syntax"

// The filter: where a rule cannot match, it is not tried. Each test below
// is worked out once per rule from regexp2's own parse of the pattern as
// chroma compiles it (rulePattern), so it agrees with what regexp2 runs.

// ruleTree is regexp2's parse of rulePattern.
func ruleTree(pattern, flags string) (*rxsyntax.RegexTree, error) {
	return rxsyntax.Parse(rulePattern(pattern, flags), rxsyntax.ParseOptions{})
}

// firstSet is the set of characters a rule's match can begin with: the one
// regexp2 itself works out from the pattern (its "first chars" prefix,
// which its own unanchored search relies on), with an ASCII bitmap in front.
type firstSet struct {
	ascii [2]uint64
	set   *rxsyntax.CharSet
}

func (s *firstSet) has(c rune) bool {
	if c < 128 {
		return s.ascii[c>>6]&(1<<(c&63)) != 0
	}
	return s.set.CharIn(c)
}

// firstChars returns the characters a match of the rule's regexp (pattern
// as chroma compiles it, with flags) can begin with, as regexp2 sees them,
// or ok=false when regexp2 knows no such set (the pattern can match the
// empty string, or begins with a backreference, for example): then the
// rule is tried everywhere.
func firstChars(pattern, flags string) (s firstSet, ok bool) {
	tree, err := ruleTree(pattern, flags)
	if err != nil {
		return s, false
	}
	code, err := rxsyntax.Write(tree)
	if err != nil || code.FcPrefix == nil {
		return s, false
	}
	s.set = &code.FcPrefix.PrefixSet
	for c := rune(0); c < 128; c++ {
		if s.set.CharIn(c) {
			s.ascii[c>>6] |= 1 << (c & 63)
		}
	}
	return s, true
}

// Literal prefixes. Keyword rules are alternations of words (Go's
// "(break|default|select|case|...)\b"); at a letter, the first character
// leaves several such rules to try, and each attempt is a regexp2 match.
// literalPrefixes works out, from regexp2's own parse of the pattern, a set
// of strings one of which every match must begin with, when the pattern
// starts with literal text only (words, alternatives of words, groups of
// them; assertions like \b in between are skipped). A rule is then only
// tried where the text begins with one of them.

const (
	maxPrefixes   = 256 // more alternatives than this: no prefix check
	maxPrefixRune = 16  // prefixes are cut at this length
)

// literalPrefixes returns the prefixes of pattern (as chroma compiles it,
// with flags), or nil when they are not known.
func literalPrefixes(pattern, flags string) [][]rune {
	tree, err := ruleTree(pattern, flags)
	if err != nil || tree.Options&rxsyntax.RightToLeft != 0 {
		return nil
	}
	set, _, ok := prefixesOf(tree.Root)
	if !ok || len(set) == 0 {
		return nil
	}
	for _, s := range set {
		if len(s) == 0 {
			return nil // no constraint
		}
	}
	return set
}

// prefixesOf returns strings one of which every match of n begins with;
// whole means each string is a whole match of n (so what follows n can
// extend it). ok is false when n is not literal enough to tell.
func prefixesOf(n *rxsyntax.RegexNode) (set [][]rune, whole, ok bool) {
	if n.Options&(rxsyntax.IgnoreCase|rxsyntax.RightToLeft) != 0 && !zeroWidth(n) {
		return nil, false, false
	}
	switch {
	case zeroWidth(n), n.T == rxsyntax.NtEmpty:
		return [][]rune{{}}, true, true
	case n.T == rxsyntax.NtNothing:
		return nil, true, true
	case n.T == rxsyntax.NtOne:
		return [][]rune{{n.Ch}}, true, true
	case n.T == rxsyntax.NtMulti:
		return [][]rune{n.Str}, true, true
	case (n.T == rxsyntax.NtCapture || n.T == rxsyntax.NtGroup) && len(n.Children) == 1:
		return prefixesOf(n.Children[0])
	case n.T == rxsyntax.NtAlternate:
		whole = true
		for _, c := range n.Children {
			cs, cw, cok := prefixesOf(c)
			if !cok {
				return nil, false, false
			}
			set = append(set, cs...)
			whole = whole && cw
			if len(set) > maxPrefixes {
				return nil, false, false
			}
		}
		return set, whole, true
	case n.T == rxsyntax.NtConcatenate:
		return concatPrefixes(n.Children)
	}
	return nil, false, false
}

// concatPrefixes is prefixesOf for a concatenation of children: each
// prefix of one child followed by each of the next, while the children
// before were matched whole; prefixes are cut at maxPrefixRune.
func concatPrefixes(children []*rxsyntax.RegexNode) (set [][]rune, whole, ok bool) {
	set, whole = [][]rune{{}}, true
	for _, c := range children {
		if !whole {
			break
		}
		cs, cw, cok := prefixesOf(c)
		if !cok {
			whole = false
			break
		}
		var next [][]rune
		for _, a := range set {
			for _, b := range cs {
				s := append(append([]rune(nil), a...), b...)
				if len(s) > maxPrefixRune {
					s, cw = s[:maxPrefixRune], false
				}
				next = append(next, s)
			}
		}
		if len(next) > maxPrefixes {
			whole = false
			break
		}
		set, whole = next, cw
	}
	if len(set) == 1 && len(set[0]) == 0 && !whole {
		return nil, false, false
	}
	return set, whole, true
}

// zeroWidth reports whether n is an assertion that matches no text.
func zeroWidth(n *rxsyntax.RegexNode) bool {
	switch n.T {
	case rxsyntax.NtBol, rxsyntax.NtEol, rxsyntax.NtBoundary, rxsyntax.NtNonboundary,
		rxsyntax.NtECMABoundary, rxsyntax.NtNonECMABoundary, rxsyntax.NtBeginning,
		rxsyntax.NtStart, rxsyntax.NtEndZ, rxsyntax.NtEnd, rxsyntax.NtPosLook,
		rxsyntax.NtNegLook, rxsyntax.NtUpdateBumpalong:
		return true
	}
	return false
}

// hasPrefix reports whether text begins with one of prefixes.
func hasPrefix(text []rune, prefixes [][]rune) bool {
next:
	for _, p := range prefixes {
		if len(p) > len(text) {
			continue
		}
		for i, c := range p {
			if text[i] != c {
				continue next
			}
		}
		return true
	}
	return false
}

// startsAtLineStart reports whether every match of pattern (with flags)
// begins by passing a multiline ^, which regexp2 passes only at the start
// of the text or after a "\n".
func startsAtLineStart(pattern, flags string) bool {
	tree, err := ruleTree(pattern, flags)
	if err != nil {
		return false
	}
	return bolFirst(tree.Root)
}

func bolFirst(n *rxsyntax.RegexNode) bool {
	if n.Options&rxsyntax.RightToLeft != 0 {
		return false
	}
	switch n.T {
	case rxsyntax.NtBol:
		return true
	case rxsyntax.NtCapture, rxsyntax.NtGroup, rxsyntax.NtAtomic:
		return len(n.Children) == 1 && bolFirst(n.Children[0])
	case rxsyntax.NtConcatenate:
		for _, c := range n.Children {
			if c.T == rxsyntax.NtStart {
				continue // \G passes where the match is tried
			}
			return bolFirst(c)
		}
	case rxsyntax.NtAlternate:
		for _, c := range n.Children {
			if !bolFirst(c) {
				return false
			}
		}
		return len(n.Children) > 0
	}
	return false
}
