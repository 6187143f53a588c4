// Package diag collects the problems a build finds in the user's files.
//
// Every stage of kiji reports what is wrong with the input as a Problem that
// names the file, the line and (where known) the column, says what is wrong
// and what to do about it. Problems are collected, never printed: a build
// gathers all of them, sorts them and returns them together, so the author
// sees every problem of a run at once. Only package main prints.
//
// Markdown extensions find the current document through the goldmark parser
// context (see Attach and From) and report with byte offsets into the source;
// Doc turns an offset into a line and a column.
package diag

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/yuin/goldmark/parser"
)

// Severity says whether a problem stops the build.
type Severity int

const (
	// Error is a problem that fails the build: nothing is published.
	Error Severity = iota
	// Warning is printed but the build goes on.
	Warning
)

func (s Severity) String() string {
	if s == Warning {
		return "warning"
	}
	return "error"
}

// A Problem is one thing wrong with the input.
type Problem struct {
	File     string // path as the user knows it, e.g. content/articles/x.md
	Line     int    // 1-based; 0 when the problem is about the whole file
	Col      int    // 1-based, in characters; 0 when unknown
	Severity Severity
	Rule     string // short machine name, e.g. "missing-image"; may be empty
	Msg      string // what is wrong and what to do
}

// Error formats the problem as path:line:col: message.
func (p Problem) Error() string {
	var b strings.Builder
	b.WriteString(p.File)
	if p.Line > 0 {
		fmt.Fprintf(&b, ":%d", p.Line)
		if p.Col > 0 {
			fmt.Fprintf(&b, ":%d", p.Col)
		}
	}
	b.WriteString(": ")
	if p.Severity == Warning {
		b.WriteString("warning: ")
	}
	b.WriteString(p.Msg)
	return b.String()
}

// List is a set of problems. The zero value is ready to use and safe for
// concurrent use through its methods.
type List struct {
	mu       sync.Mutex
	problems []Problem
}

// Add records problems.
func (l *List) Add(ps ...Problem) {
	l.mu.Lock()
	l.problems = append(l.problems, ps...)
	l.mu.Unlock()
}

// Errorf records an error at file:line:col.
func (l *List) Errorf(file string, line, col int, format string, args ...any) {
	l.Add(Problem{File: file, Line: line, Col: col, Severity: Error, Msg: fmt.Sprintf(format, args...)})
}

// Warnf records a warning at file:line:col.
func (l *List) Warnf(file string, line, col int, format string, args ...any) {
	l.Add(Problem{File: file, Line: line, Col: col, Severity: Warning, Msg: fmt.Sprintf(format, args...)})
}

// Sorted returns the problems ordered by file, line, column and message,
// without duplicates.
func (l *List) Sorted() []Problem {
	l.mu.Lock()
	ps := append([]Problem(nil), l.problems...)
	l.mu.Unlock()
	Sort(ps)
	out := ps[:0]
	for i, p := range ps {
		if i > 0 && p == ps[i-1] {
			continue
		}
		out = append(out, p)
	}
	return out
}

// Sort orders problems by file, line, column, then message.
func Sort(ps []Problem) {
	sort.SliceStable(ps, func(i, j int) bool {
		a, b := ps[i], ps[j]
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		if a.Col != b.Col {
			return a.Col < b.Col
		}
		return a.Msg < b.Msg
	})
}

// Count returns the number of errors and warnings.
func (l *List) Count() (errs, warns int) {
	for _, p := range l.Sorted() {
		if p.Severity == Error {
			errs++
		} else {
			warns++
		}
	}
	return errs, warns
}

// Err returns nil when the list holds no errors (warnings do not count),
// and otherwise an error carrying every problem, sorted.
func (l *List) Err() error {
	if e, _ := l.Count(); e == 0 {
		return nil
	}
	return &Errors{Problems: l.Sorted()}
}

// Errors is the error a failed build returns: all its problems, sorted.
type Errors struct{ Problems []Problem }

