package search

import (
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Normalize is the form in which both the text of a page and a query are
// compared: NFKC (full-width letters and digits become ASCII, half-width
// katakana full-width), then every rune lower-cased on its own (so the
// text keeps its length in runes), and every run of white space one
// space. Hiragana and katakana stay apart: "コンテナ" does not find
// "こんてな".
func Normalize(s string) string {
	return string(appendNormalized(nil, []byte(s)))
}

// appendNormalized appends Normalize(src) to dst.
func appendNormalized(dst, src []byte) []byte {
	if out, ok := appendFolded(dst, src, true); ok {
		return out // NFKC leaves src as it is: no need to ask norm
	}
	if !norm.NFKC.IsNormal(src) {
		src = norm.NFKC.Bytes(src)
	}
	out, _ := appendFolded(dst, src, false)
	return out
}

// appendFolded appends src (in NFKC) lower-cased, its white space
// folded. With stableOnly, it gives up (false, dst as it was) at the
// first rune that is neither ASCII nor stableRune: then src may not be in
// NFKC.
func appendFolded(dst, src []byte, stableOnly bool) ([]byte, bool) {
	start := len(dst)
	space := false
	for i := 0; i < len(src); {
		c := src[i]
		if c < utf8.RuneSelf {
			i++
			if asciiSpace[c] {
				space = true
				continue
			}
			if space && len(dst) > start {
				dst = append(dst, ' ')
			}
			space = false
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			dst = append(dst, c)
			continue
		}
		r, n := decodeRune(src[i:])
		i += n
		if stableOnly && !stableRune(r) {
			return dst[:start], false
		}
		if r >= 0x3001 && r <= 0x9FFF { // kana and kanji: no case, no space
			if space && len(dst) > start {
				dst = append(dst, ' ')
			}
			space = false
			dst = append(dst, src[i-n:i]...)
			continue
		}
		if unicode.IsSpace(r) {
			space = true
			continue
		}
		if space && len(dst) > start {
			dst = append(dst, ' ')
		}
		space = false
		dst = utf8.AppendRune(dst, unicode.ToLower(r))
	}
	return dst, true
}

var asciiSpace = [utf8.RuneSelf]bool{'\t': true, '\n': true, '\v': true, '\f': true, '\r': true, ' ': true}

// stableRune: kanji, hiragana and katakana (without the iteration marks
// and digraphs that NFKC spells out), 、。・ー and the CJK brackets. NFKC
// maps each to itself and composes it with nothing (a combining mark
// after one is not in the set), so a text of these and ASCII is in NFKC:
// most of a Japanese page, read several times faster than norm's check.
func stableRune(r rune) bool {
	switch {
	case r >= 0x4E00 && r <= 0x9FFF,
		r >= 0x3041 && r <= 0x3096,
		r >= 0x30A1 && r <= 0x30FC,
		r >= 0x3001 && r <= 0x3002,
		r >= 0x3008 && r <= 0x3011:
		return true
	}
	return false
}

// IsCJK reports whether r is indexed by character (in overlapping
// bigrams) rather than in words: kanji, kana, hangul and the CJK
// punctuation that sits between them (、。「」・ー…).
func IsCJK(r rune) bool {
	switch {
	case r < 0x2E80:
		return false
	case r <= 0x2FDF, // radicals
		r >= 0x3001 && r <= 0x303F,                                                         // CJK punctuation (not the ideographic space)
		r >= 0x3040 && r <= 0x30FF,                                                         // hiragana, katakana
		r >= 0x3130 && r <= 0x318F, r >= 0x1100 && r <= 0x11FF, r >= 0xAC00 && r <= 0xD7AF, // hangul
		r >= 0x31F0 && r <= 0x31FF,                                                         // katakana extensions
		r >= 0x3400 && r <= 0x4DBF, r >= 0x4E00 && r <= 0x9FFF, r >= 0xF900 && r <= 0xFAFF, // kanji
		r >= 0x20000 && r <= 0x3FFFF:
		return true
	}
	return false
}

// isWord reports whether r belongs to a word: a letter or digit that is
// not CJK (and the marks that go with letters).
func isWord(r rune) bool {
	if r < utf8.RuneSelf {
		return 'a' <= r && r <= 'z' || '0' <= r && r <= '9' || 'A' <= r && r <= 'Z'
	}
	return !IsCJK(r) && (unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r))
}

