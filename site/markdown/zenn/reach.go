package zenn

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// Link cards without a network give up quickly and say so. A fetch that
// gets no answer at all (no connection, no name, no response) marks its
// host as unreachable for the rest of the build; when the first hosts
// tried all fail that way, the network is taken as unreachable and no
// more cards are fetched in that build. All fetches of a build share a
// time budget. Each page that could not be reached is remembered in the
// card cache for retryAfter (24 h), so the next builds neither wait nor
// try again; CardTrouble gives the one line that says why cards are plain.

// errNoAnswer is a fetch that got no HTTP answer at all.
type errNoAnswer struct{ err error }

func (e errNoAnswer) Error() string { return e.err.Error() }
func (e errNoAnswer) Unwrap() error { return e.err }

// reach is the state of the network as the card fetches of one build found
// it. A build is a burst of fetches: a new one starts a minute after the
// last budget ran out.
type reach struct {
	mu        sync.Mutex
	cond      *sync.Cond // signalled when a fetch ends
	inflight  int
	windowEnd time.Time
	down      map[string]string // host → why it could not be reached
	netDown   string            // why the network seems unreachable
	noAnswer  int               // fetches without an answer, while none had one
	answered  int
	report    troubleCount
}

// troubleCount is what CardTrouble reports.
type troubleCount struct {
	unreached, remembered, overBudget int
	network                           bool
	sample                            string
}

// noNetworkAfter: this many fetches without any answer, and none with one,
// mean the network is unreachable (fetches wait for those in flight before
// starting while that is undecided).
const noNetworkAfter = 3

// skip reports why a fetch of host must not be made now ("" to fetch),
// and whether that reason should be remembered in the cache.
func (r *reach) skip(host string, budget time.Duration, now time.Time) (why string, remember bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.cond == nil {
		r.cond = sync.NewCond(&r.mu)
	}
	if r.inflight == 0 && (r.windowEnd.IsZero() || now.After(r.windowEnd.Add(time.Minute))) {
		r.windowEnd = now.Add(budget)
		r.down, r.netDown, r.noAnswer, r.answered = map[string]string{}, "", 0, 0
	}
	// A fetch got no answer and none has had one: wait for the fetches
	// in flight to tell whether the network is there at all.
	for r.answered == 0 && r.noAnswer > 0 && r.netDown == "" && r.inflight > 0 {
		r.cond.Wait()
	}
	switch {
	case r.netDown != "":
		r.report.unreached++
		return r.netDown, true
	case r.down[host] != "":
		r.report.unreached++
		return r.down[host], true
	case now.After(r.windowEnd):
		r.report.overBudget++
		return fmt.Sprintf("the %s budget for fetching link cards was spent", budget), false
	}
	r.inflight++
	return "", false
}

// done records the outcome of a fetch of host.
func (r *reach) done(host string, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.inflight--
	if r.cond != nil {
		defer r.cond.Broadcast()
	}
	var na errNoAnswer
	if !errors.As(err, &na) {
		r.answered++
		return
	}
	why := host + ": " + shortError(na.err)
	r.report.unreached++
	if r.report.sample == "" {
		r.report.sample = why
	}
	if r.down == nil {
		r.down = map[string]string{}
	}
	r.down[host] = why
	if r.answered == 0 {
		r.noAnswer++
		if r.noAnswer >= noNetworkAfter && r.netDown == "" {
			r.netDown = why
			r.report.network = true
		}
	}
}

// remembered counts a card that is plain because the cache remembers its
// page could not be reached.
func (r *reach) remembered(why string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.report.remembered++
	if r.report.sample == "" {
		r.report.sample = why
	}
}

// take returns the trouble since the last call and forgets it.
func (r *reach) take() troubleCount {
	r.mu.Lock()
	defer r.mu.Unlock()
	t := r.report
	r.report = troubleCount{}
	return t
}

// shortError is the gist of a network error: "i/o timeout", "no such
// host", "connection refused"…
func shortError(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	var oe *net.OpError
	if errors.As(err, &oe) && oe.Err != nil {
		err = oe.Err
	}
	var de *net.DNSError
	if errors.As(err, &de) {
		return "lookup " + de.Name + ": " + de.Err
	}
	s := err.Error()
	if i := strings.LastIndex(s, ": "); i >= 0 && len(s)-i < 60 {
		s = s[i+2:]
	}
	return s
}

// trouble is Extender.CardTrouble.
func (s *cardStore) trouble() string {
	t := s.reach.take()
	dir := "the card cache"
	if s.cfg.cacheDir != "" {
		dir = s.cfg.cacheDir
	}
	retry := fmt.Sprintf("they are not fetched again for %s (delete %s to retry sooner); build with --offline to skip fetching", span(s.cfg.retryAfter), dir)
	switch {
	case t.network:
		return fmt.Sprintf("%d link cards are plain: the network seems unreachable (%s); %s", t.unreached, t.sample, retry)
	case t.unreached > 0:
		return fmt.Sprintf("%d link cards are plain: their pages could not be reached (%s); %s", t.unreached, t.sample, retry)
	case t.overBudget > 0:
		return fmt.Sprintf("%d link cards are plain: fetching took longer than %s; the next build fetches them (or build with --offline to skip fetching)", t.overBudget, span(s.cfg.budget))
	case t.remembered > 0:
		return fmt.Sprintf("%d link cards are plain: their pages could not be reached in the last %s (%s); delete %s to retry now, or build with --offline to skip fetching", t.remembered, span(s.cfg.retryAfter), t.sample, dir)
	}
	return ""
}

// span writes a duration as people do: "24 h", "20 s".
func span(d time.Duration) string {
	switch {
	case d >= time.Hour && d%time.Hour == 0:
		return fmt.Sprintf("%d h", d/time.Hour)
	case d >= time.Second && d%time.Second == 0:
		return fmt.Sprintf("%d s", d/time.Second)
	}
	return d.String()
}

// newTransport is the default transport of card fetches: connecting, name
// lookup and TLS bounded by the connect timeout.
func newTransport(connect time.Duration) *http.Transport {
	d := &net.Dialer{Timeout: connect}
	return &http.Transport{
		Proxy:               http.ProxyFromEnvironment,
		DialContext:         d.DialContext,
		TLSHandshakeTimeout: connect,
		MaxIdleConnsPerHost: 2,
	}
}
