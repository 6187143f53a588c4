package score

import (
	"math"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// shape is how a number is written in a cell or a format pattern:
// "USD 0.09858", "+15 %", "1,234 円", "13 点".
type shape struct {
	prefix    string // text before the sign or the digits, e.g. "USD ", "¥"
	plus      bool   // positive numbers carry an explicit "+"
	minus     string // the minus sign to use ("-" unless the author wrote "−")
	signSpace string // what separates the sign from the digits ("+ 15 %")
	group     bool   // thousands separators
	pad       int    // zero-pad the integer part to this many digits ("007")
	decimals  int    // digits after the point; -1: as many as needed (up to 6)
	percent   bool   // the suffix holds a % sign: the value is a ratio
	suffix    string // text after the digits, e.g. " %", " 点", "（c6g.large）"
}

// general is the shape of a computed number the author gave no format for.
var general = shape{decimals: -1}

// number is a number read from text.
type number struct {
	value float64
	shape shape
}

// maxDecimals bounds the decimals of a shape: more would only print noise.
const maxDecimals = 15

func isSign(r rune) bool { return r == '+' || r == '-' || r == '−' || r == '＋' || r == '－' }

func isDigit(b byte) bool { return b >= '0' && b <= '9' }

// wordRune reports whether r continues a word, so a digit after it is part
// of a name such as "c6g" rather than a number.
func wordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || r == '.' || r == ',' || r == '_'
}

// parseNumber finds the first number in s: an optional sign, ASCII digits
// with optional thousands separators and decimals, and an optional % sign
// after it. The text around it is kept as the number's shape, so the number
// can be written again the same way. A digit inside a word ("c6g") does not
// start a number.
func parseNumber(s string) (number, bool) {
	prev := rune(-1)
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if prev == -1 || !wordRune(prev) {
			if n, ok := numberAt(s, i); ok {
				return n, true
			}
		}
		prev = r
		i += size
	}
	return number{}, false
}

// numberAt reads a number that starts exactly at s[i:].
func numberAt(s string, i int) (number, bool) {
	sh := shape{prefix: s[:i], minus: "-", decimals: 0}
	j, neg := readSign(s, i, &sh)
	digits, j, ok := readDigits(s, j, &sh)
	if !ok {
		return number{}, false
	}
	v, err := strconv.ParseFloat(digits, 64)
	if err != nil || math.IsInf(v, 0) || math.IsNaN(v) {
		return number{}, false
	}
	sh.suffix = s[j:]
	rest := strings.TrimLeft(sh.suffix, " \u3000")
	if strings.HasPrefix(rest, "%") || strings.HasPrefix(rest, "％") {
		sh.percent = true
		v /= 100
	}
	if neg {
		v = -v
	}
	if sh.decimals > maxDecimals {
		sh.decimals = maxDecimals
	}
	return number{value: v, shape: sh}, true
}

// readSign reads a sign at s[j:] (and the spaces after it) into sh; it
// returns where the digits start and whether the sign is a minus.
func readSign(s string, j int, sh *shape) (int, bool) {
	r, size := utf8.DecodeRuneInString(s[j:])
	if !isSign(r) {
		return j, false
	}
	neg := r == '-' || r == '−' || r == '－'
	if neg {
		sh.minus = string(r)
	} else {
		sh.plus = true
	}
	j += size
	k := j
	for k < len(s) && s[k] == ' ' {
		k++
	}
	sh.signSpace = s[j:k]
	return k, neg
}

// readDigits reads the digits of a number at s[j:], maybe grouped by
// thousands and with decimals, into sh. It returns them as ParseFloat reads
// them and where they end; ok is false if there are none.
func readDigits(s string, j int, sh *shape) (digits string, end int, ok bool) {
	start := j
	var b strings.Builder
	// integer part, maybe grouped by thousands
	n := 0
	for j < len(s) && isDigit(s[j]) {
		b.WriteByte(s[j])
		j++
		n++
	}
	if n == 0 && !(j+1 < len(s) && s[j] == '.' && isDigit(s[j+1])) {
		return "", j, false
	}
	if n > 1 && s[start] == '0' {
		sh.pad = n
	}
	if n > 0 && n <= 3 {
		for j+3 < len(s)+0 && s[j] == ',' && isDigit(s[j+1]) && isDigit(s[j+2]) && isDigit(s[j+3]) &&
			(j+4 >= len(s) || !isDigit(s[j+4])) {
			b.WriteString(s[j+1 : j+4])
			sh.group = true
			j += 4
		}
	}
	if j+1 < len(s) && s[j] == '.' && isDigit(s[j+1]) {
		b.WriteByte('.')
		j++
		for j < len(s) && isDigit(s[j]) {
			b.WriteByte(s[j])
			sh.decimals++
			j++
		}
	}
	return b.String(), j, j != start
}

