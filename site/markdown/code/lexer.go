package code

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/alecthomas/chroma/v2"
	"github.com/alecthomas/chroma/v2/lexers"
	"github.com/dlclark/regexp2/v2"
	rxsyntax "github.com/dlclark/regexp2/v2/syntax"
)

// This file runs chroma's regular-expression lexers with the same rules and
// the same state machine as chroma, token for token, only faster and with a
// longer match timeout.
//
// Faster: at each position chroma tries the rules of the current state in
// order until one matches, and every attempt is a regexp2 match (a runner
// taken from a pool, a match object, a timeout check), although most rules
// cannot match there at all: a Go keyword rule cannot match at "(", a string
// rule only at a quote. Here a rule is skipped where it cannot match:
//   - where the next character is not in the set its match can begin with,
//     as regexp2 itself works it out to speed up its own searches
//     (firstChars; a rule with no such set is tried everywhere);
//   - where the text does not begin with one of its literal words
//     (literalPrefixes, for keyword rules);
//   - away from a line start, for a rule that begins with ^.
//
// A rule that is tried is matched by simple.go's matcher when its pattern
// is simple enough, by regexp2 otherwise. The result is the rule chroma
// would pick, with the same groups, because a rule skipped is one that
// cannot match there. That is checked against chroma itself on chroma's
// own samples of every language (TestFastLexerMatchesChroma) and by fuzz
// tests (FuzzFastLexer, FuzzSimpleMatcher).
//
// Bounded: each block has a work budget that depends only on its length
// (stepBudget); a block that spends it, because a rule rescans a very long
// line at every character, is shown as plain text.
//
// Longer timeout: chroma gives every rule's regexp a 250 ms wall-clock
// timeout, and a rule that times out simply does not match: the text is then
// lexed by another rule (a keyword becomes a name) or becomes an Error token.
// The clock behind it (regexp2's fastclock) is updated by a background
// goroutine, so when the process is starved of CPU for a moment (a loaded CI
// machine, a -race build, a big parallel build), a match that took
// microseconds can "time out", and the same block is highlighted differently
// from one build to the next. matchTimeout keeps the guard against
// catastrophic backtracking while making such a stall practically impossible.

// matchTimeout is the time one regexp match of a lexer rule may take,
// instead of chroma's 250 ms.
const matchTimeout = 5 * time.Second

// fastLexer is a chroma.Lexer running a compiled copy of a RegexLexer's rules.
type fastLexer struct {
	base   *chroma.RegexLexer // the registry's lexer: configuration, and state.Lexer for emitters
	rules  chroma.CompiledRules
	states map[string][]fastRule
}

// fastRule is one compiled rule and what is known about where it can match.
type fastRule struct {
	*chroma.CompiledRule
	first     firstSet       // characters a match can begin with, when filtered
	filtered  bool           // false: try the rule everywhere
	prefixes  [][]rune       // a match begins with one of these (nil: unknown)
	simple    *simpleMatcher // matches the rule without regexp2 (nil: regexp2)
	reach     int            // the most characters a match reads; -1: no bound
	chars     charUnion      // every character the pattern can match
	bol       bool           // the pattern starts with ^: it only matches at a line start
	wantNames bool           // the emitter or mutator may read LexerState.NamedGroups
}

var _ chroma.Lexer = (*fastLexer)(nil)

func (f *fastLexer) Config() *chroma.Config                             { return f.base.Config() }
func (f *fastLexer) SetRegistry(*chroma.LexerRegistry) chroma.Lexer     { return f }
func (f *fastLexer) SetAnalyser(func(text string) float32) chroma.Lexer { return f }
func (f *fastLexer) AnalyseText(text string) float32                    { return f.base.AnalyseText(text) }

