package serve

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"
)

// builtAt is a server for addr whose site is built once; requests go to
// its handler directly, so any Host can be sent.
func builtAt(t *testing.T, addr string) *Server {
	t.Helper()
	root := project(t, "title: Test\n")
	s, err := New(Options{Build: buildOpts(root), Addr: addr})
	if err != nil {
		t.Fatal(err)
	}
	s.rebuild(context.Background(), Batch{All: true}, true)
	if s.problems != nil {
		t.Fatalf("the build failed: %v", s.problems)
	}
	return s
}

// TestHostCheck: a page on another site can point its own name at
// 127.0.0.1 (DNS rebinding) and read the preview, drafts included, unless
// the server answers only to its own names.
func TestHostCheck(t *testing.T) {
	hostname, _ := os.Hostname()
	for _, tc := range []struct {
		addr  string // the server's --host:port
		host  string // the request's Host
		allow bool
	}{
		{"127.0.0.1:8000", "127.0.0.1:8000", true},
		{"127.0.0.1:8000", "localhost:8000", true},
		{"127.0.0.1:8000", "LocalHost:8000", true},
		{"127.0.0.1:8000", "localhost.:8000", true},
		{"127.0.0.1:8000", "blog.localhost:8000", true},
		{"127.0.0.1:8000", "[::1]:8000", true},
		{"127.0.0.1:8000", "127.0.0.2", true},
		{"127.0.0.1:8000", "evil.example:8000", false},
		{"127.0.0.1:8000", "evil.example", false},
		{"127.0.0.1:8000", "localhost.evil.example:8000", false},
		{"127.0.0.1:8000", "127.0.0.1.nip.io:8000", false},
		{"127.0.0.1:8000", "192.168.1.5:8000", false},
		{"127.0.0.1:8000", "", false},
		{"127.0.0.1:8000", "[::1%0", false},            // no closing bracket
		{"127.0.0.1:8000", "[::1%25eth0]:8000", false}, // a zone: no browser sends one
		{"[::1]:8000", "[::1]:8000", true},
		{"[::1]:8000", "evil.example:8000", false},
		{"192.168.1.5:8000", "192.168.1.5:8000", true},
		{"192.168.1.5:8000", "localhost:8000", true},
		{"192.168.1.5:8000", "10.0.0.1:8000", false},
		{"preview.lan:8000", "preview.lan:8000", true},
		{"preview.lan:8000", "PREVIEW.LAN", true},
		{"preview.lan:8000", "evil.example:8000", false},
		{"0.0.0.0:8000", "192.168.1.5:8000", true},
		{"0.0.0.0:8000", "[fe80::1]:8000", true},
		{"0.0.0.0:8000", hostname + ":8000", true},
		{"0.0.0.0:8000", "evil.example:8000", false},
		{"[::]:8000", "evil.example:8000", false},
	} {
		t.Run(tc.addr+" "+tc.host, func(t *testing.T) {
			s := builtAt(t, tc.addr)
			for _, path := range []string{"/articles/draft/", "/_kiji/live.js"} {
				req := httptest.NewRequest("GET", path, nil)
				req.Host = tc.host
				rec := httptest.NewRecorder()
				s.ServeHTTP(rec, req)
				if got := rec.Code != http.StatusForbidden; got != tc.allow {
					t.Errorf("%s: status %d, allowed %v, want %v", path, rec.Code, got, tc.allow)
				}
				if !tc.allow && (!strings.Contains(rec.Body.String(), "Host") || strings.Contains(rec.Body.String(), "Draft")) {
					t.Errorf("%s: the refusal should say why, and show nothing of the site:\n%s", path, rec.Body.String())
				}
			}
		})
	}
}

// TestHostCheckEvents: the event stream (build ids and problems, with
// file paths) is refused too, before it starts.
func TestHostCheckEvents(t *testing.T) {
	_, ts, _ := built(t, "title: Test\n")
	req, _ := http.NewRequest("GET", ts.URL+"/_kiji/events", nil)
	req.Host = "evil.example"
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("status %d, want 403", resp.StatusCode)
	}
}

