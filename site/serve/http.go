package serve

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"io"
	"io/fs"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/kiji-ssg/kiji/site/mediatype"
)

// The server's own URLs live under this prefix, outside any base path.
const (
	livePrefix = "/_kiji/"
	eventsPath = livePrefix + "events"
	scriptPath = livePrefix + "live.js"
)

//go:embed live.js
var liveJS []byte

// ServeHTTP serves the built site, the live-reload script and the event
// stream.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if s.guard(w, r) {
		return
	}
	switch r.URL.Path {
	case eventsPath:
		s.serveEvents(w, r)
		return
	case scriptPath:
		w.Header().Set("Content-Type", mediatype.ContentType("live.js"))
		w.Header().Set("Cache-Control", "no-cache")
		http.ServeContent(w, r, "live.js", time.Time{}, bytes.NewReader(liveJS))
		return
	}
	if rel, ok := s.sitePath(w, r); ok {
		s.serveFile(w, r, rel)
	}
}

// sitePath returns the site file a request names ("index.html" for a
// folder), or answers the request itself (a bad path, a redirect to the
// base path, not found) and returns false.
func (s *Server) sitePath(w http.ResponseWriter, r *http.Request) (string, bool) {
	s.mu.Lock()
	base := s.base
	s.mu.Unlock()

	p := r.URL.Path
	if !cleanURLPath(p) {
		http.Error(w, "bad path", http.StatusBadRequest)
		return "", false
	}
	if p+"/" == base || (p == "/" && base != "/") {
		redirect(w, r, base)
		return "", false
	}
	rel, ok := strings.CutPrefix(p, base)
	if !ok {
		s.notFound(w, r, "")
		return "", false
	}
	if rel == "" || strings.HasSuffix(rel, "/") {
		rel += "index.html"
	}
	if hiddenRel(rel) {
		s.notFound(w, r, rel)
		return "", false
	}
	return rel, true
}

// serveFile answers with the built file rel, read inside the output folder
// only: HTML with the live-reload script, a folder asked without its slash
// by a redirect, anything else that is not a regular file as not found.
func (s *Server) serveFile(w http.ResponseWriter, r *http.Request, rel string) {
	root, err := os.OpenRoot(s.dest)
	if err != nil {
		s.notFound(w, r, rel)
		return
	}
	defer root.Close()
	f, err := root.Open(rel)
	if err != nil {
		s.notFoundIn(w, r, root, rel)
		return
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil || !fi.IsDir() && !fi.Mode().IsRegular() {
		s.notFoundIn(w, r, root, rel)
		return
	}
	if fi.IsDir() {
		// A folder asked without its slash: its index, if it has one.
		if ii, err := root.Stat(rel + "/index.html"); err == nil && ii.Mode().IsRegular() {
			redirect(w, r, r.URL.Path+"/")
			return
		}
		s.notFoundIn(w, r, root, rel)
		return
	}
	ct := mediatype.ContentType(rel)
	w.Header().Set("Content-Type", ct)
	w.Header().Set("Cache-Control", "no-cache")
	if isHTML(ct) {
		b, err := io.ReadAll(f)
		if err != nil {
			http.Error(w, "cannot read "+rel, http.StatusInternalServerError)
			return
		}
		s.writeHTML(w, r, http.StatusOK, b, rel, rel)
		return
	}
	http.ServeContent(w, r, rel, fi.ModTime(), f)
}

// cleanURLPath reports whether a decoded URL path is one the server
// answers: absolute, without backslashes, NULs, or . and .. segments
// (encoded dots arrive decoded).
func cleanURLPath(p string) bool {
	if !strings.HasPrefix(p, "/") || strings.ContainsAny(p, "\\\x00") {
		return false
	}
	for _, seg := range strings.Split(p, "/") {
		if seg == "." || seg == ".." {
			return false
		}
	}
	return true
}

// hiddenRel reports whether an output path has a segment starting with a
// dot (the manifest, staging folders): never served.
func hiddenRel(rel string) bool {
	for _, seg := range strings.Split(rel, "/") {
		if strings.HasPrefix(seg, ".") {
			return true
		}
	}
	return false
}

func redirect(w http.ResponseWriter, r *http.Request, to string) {
	if q := r.URL.RawQuery; q != "" {
		to += "?" + q
	}
	http.Redirect(w, r, to, http.StatusFound)
}

func isHTML(ct string) bool { return strings.HasPrefix(ct, "text/html") }

// notFound answers 404 with the site's 404 page.
func (s *Server) notFound(w http.ResponseWriter, r *http.Request, rel string) {
	root, err := os.OpenRoot(s.dest)
	if err != nil {
		s.notFoundIn(w, r, nil, rel)
		return
	}
	defer root.Close()
	s.notFoundIn(w, r, root, rel)
}

func (s *Server) notFoundIn(w http.ResponseWriter, r *http.Request, root *os.Root, rel string) {
	w.Header().Set("Content-Type", mediatype.ContentType("404.html"))
	w.Header().Set("Cache-Control", "no-cache")
	var page []byte
	if root != nil {
		page, _ = fs.ReadFile(root.FS(), "404.html")
	}
	if page == nil {
		// No site yet (the first build is running): a page that reloads
		// when there is one.
		page = []byte("<!doctype html><html><head><meta charset=\"utf-8\"><title>404</title></head><body><p>Not found (the site may still be building).</p></body></html>")
	}
	s.writeHTML(w, r, http.StatusNotFound, page, "404.html", rel)
}

// writeHTML writes a page with the live-reload script. served is the file
// sent, asked the file the URL names (they differ on a 404): the page
// reloads when either changes.
func (s *Server) writeHTML(w http.ResponseWriter, r *http.Request, status int, page []byte, served, asked string) {
	s.mu.Lock()
	cfg := liveConfig{Build: s.buildID, Events: eventsPath}
	base := s.base
	s.mu.Unlock()
	cfg.Files = []string{base + served}
	if asked != "" && asked != served {
		cfg.Files = append(cfg.Files, base+asked)
	}
	out := inject(page, cfg)
	w.Header().Set("Content-Length", strconv.Itoa(len(out)))
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		w.Write(out)
	}
}

// liveConfig is what the injected script is told about its page.
type liveConfig struct {
	Build  string   `json:"build"`
	Files  []string `json:"files"`
	Events string   `json:"events"`
}

// inject adds the live-reload script before </body> (or at the end).
func inject(page []byte, cfg liveConfig) []byte {
	j, _ := json.Marshal(cfg) // escapes <, > and &: safe inside <script>
	tag := []byte(`<script id="kiji-live">window.__kijiLive=` + string(j) + `;</script><script src="` + scriptPath + `" defer></script>`)
	i := lastIndexFold(page, []byte("</body>"))
	if i < 0 {
		i = lastIndexFold(page, []byte("</html>"))
	}
	if i < 0 {
		i = len(page)
	}
	out := make([]byte, 0, len(page)+len(tag))
	out = append(out, page[:i]...)
	out = append(out, tag...)
	return append(out, page[i:]...)
}

// lastIndexFold is bytes.LastIndex for an ASCII needle, ignoring case.
func lastIndexFold(s, sep []byte) int {
	for i := len(s) - len(sep); i >= 0; i-- {
		if bytes.EqualFold(s[i:i+len(sep)], sep) {
			return i
		}
	}
	return -1
}
