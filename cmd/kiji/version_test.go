package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/kiji-ssg/kiji/site/build"
)

// TestAnotherKijiInvalidatesTheCache: a kiji binary other than the one
// that made the cache (an upgrade, a rebuild from a modified tree: here
// this test binary with another Go build ID) renders every page again,
// while the same binary twice renders nothing.
func TestAnotherKijiInvalidatesTheCache(t *testing.T) {
	if testing.Short() {
		t.Skip("runs kiji in a subprocess")
	}
	exe, err := os.Executable()
	if err != nil {
		t.Skip(err)
	}
	id := build.ExecutableID()
	if strings.HasPrefix(id, "sha256:") {
		t.Skip("no Go build ID in this binary")
	}
	b, err := os.ReadFile(exe)
	if err != nil {
		t.Fatal(err)
	}
	other := []byte(id)
	other[0] ^= 1
	patched := bytes.ReplaceAll(b, []byte(id), other)
	if bytes.Equal(patched, b) {
		t.Fatal("the build ID is not in the binary")
	}
	newer := filepath.Join(t.TempDir(), "kiji-newer")
	if err := os.WriteFile(newer, patched, 0o755); err != nil {
		t.Fatal(err)
	}

	dir := site(t, map[string]string{"good.md": goodArticle})
	converted := regexp.MustCompile(`(\d+) articles and chapters converted`)
	buildWith := func(bin string) int {
		cmd := exec.Command(bin, "build", "--offline", "--timings")
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "KIJI_TEST_MAIN=1")
		out, err := cmd.CombinedOutput()
		m := converted.FindSubmatch(out)
		if err != nil || m == nil {
			t.Fatalf("%s build: %v\n%s", filepath.Base(bin), err, out)
		}
		n, _ := strconv.Atoi(string(m[1]))
		return n
	}
	if n := buildWith(exe); n == 0 {
		t.Fatal("the first build converted nothing")
	}
	if n := buildWith(exe); n != 0 {
		t.Errorf("the same kiji again converted %d articles, want 0 (the cache is keyed the same)", n)
	}
	if n := buildWith(newer); n == 0 {
		t.Error("another kiji reused the cache: it converted nothing")
	}
	if n := buildWith(newer); n != 0 {
		t.Errorf("the other kiji again converted %d articles, want 0", n)
	}
}

func TestVersionCommand(t *testing.T) {
	code, out, _ := kiji(t, t.TempDir(), "version")
	if code != 0 || !strings.HasPrefix(out, "kiji "+build.Version+" (go") || !strings.Contains(out, build.ExecutableID()) {
		t.Errorf("kiji version = %d %q; want the version and the build ID", code, out)
	}
}
