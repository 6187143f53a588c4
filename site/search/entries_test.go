package search

import (
	"encoding/binary"
	"fmt"
	"html"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// referenceEntries is a page's entries by group as the tokenizer must
// encode them, made the plain way: Text, tokenize, and maps.
func referenceEntries(d Doc, opts Options, shards, groups int) [][]byte {
	var keys []string
	ids := map[string]int{}
	var flags []byte
	var pos [][]uint32
	p := uint32(0)
	for _, b := range Text(d, opts) {
		flag := map[Field]byte{Title: inTitle, Heading: inHeading, Body: inBody}[b.Field]
		p = max(p, map[Field]uint32{Title: 0, Heading: HeadingBase, Body: BodyBase}[b.Field])
		var toks []token
		toks, p = tokenize(b.Text, p, nil)
		p++
		for _, t := range toks {
			id, ok := ids[t.key]
			if !ok {
				id = len(keys)
				ids[t.key] = id
				keys, flags, pos = append(keys, t.key), append(flags, 0), append(pos, nil)
			}
			flags[id] |= flag
			pos[id] = append(pos[id], t.pos)
		}
	}
	parts := make([][]byte, groups)
	var chars []string
	counts := map[string]*uni{}
	for id, k := range keys {
		if r, n := utf8.DecodeRuneInString(k); IsCJK(r) {
			c := k[:n]
			if counts[c] == nil {
				chars, counts[c] = append(chars, c), &uni{}
			}
			counts[c].flags |= flags[id]
			counts[c].count += len(pos[id])
		}
		var deltas []byte
		last := uint32(0)
		for _, q := range pos[id] {
			deltas, last = binary.AppendUvarint(deltas, uint64(q-last)), q
		}
		g := Shard(ShardKey(k), shards) % groups
		parts[g] = appendBytes(parts[g], []byte(k))
		parts[g] = appendBytes(append(parts[g], flags[id]), deltas)
	}
	for _, c := range chars {
		g := Shard(c, shards) % groups
		parts[g] = append(appendBytes(parts[g], []byte(c)), counts[c].flags|unigram)
		parts[g] = binary.AppendUvarint(parts[g], uint64(counts[c].count))
	}
	return parts
}

// TestEntriesAsReference checks the tokenizer (one reused, as the build
// does) against referenceEntries, page after page.
func TestEntriesAsReference(t *testing.T) {
	long := strings.Repeat("supercalifragilistic ", 3) + strings.Repeat("語", 3000) // past the table's first size
	var many strings.Builder                                                       // past the key table's first size: it grows, then shrinks for the next pages
	for i := range 3000 {
		fmt.Fprintf(&many, "w%d longword%d 字%c ", i, i, rune(0x4E00+i))
	}
	docs := append([]Doc{{URL: "many/", Body: []byte("<p>" + many.String() + "</p>")}}, siteDocs(20)...)
	docs = append(docs, testDocs...)
	docs = append(docs,
		Doc{URL: "empty/", Body: nil},
		Doc{URL: "topics/", Title: "  ", Topics: []string{"", "Go", "ＡＷＳ"}, Body: []byte("<p>x</p>")},
		Doc{URL: "long/", Title: "Kubernetes運用", Body: []byte("<h2>見出し&amp;Ｋ８ｓ</h2><p>" + long + "</p><pre>func main() {}</pre>")},
		Doc{URL: "marks/", Title: "Café ｶﾀｶﾅ", Body: []byte("<p>école ①Ⅳ㌔ 日本　語 e\u0301 \xff</p>")},
		Doc{URL: "far/", Title: "𠮷野家", Body: []byte("<p>𠮷野家の𠮷と吉、𠀋𠮷</p><h2>𠮷</h2>")}, // CJK past the BMP: charTable.far
		Doc{URL: "refs/", Body: []byte("<p>a &amp;&lt;b&gt; &quot;c&#39; &#34;d&amp;lt;</p><p>&hellip; &amp &copy;x&amp;</p>")},
	)
	for _, code := range []bool{true, false} {
		tz := newTokenizer()
		for _, d := range docs {
			t.Run(fmt.Sprintf("%s code=%v", d.URL, code), func(t *testing.T) {
				const shards, groups = 64, 8
				tz.reset(groups)
				tz.read(d, Options{Code: code})
				tz.encode(shards, groups)
				want := referenceEntries(d, Options{Code: code}, shards, groups)
				for g := range groups {
					if diff := cmp.Diff(want[g], tz.parts[g], cmpopts.EquateEmpty()); diff != "" {
						t.Errorf("group %d (-want +got):\n%s", g, diff)
					}
				}
			})
		}
	}
}

// FuzzEntries checks the tokenizer against referenceEntries on any page.
func FuzzEntries(f *testing.F) {
	f.Add("コンテナの運用", "<p>本番でコンテナの運用を始める。</p><h2>監視</h2>", "go")
	f.Add("Go", "<p>a<script>x</script>b<!-- c --><pre>日本語</pre></p>", "")
	f.Add("", "<p aria-hidden='true'>隠れ<p>見える<br>日本　語", "ＡＷＳ")
	f.Fuzz(func(t *testing.T, title, body, topic string) {
		d := Doc{URL: "a/", Title: title, Topics: []string{topic}, Body: []byte(body)}
		tz := newTokenizer()
		for range 2 { // a reused tokenizer as a new one
			tz.reset(4)
			tz.read(d, Options{Code: true})
			tz.encode(16, 4)
			want := referenceEntries(d, Options{Code: true}, 16, 4)
			for g := range 4 {
				if diff := cmp.Diff(want[g], tz.parts[g], cmpopts.EquateEmpty()); diff != "" {
					t.Fatalf("group %d (-want +got):\n%s", g, diff)
				}
			}
		}
	})
}

func TestKeyTable(t *testing.T) {
	kt := newKeyTable()
	for _, tc := range []struct {
		name string
		keys []string
	}{
		{"short and long keys", []string{"go", "日本", "go", "kubernetes", "日本", "kubernetes", "語$", "kubernetez"}},
		{"keys that share 8 bytes", []string{"abcdefgh", "abcdefghi", "abcdefgh", "abcdefghij", "abcdefghi"}},
		{"after a reset, the same keys from 0", []string{"kubernetes", "go"}},
		{"many keys: the table grows", func() (ks []string) {
			for i := range 5000 {
				ks = append(ks, fmt.Sprint(i), fmt.Sprint("key number ", i))
			}
			return append(ks, ks...)
		}()},
		{"then shrinks", []string{"a", "b", "a"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			kt.reset()
			var want, got []int32
			var wantKeys, gotKeys []string
			seen := map[string]int32{}
			for _, k := range tc.keys {
				if _, ok := seen[k]; !ok {
					seen[k] = int32(len(seen))
					wantKeys = append(wantKeys, k)
				}
				want = append(want, seen[k])
				got = append(got, kt.id([]byte(k)))
			}
			for i := range kt.len() {
				gotKeys = append(gotKeys, string(kt.key(int32(i))))
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("ids (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(wantKeys, gotKeys); diff != "" {
				t.Errorf("keys (-want +got):\n%s", diff)
			}
		})
	}
}

// TestTokenizerAllocates checks that a reused tokenizer reads and encodes
// a page (with the character references a renderer writes) allocating
// nothing.
func TestTokenizerAllocates(t *testing.T) {
	body := append([]byte("<p>a &amp;&lt;b&gt; &quot;c&#39;</p>"), benchPage...)
	d := Doc{URL: "articles/x/", Title: "Next.js で始める Helm 運用", Topics: []string{"aws", "go"}, Body: body}
	tz := newTokenizer()
	got := testing.AllocsPerRun(5, func() {
		tz.reset(8)
		tz.read(d, Options{Code: true})
		tz.encode(64, 8)
	})
	if got != 0 {
		t.Errorf("%v allocations a page, want 0", got)
	}
}

// FuzzUnescape checks appendUnescaped against html.UnescapeString
// whenever it decodes (it must decode the renderer's references).
func FuzzUnescape(f *testing.F) {
	f.Add("a &amp;&lt;b&gt; &quot;c&#39; &#34;d&amp;lt;")
	f.Add("&hellip; &amp &copy;x&amp;")
	f.Add("no reference")
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := appendUnescaped([]byte("x"), []byte(s))
		if !ok {
			if string(got) != "x" {
				t.Errorf("appendUnescaped(%q) failed but changed dst: %q", s, got)
			}
			if !strings.Contains(s, "&") {
				t.Errorf("appendUnescaped(%q) failed with no reference", s)
			}
			return
		}
		if want := "x" + html.UnescapeString(s); string(got) != want {
			t.Errorf("appendUnescaped(%q) = %q, want %q", s, got, want)
		}
	})
}