// newFastLexer compiles rl's rules as chroma does (regexps anchored with \G
// and the lexer's flags; include and combined states resolved), then
// replaces the emitters that lex a part again with the same lexer or another
// one by name, so that the part is lexed by a fast lexer too.
func newFastLexer(rl *chroma.RegexLexer) (*fastLexer, error) {
	raw, err := rl.Rules()
	if err != nil {
		return nil, err
	}
	cfg := rl.Config()
	flags := ""
	if !cfg.NotMultiline {
		flags += "m"
	}
	if cfg.CaseInsensitive {
		flags += "i"
	}
	if cfg.DotAll {
		flags += "s"
	}
	rules := chroma.CompiledRules{}
	for state, rs := range raw {
		rules[state] = nil
		for i, r := range rs {
			re, err := regexp2.Compile(rulePattern(r.Pattern, flags))
			if err != nil {
				return nil, fmt.Errorf("%s: rule %s.%d: %w", cfg.Name, state, i, err)
			}
			re.MatchTimeout = matchTimeout
			rules[state] = append(rules[state], &chroma.CompiledRule{Rule: r, Regexp: re})
		}
	}
	if err := resolveLexerMutators(rules); err != nil {
		return nil, fmt.Errorf("%s: %w", cfg.Name, err)
	}
	f := &fastLexer{base: rl, rules: rules, states: map[string][]fastRule{}}
	done := map[*chroma.CompiledRule]fastRule{}
	for state, crs := range rules {
		frs := make([]fastRule, len(crs))
		for i, cr := range crs {
			fr, ok := done[cr]
			if !ok {
				if v, ok := cr.Type.(chroma.ValidatingEmitter); ok && cr.Regexp != nil {
					if err := v.ValidateEmitter(cr); err != nil {
						return nil, fmt.Errorf("%s: %s: %s: %w", cfg.Name, state, cr.Pattern, err)
					}
				}
				cr.Type, _ = f.rewriteEmitter(cr.Type)
				fr = fastRule{CompiledRule: cr, wantNames: wantsNames(cr)}
				fr.first, fr.filtered = firstChars(cr.Pattern, flags)
				fr.prefixes = literalPrefixes(cr.Pattern, flags)
				fr.simple = compileSimple(cr.Pattern, flags, cr.Regexp)
				fr.reach, fr.chars = patternReach(cr.Pattern, flags)
				fr.bol = startsAtLineStart(cr.Pattern, flags)
				done[cr] = fr
			}
			frs[i] = fr
		}
		f.states[state] = frs
	}
	return f, nil
}

// resolveLexerMutators applies include and combined as chroma does: one at a
// time, starting over after each, since each may add or remove rules. (An
// included state may itself include another, so one mutator can turn up
// again in the including state; each occurrence is resolved.)
func resolveLexerMutators(rules chroma.CompiledRules) error {
	for range 100000 {
		state, i := firstLexerMutator(rules)
		if i < 0 {
			return nil
		}
		if err := rules[state][i].Mutator.(chroma.LexerMutator).MutateLexer(rules, state, i); err != nil {
			return err
		}
	}
	return fmt.Errorf("include or combined states do not resolve (a cycle?)")
}

func firstLexerMutator(rules chroma.CompiledRules) (string, int) {
	for state, rs := range rules {
		for i, r := range rs {
			if _, ok := r.Mutator.(chroma.LexerMutator); ok {
				return state, i
			}
		}
	}
	return "", -1
}

// wantsNames reports whether applying the rule may read the named groups
// (chroma's ByGroupNames does): the emitter is anything but token types and
// fast "using" emitters, alone or in ByGroups, or the mutator anything but
// push or pop. Only then are they collected, which saves a map per token.
func wantsNames(cr *chroma.CompiledRule) bool {
	if !plainEmitter(cr.Type) {
		return true
	}
	if cr.Mutator != nil {
		k, ok := cr.Mutator.(chroma.SerialisableMutator)
		if !ok || (k.MutatorKind() != "push" && k.MutatorKind() != "pop") {
			return true
		}
	}
	return false
}

func plainEmitter(e chroma.Emitter) bool {
	switch e := e.(type) {
	case nil, chroma.TokenType, usingFast:
		return true
	case chroma.SerialisableEmitter:
		if e.EmitterKind() != "bygroups" {
			return false
		}
		inner, ok := byGroupsEmitters(e)
		if !ok {
			return false
		}
		for _, ie := range inner {
			if !plainEmitter(ie) {
				return false
			}
		}
		return true
	}
	return false
}

// byGroupsEmitters returns the emitters of a chroma.ByGroups emitter.
func byGroupsEmitters(e chroma.Emitter) (chroma.Emitters, bool) {
	v := reflect.ValueOf(e)
	if v.Kind() != reflect.Pointer || v.Elem().Kind() != reflect.Struct {
		return nil, false
	}
	fv := v.Elem().FieldByName("Emitters")
	if !fv.IsValid() || fv.Type() != reflect.TypeFor[chroma.Emitters]() {
		return nil, false
	}
	return fv.Interface().(chroma.Emitters), true
}