// parsePattern reads a format pattern: a number written the way computed
// values should look, with # allowed for optional digits ("#,##0 円").
func parsePattern(p string) (shape, bool) {
	n, ok := parseNumber(strings.ReplaceAll(p, "#", "0"))
	if !ok {
		return shape{}, false
	}
	// only the 0s of the integer part pad: "#,##0" does not, "000" does
	sh := n.shape
	i := len(sh.prefix)
	zeros := 0
	for ; i < len(p) && len(p)-i > len(sh.suffix); i++ {
		if p[i] == '.' {
			break
		}
		if p[i] == '0' {
			zeros++
		}
	}
	sh.pad = 0
	if zeros > 1 {
		sh.pad = zeros
	}
	return sh, true
}

// format writes v in the shape sh.
func format(v float64, sh shape) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "?"
	}
	if sh.percent {
		v *= 100
	}
	neg := v < 0
	digits := roundDecimal(math.Abs(v), sh.decimals)
	if strings.Trim(digits, "0.") == "" {
		neg = false
	}
	if sh.pad > 0 {
		intPart, _, _ := strings.Cut(digits, ".")
		if len(intPart) < sh.pad {
			digits = strings.Repeat("0", sh.pad-len(intPart)) + digits
		}
	}
	if sh.group {
		digits = groupThousands(digits)
	}
	var b strings.Builder
	b.WriteString(sh.prefix)
	sign := ""
	switch {
	case neg && sh.minus != "":
		sign = sh.minus
	case neg:
		sign = "-"
	case sh.plus:
		sign = "+"
	}
	if sign != "" {
		b.WriteString(sign)
		b.WriteString(sh.signSpace)
	}
	b.WriteString(digits)
	b.WriteString(sh.suffix)
	return b.String()
}

// roundDecimal writes a (≥ 0) with d decimals, rounding half away from zero
// on the decimal digits of a's shortest representation, so 1.005 rounds to
// 1.01 as a reader expects. d < 0 keeps up to 6 decimals and drops trailing
// zeros.
func roundDecimal(a float64, d int) string {
	trim := d < 0
	if trim {
		d = 6
	}
	s := strconv.FormatFloat(a, 'f', -1, 64)
	intPart, frac, _ := strings.Cut(s, ".")
	if len(frac) <= d {
		frac += strings.Repeat("0", d-len(frac))
	} else {
		up := frac[d] >= '5'
		frac = frac[:d]
		if up {
			// add one unit in the last kept place
			all := []byte(intPart + frac)
			k := len(all) - 1
			for ; k >= 0; k-- {
				if all[k] == '9' {
					all[k] = '0'
					continue
				}
				all[k]++
				break
			}
			if k < 0 {
				all = append([]byte{'1'}, all...)
			}
			intPart = string(all[:len(all)-d])
			frac = string(all[len(all)-d:])
		}
	}
	if trim {
		frac = strings.TrimRight(frac, "0")
	}
	if frac == "" {
		return intPart
	}
	return intPart + "." + frac
}

// groupThousands inserts commas into the integer part of digits.
func groupThousands(digits string) string {
	intPart, frac, hasFrac := strings.Cut(digits, ".")
	var b strings.Builder
	for i := 0; i < len(intPart); i++ {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteByte(intPart[i])
	}
	if hasFrac {
		b.WriteByte('.')
		b.WriteString(frac)
	}
	return b.String()
}

// plain writes v for a message or a chart: up to 6 decimals, no zeros.
func plain(v float64) string { return format(v, general) }
