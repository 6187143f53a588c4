// Package browsertest starts the headless Chromium of kiji's browser tests;
// only _test.go files import it (site/layers_test.go holds that).
//
// A test that needs a browser begins with
//
//	ctx := browsertest.Start(t)
//
// (or browsertest.Chromium(t) for the binary alone). Without Chromium the
// test is skipped on a developer's machine, but under CI=true a missing
// Chromium fails the test: CI must run every browser test. KIJI_CHROMIUM
// names a binary to use instead of the one on PATH.
//
// The browser runs headless with a fresh profile (removed with the test's
// temporary folder), no sandbox, no GPU, no QUIC and no background
// networking, component updates or sync, so that it talks to nothing but
// the test's own servers.
package browsertest

import (
	"context"
	"os"
	"os/exec"
	"testing"

	"github.com/chromedp/chromedp"
)

// candidates are the names Chromium goes by, first the one KIJI_CHROMIUM
// gives.
func candidates() []string {
	return []string{os.Getenv("KIJI_CHROMIUM"), "chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "headless-shell"}
}

// Chromium returns the path of a Chrome or Chromium binary. Without one it
// skips the test, or fails it when the environment has CI=true.
func Chromium(t testing.TB) string {
	t.Helper()
	if p := find(exec.LookPath); p != "" {
		return p
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("no Chromium found (looked for $KIJI_CHROMIUM, then chromium, chromium-browser, google-chrome on PATH): browser tests must run in CI; install the chromium package")
	}
	t.Skip("no Chromium found; install it (apt-get install chromium) or set KIJI_CHROMIUM to run the browser tests")
	return ""
}

// find returns the first candidate that look finds, or "".
func find(look func(string) (string, error)) string {
	for _, name := range candidates() {
		if name == "" {
			continue
		}
		if p, err := look(name); err == nil {
			return p
		}
	}
	return ""
}

// Flags are the options every test browser starts with (see the package
// doc), for a test that builds its own allocator.
func Flags(t testing.TB, exe string) []chromedp.ExecAllocatorOption {
	return []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(exe),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(t.TempDir()),
	}
}

// Start starts Chromium (see Chromium) with Flags and then extra, and
// returns a context for chromedp whose browser is closed when the test
// ends.
func Start(t testing.TB, extra ...chromedp.ExecAllocatorOption) context.Context {
	t.Helper()
	opts := append(Flags(t, Chromium(t)), extra...)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() {
		cancel()
		cancelAlloc()
	})
	return ctx
}