// rewriteEmitter returns e with chroma's "usingself" and "using" emitters
// (also inside "bygroups") replaced by ones that lex with fast lexers. Any
// other emitter, or one whose shape is not as expected, is returned as is
// and keeps lexing through chroma: the same tokens, only slower.
func (f *fastLexer) rewriteEmitter(e chroma.Emitter) (chroma.Emitter, bool) {
	se, ok := e.(chroma.SerialisableEmitter)
	if !ok {
		return e, false
	}
	v := reflect.ValueOf(e)
	if v.Kind() != reflect.Pointer || v.Elem().Kind() != reflect.Struct {
		return e, false
	}
	s := v.Elem()
	switch se.EmitterKind() {
	case "usingself":
		if fv := s.FieldByName("State"); fv.IsValid() && fv.Kind() == reflect.String {
			return usingFast{self: f, state: fv.String()}, true
		}
	case "using":
		if fv := s.FieldByName("Lexer"); fv.IsValid() && fv.Kind() == reflect.String {
			return usingFast{name: fv.String(), state: "root"}, true
		}
	case "bygroups":
		inner, ok := byGroupsEmitters(e)
		if !ok {
			return e, false
		}
		out := make([]chroma.Emitter, len(inner))
		changed := false
		for i, ie := range inner {
			if ie != nil {
				var c bool
				out[i], c = f.rewriteEmitter(ie)
				changed = changed || c
			}
		}
		if changed {
			return chroma.ByGroups(out...), true
		}
	}
	return e, false
}

// usingFast lexes a matched part with a fast lexer: self (chroma's
// UsingSelf) or the lexer registered under name (chroma's Using), from state.
type usingFast struct {
	self  *fastLexer
	name  string
	state string
}

func (u usingFast) Emit(groups []string, state *chroma.LexerState) chroma.Iterator {
	var l chroma.Lexer
	if u.self != nil {
		l = u.self
	} else {
		l = lexerNamed(u.name, state.Registry)
	}
	it, err := l.Tokenise(&chroma.TokeniseOptions{State: u.state, Nested: true}, groups[0])
	if err != nil {
		panic(err)
	}
	return it
}

// fastOf holds the fast lexer made for each of chroma's regexp lexers (or
// nil when one could not be made), so each is compiled once per process.
var fastOf sync.Map // *chroma.RegexLexer → *fastLexer

// fastFor returns the fast lexer for rl, or nil when its rules do not
// compile here (the caller then uses rl itself).
func fastFor(rl *chroma.RegexLexer) *fastLexer {
	if v, ok := fastOf.Load(rl); ok {
		return v.(*fastLexer)
	}
	f, err := newFastLexer(rl)
	if err != nil {
		f = nil
	}
	v, _ := fastOf.LoadOrStore(rl, f)
	return v.(*fastLexer)
}

// lexerNamed returns the lexer chroma's Using(name) would use, made fast
// when it is a regexp lexer. It panics like chroma when there is none (the
// block is then shown as plain text).
func lexerNamed(name string, reg *chroma.LexerRegistry) chroma.Lexer {
	if reg == nil {
		reg = lexers.GlobalLexerRegistry
	}
	l := reg.Get(name)
	if l == nil {
		panic(fmt.Sprintf("no such lexer %q", name))
	}
	if rl, ok := l.(*chroma.RegexLexer); ok {
		if f := fastFor(rl); f != nil {
			return f
		}
	}
	return l
}

// Tokenise is chroma's RegexLexer.Tokenise.
func (f *fastLexer) Tokenise(options *chroma.TokeniseOptions, text string) (chroma.Iterator, error) {
	return f.iterator(options, text).next, nil
}

// iterator is Tokenise's iterator; setting its stop channel makes it stop
// (panic with errCancelled) once the channel is closed.
func (f *fastLexer) iterator(options *chroma.TokeniseOptions, text string) *fastIterator {
	if options == nil {
		options = &chroma.TokeniseOptions{State: "root", EnsureLF: true}
	}
	if options.EnsureLF {
		text = ensureLF(text)
	}
	newlineAdded := false
	if !options.Nested && f.base.Config().EnsureNL && !strings.HasSuffix(text, "\n") {
		text += "\n"
		newlineAdded = true
	}
	it := &fastIterator{
		f:   f,
		top: options.State,
		l: &chroma.LexerState{
			Lexer:          f.base,
			Registry:       lexers.GlobalLexerRegistry,
			Text:           []rune(text),
			Stack:          []string{options.State},
			Rules:          f.rules,
			MutatorContext: map[any]any{},
		},
	}
	it.end = len(it.l.Text)
	it.budget = stepBudget(len(it.l.Text))
	it.checked = it.budget
	if newlineAdded {
		it.end--
	}
	return it
}

