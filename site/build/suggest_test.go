package build

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestNearestFile(t *testing.T) {
	li := newLinkIndex()
	for _, f := range []string{
		"articles/bbbbbbbbbbbb/index.html",
		"articles/ecs-vs-eks/index.html",
		"articles/ecs-vs-eks/og.png",
		"books/cdk/13-concepts-context/index.html",
		"books/cdk/04-concepts-stacks/index.html",
		"books/cdk/03-concepts-apps/index.html",
		"images/books/ue5/chap_02_bp-Function/2022-03-05.png",
		"images/a.png",
	} {
		li.addFile(f)
	}
	tests := []struct {
		name, target, want string
		diffs              [][2]string
	}{
		{"one letter off", "articles/bbbbbbbbbbbx/index.html", "articles/bbbbbbbbbbbb/index.html", [][2]string{{"bbbbbbbbbbbx", "bbbbbbbbbbbb"}}},
		{"letter case of a folder", "images/books/ue5/chap_02_bp-function/2022-03-05.png", "images/books/ue5/chap_02_bp-Function/2022-03-05.png", [][2]string{{"chap_02_bp-function", "chap_02_bp-Function"}}},
		{"the last word of a chapter", "books/cdk/context/index.html", "books/cdk/13-concepts-context/index.html", [][2]string{{"context", "13-concepts-context"}}},
		{"a swapped pair", "articles/ecs-vs-eсks/index.html", "articles/ecs-vs-eks/index.html", [][2]string{{"ecs-vs-eсks", "ecs-vs-eks"}}},
		{"nothing near", "articles/completely-different/index.html", "", nil},
		{"short names are not guessed", "images/b.gif", "", nil},
		{"other depth", "articles/bbbbbbbbbbbb/x/index.html", "", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, diffs := li.nearestFile(tc.target)
			if got != tc.want {
				t.Fatalf("nearestFile(%q) = %q, want %q", tc.target, got, tc.want)
			}
			if diff := cmp.Diff(tc.diffs, diffs); diff != "" {
				t.Errorf("diffs (-want +got):\n%s", diff)
			}
		})
	}
}

func TestNearestID(t *testing.T) {
	ids := newIDSet(map[string]bool{"1-見出しタグのマークアップをいじれる場合": true, "physical-names": true, "はじめに": true, "まとめ": true})
	tests := []struct{ frag, want string }{
		{"_1-見出しタグのマークアップをいじれる場合", "1-見出しタグのマークアップをいじれる場合"},
		{"Physical-names", "physical-names"},
		{"はじめ", "はじめに"},
		{"おわりに", ""},
	}
	for _, tc := range tests {
		if got := nearestID(ids, tc.frag); got != tc.want {
			t.Errorf("nearestID(%q) = %q, want %q", tc.frag, got, tc.want)
		}
	}
}

func TestRewrite(t *testing.T) {
	tests := []struct {
		name, written string
		diffs         [][2]string
		want          string
		ok            bool
	}{
		{"sibling", "./bbbbbbbbbbbx#a", [][2]string{{"bbbbbbbbbbbx", "bbbbbbbbbbbb"}}, "./bbbbbbbbbbbb#a", true},
		{"md file", "../articles/bbbbbbbbbbbx.md", [][2]string{{"bbbbbbbbbbbx", "bbbbbbbbbbbb"}}, "../articles/bbbbbbbbbbbb.md", true},
		{"image", "/images/chap_02_bp-function/a.png", [][2]string{{"chap_02_bp-function", "chap_02_bp-Function"}}, "/images/chap_02_bp-Function/a.png", true},
		{"not in the link", "https://zenn.dev/me/articles/x", [][2]string{{"y", "z"}}, "", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := rewrite(tc.written, tc.diffs)
			if got != tc.want || ok != tc.ok {
				t.Errorf("rewrite(%q) = %q, %v; want %q, %v", tc.written, got, ok, tc.want, tc.ok)
			}
		})
	}
}

func TestDistance(t *testing.T) {
	tests := []struct {
		a, b  string
		limit int
		want  int
	}{
		{"kitten", "sitting", 5, 3},
		{"kitten", "sitting", 2, 3},
		{"", "abc", 5, 3},
		{"見出し", "見出", 3, 1},
		{"same", "same", 0, 0},
	}
	for _, tc := range tests {
		if got := distance(tc.a, tc.b, tc.limit); got != tc.want {
			t.Errorf("distance(%q, %q, %d) = %d, want %d", tc.a, tc.b, tc.limit, got, tc.want)
		}
	}
}

