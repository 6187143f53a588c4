package browsertest

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestHelperChromium is run by TestMissingChromium in a child process whose
// environment has no browser; on its own it does nothing.
func TestHelperChromium(t *testing.T) {
	if os.Getenv("BROWSERTEST_CHILD") != "1" {
		return
	}
	t.Logf("found %s", Chromium(t))
}

// TestMissingChromium: without a browser, a test is skipped on a
// developer's machine and fails under CI=true; KIJI_CHROMIUM is used first.
func TestMissingChromium(t *testing.T) {
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		env     []string
		fails   bool
		saysAll []string
	}{
		{"skipped without CI", []string{"CI="}, false, []string{"SKIP", "no Chromium found"}},
		{"fails in CI", []string{"CI=true"}, true, []string{"FAIL", "browser tests must run in CI"}},
		{"KIJI_CHROMIUM first", []string{"CI=true", "KIJI_CHROMIUM=" + self}, false, []string{"found " + self}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cmd := exec.Command(self, "-test.run=^TestHelperChromium$", "-test.v")
			cmd.Env = append([]string{"BROWSERTEST_CHILD=1", "PATH=" + t.TempDir(), "KIJI_CHROMIUM="}, tc.env...)
			out, err := cmd.CombinedOutput()
			if failed := err != nil; failed != tc.fails {
				t.Errorf("child failed: %v, want %v; output:\n%s", failed, tc.fails, out)
			}
			for _, s := range tc.saysAll {
				if !strings.Contains(string(out), s) {
					t.Errorf("child output lacks %q:\n%s", s, out)
				}
			}
		})
	}
}