// ensureLF is chroma's: "\r\n" and a lone "\r" become "\n".
func ensureLF(text string) string {
	if strings.IndexByte(text, '\r') < 0 {
		return text
	}
	return strings.ReplaceAll(strings.ReplaceAll(text, "\r\n", "\n"), "\r", "\n")
}

// fastIterator is chroma's LexerState.Iterator with rules filtered by their
// first character.
type fastIterator struct {
	f       *fastLexer
	l       *chroma.LexerState
	top     string // the state the lexer started in
	end     int
	stack   []chroma.Iterator
	budget  int // steps left (see stepBudget)
	lineEnd int // the end of the line l.Pos is on
	// stop, when closed, stops the lexer: the build was cancelled. It is
	// looked at every 1024 tokens and every 64K steps of the budget.
	stop    <-chan struct{}
	steps   int
	checked int // the budget when stop was last looked at
}

// errCancelled is the panic of a lexer whose stop channel was closed;
// tokenise recovers from it.
var errCancelled = errors.New("highlighting was cancelled")

// errTooSlow is the panic of a lexer that ran out of steps; tokenise
// recovers from it and the block is shown as plain text.
var errTooSlow = errors.New("highlighting this block takes too long")

// stepBudget is how much work lexing n characters may take, counted in
// the simple matcher's steps and, for each regexp2 attempt, the characters
// left on the line: 256 per character and a million more, far more than
// code needs (at most 70 per character on chroma's samples of every
// language, 27 on the benchmark corpus) and far less than rules that
// rescan a long line at every character (some of chroma's Java, Makefile
// and R rules took minutes on a 64 KB line; HCL's too). Past it the block
// is shown as plain text: a bound that depends only on the text, so the
// same block always comes out the same. In practice lines of a few
// thousand characters are always highlighted.
func stepBudget(n int) int { return 256*n + 1<<20 }

// drain returns the next token of the emitters stacked by the last rule
// (and, first, stops when the build is cancelled: see checkStop).
func (it *fastIterator) drain() (chroma.Token, bool) {
	it.checkStop()
	for len(it.stack) > 0 {
		n := len(it.stack) - 1
		t := it.stack[n]()
		if t.Type == chroma.Ignore {
			continue
		}
		if t == chroma.EOF {
			it.stack = it.stack[:n]
			continue
		}
		return t, true
	}
	return chroma.EOF, false
}

// checkStop panics with errCancelled once stop is closed, looking at it
// every 1024 tokens and every 64K steps of the budget.
func (it *fastIterator) checkStop() {
	if it.steps++; it.stop != nil && (it.steps&1023 == 0 || it.checked-it.budget > 1<<16) {
		it.checked = it.budget
		select {
		case <-it.stop:
			panic(errCancelled)
		default:
		}
	}
}

func (it *fastIterator) next() chroma.Token {
	l := it.l
	for l.Pos < it.end && len(l.Stack) > 0 {
		if t, ok := it.drain(); ok {
			return t
		}
		l.State = l.Stack[len(l.Stack)-1]
		rules, ok := l.Rules[l.State]
		if !ok {
			panic("unknown state " + l.State)
		}
		if l.Pos > it.lineEnd || it.lineEnd == 0 {
			it.lineEnd = l.Pos
			for it.lineEnd < len(l.Text) && l.Text[it.lineEnd] != '\n' {
				it.lineEnd++
			}
		}
		i, rule, groups, names := matchFast(l.Text, l.Pos, it.lineEnd, rules, it.f.states[l.State], &it.budget)
		if groups == nil {
			// chroma (after Pygments): a newline no rule matches empties
			// the stack and lexing goes on from the start state.
			if l.Text[l.Pos] == '\n' && l.State != it.top {
				l.Stack = []string{it.top}
				continue
			}
			l.Pos++
			return chroma.Token{Type: chroma.Error, Value: string(l.Text[l.Pos-1 : l.Pos])}
		}
		l.Rule = i
		l.Groups = groups
		l.NamedGroups = names
		l.Pos += utf8.RuneCountInString(groups[0])
		if rule.Mutator != nil {
			if err := rule.Mutator.Mutate(l); err != nil {
				panic(err)
			}
		}
		if tt, ok := rule.Type.(chroma.TokenType); ok {
			// chroma would stack Literator(Token{tt, groups[0]}) and
			// drain it next: the token itself, unless it is one drain
			// drops.
			if t := (chroma.Token{Type: tt, Value: l.Groups[0]}); t.Type != chroma.Ignore && t != chroma.EOF {
				return t
			}
			continue
		}
		if rule.Type != nil {
			it.stack = append(it.stack, rule.Type.Emit(l.Groups, l))
		}
	}
	if t, ok := it.drain(); ok {
		return t
	}
	if l.Pos != len(l.Text) && len(l.Stack) == 0 {
		value := string(l.Text[l.Pos:])
		l.Pos = len(l.Text)
		return chroma.Token{Type: chroma.Error, Value: value}
	}
	return chroma.EOF
}

