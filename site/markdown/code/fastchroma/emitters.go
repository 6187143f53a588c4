package fastchroma

import (
	"reflect"

	"github.com/alecthomas/chroma/v2"
)

// chroma's Using, UsingSelf and ByGroups return unexported types
// (*usingEmitter, *usingSelfEmitter, *byGroupsEmitter). They are told apart
// by their EmitterKind and read by reflection: the field Lexer (string) of
// "using", State (string) of "usingself", the embedded Emitters of
// "bygroups". An emitter whose shape is not that is left as it is: it then
// lexes its part through chroma (the same tokens, only slower), and
// TestEveryLexerCompiles fails, since it wants every such emitter replaced.

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

// stringField returns the string field name of the struct e points to.
func stringField(e chroma.Emitter, name string) (string, bool) {
	v := reflect.ValueOf(e)
	if v.Kind() != reflect.Pointer || v.Elem().Kind() != reflect.Struct {
		return "", false
	}
	fv := v.Elem().FieldByName(name)
	if !fv.IsValid() || fv.Kind() != reflect.String {
		return "", false
	}
	return fv.String(), true
}

// rewriteEmitter returns e with chroma's "usingself" and "using" emitters
// (also inside "bygroups") replaced by ones that lex with fast lexers, and
// whether it replaced anything.
func (l *Lexer) rewriteEmitter(e chroma.Emitter) (chroma.Emitter, bool) {
	se, ok := e.(chroma.SerialisableEmitter)
	if !ok {
		return e, false
	}
	switch se.EmitterKind() {
	case "usingself":
		if state, ok := stringField(e, "State"); ok {
			return usingFast{self: l, state: state}, true
		}
	case "using":
		if name, ok := stringField(e, "Lexer"); ok {
			return usingFast{name: name, state: "root", halves: l.halves}, true
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
				out[i], c = l.rewriteEmitter(ie)
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
	self   *Lexer
	name   string
	state  string
	halves halves
}

func (u usingFast) Emit(groups []string, state *chroma.LexerState) chroma.Iterator {
	var l chroma.Lexer
	if u.self != nil {
		l = u.self
	} else {
		l = lexerNamed(u.name, state.Registry, u.halves)
	}
	it, err := l.Tokenise(&chroma.TokeniseOptions{State: u.state, Nested: true}, groups[0])
	if err != nil {
		panic(err)
	}
	return it
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
