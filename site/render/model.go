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
}

// Page is the data of one rendered page.
type Page struct {
	Site        *Site
	Title       string // page title (empty on the home page)
	Description string
	Canonical   string
	Image       string // absolute URL of the sharing image
	Styles      []string
	Scripts     []template.HTML

	// Article pages.
	Article *ArticleView
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
	Topics   []*TopicLink
	Draft    bool
}

// TOCEntry is a line of the table of contents.
type TOCEntry struct {
	Level int
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
}
