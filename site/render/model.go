package render

import "html/template"

// Site is what every page knows about the site.
type Site struct {
	Title       string
	Description string
	Author      string
	Lang        string
	BaseURL     string // absolute, with a trailing slash; may be empty
	BasePath    string // "/" or "/repo/"
	Home        string
	TopicsURL   string
	BooksURL    string
	FeedURL     string
	HasBooks    bool
	SearchURL   string // the search page; "" when search is off
}

// Page is the data of one rendered page.
type Page struct {
	Site        *Site
	Title       string // page title (empty on the home page)
	Description string
	Canonical   string
	Image       string // absolute URL of the sharing image
	FeedURL     string // the page's own Atom feed (topic pages), besides the site's
	Styles      []string
	Scripts     []template.HTML

	// Article pages.
	Article *ArticleView
	// Book pages (Book) and chapter pages (Chapter).
	Book    *BookView
	Chapter *ChapterView
	// List pages.
	Heading  string
	Intro    string
	Articles []*Summary
	Books    []*BookSummary
	Topics   []*TopicLink
}

// ArticleView is an article page's content.
type ArticleView struct {
	Summary
	Body      template.HTML
	TOC       []TOCEntry
	TypeLabel string
	Prev      *Summary
	Next      *Summary
}

// Summary is an article in a list.
type Summary struct {
	URL      string
	Title    string
	Emoji    string
	DateText string // as written in the front matter
	DateISO  string
	Minutes  int
	// ReadingTime is Minutes in words ("約3分で読めます"), precomputed so
	// lists of thousands of articles render fast.
	ReadingTime string
	Topics      []*TopicLink
	Draft       bool
	// Card is the article's entry in lists, rendered once from the
	// theme's "card" template (see Theme.Card), when the theme has one:
	// a site of ten thousand articles lists each on the home page and on
	// each of its topics' pages.
	Card template.HTML `json:"-"`
}

// CardData is what the "card" template is given: the site and one article.
type CardData struct {
	Site *Site
	*Summary
}

// TOCEntry is a line of the table of contents.
type TOCEntry struct {
	Level int
	Depth int // below the shallowest level listed: 0, 1, 2
	ID    string
	Text  string
}

// TopicLink is a topic with its URL and number of pages.
type TopicLink struct {
	URL   string
	Name  string
	Count int
}

// BookSummary is a book in a list.
type BookSummary struct {
	URL      string
	Title    string
	Chapters int

	Summary string
	// Cover is the URL of the cover image ("" without one), with its size
	// in pixels when known.
	Cover                   string
	CoverWidth, CoverHeight int
	Topics                  []*TopicLink
	Draft                   bool
}

// BookView is a book's page: the book and its table of contents.
type BookView struct {
	BookSummary
	Contents []*ChapterLink
}

// ChapterLink is a chapter in a book's table of contents or a prev/next
// link.
type ChapterLink struct {
	URL    string
	Number int // 1-based
	Title  string
}

// ChapterView is a chapter's page.
type ChapterView struct {
	Book    *BookSummary
	Number  int
	Title   string
	Body    template.HTML
	TOC     []TOCEntry
	Minutes int
	Draft   bool
	Prev    *ChapterLink
	Next    *ChapterLink
}
