package fastchroma

import rxsyntax "github.com/dlclark/regexp2/v2/syntax"

// charUnion is the set of characters a pattern can match anywhere in it.
type charUnion struct {
	low     [2]uint64 // the ASCII ones
	ones    []rune
	notones []rune
	sets    []*rxsyntax.CharSet
}

func (u *charUnion) has(c rune) bool {
	if c < 128 {
		return u.low[c>>6]&(1<<(c&63)) != 0
	}
	return u.slowHas(c)
}

func (u *charUnion) slowHas(c rune) bool {
	for _, o := range u.ones {
		if o == c {
			return true
		}
	}
	for _, o := range u.notones {
		if o != c {
			return true
		}
	}
	for _, s := range u.sets {
		if s.CharIn(c) {
			return true
		}
	}
	return false
}

func (u *charUnion) add(n *rxsyntax.RegexNode) {
	switch n.T {
	case rxsyntax.NtOne, rxsyntax.NtOneloop, rxsyntax.NtOnelazy, rxsyntax.NtOneloopatomic:
		u.ones = append(u.ones, n.Ch)
	case rxsyntax.NtNotone, rxsyntax.NtNotoneloop, rxsyntax.NtNotonelazy, rxsyntax.NtNotoneloopatomic:
		u.notones = append(u.notones, n.Ch)
	case rxsyntax.NtSet, rxsyntax.NtSetloop, rxsyntax.NtSetlazy, rxsyntax.NtSetloopatomic:
		if n.Set != nil {
			u.sets = append(u.sets, n.Set)
		}
	case rxsyntax.NtMulti:
		u.ones = append(u.ones, n.Str...)
	}
	for _, c := range n.Children {
		u.add(c)
	}
}

// patternReach returns the most characters a match of pattern (with flags)
// can read from where it is tried, lookahead included, or -1 when there is
// no bound (or it is not known), and the characters the pattern can match.
func patternReach(pattern, flags string) (int, charUnion) {
	var u charUnion
	tree, err := ruleTree(pattern, flags)
	if err != nil {
		u.notones = []rune{-1} // everything
		u.low = [2]uint64{^uint64(0), ^uint64(0)}
		return -1, u
	}
	u.add(tree.Root)
	for c := rune(0); c < 128; c++ {
		if u.slowHas(c) {
			u.low[c>>6] |= 1 << (c & 63)
		}
	}
	n := reach(tree.Root)
	if n > 1<<20 {
		return -1, u
	}
	return n, u
}

// reach is patternReach for a node; anything over 1<<20 means no bound.
func reach(n *rxsyntax.RegexNode) int {
	const inf = 1 << 21
	switch n.T {
	case rxsyntax.NtOne, rxsyntax.NtNotone, rxsyntax.NtSet:
		return 1
	case rxsyntax.NtMulti:
		return len(n.Str)
	case rxsyntax.NtEmpty, rxsyntax.NtNothing, rxsyntax.NtBol, rxsyntax.NtEol,
		rxsyntax.NtBoundary, rxsyntax.NtNonboundary, rxsyntax.NtECMABoundary,
		rxsyntax.NtNonECMABoundary, rxsyntax.NtBeginning, rxsyntax.NtStart,
		rxsyntax.NtEndZ, rxsyntax.NtEnd, rxsyntax.NtUpdateBumpalong:
		return 1 // may look at one character
	case rxsyntax.NtOneloop, rxsyntax.NtNotoneloop, rxsyntax.NtSetloop,
		rxsyntax.NtOnelazy, rxsyntax.NtNotonelazy, rxsyntax.NtSetlazy,
		rxsyntax.NtOneloopatomic, rxsyntax.NtNotoneloopatomic, rxsyntax.NtSetloopatomic:
		if n.N >= inf {
			return inf
		}
		return n.N + 1
	case rxsyntax.NtLoop, rxsyntax.NtLazyloop:
		if n.N >= inf || len(n.Children) != 1 {
			return inf
		}
		return min(inf, n.N*reach(n.Children[0])+1)
	case rxsyntax.NtConcatenate:
		t := 0
		for _, c := range n.Children {
			t = min(inf, t+reach(c))
		}
		return t
	case rxsyntax.NtAlternate, rxsyntax.NtCapture, rxsyntax.NtGroup, rxsyntax.NtAtomic,
		rxsyntax.NtPosLook, rxsyntax.NtNegLook:
		if n.Options&rxsyntax.RightToLeft != 0 {
			return inf // lookbehind reads backwards
		}
		t := 0
		for _, c := range n.Children {
			t = max(t, reach(c))
		}
		return t
	}
	return inf // backreferences, conditionals
}
