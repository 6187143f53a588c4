package search_test

import (
	"math/rand/v2"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/kiji-ssg/kiji/site/search"
)

// isWord is package search's word character: a letter, digit or mark
// that is not CJK.
func isWord(r rune) bool {
	return !search.IsCJK(r) && (unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r))
}

// A query of the generated set, and whether it is CJK.
type query struct {
	Q   string
	CJK bool
}

// genQueries draws n queries from the pages' blocks: substrings of CJK
// runs (one to eight characters; every tenth one a single character) and
// word prefixes of two to eight characters, about half of each.
func genQueries(pages [][]search.Block, n int, seed uint64) []query {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	seen := map[string]bool{}
	var out []query
	for tries := 0; len(out) < n && tries < n*200; tries++ {
		blocks := pages[rng.IntN(len(pages))]
		rs := []rune(blocks[rng.IntN(len(blocks))].Text)
		if len(rs) == 0 {
			continue
		}
		i := rng.IntN(len(rs))
		wantCJK := len(out)%2 == 0
		var q string
		switch {
		case wantCJK && search.IsCJK(rs[i]):
			j := i
			for j < len(rs) && search.IsCJK(rs[j]) {
				j++
			}
			l := 2 + rng.IntN(7)
			if len(out)%10 == 0 {
				l = 1
			}
			if j-i < l {
				continue
			}
			q = string(rs[i : i+l])
		case !wantCJK && isWord(rs[i]) && (i == 0 || !isWord(rs[i-1])):
			j := i
			for j < len(rs) && isWord(rs[j]) {
				j++
			}
			l := 2 + rng.IntN(7)
			if j-i < 2 {
				continue
			}
			q = string(rs[i:min(j, i+l)])
		default:
			continue
		}
		if !seen[q] {
			seen[q] = true
			out = append(out, query{q, wantCJK})
		}
	}
	return out
}

// matches is the truth: whether a page's normalised text holds q. CJK
// queries match anywhere; with wordStart, a Latin query only where a word
// starts (what kiji promises); without it, anywhere (plain substring).
func matches(blocks []search.Block, q query, wordStart bool, only ...search.Field) bool {
	for _, b := range blocks {
		if len(only) > 0 && b.Field != only[0] {
			continue
		}
		if q.CJK || !wordStart {
			if strings.Contains(b.Text, q.Q) {
				return true
			}
			continue
		}
		for off := 0; ; {
			i := strings.Index(b.Text[off:], q.Q)
			if i < 0 {
				break
			}
			i += off
			r, _ := utf8.DecodeLastRuneInString(b.Text[:i])
			if i == 0 || !isWord(r) {
				return true
			}
			off = i + 1
		}
	}
	return false
}
