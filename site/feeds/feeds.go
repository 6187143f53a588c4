// Package feeds writes the files beside a site's pages that feed readers,
// crawlers and hosts look for: Atom feeds, sitemap.xml and robots.txt. It
// knows the formats; which pages and entries go in them is the build's
// choice (package build, "write feeds").
//
//	feed.xml                  Atom feed of the site: the newest articles and books
//	topics/<slug>/feed.xml    Atom feed of each topic
//	sitemap.xml               every published page, with lastmod
//	robots.txt                allows everything, names the sitemap
//
// Atom (RFC 4287). A feed holds its newest Max entries: a feed is fetched
// whole by every subscriber many times a day, and readers keep the entries
// they have seen, so older entries only add bytes; the whole archive is on
// the site and in the sitemap. Entries are ordered by their News time: an
// article's publication, a book's newest change, so a new chapter brings
// its book back to the top with a new <updated> that readers show as an
// update. The feed's own <updated> is its newest entry's, never the build
// time: an unchanged site gives an unchanged feed.
//
// Dates come from the content (published_at, else git, else the file; see
// package content). An entry without a date (none could be known) gets no
// <published>, and the Unix epoch as <updated>, which Atom requires.
//
// Absolute URLs need the site's base URL: without it the build passes
// root-relative ones, which RFC 4287 resolves against the feed's URL but
// some readers, the sitemap protocol and robots.txt do not; the build warns.
// Entry ids are the pages' absolute URLs, or without a base URL a
// name-based UUID (RFC 9562 version 5) of the site's title and the path
// (see ID).
//
// Sitemap (https://www.sitemaps.org/protocol.html): the URLs sorted, each
// with the time its page last changed when known.
package feeds