// matchFast is chroma's matchRules, skipping the rules that cannot match at
// text[pos] (see firstChars). rules are the state's rules as the lexer state
// has them now, fast what newFastLexer worked out for them; a lexer that
// replaces rules while lexing (chroma's Raku lexer does) gets its new rules
// tried everywhere.
func matchFast(text []rune, pos, lineEnd int, rules []*chroma.CompiledRule, fast []fastRule, budget *int) (int, *chroma.CompiledRule, []string, map[string]string) {
	c := text[pos]
	for i, cr := range rules {
		var fr *fastRule
		if i < len(fast) && fast[i].CompiledRule == cr {
			fr = &fast[i]
			if fr.filtered && !fr.first.has(c) {
				continue
			}
			if fr.bol && pos > 0 && text[pos-1] != '\n' {
				continue // regexp2's ^ (multiline) fails here
			}
			if fr.prefixes != nil && !hasPrefix(text[pos:], fr.prefixes) {
				continue
			}
			if fr.simple != nil {
				run := simpleRun{text: text, limit: *budget}
				ok, done := fr.simple.match(&run, pos)
				*budget -= run.steps
				if !done {
					panic(errTooSlow)
				}
				if !ok {
					continue
				}
				return i, cr, run.groups(fr.simple.groups), run.names(fr.simple.groups, fr.wantNames)
			}
		}
		match, err := cr.Regexp.FindRunesMatchStartingAt(text, pos)
		ok := match != nil && err == nil && match.RuneIndex == pos
		chargeAttempt(budget, fr, text, pos, lineEnd, match, ok)
		if !ok {
			continue
		}
		wantNames := fr == nil || fr.wantNames
		if match.GroupCount() == 1 {
			// The whole match only (most rules): what Groups would give,
			// without building it.
			g := match.String()
			var names map[string]string
			if wantNames {
				names = map[string]string{match.Name: g}
			}
			return i, cr, []string{g}, names
		}
		gs := match.Groups()
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
		return i, cr, groups, names
	}
	return 0, nil, nil, nil
}

// rulePattern is a rule's pattern as chroma compiles it: \G (the match
// starts where it is tried), the lexer's flags, the pattern.
func rulePattern(pattern, flags string) string {
	p := "(?:" + pattern + ")"
	if flags != "" {
		p = "(?" + flags + ")" + p
	}
	return `\G` + p
}

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
		set, whole = [][]rune{{}}, true
		for _, c := range n.Children {
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
	return nil, false, false
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

// chargeAttempt takes a regexp2 attempt's work from the budget: a match
// read about its length; a failed attempt is charged as far as the
// characters its pattern can match run on from pos, within the line and
// the pattern's reach. A rule that rescans a long line at every character
// is charged the line each time. Without what the rule's pattern can
// match, the rest of the line is charged.
func chargeAttempt(budget *int, fr *fastRule, text []rune, pos, lineEnd int, m *regexp2.Match, ok bool) {
	cost := 1
	switch {
	case ok:
		cost += m.RuneLength
	case fr == nil:
		cost += lineEnd - pos
	default:
		limit := lineEnd
		if fr.reach >= 0 && pos+fr.reach < limit {
			limit = pos + fr.reach
		}
		i := pos
		for i < limit && fr.chars.has(text[i]) {
			i++
		}
		cost += i - pos
	}
	if *budget -= cost; *budget < 0 {
		panic(errTooSlow)
	}
}

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
