package main

import (
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestMain lets a test run this binary as kiji itself (KIJI_TEST_MAIN=1),
// to send it signals as a user or a CI runner would.
func TestMain(m *testing.M) {
	if os.Getenv("KIJI_TEST_MAIN") == "1" {
		main()
		return
	}
	os.Exit(m.Run())
}

// slowArticle has display formulas KaTeX takes more than 30 s each on, so
// that a build of it runs long enough to be stopped.
func slowArticle() string {
	var b strings.Builder
	b.WriteString("---\ntitle: \"遅い数式\"\nemoji: \"🐢\"\ntype: \"tech\"\ntopics: [\"math\"]\npublished: true\n---\n\n")
	for i := range 6 {
		b.WriteString("$$\n" + strings.Repeat("a+", 20000) + "b_{" + string(rune('0'+i)) + "}\n$$\n\n")
	}
	return b.String()
}

// startKiji starts this test binary as "kiji args..." in dir.
func startKiji(t *testing.T, dir string, args ...string) (*exec.Cmd, *syncBuffer) {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "KIJI_TEST_MAIN=1")
	stderr := &syncBuffer{}
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	return cmd, stderr
}

// waitFor waits until stderr matches re and returns the first group.
func waitFor(t *testing.T, stderr *syncBuffer, re *regexp.Regexp) string {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		if m := re.FindStringSubmatch(stderr.String()); m != nil {
			return m[len(m)-1]
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("kiji never printed %s; stderr:\n%s", re, stderr)
	return ""
}

// waitExit waits for cmd to end, at most bound, and returns how long it
// took and its exit status.
func waitExit(t *testing.T, cmd *exec.Cmd, bound time.Duration) (time.Duration, int) {
	t.Helper()
	start := time.Now()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
		return time.Since(start), cmd.ProcessState.ExitCode()
	case <-time.After(bound):
		t.Fatalf("kiji still running %v after the signal", bound)
		return 0, 0
	}
}

// TestSignalStopsTheBuild: SIGTERM during a long render (formulas KaTeX
// takes minutes on) stops the build within a second or two (the bound is
// generous for a loaded machine), leaves the previous output as it was and
// says so.
func TestSignalStopsTheBuild(t *testing.T) {
	if testing.Short() {
		t.Skip("runs kiji in a subprocess")
	}
	dir := site(t, map[string]string{"good.md": goodArticle})
	if code, _, errs := kiji(t, dir, "build", "--quiet", "--offline"); code != 0 {
		t.Fatalf("first build: %d %s", code, errs)
	}
	before := hashDir(t, filepath.Join(dir, "public"))
	os.WriteFile(filepath.Join(dir, "content/articles/slow.md"), []byte(slowArticle()), 0o644)
	cmd, stderr := startKiji(t, dir, "build", "--quiet", "--offline", "--timings")
	time.Sleep(2 * time.Second) // in the render (KaTeX), or not yet: either way it must stop
	cmd.Process.Signal(syscall.SIGTERM)
	took, code := waitExit(t, cmd, 60*time.Second)
	t.Logf("exited %v after SIGTERM with status %d", took, code)
	if took > 5*time.Second {
		t.Errorf("kiji took %v to stop after SIGTERM", took)
	}
	if code != 143 {
		t.Errorf("exit status %d, want 143 (128+SIGTERM)", code)
	}
	want := "Error: the build was stopped by SIGTERM before it finished; public was left as it was"
	if !strings.Contains(stderr.String(), want) {
		t.Errorf("stderr does not say %q:\n%s", want, stderr)
	}
	if after := hashDir(t, filepath.Join(dir, "public")); after != before {
		t.Error("the output changed")
	}
	if left, _ := filepath.Glob(filepath.Join(dir, ".public.kiji-tmp-*")); len(left) > 0 {
		t.Errorf("staging folders left behind: %v", left)
	}
}

// TestSignalStopsServe: Ctrl-C during kiji serve's first (long) build stops
// it promptly; a second Ctrl-C while it shuts down (waiting for a client
// that has not finished its request) ends it at once.
func TestSignalStopsServe(t *testing.T) {
	if testing.Short() {
		t.Skip("runs kiji in a subprocess")
	}
	dir := site(t, map[string]string{"good.md": goodArticle, "slow.md": slowArticle()})
	listening := regexp.MustCompile(`Serving http://(127\.0\.0\.1:\d+)/`)

	cmd, stderr := startKiji(t, dir, "serve", "--port", "0", "--offline")
	waitFor(t, stderr, listening)
	time.Sleep(time.Second) // the first build is rendering the formulas
	cmd.Process.Signal(syscall.SIGINT)
	took, code := waitExit(t, cmd, 60*time.Second)
	t.Logf("serve exited %v after Ctrl-C with status %d", took, code)
	if took > 5*time.Second || code != 0 {
		t.Errorf("serve took %v to stop after Ctrl-C (status %d); stderr:\n%s", took, code, stderr)
	}

	os.Remove(filepath.Join(dir, "content/articles/slow.md"))
	cmd, stderr = startKiji(t, dir, "serve", "--port", "0", "--offline")
	addr := waitFor(t, stderr, listening)
	waitFor(t, stderr, regexp.MustCompile(`(built \d+ articles)`))
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.Write([]byte("GET / HTTP/1.1\r\n")) // a request not finished: shutting down waits for it
	time.Sleep(200 * time.Millisecond)
	cmd.Process.Signal(syscall.SIGINT)
	waitFor(t, stderr, regexp.MustCompile(`(stopping)`))
	time.Sleep(300 * time.Millisecond)
	cmd.Process.Signal(syscall.SIGINT)
	took, code = waitExit(t, cmd, 60*time.Second)
	t.Logf("serve exited %v after the second Ctrl-C with status %d", took, code)
	if took > 2*time.Second || code != 130 || !strings.Contains(stderr.String(), "again: stopped at once") {
		t.Errorf("the second Ctrl-C: exit after %v with status %d, want at once with 130; stderr:\n%s", took, code, stderr)
	}
}

// hashDir is a digest of a folder's files (names and contents).
func hashDir(t *testing.T, dir string) string {
	t.Helper()
	var b strings.Builder
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, _ := os.ReadFile(p)
		rel, _ := filepath.Rel(dir, p)
		b.WriteString(rel + "\x00" + string(data) + "\x00")
		return nil
	})
	return b.String()
}
