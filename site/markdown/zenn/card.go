package zenn

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/charset"
)

// Card is what a link card shows. It is also the on-disk cache record.
type Card struct {
	URL         string `json:"url"`
	Status      int    `json:"status,omitempty"` // HTTP status of the fetch; 0 when never fetched
	Title       string `json:"title,omitempty"`
	Description string `json:"description,omitempty"`
	SiteName    string `json:"site_name,omitempty"`
	Image       string `json:"image,omitempty"`
	FetchedAt   string `json:"fetched_at,omitempty"`
	// FailedAt and Error: the page could not be reached then (a negative
	// cache entry, kept for retryAfter).
	FailedAt string `json:"failed_at,omitempty"`
	Error    string `json:"error,omitempty"`
}

// rich reports whether the card has data from the page.
func (c Card) rich() bool { return c.Title != "" }

type cardEntry struct {
	done chan struct{}
	card Card
}

// cardStore fetches link cards once per URL, concurrently, with a timeout,
// a size limit and an optional on-disk cache. It is safe for concurrent use.
type cardStore struct {
	cfg    config
	client *http.Client
	sem    chan struct{}

	mu      sync.Mutex
	entries map[string]*cardEntry
	reach   reach

	fetched, fromCache, failed, plain atomic.Int64
}

func newCardStore(cfg config) *cardStore {
	client := cfg.client
	if client == nil {
		client = &http.Client{
			Timeout:   cfg.timeout,
			Transport: newTransport(cfg.connect),
			CheckRedirect: func(req *http.Request, via []*http.Request) error {
				if len(via) >= 5 {
					return errors.New("too many redirects")
				}
				if req.URL.Scheme != "http" && req.URL.Scheme != "https" {
					return fmt.Errorf("redirect to a %s: URL", req.URL.Scheme)
				}
				return nil
			},
		}
	}
	return &cardStore{
		cfg:     cfg,
		client:  client,
		sem:     make(chan struct{}, cfg.concurrency),
		entries: map[string]*cardEntry{},
	}
}

// start begins getting the card for u (from memory, disk or network) and
// returns at once.
func (s *cardStore) start(u string) *cardEntry {
	s.mu.Lock()
	e, ok := s.entries[u]
	if !ok {
		e = &cardEntry{done: make(chan struct{})}
		s.entries[u] = e
	}
	s.mu.Unlock()
	if !ok {
		go s.load(u, e)
	}
	return e
}

// get returns the card for u, waiting for its fetch (bounded by the fetch
// timeout), or a plain card at once when ctx is done (the build was
// stopped; the fetch goes on and fills the cache).
func (s *cardStore) get(ctx context.Context, u string) Card {
	e := s.start(u)
	select {
	case <-e.done:
		return e.card
	case <-ctx.Done():
		return Card{URL: u}
	}
}

func (s *cardStore) statsSnapshot() CardStats {
	return CardStats{
		Fetched:   int(s.fetched.Load()),
		FromCache: int(s.fromCache.Load()),
		Failed:    int(s.failed.Load()),
		Plain:     int(s.plain.Load()),
	}
}

func (s *cardStore) load(u string, e *cardEntry) {
	e.card = Card{URL: u}
	defer close(e.done)
	defer func() {
		// A card never fails a build: whatever happens, a plain card.
		if r := recover(); r != nil {
			e.card = Card{URL: u}
			s.failed.Add(1)
		}
	}()
	if c, ok := s.readCache(u); ok {
		if c.FailedAt != "" { // remembered: the page could not be reached
			s.reach.remembered(c.Error)
			s.plain.Add(1)
			return
		}
		e.card = c
		s.fromCache.Add(1)
		return
	}
	if s.cfg.offline {
		s.plain.Add(1)
		return
	}
	host := hostOf(u)
	s.sem <- struct{}{}
	if why, remember := s.reach.skip(host, s.cfg.budget, time.Now()); why != "" {
		<-s.sem
		s.failed.Add(1)
		if remember {
			s.writeCache(Card{URL: u, FailedAt: time.Now().UTC().Format(time.RFC3339), Error: why})
		}
		return
	}
	c, cacheable, err := s.fetchReached(u, host)
	<-s.sem
	var na errNoAnswer
	if errors.As(err, &na) {
		c.FailedAt, c.Error, cacheable = time.Now().UTC().Format(time.RFC3339), host+": "+shortError(na.err), true
	}
	e.card = c
	switch {
	case err != nil:
		s.failed.Add(1)
	case c.rich():
		s.fetched.Add(1)
	default:
		s.plain.Add(1)
	}
	if cacheable {
		s.writeCache(c)
	}
}

