package content

import (
	"io/fs"
	"time"

	"github.com/kiji-ssg/kiji/site/diag"
)

// Book is a Zenn book: books/<slug>/config.yaml and its chapters.
type Book struct {
	Slug     string
	Dir      string // path in the content fs, e.g. books/my-book
	File     string // config file as the user knows it
	Title    string
	Summary  string
	Topics   []string
	Date     time.Time
	Chapters []*Chapter
}

// Chapter is one chapter of a book.
type Chapter struct {
	Book  *Book
	Path  string
	File  string
	Slug  string
	Title string
	Body  []byte
	Hash  [32]byte
}

func (s *Site) loadBooks(fsys fs.FS, l *diag.List) {}
