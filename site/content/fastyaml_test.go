package content

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// slowFrontMatter is ParseFrontMatter without the fast path.
func slowFrontMatter(yml []byte, firstLine int) (*FrontMatter, error) {
	defer func(old bool) { disableFast = old }(disableFast)
	disableFast = true
	return ParseFrontMatter(yml, firstLine)
}

func checkFastMatchesYAML(t *testing.T, src string) {
	t.Helper()
	got, gerr := ParseFrontMatter([]byte(src), 2)
	want, werr := slowFrontMatter([]byte(src), 2)
	if (gerr == nil) != (werr == nil) || gerr != nil && gerr.Error() != werr.Error() {
		t.Fatalf("errors differ: fast path %v, YAML %v\nsource:\n%s", gerr, werr, src)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("fast path differs from YAML (-yaml +fast):\n%s\nsource:\n%s", diff, src)
	}
}

func TestFastFrontMatter(t *testing.T) {
	for _, tc := range []struct {
		name string
		src  string
		fast bool
	}{
		{"zenn", "title: \"ECS と EKS\" # 記事のタイトル\nemoji: \"🐳\"\ntype: \"tech\" # tech: 技術記事\ntopics: [\"aws\", \"study\"]\npublished: true\n", true},
		{"plain words", "title: hello\ntype: tech\ntopics: [aws, go-lang]\npublished: false\npublished_at: 2024-01-02 09:30\n", true},
		{"empty list", "topics: []\n", true},
		{"timestamps", "date: 2020-03-19T21:23:00+09:00\nd: 2020-03-19T21:23:00.5Z\n", true},
		{"blank and comment lines", "# c\n\ntitle: \"a\"\n", true},
		{"yes stays for YAML", "title: yes\n", false},
		{"number", "price: 500\n", false},
		{"escape", "title: \"a\\\"b\"\n", false},
		{"single quotes", "title: 'a'\n", false},
		{"block list", "topics:\n  - a\n  - b\n", false},
		{"null", "title:\n", false},
		{"duplicate", "title: \"a\"\ntitle: \"b\"\n", false},
		{"hash in string", "title: \"C# と F#\"\n", true},
		{"colon in plain", "title: a: b\n", false},
		{"tab", "title:\t\"a\"\n", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, ok := fastFrontMatter([]byte(tc.src), 2)
			if ok != tc.fast {
				t.Errorf("fast path taken = %v, want %v", ok, tc.fast)
			}
			checkFastMatchesYAML(t, tc.src)
		})
	}
}

// FuzzFastFrontMatter: whenever the fast path answers, its answer is the
// YAML parser's, field for field, position for position.
func FuzzFastFrontMatter(f *testing.F) {
	for _, s := range []string{
		"title: \"ECS と EKS\" # c\nemoji: \"🐳\"\ntopics: [\"aws\", \"study\"]\npublished: true\n",
		"title: hello\ntopics: [aws, go]\npublished_at: 2024-01-02\n",
		"date: 2020-03-19T21:23:00+09:00\n",
		"a: \"#\" #x\n", "a: [ \"x\" ,  y ]\n", "a: b #c\n#d\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		checkFastMatchesYAML(t, s)
	})
}