func (s *cardStore) cachePath(u string) string {
	sum := sha256.Sum256([]byte(u))
	return filepath.Join(s.cfg.cacheDir, hex.EncodeToString(sum[:])+".json")
}

func (s *cardStore) readCache(u string) (Card, bool) {
	if s.cfg.cacheDir == "" {
		return Card{}, false
	}
	b, err := os.ReadFile(s.cachePath(u))
	if err != nil {
		return Card{}, false
	}
	var c Card
	if err := json.Unmarshal(b, &c); err != nil || c.URL != u {
		return Card{}, false
	}
	if c.FailedAt != "" {
		t, err := time.Parse(time.RFC3339, c.FailedAt)
		if err != nil || time.Since(t) > s.cfg.retryAfter || time.Since(t) < -time.Hour {
			return Card{}, false // time to try again
		}
		return Card{URL: u, FailedAt: c.FailedAt, Error: c.Error}, true
	}
	return c, true
}

// writeCache stores c atomically (temporary file, then rename), so that
// concurrent builds never read half a file. Errors are ignored: the cache
// is an optimisation.
func (s *cardStore) writeCache(c Card) {
	if s.cfg.cacheDir == "" {
		return
	}
	if err := os.MkdirAll(s.cfg.cacheDir, 0o755); err != nil {
		return
	}
	b, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return
	}
	f, err := os.CreateTemp(s.cfg.cacheDir, ".card-*.tmp")
	if err != nil {
		return
	}
	_, werr := f.Write(append(b, '\n'))
	cerr := f.Close()
	if werr != nil || cerr != nil {
		_ = os.Remove(f.Name())
		return
	}
	if err := os.Rename(f.Name(), s.cachePath(c.URL)); err != nil {
		_ = os.Remove(f.Name())
	}
}

// fetchReached is fetch, telling reach how it went (before the next fetch
// may start, and even if it panics).
func (s *cardStore) fetchReached(u, host string) (c Card, cacheable bool, err error) {
	defer func() { s.reach.done(host, err) }()
	return s.fetch(u)
}

// errHTTPStatus is a fetch that got an error status.
type errHTTPStatus struct{ code int }

func (e errHTTPStatus) Error() string { return fmt.Sprintf("HTTP %d", e.code) }

// fetch gets u and reads its card data. cacheable says whether the result
// is a property of the page (a card, a non-HTML page, a 404) rather than
// of the moment (a timeout, a 503).
func (s *cardStore) fetch(u string) (c Card, cacheable bool, err error) {
	c = Card{URL: u}
	ctx, cancel := context.WithTimeout(context.Background(), s.cfg.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return c, false, fmt.Errorf("link card %s: %w", u, err)
	}
	req.Header.Set("User-Agent", s.cfg.userAgent)
	req.Header.Set("Accept", "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1")
	req.Header.Set("Accept-Language", "ja,en;q=0.8")
	resp, err := s.client.Do(req)
	if err != nil {
		return c, false, fmt.Errorf("link card %s: %w", u, errNoAnswer{err})
	}
	defer resp.Body.Close()
	c.Status = resp.StatusCode
	c.FetchedAt = time.Now().UTC().Format(time.RFC3339)
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		transient := resp.StatusCode >= 500 || resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusRequestTimeout
		return c, !transient, fmt.Errorf("link card %s: %w", u, errHTTPStatus{resp.StatusCode})
	}
	ct := resp.Header.Get("Content-Type")
	if mt, _, _ := mime.ParseMediaType(ct); ct != "" && mt != "text/html" && mt != "application/xhtml+xml" {
		return c, true, nil // a PDF, an image…: a plain card
	}
	base := resp.Request.URL
	body := io.LimitReader(resp.Body, s.cfg.maxBytes)
	r, err := charset.NewReader(body, ct)
	if err != nil {
		r = body
	}
	meta, err := readMeta(r)
	if err != nil && ctx.Err() != nil {
		return c, false, fmt.Errorf("link card %s: %w", u, ctx.Err())
	}
	fillCard(&c, meta, base)
	return c, true, nil
}

