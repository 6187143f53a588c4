package fastchroma

import (
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/alecthomas/chroma/v2"
	"github.com/alecthomas/chroma/v2/lexers"
	"github.com/dlclark/regexp2/v2"
)

// MatchTimeout is the time one regexp match of a lexer rule may take,
// instead of chroma's 250 ms (see the package doc: Longer timeout).
const MatchTimeout = 5 * time.Second

// ErrTooSlow is what an iterator panics with when the block has spent its
// work budget (see stepBudget); the caller shows the block as plain text.
var ErrTooSlow = errors.New("highlighting this block takes too long")

// ErrCancelled is what an iterator of WithStop panics with once its stop
// channel is closed.
var ErrCancelled = errors.New("highlighting was cancelled")

// Lexer is a chroma.Lexer that runs a compiled copy of a chroma.RegexLexer's
// rules with this package's iterator: chroma's tokens, faster.
type Lexer struct {
	base   *chroma.RegexLexer // the registry's lexer: configuration, and LexerState.Lexer for emitters
	rules  chroma.CompiledRules
	states map[string][]rule
	halves halves
}

// rule is one compiled rule and what is known about where it can match.
type rule struct {
	*chroma.CompiledRule
	first     firstSet       // characters a match can begin with, when filtered
	filtered  bool           // false: try the rule everywhere
	prefixes  [][]rune       // a match begins with one of these (nil: unknown)
	bol       bool           // the pattern starts with ^: it only matches at a line start
	simple    *simpleMatcher // matches the rule without regexp2 (nil: regexp2)
	reach     int            // the most characters a match reads; -1: no bound
	chars     charUnion      // every character the pattern can match
	wantNames bool           // the emitter or mutator may read LexerState.NamedGroups
}

// halves says which of the two speed-ups a lexer uses: the filter (first
// characters, literal prefixes, line starts) and the simple matcher.
type halves struct{ filter, simple bool }

var both = halves{filter: true, simple: true}

var _ chroma.Lexer = (*Lexer)(nil)

// Config is the chroma lexer's.
func (l *Lexer) Config() *chroma.Config { return l.base.Config() }

// SetRegistry does nothing: lexers named by Using are looked up in chroma's
// global registry, as for the lexers of lexers.Get.
func (l *Lexer) SetRegistry(*chroma.LexerRegistry) chroma.Lexer { return l }

// SetAnalyser does nothing; AnalyseText is the chroma lexer's.
func (l *Lexer) SetAnalyser(func(text string) float32) chroma.Lexer { return l }

// AnalyseText is the chroma lexer's.
func (l *Lexer) AnalyseText(text string) float32 { return l.base.AnalyseText(text) }

// cacheKey identifies a compiled lexer.
type cacheKey struct {
	rl *chroma.RegexLexer
	h  halves
}

type cached struct {
	l   *Lexer
	err error
}

// compiled holds the Lexer made for each of chroma's lexers, or the error
// that kept one from being made, so each is compiled once per process.
var compiled sync.Map // cacheKey → cached

// For returns the fast lexer for rl, compiled on first use and then shared
// (it is safe for concurrent use). An error means rl's rules do not compile
// here; TestEveryLexerCompiles holds that none fails at the verified
// versions.
func For(rl *chroma.RegexLexer) (*Lexer, error) { return forHalves(rl, both) }

func forHalves(rl *chroma.RegexLexer, h halves) (*Lexer, error) {
	k := cacheKey{rl, h}
	if v, ok := compiled.Load(k); ok {
		c := v.(cached)
		return c.l, c.err
	}
	l, err := newLexer(rl, h)
	v, _ := compiled.LoadOrStore(k, cached{l, err})
	c := v.(cached)
	return c.l, c.err
}

// newLexer compiles rl's rules as chroma does (see compileRules), then
// works out where each rule can match and replaces the emitters that lex a
// part again (Using, UsingSelf) with ones that use fast lexers.
func newLexer(rl *chroma.RegexLexer, h halves) (*Lexer, error) {
	rules, flags, err := compileRules(rl)
	if err != nil {
		return nil, err
	}
	l := &Lexer{base: rl, rules: rules, states: map[string][]rule{}, halves: h}
	done := map[*chroma.CompiledRule]rule{}
	for state, crs := range rules {
		rs := make([]rule, len(crs))
		for i, cr := range crs {
			r, ok := done[cr]
			if !ok {
				if r, err = l.newRule(cr, flags); err != nil {
					return nil, fmt.Errorf("%s: %s: %s: %w", rl.Config().Name, state, cr.Pattern, err)
				}
				done[cr] = r
			}
			rs[i] = r
		}
		l.states[state] = rs
	}
	return l, nil
}

// newRule validates cr's emitter as chroma does, replaces its Using and
// UsingSelf emitters, and analyses its pattern.
func (l *Lexer) newRule(cr *chroma.CompiledRule, flags string) (rule, error) {
	if v, ok := cr.Type.(chroma.ValidatingEmitter); ok && cr.Regexp != nil {
		if err := v.ValidateEmitter(cr); err != nil {
			return rule{}, err
		}
	}
	cr.Type, _ = l.rewriteEmitter(cr.Type)
	r := rule{CompiledRule: cr, wantNames: wantsNames(cr)}
	if l.halves.filter {
		r.first, r.filtered = firstChars(cr.Pattern, flags)
		r.prefixes = literalPrefixes(cr.Pattern, flags)
		r.bol = startsAtLineStart(cr.Pattern, flags)
	}
	if l.halves.simple {
		r.simple = compileSimple(cr.Pattern, flags, cr.Regexp)
	}
	r.reach, r.chars = patternReach(cr.Pattern, flags)
	return r, nil
}

// compileRules is chroma's RegexLexer.fetchRules and maybeCompile: each
// rule's regexp is rulePattern with the lexer's flags, and include and
// combined states are resolved. The regexps are this package's own (with
// MatchTimeout); chroma's lexer is left as it is.
func compileRules(rl *chroma.RegexLexer) (chroma.CompiledRules, string, error) {
	raw, err := rl.Rules()
	if err != nil {
		return nil, "", err
	}
	flags := lexerFlags(rl.Config())
	rules := chroma.CompiledRules{}
	for state, rs := range raw {
		rules[state] = nil
		for i, r := range rs {
			re, err := regexp2.Compile(rulePattern(r.Pattern, flags))
			if err != nil {
				return nil, "", fmt.Errorf("%s: rule %s.%d: %w", rl.Config().Name, state, i, err)
			}
			re.MatchTimeout = MatchTimeout
			rules[state] = append(rules[state], &chroma.CompiledRule{Rule: r, Regexp: re})
		}
	}
	if err := resolveLexerMutators(rules); err != nil {
		return nil, "", fmt.Errorf("%s: %w", rl.Config().Name, err)
	}
	return rules, flags, nil
}

// lexerFlags are the regexp flags chroma gives every rule of a lexer.
func lexerFlags(cfg *chroma.Config) string {
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
	return flags
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

// lexerNamed returns the lexer chroma's Using(name) would use, made fast
// (with the halves h) when it is a regexp lexer. It panics like chroma when
// there is none (the caller's recover then shows the block as plain text).
func lexerNamed(name string, reg *chroma.LexerRegistry, h halves) chroma.Lexer {
	if reg == nil {
		reg = lexers.GlobalLexerRegistry
	}
	l := reg.Get(name)
	if l == nil {
		panic(fmt.Sprintf("no such lexer %q", name))
	}
	if rl, ok := l.(*chroma.RegexLexer); ok {
		if f, err := forHalves(rl, h); err == nil {
			return f
		}
	}
	return l
}