// FuzzSuggest: any missing target and any link as written give a
// suggestion that exists, and a rewritten link that keeps its shape (the
// same number of segments, its query and fragment), without a panic.
func FuzzSuggest(f *testing.F) {
	li := newLinkIndex()
	for _, p := range []string{"articles/bbbbbbbbbbbb/index.html", "books/cdk/13-concepts-context/index.html", "images/A.png", "images/x/y.png"} {
		li.addFile(p)
	}
	for _, s := range [][2]string{
		{"articles/bbbbbbbbbbbx/index.html", "./bbbbbbbbbbbx#a"},
		{"books/cdk/context/index.html", "./context?x#y"},
		{"images/a.png", "/images/a.png"},
		{"", ""},
		{"/", "//"},
	} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, target, written string) {
		file, diffs := li.nearestFile(target)
		if file == "" {
			return
		}
		if !li.files[file] {
			t.Fatalf("nearestFile(%q) = %q, which does not exist", target, file)
		}
		got, ok := rewrite(written, diffs)
		if !ok {
			return
		}
		if strings.Count(got, "/") < strings.Count(strings.SplitN(strings.SplitN(written, "#", 2)[0], "?", 2)[0], "/") {
			t.Fatalf("rewrite(%q) = %q lost segments", written, got)
		}
		_, suffix, _ := strings.Cut(written, "#")
		if suffix != "" && !strings.HasSuffix(got, "#"+suffix) {
			t.Fatalf("rewrite(%q) = %q lost its fragment", written, got)
		}
	})
}

func TestIsLocal(t *testing.T) {
	for _, tc := range []struct {
		url  string
		want bool
	}{
		{"/articles/x/", true},
		{"./x", true},
		{"x#y", true},
		{"#y", true},
		{"https://example.com/", false},
		{"mailto:a@example.com", false},
		{"//example.com/x", false},
		{"git+ssh://host/x", false},
		{"(https://example.com)", true}, // a relative URL for a browser
		{"1http://x", true},
		{":x", true},
		{"", false},
	} {
		if got := isLocal(tc.url); got != tc.want {
			t.Errorf("isLocal(%q) = %v, want %v", tc.url, got, tc.want)
		}
	}
}

func TestURLInside(t *testing.T) {
	for _, tc := range []struct{ link, want string }{
		{"(https://sawara.dev)", "https://sawara.dev"},
		{`"https://docs.example.com/a.html"`, "https://docs.example.com/a.html"}, // [x]: "https://…" in a definition
		{"'https://x.y/z'", "https://x.y/z"},
		{"「https://x.y/z」", "https://x.y/z"},
		{`"https://x.y/z`, "https://x.y/z"},
		{"hthttps://x.y/z", "https://x.y/z"},
		{"https://x.y", ""},
		{"./x", ""},
	} {
		if got := urlInside(tc.link); got != tc.want {
			t.Errorf("urlInside(%q) = %q, want %q", tc.link, got, tc.want)
		}
	}
}

func TestUnquoted(t *testing.T) {
	for _, tc := range []struct{ name, link, want string }{
		{"double quotes", `"./error-logging"`, "./error-logging"},
		{"single quotes", "'other'", "other"},
		{"Japanese brackets", "「./x」", "./x"},
		{"one quote only", `"./x`, ""},
		{"nothing inside", `""`, ""},
		{"no quotes", "./x", ""},
	} {
		if got := unquoted(tc.link); got != tc.want {
			t.Errorf("%s: unquoted(%q) = %q, want %q", tc.name, tc.link, got, tc.want)
		}
	}
}

func TestBareHost(t *testing.T) {
	for _, tc := range []struct{ name, link, want string }{
		{"a host", "raspberrypi.org", "https://raspberrypi.org"},
		{"a host and a path", "www.example.com/docs/a.html#x", "https://www.example.com/docs/a.html#x"},
		{"upper case", "GitHub.com", "https://GitHub.com"},
		{"a Markdown file", "other.md", ""},
		{"a script", "run.sh", ""},
		{"an image beside the page", "./og.png", ""},
		{"a relative path", "../articles/x", ""},
		{"a path whose folder has a dot", "v1.2/notes", ""},
		{"no dot", "localhost", ""},
		{"an empty label", "example..com", ""},
		{"not a host name", "作業.com", ""},
	} {
		if got := bareHost(tc.link); got != tc.want {
			t.Errorf("%s: bareHost(%q) = %q, want %q", tc.name, tc.link, got, tc.want)
		}
	}
}
