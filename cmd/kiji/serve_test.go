package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a bytes.Buffer the server goroutine and the test share.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// serveArgs are the flags that point serve at a site in dir.
func serveArgs(dir string, extra ...string) []string {
	return append([]string{"serve",
		"--source", filepath.Join(dir, "content"),
		"--config", filepath.Join(dir, "kiji.yaml"),
		"--cache-dir", filepath.Join(dir, ".kiji-cache"),
		"--offline"}, extra...)
}

func waitOutput(t *testing.T, b *syncBuffer, re *regexp.Regexp) []string {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		if m := re.FindStringSubmatch(b.String()); m != nil {
			return m
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("no output matching %s; got:\n%s", re, b.String())
	return nil
}

func TestServeRunsAndStops(t *testing.T) {
	dir := site(t, map[string]string{"good.md": goodArticle})
	var stdout, stderr syncBuffer
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan int, 1)
	e := &env{stdout: &stdout, stderr: &stderr, stdin: strings.NewReader(""), getenv: func(string) string { return "" }}
	go func() { done <- run(ctx, e, serveArgs(dir, "--port", "0")) }()

	url := waitOutput(t, &stderr, regexp.MustCompile(`Serving (http://127\.0\.0\.1:\d+/) `))[1]
	first := waitOutput(t, &stderr, regexp.MustCompile(`built 1 articles[^\n]*`))[0]
	if strings.Contains(first, "; pages") {
		t.Errorf("the first build's line %q says pages were reloaded; no page was open", first)
	}
	resp, err := http.Get(url + "articles/good/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), "/_kiji/live.js") {
		t.Errorf("GET the article: %d, live script: %v", resp.StatusCode, strings.Contains(string(body), "/_kiji/live.js"))
	}

	// An edit is rebuilt and reported.
	p := filepath.Join(dir, "content/articles/good.md")
	if err := os.WriteFile(p, []byte(strings.Replace(goodArticle, "はじめに\n\n", "はじめに\n\n追記。\n\n", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	waitOutput(t, &stderr, regexp.MustCompile(`content/articles/good\.md changed: built 1 articles.*pages reloaded`))

	start := time.Now()
	cancel() // Ctrl-C
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("exit status %d after Ctrl-C, want 0; stderr:\n%s", code, stderr.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not stop within 10s of Ctrl-C")
	}
	t.Logf("stopped in %v", time.Since(start))
	if _, err := http.Get(url); err == nil {
		t.Error("the server still answers after stopping")
	}
	if _, err := os.Stat(filepath.Join(dir, "public")); err == nil {
		t.Error("serve wrote public/")
	}
	if _, err := os.Stat(filepath.Join(dir, ".kiji-cache/serve/articles/good/index.html")); err != nil {
		t.Errorf("the preview is not in the cache folder: %v", err)
	}
}

func TestServePortInUse(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	port := ln.Addr().(*net.TCPAddr).Port
	dir := site(t, map[string]string{"good.md": goodArticle})
	var stderr syncBuffer
	e := &env{stdout: io.Discard, stderr: &stderr, stdin: strings.NewReader(""), getenv: func(string) string { return "" }}
	code := run(context.Background(), e, serveArgs(dir, "--port", fmt.Sprint(port)))
	if code != 1 {
		t.Errorf("exit status %d, want 1", code)
	}
	out := stderr.String()
	if !strings.Contains(out, "already in use") || !strings.Contains(out, fmt.Sprintf("Try: kiji serve --port %d", port+1)) {
		t.Errorf("stderr does not say the port is taken and how to choose another:\n%s", out)
	}
}

func TestServeUsage(t *testing.T) {
	dir := site(t, map[string]string{"good.md": goodArticle})
	for _, args := range [][]string{
		serveArgs(dir, "--port", "70000"),
		serveArgs(dir, "extra"),
		serveArgs(dir, "--base-url", "ftp://x/"),
		serveArgs(dir, "--nope"),
	} {
		var stderr syncBuffer
		e := &env{stdout: io.Discard, stderr: &stderr, stdin: strings.NewReader(""), getenv: func(string) string { return "" }}
		if code := run(context.Background(), e, args); code != 2 {
			t.Errorf("%v: exit status %d, want 2; stderr:\n%s", args[len(args)-2:], code, stderr.String())
		}
	}
}
