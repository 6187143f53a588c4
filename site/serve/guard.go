package serve

import (
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"os"
	"strings"
	"sync"
	"time"
)

// timeouts bound how long a connection may take (see newHTTPServer).
type timeouts struct {
	ReadHeader time.Duration // to send a request's header
	Read       time.Duration // to send a whole request
	Idle       time.Duration // between two requests on a keep-alive connection
	Write      time.Duration // to take a response (each message of the event stream)
}

var httpTimeouts = timeouts{ReadHeader: 10 * time.Second, Read: 30 * time.Second, Idle: 2 * time.Minute, Write: 30 * time.Second}

// newHTTPServer is the HTTP server for s: a client that sends slowly, or
// keeps a connection open doing nothing, is cut off. The event stream, a
// response that never ends, lifts the read and write limits for itself
// (serveEvents).
func (s *Server) newHTTPServer() *http.Server {
	t := httpTimeouts
	return &http.Server{Handler: s, ReadHeaderTimeout: t.ReadHeader, ReadTimeout: t.Read, IdleTimeout: t.Idle, WriteTimeout: t.Write}
}

// guard answers the requests the server does not serve, and reports
// whether it did: a Host that is not one of the server's names (a page of
// another site that points its own name at 127.0.0.1 — DNS rebinding —
// would otherwise read the preview, drafts included), and methods other
// than GET and HEAD.
func (s *Server) guard(w http.ResponseWriter, r *http.Request) bool {
	if !allowedHost(r.Host, s.opts.Addr) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusForbidden)
		fmt.Fprintf(w, "kiji serve answers only requests for localhost, a loopback address or the --host it listens on (%s); this one was for Host %q, so it was refused: this keeps other web sites from reading the preview (DNS rebinding)\n", s.opts.Addr, r.Host)
		return true
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed: kiji serve answers only GET and HEAD", http.StatusMethodNotAllowed)
		return true
	}
	return false
}

// allowedHost reports whether a request's Host names a server listening
// on listen (host:port): a loopback name or address, the host it listens
// on, or, when it listens on every address, any address of the machine
// and its name. IP addresses are always safe from DNS rebinding, since a
// page's origin is then the address itself; names other than these are
// refused.
func allowedHost(host, listen string) bool {
	name := hostName(host)
	if name == "" {
		return false
	}
	if name == "localhost" || strings.HasSuffix(name, ".localhost") {
		return true
	}
	ip, ipErr := netip.ParseAddr(name)
	if ipErr == nil && ip.Zone() != "" {
		return false // "[::1%eth0]": a browser never sends a zone
	}
	if ipErr == nil && ip.IsLoopback() {
		return true
	}
	on := hostName(listen)
	if on == name {
		return true
	}
	if lip, err := netip.ParseAddr(on); on == "" || (err == nil && lip.IsUnspecified()) {
		m := machineName()
		return ipErr == nil || (m != "" && (name == m || name == m+".local"))
	}
	return false
}

// hostName is the host of a host[:port], lower case, without brackets or
// a final dot.
func hostName(hostport string) string {
	h := hostport
	if hh, _, err := net.SplitHostPort(hostport); err == nil {
		h = hh
	}
	if strings.HasPrefix(h, "[") && strings.HasSuffix(h, "]") {
		h = h[1 : len(h)-1]
	}
	return strings.TrimSuffix(strings.ToLower(h), ".")
}

var machineName = sync.OnceValue(func() string {
	h, _ := os.Hostname()
	return strings.ToLower(h)
})
