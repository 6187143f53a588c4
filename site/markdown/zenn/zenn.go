// Package zenn is a goldmark extension for Zenn-flavoured Markdown.
//
// It adds, as Zenn does (zenn-markdown-html):
//
//   - :::message, :::message alert and :::details Title containers, nested
//     by giving the outer fence more colons (::::details … :::message … :::
//     … ::::). They are block containers: they hold paragraphs, lists,
//     tables, code and other containers.
//   - @[name](arg) embeds at the start of a line: youtube, slideshare,
//     speakerdeck, docswell, jsfiddle, codepen, codesandbox, stackblitz,
//     figma and blueprintue become lazy-loaded iframes; tweet becomes a
//     <blockquote class="twitter-tweet"> (the page then needs the "tweet"
//     asset); card, github and gist become static link cards.
//   - a bare URL alone on its line (at the top level or directly inside
//     :::details) becomes a card, a tweet, a YouTube player or a GitHub card.
//   - link cards built at build time from the page's OpenGraph data, with a
//     persistent on-disk cache, an offline mode and a plain fallback card:
//     a card never fails a build.
//   - image sizes ![alt](url =250x), =x200, =300x200 (the alt text without
//     code-span backticks), and a *caption* right after an image on its own
//     line, on the same line or the next (rendered as <figure>/<figcaption>,
//     splitting a longer paragraph around it).
//   - inline footnotes ^[text], numbered together with goldmark's [^a]
//     footnotes as Zenn does: by first reference in reading order, a note
//     read where its definition stands (extension.Footnote must be enabled
//     to render them); a reference inside a link's text goes after the link.
//   - link targets as Zenn leaves them: white space around them dropped,
//     empty ones and schemes other than http, https, ftp, mailto and tel
//     shown as text (links.go).
//   - one-line <!-- comments --> are removed.
//
// Linkify (a separate extension, linkify.go) links bare URLs by Zenn's
// rules, and Strikethrough (strike.go) strikes ~~text~~ through as
// markdown-it does, where one ~ is text; link cards give up quickly without
// a network (reach.go).
//
// Problems (an invalid embed argument, an unknown embed, an unclosed
// container) are reported to the document's diag list as warnings with the
// file's line and column; the page still builds and shows what went wrong.
//
// Use:
//
//	z := zenn.New(zenn.WithCardCacheDir(".kiji/cache/cards"))
//	md := goldmark.New(goldmark.WithExtensions(extension.GFM, extension.Footnote, z))
package zenn

import (
	"net/http"
	"time"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/util"
)

// Extender is the Zenn extension. Create it with New; it is safe for
// concurrent use, and one Extender should serve a whole build so that every
// link card URL is fetched at most once.
type Extender struct {
	cfg   config
	cards *cardStore
}

// config is the extension's settings; New sets the defaults and the build
// changes only cacheDir and offline (the tests set more, options_test.go).
type config struct {
	cacheDir    string
	offline     bool
	client      *http.Client  // fetches card pages (nil: a client of its own)
	timeout     time.Duration // for one card fetch, redirects and body included
	maxBytes    int64         // of a card page read
	concurrency int           // card fetches in flight
	userAgent   string        // of card fetches
	figmaHost   string        // the embed-host parameter Figma requires on embedded files
	noBareURLs  bool          // keep bare URLs as ordinary links, not cards
	connect     time.Duration // to connect (DNS and TLS included); an unreachable host is not tried again in the build
	budget      time.Duration // for all fetches of one build; cards not fetched by then are plain until the next build
	retryAfter  time.Duration // a page that could not be reached is not fetched again before
}

// An Option configures the extension.
type Option func(*config)

// WithCardCacheDir keeps fetched link-card data in dir, one JSON file per
// URL, so later builds neither refetch nor change: the cache makes builds
// deterministic. Delete a file (or the directory) to refresh cards. Without
// it, cards are cached in memory for the life of the Extender only.
func WithCardCacheDir(dir string) Option { return func(c *config) { c.cacheDir = dir } }

// WithOffline never touches the network: cards come from the cache or are
// plain cards showing the URL's host and path.
func WithOffline(offline bool) Option { return func(c *config) { c.offline = offline } }

// New returns the extension.
func New(opts ...Option) *Extender {
	c := config{
		timeout:     5 * time.Second,
		maxBytes:    1 << 20,
		concurrency: 8,
		userAgent:   "kiji-linkcard/1.0 (static site generator; +https://github.com/kiji-ssg/kiji)",
		figmaHost:   "kiji",
		connect:     2 * time.Second,
		budget:      20 * time.Second,
		retryAfter:  24 * time.Hour,
	}
	for _, o := range opts {
		o(&c)
	}
	if c.timeout <= 0 {
		c.timeout = 5 * time.Second
	}
	if c.concurrency <= 0 {
		c.concurrency = 1
	}
	return &Extender{cfg: c, cards: newCardStore(c)}
}

// Extend implements goldmark.Extender.
func (e *Extender) Extend(m goldmark.Markdown) {
	m.Parser().AddOptions(
		parser.WithBlockParsers(
			util.Prioritized(&containerParser{}, 90),
			util.Prioritized(&embedParser{e: e}, 90),
		),
		parser.WithInlineParsers(
			// Before goldmark's footnote (101) and link (200) parsers.
			util.Prioritized(&imageSizeParser{}, 90),
			util.Prioritized(&inlineFootnoteParser{}, 95),
		),
		// After goldmark's footnote transformer (999), which numbers [^a].
		parser.WithASTTransformers(util.Prioritized(&transformer{e: e}, 1000)),
		// Before kiji's own reading of links and images (10).
		parser.WithASTTransformers(util.Prioritized(linkTargets{}, 5)),
	)
	m.Renderer().AddOptions(renderer.WithNodeRenderers(util.Prioritized(&htmlRenderer{e: e}, 500)))
}

// Prefetch starts fetching link cards for urls in the background (it does
// not wait). Cards found while parsing are started anyway; Prefetch lets a
// build start every card of the site before converting any page.
func (e *Extender) Prefetch(urls ...string) {
	for _, u := range urls {
		if isHTTPURL(u) {
			e.cards.start(u)
		}
	}
}

// CardStats counts what the link cards of this Extender cost.
type CardStats struct {
	Fetched   int // fetched over the network, successfully
	FromCache int // read from the on-disk cache
	Failed    int // fetch failed (network, timeout, HTTP error): a plain card was shown
	Plain     int // offline or not an HTML page: a plain card was shown
}

// CardStats reports the link-card counters so far.
func (e *Extender) CardStats() CardStats { return e.cards.statsSnapshot() }

// CardTrouble says in one line why link cards built since the last call
// are plain because their pages could not be reached (the network down, a
// host not answering, the fetch budget spent), with what to do; "" when
// there was no such trouble. A build reports it once, as a warning.
func (e *Extender) CardTrouble() string { return e.cards.trouble() }
