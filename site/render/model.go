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
	ArchiveURL  string
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
	// Pager links the pages of a list split in pages (nil: one page).
	Pager *Pager
	// Archive pages.
	Archive *ArchiveView
}

// Pager is where a list page stands among its list's pages.
type Pager struct {
	Number, Total int    // this page, 1-based; how many
	Prev, Next    string // URLs of the pages before and after ("" at the ends)
	Links         []PagerLink
}

// PagerLink is one numbered link of a pager: the first and last pages and
// those around the current one; Gap stands for the pages left out.
type PagerLink struct {
	Number  int
	URL     string
	Current bool
	Gap     bool
}

// ArchiveView is the archive: every year with the number of articles of
// each month (Years, on the archive's first page), or one year with its
// articles by month (Year, on that year's page).
type ArchiveView struct {
	Years []*ArchiveYear
	Year  *ArchiveYear
}

// ArchiveYear is a year of the archive.
type ArchiveYear struct {
	Year   int
	URL    string
	Count  int
	Months []*ArchiveMonth
}

// ArchiveMonth is a month of the archive; Articles are listed on the
// year's page only.
type ArchiveMonth struct {
	Month    int
	ID       string // "2024-05", the anchor on the year's page
	Name     string // "2024年5月", "May 2024"
	URL      string // the year's page with the anchor
	Count    int
	Articles []*Summary
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
	// DateText is the day the book was published ("" when unknown),
	// DateISO the same for a datetime attribute, as on article cards.
	DateText, DateISO string
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
