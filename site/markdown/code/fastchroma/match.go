package fastchroma

import (
	"github.com/alecthomas/chroma/v2"
	"github.com/dlclark/regexp2/v2"
)

// match is the rule that matched and its groups, as chroma's matchRules
// returns them; groups is nil when no rule matched.
type match struct {
	index  int
	rule   *chroma.CompiledRule
	groups []string
	names  map[string]string
}

// matchRules is chroma's matchRules, skipping the rules that cannot match
// at text[pos] (see skip). rules are the state's rules as the lexer state
// has them now, fast what newLexer worked out for them; a lexer that
// replaces rules while lexing (chroma's Raku lexer does) gets its new rules
// tried everywhere, by regexp2.
func matchRules(text []rune, pos, lineEnd int, rules []*chroma.CompiledRule, fast []rule, budget *int) match {
	for i, cr := range rules {
		var r *rule
		if i < len(fast) && fast[i].CompiledRule == cr {
			r = &fast[i]
			if r.skip(text, pos) {
				continue
			}
			if r.simple != nil {
				if m, ok := r.matchSimple(text, pos, budget); ok {
					m.index, m.rule = i, cr
					return m
				}
				continue
			}
		}
		if m, ok := matchRegexp(cr, r, text, pos, lineEnd, budget); ok {
			m.index, m.rule = i, cr
			return m
		}
	}
	return match{}
}

// skip reports whether the rule cannot match at text[pos]: the character
// there is not one its match can begin with, the text does not begin with
// one of its literal prefixes, or pos is not at a line start and the rule
// starts with ^.
func (r *rule) skip(text []rune, pos int) bool {
	if r.filtered && !r.first.has(text[pos]) {
		return true
	}
	if r.bol && pos > 0 && text[pos-1] != '\n' {
		return true // regexp2's ^ (multiline) fails here
	}
	return r.prefixes != nil && !hasPrefix(text[pos:], r.prefixes)
}

// matchSimple matches the rule with its simple matcher.
func (r *rule) matchSimple(text []rune, pos int, budget *int) (match, bool) {
	run := simpleRun{text: text, limit: *budget}
	ok, done := r.simple.match(&run, pos)
	*budget -= run.steps
	if !done {
		panic(ErrTooSlow)
	}
	if !ok {
		return match{}, false
	}
	return match{groups: run.groups(r.simple.groups), names: run.names(r.simple.groups, r.wantNames)}, true
}

// matchRegexp matches the rule with regexp2 as chroma does, and takes the
// work from the budget (r is nil for a rule the lexer was not compiled
// with).
func matchRegexp(cr *chroma.CompiledRule, r *rule, text []rune, pos, lineEnd int, budget *int) (match, bool) {
	m, err := cr.Regexp.FindRunesMatchStartingAt(text, pos)
	ok := m != nil && err == nil && m.RuneIndex == pos
	chargeAttempt(budget, r, text, pos, lineEnd, m, ok)
	if !ok {
		return match{}, false
	}
	wantNames := r == nil || r.wantNames
	if m.GroupCount() == 1 {
		// The whole match only (most rules): what Groups would give,
		// without building it.
		g := m.String()
		var names map[string]string
		if wantNames {
			names = map[string]string{m.Name: g}
		}
		return match{groups: []string{g}, names: names}, true
	}
	gs := m.Groups()
	groups := make([]string, len(gs))
	for j := range gs {
		groups[j] = gs[j].String()
	}
	var names map[string]string
	if wantNames {
		names = make(map[string]string, len(gs))
		for j := range gs {
			names[gs[j].Name] = groups[j]
		}
	}
	return match{groups: groups, names: names}, true
}

// chargeAttempt takes a regexp2 attempt's work from the budget: a match
// read about its length; a failed attempt is charged as far as the
// characters its pattern can match run on from pos, within the line and
// the pattern's reach. A rule that rescans a long line at every character
// is charged the line each time. Without what the rule's pattern can
// match (r nil), the rest of the line is charged.
func chargeAttempt(budget *int, r *rule, text []rune, pos, lineEnd int, m *regexp2.Match, ok bool) {
	cost := 1
	switch {
	case ok:
		cost += m.RuneLength
	case r == nil:
		cost += lineEnd - pos
	default:
		limit := lineEnd
		if r.reach >= 0 && pos+r.reach < limit {
			limit = pos + r.reach
		}
		i := pos
		for i < limit && r.chars.has(text[i]) {
			i++
		}
		cost += i - pos
	}
	if *budget -= cost; *budget < 0 {
		panic(ErrTooSlow)
	}
}