import (
	"bytes"
	"crypto/sha1"
	"encoding/xml"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Max is how many entries a feed holds: the newest 20, months of a
// personal blog, far more than a reader misses between two polls.
const Max = 20

// Feed is one Atom feed.
type Feed struct {
	Lang, Title, Subtitle string
	Self, Page            string // the feed's URL and its page's
	ID                    string // see ID
	Author                string // required by Atom; empty: the feed's title stands in
	Version               string // of kiji, for <generator>
	Entries               []Entry
}

// Entry is an article or a book in a feed.
type Entry struct {
	Title, URL, ID, Summary string
	Published, Updated      time.Time
	// News orders the entries: newest first (see the package doc).
	News       time.Time
	Categories []Category
}

// Category is a topic of an entry: its URL slug and its name.
type Category struct{ Term, Label string }

type atomFeed struct {
	XMLName   xml.Name      `xml:"http://www.w3.org/2005/Atom feed"`
	Lang      string        `xml:"xml:lang,attr,omitempty"`
	Title     atomText      `xml:"title"`
	Subtitle  *atomText     `xml:"subtitle,omitempty"`
	Links     []atomLink    `xml:"link"`
	ID        string        `xml:"id"`
	Updated   string        `xml:"updated"`
	Author    atomPerson    `xml:"author"`
	Generator atomGenerator `xml:"generator"`
	Entries   []atomEntry   `xml:"entry"`
}

type atomText struct {
	Type string `xml:"type,attr"`
	Text string `xml:",chardata"`
}

type atomLink struct {
	Rel  string `xml:"rel,attr"`
	Type string `xml:"type,attr,omitempty"`
	Href string `xml:"href,attr"`
}

type atomPerson struct {
	Name string `xml:"name"`
}

type atomGenerator struct {
	Version string `xml:"version,attr"`
	Text    string `xml:",chardata"`
}

type atomCategory struct {
	Term  string `xml:"term,attr"`
	Label string `xml:"label,attr,omitempty"`
}

type atomEntry struct {
	Title      atomText       `xml:"title"`
	Links      []atomLink     `xml:"link"`
	ID         string         `xml:"id"`
	Published  string         `xml:"published,omitempty"`
	Updated    string         `xml:"updated"`
	Summary    *atomText      `xml:"summary,omitempty"`
	Categories []atomCategory `xml:"category"`
}

// epoch stands for an unknown date where Atom requires one.
var epoch = time.Unix(0, 0).UTC()

func stamp(t time.Time) string {
	if t.IsZero() {
		t = epoch
	}
	return t.Format(time.RFC3339)
}

// Newest orders entries newest first by News (then by URL, so the order
// never depends on the caller's) and keeps the first Max.
func Newest(es []Entry) []Entry {
	es = slices.Clone(es)
	slices.SortStableFunc(es, func(a, b Entry) int {
		if c := b.News.Compare(a.News); c != 0 {
			return c
		}
		return strings.Compare(a.URL, b.URL)
	})
	return es[:min(len(es), Max)]
}

// Atom writes f as an Atom document, its entries as given.
func Atom(f Feed) ([]byte, error) {
	author := f.Author
	if author == "" {
		author = f.Title
	}
	a := atomFeed{
		Lang:  f.Lang,
		Title: atomText{Type: "text", Text: f.Title},
		Links: []atomLink{
			{Rel: "self", Type: "application/atom+xml", Href: f.Self},
			{Rel: "alternate", Type: "text/html", Href: f.Page},
		},
		ID:        f.ID,
		Author:    atomPerson{Name: author},
		Generator: atomGenerator{Version: f.Version, Text: "kiji"},
	}
	if f.Subtitle != "" {
		a.Subtitle = &atomText{Type: "text", Text: f.Subtitle}
	}
	var newest time.Time
	for _, e := range f.Entries {
		a.Entries = append(a.Entries, entry(e))
		if e.Updated.After(newest) {
			newest = e.Updated
		}
	}
	a.Updated = stamp(newest)
	return marshal(a)
}

func entry(e Entry) atomEntry {
	ae := atomEntry{
		Title:   atomText{Type: "text", Text: e.Title},
		Links:   []atomLink{{Rel: "alternate", Type: "text/html", Href: e.URL}},
		ID:      e.ID,
		Updated: stamp(e.Updated),
	}
	if !e.Published.IsZero() {
		ae.Published = stamp(e.Published)
	}
	if e.Summary != "" {
		ae.Summary = &atomText{Type: "text", Text: e.Summary}
	}
	for _, c := range e.Categories {
		ae.Categories = append(ae.Categories, atomCategory(c))
	}
	return ae
}

// ID returns the permanent id of the page at the URL path p of a site
// without a base URL: there is no host to name, and an Atom id must be an
// absolute IRI, so it is a name-based UUID (RFC 9562 version 5) of the
// site's title and the path: stable from build to build, but it changes
// once base_url is set, so readers would see the entries again — set
// base_url before announcing the feed.
func ID(siteTitle, p string) string {
	// The URL namespace of RFC 9562, appendix A.
	ns := []byte{0x6b, 0xa7, 0xb8, 0x11, 0x9d, 0xad, 0x11, 0xd1, 0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8}
	h := sha1.New()
	h.Write(ns)
	h.Write([]byte("kiji:" + siteTitle + ":" + p))
	u := h.Sum(nil)[:16]
	u[6] = u[6]&0x0f | 0x50
	u[8] = u[8]&0x3f | 0x80
	return fmt.Sprintf("urn:uuid:%x-%x-%x-%x-%x", u[0:4], u[4:6], u[6:8], u[8:10], u[10:16])
}

// URL is a page in the sitemap: its absolute URL and when it last changed
// (zero: unknown, no <lastmod>).
type URL struct {
	Loc     string
	LastMod time.Time
}

// Sitemap writes the sitemap of urls, sorted by URL: the home page first,
// each list before its pages. It writes what encoding/xml's MarshalIndent
// writes of sitemapURLSet, byte for byte, in a tenth of the time (a site's
// sitemap lists every page, and every rebuild that changes a page writes
// it again).
func Sitemap(urls []URL) ([]byte, error) {
	us := slices.Clone(urls)
	slices.SortFunc(us, func(a, b URL) int { return strings.Compare(a.Loc, b.Loc) })
	b := bytes.NewBuffer(make([]byte, 0, 128+len(us)*(len(sitemapURLXML)+40)))
	b.WriteString(xml.Header)
	b.WriteString(`<urlset xmlns="` + sitemapNS + `">`)
	var date []byte
	for _, u := range us {
		b.WriteString("\n  <url>\n    <loc>")
		writeXMLText(b, u.Loc)
		b.WriteString("</loc>")
		if !u.LastMod.IsZero() {
			b.WriteString("\n    <lastmod>")
			date = u.LastMod.AppendFormat(date[:0], time.RFC3339)
			writeXMLText(b, string(date))
			b.WriteString("</lastmod>")
		}
		b.WriteString("\n  </url>")
	}
	if len(us) > 0 {
		b.WriteString("\n")
	}
	b.WriteString("</urlset>\n")
	return b.Bytes(), nil
}

const (
	sitemapNS     = "http://www.sitemaps.org/schemas/sitemap/0.9"
	sitemapURLXML = "\n  <url>\n    <loc></loc>\n    <lastmod></lastmod>\n  </url>"
)

// writeXMLText writes s escaped as encoding/xml escapes text.
func writeXMLText(b *bytes.Buffer, s string) {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7e || strings.IndexByte(`"'&<>`, c) >= 0 {
			xml.EscapeText(b, []byte(s))
			return
		}
	}
	b.WriteString(s)
}

// Robots writes robots.txt: everything allowed, and the sitemap's absolute
// URL when there is one. A site served under a sub-path (basePath other
// than "/") gets a note: crawlers read robots.txt only at the host's root.
func Robots(basePath, sitemap string) []byte {
	var b strings.Builder
	if basePath != "/" && basePath != "" {
		fmt.Fprintf(&b, "# The site is served under %s, but crawlers read robots.txt only at the\n# root of the host: copy these lines there.\n", basePath)
	}
	b.WriteString("User-agent: *\nAllow: /\n")
	if sitemap != "" {
		// Must be absolute; without it crawlers still find /sitemap.xml.
		fmt.Fprintf(&b, "\nSitemap: %s\n", sitemap)
	}
	return []byte(b.String())
}

// marshal writes v as an indented XML document. encoding/xml escapes text
// and replaces characters XML cannot hold.
func marshal(v any) ([]byte, error) {
	b, err := xml.MarshalIndent(v, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("writing XML: %w", err)
	}
	return append([]byte(xml.Header), append(b, '\n')...), nil
}
