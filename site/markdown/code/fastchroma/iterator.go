package fastchroma

import (
	"strings"
	"unicode/utf8"

	"github.com/alecthomas/chroma/v2"
	"github.com/alecthomas/chroma/v2/lexers"
)

// Tokenise is chroma's RegexLexer.Tokenise.
func (l *Lexer) Tokenise(options *chroma.TokeniseOptions, text string) (chroma.Iterator, error) {
	return l.iterator(options, text).next, nil
}

// WithStop returns l as a chroma.Lexer whose iterators panic with
// ErrCancelled once stop is closed (looked at every 1024 tokens and every
// 64K steps of the work budget). Lexers it hands a part to (Using) are not
// stopped.
func (l *Lexer) WithStop(stop <-chan struct{}) chroma.Lexer { return stopLexer{l, stop} }

type stopLexer struct {
	*Lexer
	stop <-chan struct{}
}

func (s stopLexer) Tokenise(options *chroma.TokeniseOptions, text string) (chroma.Iterator, error) {
	it := s.iterator(options, text)
	it.stop = s.stop
	return it.next, nil
}

// iterator is chroma's RegexLexer.Tokenise: the options, the text made
// ready (EnsureLF, EnsureNL), the lexer state.
func (l *Lexer) iterator(options *chroma.TokeniseOptions, text string) *iterator {
	if options == nil {
		options = &chroma.TokeniseOptions{State: "root", EnsureLF: true}
	}
	if options.EnsureLF {
		text = ensureLF(text)
	}
	newlineAdded := false
	if !options.Nested && l.base.Config().EnsureNL && !strings.HasSuffix(text, "\n") {
		text += "\n"
		newlineAdded = true
	}
	it := &iterator{
		l:   l,
		top: options.State,
		s: &chroma.LexerState{
			Lexer:          l.base,
			Registry:       lexers.GlobalLexerRegistry,
			Text:           []rune(text),
			Stack:          []string{options.State},
			Rules:          l.rules,
			MutatorContext: map[any]any{},
		},
	}
	it.end = len(it.s.Text)
	it.budget = stepBudget(len(it.s.Text))
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

// iterator is chroma's LexerState.Iterator, trying only the rules that can
// match where it is (see matchRules).
type iterator struct {
	l       *Lexer
	s       *chroma.LexerState
	top     string // the state the lexer started in
	end     int
	stack   []chroma.Iterator
	budget  int // steps left (see stepBudget)
	lineEnd int // the end of the line s.Pos is on
	// stop, when closed, stops the lexer: see WithStop.
	stop    <-chan struct{}
	steps   int
	checked int // the budget when stop was last looked at
}

// stepBudget is how much work lexing n characters may take, counted in
// the simple matcher's steps and, for each regexp2 attempt, the characters
// left on the line (see chargeAttempt): 256 per character and a million
// more, far more than code needs (at most 70 per character on chroma's
// samples of every language, 27 on the benchmark corpus) and far less
// than rules that rescan a long line at every character (some of chroma's
// Java, Makefile and R rules took minutes on a 64 KB line; HCL's too).
// Past it the iterator panics with ErrTooSlow: a bound that depends only
// on the text, so the same block always comes out the same. In practice
// lines of a few thousand characters are always highlighted.
func stepBudget(n int) int { return 256*n + 1<<20 }

// drain returns the next token of the emitters stacked by the last rule
// (and, first, stops when the build is cancelled: see checkStop).
func (it *iterator) drain() (chroma.Token, bool) {
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

// checkStop panics with ErrCancelled once stop is closed, looking at it
// every 1024 tokens and every 64K steps of the budget.
func (it *iterator) checkStop() {
	if it.steps++; it.stop != nil && (it.steps&1023 == 0 || it.checked-it.budget > 1<<16) {
		it.checked = it.budget
		select {
		case <-it.stop:
			panic(ErrCancelled)
		default:
		}
	}
}

// next is chroma's LexerState.Iterator.
func (it *iterator) next() chroma.Token {
	s := it.s
	for s.Pos < it.end && len(s.Stack) > 0 {
		if t, ok := it.drain(); ok {
			return t
		}
		if t, ok := it.step(); ok {
			return t
		}
	}
	if t, ok := it.drain(); ok {
		return t
	}
	if s.Pos != len(s.Text) && len(s.Stack) == 0 {
		value := string(s.Text[s.Pos:])
		s.Pos = len(s.Text)
		return chroma.Token{Type: chroma.Error, Value: value}
	}
	return chroma.EOF
}

// step applies the first rule of the current state that matches, and
// returns the token it makes, if it makes one at once.
func (it *iterator) step() (chroma.Token, bool) {
	s := it.s
	s.State = s.Stack[len(s.Stack)-1]
	rules, ok := s.Rules[s.State]
	if !ok {
		panic("unknown state " + s.State)
	}
	if s.Pos > it.lineEnd || it.lineEnd == 0 {
		it.lineEnd = s.Pos
		for it.lineEnd < len(s.Text) && s.Text[it.lineEnd] != '\n' {
			it.lineEnd++
		}
	}
	m := matchRules(s.Text, s.Pos, it.lineEnd, rules, it.l.states[s.State], &it.budget)
	if m.groups == nil {
		// chroma (after Pygments): a newline no rule matches empties
		// the stack and lexing goes on from the start state.
		if s.Text[s.Pos] == '\n' && s.State != it.top {
			s.Stack = []string{it.top}
			return chroma.Token{}, false
		}
		s.Pos++
		return chroma.Token{Type: chroma.Error, Value: string(s.Text[s.Pos-1 : s.Pos])}, true
	}
	s.Rule, s.Groups, s.NamedGroups = m.index, m.groups, m.names
	s.Pos += utf8.RuneCountInString(m.groups[0])
	if m.rule.Mutator != nil {
		if err := m.rule.Mutator.Mutate(s); err != nil {
			panic(err)
		}
	}
	if tt, ok := m.rule.Type.(chroma.TokenType); ok {
		// chroma would stack Literator(Token{tt, groups[0]}) and drain
		// it next: the token itself, unless it is one drain drops.
		t := chroma.Token{Type: tt, Value: s.Groups[0]}
		return t, t.Type != chroma.Ignore && t != chroma.EOF
	}
	if m.rule.Type != nil {
		it.stack = append(it.stack, m.rule.Type.Emit(s.Groups, s))
	}
	return chroma.Token{}, false
}
