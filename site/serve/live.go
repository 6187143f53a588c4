package serve

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"time"
)

// hub fans the server's events out to the open pages.
type hub struct {
	mu     sync.Mutex
	subs   map[chan []byte]bool
	done   chan struct{}
	closed bool
}

func newHub() *hub { return &hub{subs: map[chan []byte]bool{}, done: make(chan struct{})} }

func (h *hub) subscribe() chan []byte {
	c := make(chan []byte, 32)
	h.mu.Lock()
	h.subs[c] = true
	h.mu.Unlock()
	return c
}

func (h *hub) unsubscribe(c chan []byte) {
	h.mu.Lock()
	delete(h.subs, c)
	h.mu.Unlock()
}

// send sends an event to every page. A page too slow to take it is cut
// off: its script reconnects and gets the current state.
func (h *hub) send(event string, data any) {
	msg := sseMessage(event, data)
	h.mu.Lock()
	defer h.mu.Unlock()
	for c := range h.subs {
		select {
		case c <- msg:
		default:
			delete(h.subs, c)
			close(c)
		}
	}
}

// close ends every stream.
func (h *hub) close() {
	h.mu.Lock()
	defer h.mu.Unlock()
	if !h.closed {
		h.closed = true
		close(h.done)
	}
}

func sseMessage(event string, data any) []byte {
	j, _ := json.Marshal(data)
	return []byte(fmt.Sprintf("event: %s\ndata: %s\n\n", event, j))
}

// keepAlive is how often an idle stream gets a comment, so proxies and
// the browser keep it open.
const keepAlive = 15 * time.Second

// serveEvents is the Server-Sent Events stream. It starts with "hello":
// the build being served and the current problems, so a page that
// reconnects (after a server restart) reloads if the build changed; "was"
// is another name of the same pages (shown before the search index was
// done), which a page loaded meanwhile knows.
func (s *Server) serveEvents(w http.ResponseWriter, r *http.Request) {
	if _, ok := w.(http.Flusher); !ok {
		http.Error(w, "streaming unsupported", http.StatusInternalServerError)
		return
	}
	// The stream stays open: no read limit, and a write limit for each
	// message instead of the whole response.
	rc := http.NewResponseController(w)
	rc.SetReadDeadline(time.Time{})
	write := func(b []byte) error {
		rc.SetWriteDeadline(time.Now().Add(httpTimeouts.Write))
		if _, err := w.Write(b); err != nil {
			return err
		}
		return rc.Flush()
	}
	c := s.hub.subscribe()
	defer s.hub.unsubscribe(c)
	h := w.Header()
	h.Set("Content-Type", "text/event-stream; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	s.mu.Lock()
	hello := map[string]any{"build": s.buildID, "was": s.was, "problems": s.problems, "ready": s.ready, "published": !s.stale}
	s.mu.Unlock()
	if write(append([]byte("retry: 500\n\n"), sseMessage("hello", hello)...)) != nil {
		return
	}
	t := time.NewTicker(keepAlive)
	defer t.Stop()
	for {
		select {
		case <-r.Context().Done():
			return
		case <-s.hub.done:
			return
		case msg, ok := <-c:
			if !ok {
				return
			}
			if write(msg) != nil {
				return
			}
		case <-t.C:
			if write([]byte(": ping\n\n")) != nil {
				return
			}
		}
	}
}
