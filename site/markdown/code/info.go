package code

import "strings"

// info is what a fence's info string asks for, following Zenn's rules.
type info struct {
	// Lang is the language: lower-cased, with Zenn's aliases applied
	// ("react" → "jsx", "cwl" → "yaml"); empty when none was given.
	Lang string
	// File is the file name shown above the block: everything after the
	// first ':' (surrounding spaces trimmed); empty when none was given.
	File string
	// Diff is set when one of the words before the ':' is "diff": every
	// line then carries an add, remove or context mark from its first
	// character.
	Diff bool
}

// aliases maps the language names Zenn rewrites to the names kiji highlights.
var aliases = map[string]string{
	"react": "jsx",
	"cwl":   "yaml",
}

// parseInfo splits a fence's info string the way Zenn does:
//
//	lang              language only
//	lang:path/file    language and file name (the name is everything after the first ':')
//	diff lang         diff marks plus the language's highlighting ("lang diff" works too)
//	diff lang:file    both
//
// The language is the first word before the ':' that is not "diff". It never
// fails: anything it does not understand ends up as an unknown language, which
// is rendered as plain text.
func parseInfo(s string) info {
	var in info
	head, file, _ := strings.Cut(s, ":")
	in.File = strings.TrimSpace(file)
	for _, w := range strings.Fields(head) {
		w = strings.ToLower(w)
		switch {
		case w == "diff":
			in.Diff = true
		case in.Lang == "":
			in.Lang = w
		}
	}
	if a, ok := aliases[in.Lang]; ok {
		in.Lang = a
	}
	return in
}
