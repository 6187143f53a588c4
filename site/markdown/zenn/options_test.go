package zenn

import (
	"net/http"
	"time"
)

// Options only the tests set: kiji's build sets the card cache and offline
// mode (site/markdown/kiji.go) and keeps every other default.

// WithHTTPClient sets the client used to fetch link-card pages (tests use
// an httptest client). The fetch timeout still applies to every request.
func WithHTTPClient(client *http.Client) Option { return func(c *config) { c.client = client } }

// WithFetchTimeout bounds one card fetch, redirects and body included
// (default 5s).
func WithFetchTimeout(d time.Duration) Option { return func(c *config) { c.timeout = d } }

// WithConnectTimeout bounds connecting to a page's host, name lookup and
// TLS included (default 2s). A host that cannot be reached is not tried
// again in the same build, and when the first hosts tried all fail (no
// answer at all), the network is taken as unreachable and no more cards
// are fetched in that build.
func WithConnectTimeout(d time.Duration) Option { return func(c *config) { c.connect = d } }

// WithFetchConcurrency bounds the number of card fetches in flight
// (default 8).
func WithFetchConcurrency(n int) Option { return func(c *config) { c.concurrency = n } }

// WithoutBareURLCards keeps bare URLs as ordinary links.
func WithoutBareURLCards() Option { return func(c *config) { c.noBareURLs = true } }
