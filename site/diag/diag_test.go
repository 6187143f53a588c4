package diag

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestPos(t *testing.T) {
	d := &Doc{Src: []byte("ab\nあいう\n\nx")}
	for _, tc := range []struct {
		name      string
		off       int
		line, col int
	}{
		{"start", 0, 1, 1},
		{"end of line 1", 2, 1, 3},
		{"line 2 start", 3, 2, 1},
		{"after two kana", 3 + 6, 2, 3},
		{"empty line", 13, 3, 1},
		{"last", 14, 4, 1},
		{"past end", 99, 4, 2},
		{"negative", -5, 1, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l, c := d.Pos(tc.off)
			if l != tc.line || c != tc.col {
				t.Errorf("Pos(%d) = %d:%d, want %d:%d", tc.off, l, c, tc.line, tc.col)
			}
		})
	}
}

func TestListSortedAndErr(t *testing.T) {
	var l List
	if l.Err() != nil {
		t.Fatal("empty list has an error")
	}
	l.Warnf("b.md", 1, 0, "w")
	if l.Err() != nil {
		t.Fatal("warnings alone must not fail")
	}
	l.Errorf("b.md", 3, 2, "second")
	l.Errorf("a.md", 10, 0, "first")
	l.Errorf("a.md", 10, 0, "first") // duplicate
	err := l.Err()
	if err == nil {
		t.Fatal("no error")
	}
	want := "a.md:10: first\nb.md:1: warning: w\nb.md:3:2: second\n2 error(s)"
	if diff := cmp.Diff(want, err.Error()); diff != "" {
		t.Errorf("(-want +got)\n%s", diff)
	}
	if _, ok := AsErrors(err); !ok {
		t.Error("AsErrors failed")
	}
	if e, w := l.Count(); e != 2 || w != 1 {
		t.Errorf("Count = %d, %d", e, w)
	}
	if !strings.Contains(Problem{File: "f", Msg: "m"}.Error(), "f: m") {
		t.Error("file-level problem format")
	}
}
