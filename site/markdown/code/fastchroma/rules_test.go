package fastchroma

import (
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// ruleCase is one line of testdata/rules.txt.
type ruleCase struct {
	what, name, pattern, flags, want string
}

func readRuleCases(t *testing.T) []ruleCase {
	t.Helper()
	data, err := os.ReadFile("testdata/rules.txt")
	if err != nil {
		t.Fatal(err)
	}
	var cases []ruleCase
	for i, line := range strings.Split(string(data), "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Split(line, "\t")
		if len(f) != 5 {
			t.Fatalf("testdata/rules.txt:%d: %d fields, want 5 separated by tabs", i+1, len(f))
		}
		if f[3] == "-" {
			f[3] = ""
		}
		cases = append(cases, ruleCase{f[0], f[1], f[2], f[3], f[4]})
	}
	return cases
}

// TestRules checks what the filter (first characters, literal prefixes,
// line starts) and the work budget (reach) work out from the patterns in
// testdata/rules.txt.
func TestRules(t *testing.T) {
	for _, c := range readRuleCases(t) {
		t.Run(c.what+"/"+c.name, func(t *testing.T) {
			var got string
			switch c.what {
			case "first":
				got = firstString(firstChars(c.pattern, c.flags))
			case "prefixes":
				got = prefixString(literalPrefixes(c.pattern, c.flags))
			case "bol":
				got = map[bool]string{true: "yes", false: "no"}[startsAtLineStart(c.pattern, c.flags)]
			case "reach":
				n, _ := patternReach(c.pattern, c.flags)
				got = strconv.Itoa(n)
			default:
				t.Fatalf("unknown check %q", c.what)
			}
			if got != c.want {
				t.Errorf("%s(%q, flags %q) = %q, want %q", c.what, c.pattern, c.flags, got, c.want)
			}
		})
	}
}

// firstString is the printable ASCII in set, "all" for all of it, "-" when
// the rule is tried everywhere.
func firstString(set firstSet, ok bool) string {
	if !ok {
		return "-"
	}
	var b strings.Builder
	for c := rune(0x20); c < 0x7f; c++ {
		if set.has(c) {
			b.WriteRune(c)
		}
	}
	if b.Len() == 0x7f-0x20 {
		return "all"
	}
	return b.String()
}

func prefixString(prefixes [][]rune) string {
	if prefixes == nil {
		return "-"
	}
	var s []string
	for _, p := range prefixes {
		s = append(s, string(p))
	}
	slices.Sort(s)
	return strings.Join(s, " ")
}
