package zenn

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// silent is a listener that accepts connections and never answers: a
// network where every page hangs. Its client dials it whatever the host.
type silent struct {
	ln       net.Listener
	accepted atomic.Int64
}

func newSilent(t *testing.T) *silent {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &silent{ln: ln}
	done := make(chan struct{})
	var conns []net.Conn
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s.accepted.Add(1)
			conns = append(conns, c) // held open, never answered
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		close(done)
		for _, c := range conns {
			c.Close()
		}
	})
	return s
}

func (s *silent) client() *http.Client {
	addr := s.ln.Addr().String()
	return &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, network, addr)
		},
	}}
}

// cardsDoc is n link cards, each on its own host.
func cardsDoc(n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "@[card](http://host%d.example/page)\n\n", i)
	}
	return b.String()
}

// TestCardsNetworkUnreachable: 50 cards on a network where no page answers
// are built in well under 5 s (the first fetches fail, then none is
// tried), one line says why the cards are plain, and the next build makes
// no network attempt at all.
func TestCardsNetworkUnreachable(t *testing.T) {
	s := newSilent(t)
	dir := filepath.Join(t.TempDir(), "cards")
	doc := cardsDoc(50)
	z := New(WithHTTPClient(s.client()), WithCardCacheDir(dir), WithFetchTimeout(time.Second))
	start := time.Now()
	res := convertWith(t, newMD(z), doc)
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("50 cards with no answering network took %v, want under 5s", d)
	}
	if n := s.accepted.Load(); n > 8 {
		t.Errorf("%d connections: pages were still tried once the network was seen down", n)
	}
	for _, c := range readCards(t, res.html) {
		if !c.Plain {
			t.Errorf("rich card without a network: %+v", c)
		}
	}
	msg := z.CardTrouble()
	for _, want := range []string{"50 link cards are plain", "the network seems unreachable", "--offline", dir} {
		if !strings.Contains(msg, want) {
			t.Errorf("trouble line %q lacks %q", msg, want)
		}
	}
	if strings.Contains(msg, "\n") {
		t.Errorf("trouble is more than one line: %q", msg)
	}
	if again := z.CardTrouble(); again != "" {
		t.Errorf("trouble reported twice: %q", again)
	}

	// The next build: no connection, no wait, and a line saying why.
	before := s.accepted.Load()
	z2 := New(WithHTTPClient(s.client()), WithCardCacheDir(dir), WithFetchTimeout(time.Second))
	start = time.Now()
	convertWith(t, newMD(z2), doc)
	if n := s.accepted.Load() - before; n != 0 {
		t.Errorf("the next build connected %d times, want none", n)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("the next build took %v", d)
	}
	if msg := z2.CardTrouble(); !strings.Contains(msg, "50 link cards are plain") || !strings.Contains(msg, "in the last 24 h") {
		t.Errorf("next build's trouble line: %q", msg)
	}
}

// TestCardsBlackholed uses the default transport against TEST-NET
// addresses (RFC 5737, never routed) with a short connect timeout.
func TestCardsBlackholed(t *testing.T) {
	var b strings.Builder
	for i := 1; i <= 50; i++ {
		fmt.Fprintf(&b, "@[card](http://192.0.2.%d/page)\n\n", i)
	}
	z := New(WithConnectTimeout(300*time.Millisecond), WithCardCacheDir(filepath.Join(t.TempDir(), "cards")))
	start := time.Now()
	convertWith(t, newMD(z), b.String())
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("50 blackholed cards took %v, want under 5s", d)
	}
	if msg := z.CardTrouble(); !strings.Contains(msg, "link cards are plain") || !strings.Contains(msg, "--offline") {
		t.Errorf("trouble line: %q", msg)
	}
}

// TestCardsHostDown: a host that gave no answer is not tried again in the
// same build, while other hosts are still fetched.
func TestCardsHostDown(t *testing.T) {
	good := newSite(t)
	bad := newSilent(t)
	goodAddr := good.Listener.Addr().String()
	client := &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			var d net.Dialer
			if strings.HasPrefix(addr, "down.example") {
				return d.DialContext(ctx, network, bad.ln.Addr().String())
			}
			return d.DialContext(ctx, network, goodAddr)
		},
	}}
	z := New(WithHTTPClient(client), WithFetchTimeout(300*time.Millisecond), WithFetchConcurrency(1))
	doc := "@[card](" + good.URL + "/og)\n\n@[card](http://down.example/a)\n\n@[card](http://down.example/b)\n\n@[card](" + good.URL + "/title)\n"
	res := convertWith(t, newMD(z), doc)
	if n := bad.accepted.Load(); n != 1 {
		t.Errorf("the silent host was tried %d times, want 1", n)
	}
	cards := readCards(t, res.html)
	if len(cards) != 4 || cards[0].Plain || !cards[1].Plain || !cards[2].Plain || cards[3].Plain {
		t.Errorf("cards %+v: want the two good ones rich", cards)
	}
	if msg := z.CardTrouble(); !strings.Contains(msg, "2 link cards are plain: their pages could not be reached (down.example:") {
		t.Errorf("trouble line: %q", msg)
	}
}

// TestCardsRetryAfterExpiry: a remembered failure older than the retry
// time is fetched again.
func TestCardsRetryAfterExpiry(t *testing.T) {
	s := newSite(t)
	dir := filepath.Join(t.TempDir(), "cards")
	u := s.URL + "/og"
	z := New(WithHTTPClient(s.Client()), WithCardCacheDir(dir))
	for _, tc := range []struct {
		name    string
		age     time.Duration
		fetches int
	}{
		{"fresh failure is remembered", time.Hour, 0},
		{"old failure is retried", 25 * time.Hour, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := Card{URL: u, FailedAt: time.Now().Add(-tc.age).UTC().Format(time.RFC3339), Error: "x: i/o timeout"}
			b, _ := json.Marshal(rec)
			os.MkdirAll(dir, 0o755)
			if err := os.WriteFile(z.cards.cachePath(u), b, 0o644); err != nil {
				t.Fatal(err)
			}
			before := s.hits("/og")
			convertWith(t, newMD(New(WithHTTPClient(s.Client()), WithCardCacheDir(dir))), "@[card]("+u+")\n")
			if got := s.hits("/og") - before; got != tc.fetches {
				t.Errorf("fetched %d times, want %d", got, tc.fetches)
			}
		})
	}
}