func (e *Errors) Error() string {
	var b strings.Builder
	n := 0
	for _, p := range e.Problems {
		if p.Severity == Error {
			n++
		}
	}
	for _, p := range e.Problems {
		b.WriteString(p.Error())
		b.WriteByte('\n')
	}
	fmt.Fprintf(&b, "%d error(s)", n)
	return b.String()
}

// AsErrors reports whether err carries build problems and returns them.
func AsErrors(err error) (*Errors, bool) {
	var e *Errors
	ok := errors.As(err, &e)
	return e, ok
}

// Doc is the document being converted: its path, its source (the whole file,
// front matter blanked so offsets and lines match the file) and where its
// problems go.
type Doc struct {
	File string
	Src  []byte
	List *List
	// Ctx is the build's context: extensions doing long work (KaTeX, D2,
	// highlighting, link cards) stop when it is done. Nil: never done.
	Ctx context.Context

	needs      map[string]bool
	lineStarts []int // byte offsets of line starts, built on first use
}

// Context returns d.Ctx, or context.Background() when there is none.
func (d *Doc) Context() context.Context {
	if d == nil || d.Ctx == nil {
		return context.Background()
	}
	return d.Ctx
}

// Pos converts a byte offset in Src into a 1-based line and character column.
func (d *Doc) Pos(offset int) (line, col int) {
	if offset < 0 {
		offset = 0
	}
	if offset > len(d.Src) {
		offset = len(d.Src)
	}
	if d.lineStarts == nil {
		d.lineStarts = []int{0}
		for i, c := range d.Src {
			if c == '\n' {
				d.lineStarts = append(d.lineStarts, i+1)
			}
		}
	}
	// The last line start at or before offset.
	i := sort.SearchInts(d.lineStarts, offset+1) - 1
	start := d.lineStarts[i]
	return i + 1, utf8.RuneCount(d.Src[start:offset]) + 1
}

// Errorf reports an error at a byte offset of the source.
func (d *Doc) Errorf(offset int, format string, args ...any) {
	d.report(offset, Error, format, args...)
}

// Warnf reports a warning at a byte offset of the source.
func (d *Doc) Warnf(offset int, format string, args ...any) {
	d.report(offset, Warning, format, args...)
}

// ErrorAtLine reports an error at a line (1-based) and column (0 = unknown).
func (d *Doc) ErrorAtLine(line, col int, format string, args ...any) {
	if d == nil || d.List == nil {
		return
	}
	d.List.Add(Problem{File: d.File, Line: line, Col: col, Severity: Error, Msg: fmt.Sprintf(format, args...)})
}

func (d *Doc) report(offset int, sev Severity, format string, args ...any) {
	if d == nil || d.List == nil {
		return
	}
	line, col := d.Pos(offset)
	d.List.Add(Problem{File: d.File, Line: line, Col: col, Severity: sev, Msg: fmt.Sprintf(format, args...)})
}

var docKey = parser.NewContextKey()

// Attach stores d in a goldmark parser context so extensions can report.
func Attach(pc parser.Context, d *Doc) { pc.Set(docKey, d) }

// From returns the document attached to pc. It never returns nil: without an
// attached document, problems are dropped (useful in unit tests of a single
// extension that do not look at problems).
func From(pc parser.Context) *Doc {
	if d, ok := pc.Get(docKey).(*Doc); ok && d != nil {
		return d
	}
	return &Doc{}
}

// Need records that the page needs a client-side asset or feature, such as
// "math", "mermaid" or "tweet"; the theme loads those only on pages that need
// them.
func (d *Doc) Need(feature string) {
	if d == nil {
		return
	}
	if d.needs == nil {
		d.needs = map[string]bool{}
	}
	d.needs[feature] = true
}

// Needs reports whether the page needs feature.
func (d *Doc) Needs(feature string) bool { return d != nil && d.needs[feature] }