// readMeta collects <title> and the <meta> tags of an HTML head.
func readMeta(r io.Reader) (map[string]string, error) {
	meta := map[string]string{}
	z := html.NewTokenizer(r)
	inTitle := false
	var title strings.Builder
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			if inTitle || title.Len() > 0 {
				meta["<title>"] = title.String()
			}
			if errors.Is(z.Err(), io.EOF) {
				return meta, nil
			}
			return meta, z.Err()
		case html.StartTagToken, html.SelfClosingTagToken:
			name, hasAttr := z.TagName()
			switch string(name) {
			case "title":
				if _, seen := meta["<title>"]; !seen && tt == html.StartTagToken {
					inTitle = true
				}
			case "meta":
				readMetaTag(z, hasAttr, meta)
			case "body":
				if title.Len() > 0 {
					meta["<title>"] = title.String()
				}
				return meta, nil
			}
		case html.EndTagToken:
			name, _ := z.TagName()
			switch string(name) {
			case "title":
				if inTitle {
					meta["<title>"] = title.String()
					inTitle = false
				}
			case "head":
				if title.Len() > 0 {
					meta["<title>"] = title.String()
				}
				return meta, nil
			}
		case html.TextToken:
			if inTitle && title.Len() < 4096 {
				title.Write(z.Text())
			}
		}
	}
}

// readMetaTag records the content of the <meta> tag z is at under its
// property, name or itemprop (lower-cased), unless a tag before gave it.
func readMetaTag(z *html.Tokenizer, hasAttr bool, meta map[string]string) {
	var key, content string
	for hasAttr {
		var k, v []byte
		k, v, hasAttr = z.TagAttr()
		switch strings.ToLower(string(k)) {
		case "property", "name", "itemprop":
			if key == "" {
				key = strings.ToLower(strings.TrimSpace(string(v)))
			}
		case "content":
			content = string(v)
		}
	}
	if key != "" && content != "" {
		if _, seen := meta[key]; !seen {
			meta[key] = content
		}
	}
}

func first(meta map[string]string, keys ...string) string {
	for _, k := range keys {
		if v := clean(meta[k]); v != "" {
			return v
		}
	}
	return ""
}

func fillCard(c *Card, meta map[string]string, base *url.URL) {
	c.Title = truncate(first(meta, "og:title", "twitter:title", "<title>"), 200)
	c.Description = truncate(first(meta, "og:description", "twitter:description", "description"), 300)
	c.SiteName = truncate(first(meta, "og:site_name", "application-name"), 100)
	if img := first(meta, "og:image:secure_url", "og:image", "og:image:url", "twitter:image", "twitter:image:src"); img != "" && base != nil {
		if ref, err := url.Parse(img); err == nil {
			abs := base.ResolveReference(ref).String()
			if isHTTPURL(abs) && len(abs) <= 2048 {
				c.Image = abs
			}
		}
	}
}

// clean collapses white space.
func clean(s string) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "")
	}
	return strings.Join(strings.Fields(s), " ")
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return strings.TrimSpace(string(r[:n-1])) + "…"
}

// plainTitle is what a card without page data shows: the URL without its
// scheme, shortened, and for GitHub files the path and line range.
func plainTitle(u string) (title, site string) {
	p, err := url.Parse(u)
	if err != nil || p.Host == "" {
		return u, ""
	}
	site = p.Host
	pathPart := p.EscapedPath()
	if dec, err := url.PathUnescape(pathPart); err == nil {
		pathPart = dec
	}
	switch {
	case githubRE.MatchString(u):
		// /OWNER/REPO/blob/REF/PATH#L1-L2
		parts := strings.SplitN(strings.TrimPrefix(pathPart, "/"), "/", 5)
		if len(parts) == 5 {
			site = p.Host + "/" + parts[0] + "/" + parts[1]
			title = parts[4]
			if p.Fragment != "" {
				title += "#" + p.Fragment
			}
			return clip(title, 120), site
		}
	case gistRE.MatchString(u):
		return clip(strings.TrimPrefix(pathPart, "/"), 120), p.Host
	}
	title = p.Host + strings.TrimSuffix(pathPart, "/")
	if p.RawQuery != "" {
		title += "?" + p.RawQuery
	}
	return clip(title, 120), site
}

// hostOf returns the host of u.
func hostOf(u string) string {
	p, err := url.Parse(u)
	if err != nil {
		return ""
	}
	return p.Host
}