// TestOnlyGetAndHead: every URL, the server's own included, answers 405
// to other methods.
func TestOnlyGetAndHead(t *testing.T) {
	_, ts, _ := built(t, "title: Test\n")
	for _, path := range []string{"/", "/articles/one/", "/_kiji/events", "/_kiji/live.js", "/nope"} {
		for _, m := range []string{"POST", "PUT", "DELETE", "OPTIONS", "PATCH"} {
			req, _ := http.NewRequest(m, ts.URL+path, strings.NewReader("x"))
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusMethodNotAllowed || resp.Header.Get("Allow") != "GET, HEAD" {
				t.Errorf("%s %s: status %d, Allow %q; want 405, GET, HEAD", m, path, resp.StatusCode, resp.Header.Get("Allow"))
			}
		}
	}
}

// serverWithTimeouts runs a server with short timeouts and returns it and
// its address.
func serverWithTimeouts(t *testing.T, d time.Duration) (*Server, string) {
	t.Helper()
	old := httpTimeouts
	httpTimeouts = timeouts{ReadHeader: d, Read: d, Idle: d, Write: d}
	t.Cleanup(func() { httpTimeouts = old })
	root := project(t, "title: Test\n")
	urls := make(chan string, 1)
	built := make(chan struct{}, 1)
	s, err := New(Options{Build: buildOpts(root), Addr: "127.0.0.1:0",
		OnListen: func(u string) { urls <- u },
		OnBuild:  func(BuildEvent) { built <- struct{}{} }})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	var u string
	select {
	case u = <-urls:
	case err := <-done:
		t.Fatal(err)
	}
	<-built
	return s, strings.TrimSuffix(strings.TrimPrefix(u, "http://"), "/")
}

// closedWithin reports whether the server closes conn within d.
func closedWithin(conn net.Conn, d time.Duration) bool {
	conn.SetReadDeadline(time.Now().Add(d))
	_, err := io.Copy(io.Discard, conn)
	if ne, ok := err.(net.Error); ok && ne.Timeout() {
		return false
	}
	return true
}

// TestTimeouts: a client that sends its header slowly, and one that keeps
// an idle connection, are cut off; the live-reload stream (a response
// that never ends) is not.
func TestTimeouts(t *testing.T) {
	const d = 300 * time.Millisecond
	s, addr := serverWithTimeouts(t, d)

	slow, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer slow.Close()
	io.WriteString(slow, "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")
	if !closedWithin(slow, 10*d) {
		t.Error("a request whose header never ends was not cut off")
	}

	idle, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer idle.Close()
	io.WriteString(idle, "GET /robots.txt HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
	br := bufio.NewReader(idle)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if !closedWithin(idle, 10*d) {
		t.Error("an idle keep-alive connection was not closed")
	}

	c := dialSSE(t, "http://"+addr+"/")
	c.next(t, 10*time.Second, "hello")
	time.Sleep(4 * d) // past the read and write timeouts
	s.hub.send("reload", map[string]any{"build": "x", "all": true})
	ev := c.next(t, 10*time.Second, "reload", "hello")
	if ev.Name != "reload" {
		t.Errorf("the stream was cut and reconnected (%s) instead of staying open", ev.Name)
	}
}

// FuzzAllowedHost: whatever the Host header, a server on a loopback
// address serves it only for a loopback name or address.
func FuzzAllowedHost(f *testing.F) {
	for _, h := range []string{"127.0.0.1:8000", "localhost", "[::1]:1", "evil.example", "localhost.evil.example", "a.localhost.", "[::ffff:127.0.0.1]", "127.1", "0x7f.0.0.1", ""} {
		f.Add(h)
	}
	f.Fuzz(func(t *testing.T, host string) {
		if !allowedHost(host, "127.0.0.1:8000") {
			return
		}
		name := hostName(host)
		if name == "localhost" || strings.HasSuffix(name, ".localhost") {
			return
		}
		ip := net.ParseIP(name)
		if ip == nil || !ip.IsLoopback() {
			t.Fatalf("served Host %q (%q), which is not a loopback name or address", host, name)
		}
	})
}