// runEnd marks the end of a CJK run in a bigram key: the last character
// of "日本語" is indexed as "語$", so that every character of a run
// starts exactly one bigram.
const runEnd = '$'

// A token is one indexed unit of normalised text at a position: a word,
// or the CJK bigram that starts at a character.
type token struct {
	key string
	pos uint32
}

// tokenize appends the tokens of one block of normalised text, numbering
// positions from pos; it returns the tokens and the next free position
// (tokenSpans says how).
func tokenize(text string, pos uint32, toks []token) ([]token, uint32) {
	spans, pos := tokenSpans([]byte(text), pos, nil)
	for _, t := range spans {
		key := text[t.off:t.end]
		if t.runEnd {
			key += string(runEnd)
		}
		toks = append(toks, token{key, t.pos})
	}
	return toks, pos
}

// A tokSpan is a token of a block of text: text[off:end], followed by
// runEnd when it is the last character of a CJK run.
type tokSpan struct {
	off, end int32
	pos      uint32
	runEnd   bool
}

// tokenSpans appends the tokens of one block of normalised text, numbering
// positions from pos; it returns the tokens and the next free position.
// A word takes one position, a CJK character one, and so does each run
// of what separates them, so that "foo, bar" and "foo bar" read the
// same, but "日本 語" does not read as "日本語".
func tokenSpans(text []byte, pos uint32, toks []tokSpan) ([]tokSpan, uint32) {
	for i := 0; i < len(text); {
		r, n := decodeRune(text[i:])
		switch {
		case IsCJK(r):
			toks, pos, i = cjkSpans(text, i, n, pos, toks)
		case isWord(r):
			j := i + n
			for j < len(text) {
				if c := text[j]; c < utf8.RuneSelf {
					if !asciiWord[c] {
						break
					}
					j++
					continue
				}
				r2, m := decodeRune(text[j:])
				if !isWord(r2) {
					break
				}
				j += m
			}
			toks = append(toks, tokSpan{int32(i), int32(j), pos, false})
			pos++
			i = j
		default:
			// A run of anything else (spaces, punctuation) takes one
			// position: tokens at consecutive positions are adjacent in
			// the text, which is what lets a query check every other
			// bigram only.
			for i += n; i < len(text); i += n {
				r, n = decodeRune(text[i:])
				if IsCJK(r) || isWord(r) {
					break
				}
			}
			pos++
		}
	}
	return toks, pos
}

// cjkSpans appends the tokens of the run of CJK characters at text[i:]
// (its first n bytes long): a bigram for each character but the last,
// and the last on its own, marked as the run's end. It returns the
// tokens, the next free position and the end of the run.
func cjkSpans(text []byte, i, n int, pos uint32, toks []tokSpan) ([]tokSpan, uint32, int) {
	for {
		j := i + n
		next, m := decodeRune(text[j:])
		if m == 0 || !IsCJK(next) {
			return append(toks, tokSpan{int32(i), int32(j), pos, true}), pos + 1, j
		}
		toks = append(toks, tokSpan{int32(i), int32(j + m), pos, false})
		pos++
		i, n = j, m
	}
}

var asciiWord = func() (t [utf8.RuneSelf]bool) {
	for c := range utf8.RuneSelf {
		t[c] = isWord(rune(c))
	}
	return t
}()

// decodeRune is utf8.DecodeRune with the sequences text holds most (ASCII,
// and the three bytes of a kana or kanji) decoded inline: the package's
// own goes out of line for every character that is not ASCII.
func decodeRune(b []byte) (rune, int) {
	if len(b) > 0 && b[0] < utf8.RuneSelf {
		return rune(b[0]), 1
	}
	if len(b) >= 3 && b[0]&0xF0 == 0xE0 && b[1]&0xC0 == 0x80 && b[2]&0xC0 == 0x80 {
		r := rune(b[0]&0x0F)<<12 | rune(b[1]&0x3F)<<6 | rune(b[2]&0x3F)
		if r >= 0x800 && (r < 0xD800 || r > 0xDFFF) {
			return r, 3
		}
	}
	return utf8.DecodeRune(b)
}
