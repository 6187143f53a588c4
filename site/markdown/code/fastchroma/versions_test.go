package fastchroma

import (
	"os/exec"
	"strings"
	"testing"
)

// The module versions this package was checked against: its copy of
// chroma's iterator and rule compiler, the emitter fields it reads by
// reflection and its use of regexp2's syntax package (see the package
// doc). A bump of either module goes through the steps in doc.go, then
// changes the version here.
var verified = map[string]string{
	"github.com/alecthomas/chroma/v2": "v2.27.0",
	"github.com/dlclark/regexp2/v2":   "v2.2.1",
}

// TestVerifiedVersions fails when the build uses another version of chroma
// or regexp2 than the one this package was verified against.
func TestVerifiedVersions(t *testing.T) {
	for mod, want := range verified {
		out, err := exec.Command("go", "list", "-m", "-f", "{{.Version}}", mod).Output()
		if err != nil {
			t.Fatalf("go list -m %s: %v", mod, err)
		}
		if got := strings.TrimSpace(string(out)); got != want {
			t.Errorf("%s is %s here, but fastchroma was verified against %s.\n"+
				"Its fast path copies and reads that module's internals. Follow \"When chroma or regexp2 changes\" "+
				"in site/markdown/code/fastchroma/doc.go: run the equivalence suite\n"+
				"\tgo test ./site/markdown/code/fastchroma -run 'TestMatchesChroma|TestSamples|TestEveryLexerCompiles|TestRules'\n"+
				"\tgo test ./site/markdown/code/fastchroma -run '^$' -fuzz FuzzMatchesChroma -fuzztime 60s (and FuzzSimpleMatcher)\n"+
				"review the diff of the copied code, then set verified[%q] = %q in versions_test.go",
				mod, got, want, mod, got)
		}
	}
}
