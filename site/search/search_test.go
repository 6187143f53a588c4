package search

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"slices"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/text/unicode/norm"
)

func TestNormalize(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"full-width letters and digits", "ＡＷＳ　Ｌａｍｂｄａ２０２４", "aws lambda2024"},
		{"half-width katakana", "ｺﾝﾃﾅ", "コンテナ"},
		{"hiragana and katakana stay apart", "こんてな コンテナ", "こんてな コンテナ"},
		{"upper case", "Kubernetes GO", "kubernetes go"},
		{"white space folded and trimmed", "  a \n\t b  ", "a b"},
		{"compatibility forms", "①Ⅳ㌔", "1ivキロ"},
		{"non-ASCII case", "ÉCOLE Straße", "école straße"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Normalize(tc.in); got != tc.want {
				t.Errorf("Normalize(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestTokenize(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		want     []token
	}{
		{"a CJK run: one bigram a character, the last one ends the run", "日本語", []token{{"日本", 0}, {"本語", 1}, {"語$", 2}}},
		{"a word then CJK", "goのコード", []token{{"go", 0}, {"のコ", 1}, {"コー", 2}, {"ード", 3}, {"ド$", 4}}},
		{"a run of punctuation and space takes one position", "foo, bar.baz", []token{{"foo", 0}, {"bar", 2}, {"baz", 4}}},
		{"CJK punctuation is part of the run", "運用、監視", []token{{"運用", 0}, {"用、", 1}, {"、監", 2}, {"監視", 3}, {"視$", 4}}},
		{"a space ends a run and takes a position", "日本 語", []token{{"日本", 0}, {"本$", 1}, {"語$", 3}}},
		{"digits and marks in words", "k8s café", []token{{"k8s", 0}, {"café", 2}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, _ := tokenize(Normalize(tc.in), 0, nil)
			if diff := cmp.Diff(tc.want, got, cmp.AllowUnexported(token{})); diff != "" {
				t.Errorf("tokenize(%q) (-want +got):\n%s", tc.in, diff)
			}
		})
	}
}

func TestBlocks(t *testing.T) {
	for _, tc := range []struct {
		name, html string
		code       bool
		want       []Block
	}{
		{"paragraphs and headings", `<h2 id="a">監視の<a href="#a" aria-hidden="true">#</a>設計</h2><p>本文<code>go</code>lang です</p>`, true,
			[]Block{{Heading, "監視の設計"}, {Body, "本文golang です"}}},
		{"list items are blocks", `<ul><li>一つ</li><li>二つ</li></ul>`, true, []Block{{Body, "一つ"}, {Body, "二つ"}}},
		{"scripts, styles, svg and math left out", `<p>a<script>var x</script><style>p{}</style><svg><text>t</text></svg><math><mi>x</mi></math>b</p>`, true,
			[]Block{{Body, "ab"}}},
		{"nested hidden elements", `<p>見える<span aria-hidden="true"><span>隠れ</span>る</span>文</p>`, true, []Block{{Body, "見える文"}}},
		{"code kept", `<pre><code>func main() {}</code></pre>`, true, []Block{{Body, "func main() {}"}}},
		{"code left out", `<p>x</p><pre><code>func main() {}</code></pre><p>y</p>`, false, []Block{{Body, "x"}, {Body, "y"}}},
		{"entities decoded and width folded", `<p>A&amp;B ＡＷＳ</p>`, true, []Block{{Body, "a&b aws"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, Blocks([]byte(tc.html), tc.code)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// index is a written index read back, with a reference evaluator of
// phrase queries over it (what search.js does, without the ranking).
type index struct {
	meta   Meta
	shards map[int]map[string][2]any
	pos    map[int][]byte // by group
	docs   []string
}

// memSink is an output folder in memory.
type memSink struct {
	mu      sync.Mutex
	files   map[string][]byte
	written []string
}

func (m *memSink) Write(p string, data []byte) (string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.files == nil {
		m.files = map[string][]byte{}
	}
	m.files[p] = slices.Clone(data)
	m.written = append(m.written, p)
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:]), nil
}

func (m *memSink) Keep(p, hash string) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	b, ok := m.files[p]
	sum := sha256.Sum256(b)
	return ok && hex.EncodeToString(sum[:]) == hash
}

func (m *memSink) Release(string) {} // (Keep claims nothing)

func readIndex(t *testing.T, byPath map[string][]byte) *index {
	t.Helper()
	ix := &index{shards: map[int]map[string][2]any{}, pos: map[int][]byte{}}
	if err := json.Unmarshal(byPath["search/meta.json"], &ix.meta); err != nil {
		t.Fatal(err)
	}
	for g, dir := range ix.meta.G {
		if dir != "" {
			ix.pos[g] = byPath["search/g/"+dir+"/pos.bin"]
		}
	}
	for i := 0; i < ix.meta.Shards; i++ {
		var s map[string][2]any
		if b, ok := byPath["search/g/"+ix.meta.G[i%ix.meta.Groups]+"/"+itoa(i)+".json"]; ok {
			if err := json.Unmarshal(b, &s); err != nil {
				t.Fatal(err)
			}
		}
		ix.shards[i] = s
	}
	for _, name := range ix.meta.D {
		var block [][]any
		if err := json.Unmarshal(byPath["search/d/"+name+".json"], &block); err != nil {
			t.Fatal(err)
		}
		for _, d := range block {
			ix.docs = append(ix.docs, d[0].(string))
		}
	}
	if len(ix.docs) != ix.meta.Pages {
		t.Fatalf("meta.json says %d pages, the docs files list %d", ix.meta.Pages, len(ix.docs))
	}
	return ix
}

func itoa(i int) string { b, _ := json.Marshal(i); return string(b) }

// postings returns a key's pages and, for each, its positions.
func (ix *index) postings(key string) map[int][]uint32 {
	n := Shard(ShardKey(key), ix.meta.Shards)
	e, ok := ix.shards[n][key]
	if !ok {
		return nil
	}
	pos := ix.pos[n%ix.meta.Groups]
	raw, _ := base64.RawStdEncoding.DecodeString(e[1].(string))
	off := int(e[0].(float64))
	out := map[int][]uint32{}
	page := -1
	for len(raw) > 0 {
		d, n := binary.Uvarint(raw)
		raw = raw[n:]
		v, m := binary.Uvarint(raw)
		raw = raw[m:]
		page += int(d)
		l := int(v >> 3)
		var ps []uint32
		if off >= 0 {
			b := pos[off : off+l]
			p := uint32(0)
			for len(b) > 0 {
				x, k := binary.Uvarint(b)
				b = b[k:]
				p += uint32(x)
				ps = append(ps, p)
			}
			off += l
		}
		out[page] = ps
	}
	return out
}

// phrase returns the pages holding a CJK phrase of two or more
// characters: every bigram at consecutive positions.
func (ix *index) phrase(q string) []string {
	toks, _ := tokenize(q, 0, nil)
	toks = toks[:len(toks)-1] // the last character's run end: the text may go on
	// As search.js does: every other bigram and the last one cover the
	// phrase (tokens at consecutive positions are adjacent in the text).
	var cover []token
	for i, tk := range toks {
		if i%2 == 0 || i == len(toks)-1 {
			cover = append(cover, tk)
		}
	}
	toks = cover
	first := ix.postings(toks[0].key)
	var out []string
	for page, starts := range first {
		for _, s := range starts {
			ok := true
			for _, tk := range toks[1:] {
				ps := ix.postings(tk.key)[page]
				if !contains(ps, s+tk.pos) {
					ok = false
					break
				}
			}
			if ok {
				out = append(out, ix.docs[page])
				break
			}
		}
	}
	return sortedStrings(out)
}

func contains(ps []uint32, p uint32) bool {
	for _, x := range ps {
		if x == p {
			return true
		}
	}
	return false
}

func sortedStrings(s []string) []string {
	for i := range s {
		for j := i + 1; j < len(s); j++ {
			if s[j] < s[i] {
				s[i], s[j] = s[j], s[i]
			}
		}
	}
	return s
}

var testDocs = []Doc{
	{URL: "articles/ops/", Title: "コンテナの運用", Topics: []string{"docker"}, Body: []byte(`<p>本番でコンテナの運用を始める。</p><h2>監視</h2><p>CloudWatch で監視します。</p>`)},
	{URL: "articles/apart/", Title: "運用ガイド", Body: []byte(`<p>コンテナは便利です。本番の運用では監視が大切。</p><p>コントロールプレーンは管理しません。</p>`)},
	{URL: "articles/kana/", Title: "かな", Body: []byte(`<p>こんてなとコンテナ。東京都と京都。</p><p>よい。<br>結論です。</p>`)},
}

func writeTestIndex(t *testing.T, docs []Doc) *index {
	t.Helper()
	ix := NewIndex(Config{Options: Options{Code: true}, Pages: len(docs)}, false)
	for _, d := range docs {
		if err := ix.AddDoc(d); err != nil {
			t.Fatal(err)
		}
	}
	var out memSink
	if _, err := ix.Write(&out); err != nil {
		t.Fatal(err)
	}
	return readIndex(t, out.files)
}

func TestPhraseMatching(t *testing.T) {
	ix := writeTestIndex(t, testDocs)
	for _, tc := range []struct {
		name, q string
		want    []string
	}{
		{"the phrase where it is whole", "コンテナの運用", []string{"articles/ops/"}},
		{"its words apart do not match", "プレーンの管理", nil},
		{"a two-character query", "運用", []string{"articles/apart/", "articles/ops/"}},
		{"katakana does not find hiragana", "コンテナ", []string{"articles/apart/", "articles/kana/", "articles/ops/"}},
		{"hiragana does not find katakana", "こんてな", []string{"articles/kana/"}},
		{"京都 is in 東京都 too", "京都", []string{"articles/kana/"}},
		{"across a block boundary: no", "運用監視", nil},
		{"CJK punctuation is text", "運用を始める。", []string{"articles/ops/"}},
		{"a space between is not nothing", "い。結論", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, ix.phrase(Normalize(tc.q))); diff != "" {
				t.Errorf("%q (-want +got):\n%s", tc.q, diff)
			}
		})
	}
}

func TestFieldsAndDeterminism(t *testing.T) {
	a := writeTestIndex(t, testDocs)
	b := writeTestIndex(t, []Doc{testDocs[2], testDocs[0], testDocs[1]})
	if diff := cmp.Diff(a.meta, b.meta); diff != "" {
		t.Errorf("the same pages added in another order give another index (-a +b):\n%s", diff)
	}
	// ops: 運用 in the title (position < HeadingBase), 監視 in a heading and the body.
	ops := 1 // pages in URL order: apart, kana, ops
	if got := a.docs; !strings.HasSuffix(got[2], "ops/") {
		t.Fatalf("pages %v not in URL order", got)
	}
	ops = 2
	if ps := a.postings("運用")[ops]; len(ps) == 0 || ps[0] >= HeadingBase {
		t.Errorf("運用 in ops at %v: want a title position first", ps)
	}
	ps := a.postings("監視")[ops]
	if len(ps) != 2 || ps[0] < HeadingBase || ps[0] >= BodyBase || ps[1] < BodyBase {
		t.Errorf("監視 in ops at %v: want one heading and one body position", ps)
	}
	if ps := a.postings("docker")[ops]; len(ps) != 1 || ps[0] < HeadingBase || ps[0] >= BodyBase {
		t.Errorf("the topic docker at %v: want a heading position", ps)
	}
}

// FuzzTokens indexes any page and checks the promise the index makes: a
// run of CJK characters of the page's text (its first eight) is found as
// a phrase, and the written files read back.
func FuzzTokens(f *testing.F) {
	f.Add("コンテナの運用", "<p>本番でコンテナの運用を始める。</p><h2>監視</h2>")
	f.Add("Go", "<p>a<script>x</script>b<!-- c --><pre>日本語</pre></p>")
	f.Add("", "<p aria-hidden='true'>隠れ<p>見える<br>日本　語")
	f.Add("ｺﾝﾃﾅ", "<svg><svg></svg>運用</svg>運用、監視")
	f.Fuzz(func(t *testing.T, title, body string) {
		d := Doc{URL: "a/", Title: title, Body: []byte(body)}
		ix := writeTestIndex(t, []Doc{d})
		for _, b := range Text(d, Options{Code: true}) {
			rs := []rune(b.Text)
			for i := 0; i < len(rs); {
				if !IsCJK(rs[i]) {
					i++
					continue
				}
				j := i
				for j < len(rs) && IsCJK(rs[j]) {
					j++
				}
				if j-i >= 2 {
					q := string(rs[i:min(j, i+8)])
					if got := ix.phrase(q); len(got) != 1 {
						t.Fatalf("the phrase %q of block %q is not found: %v", q, b.Text, got)
					}
				}
				i = j
			}
		}
	})
}

func FuzzBlocks(f *testing.F) {
	f.Add([]byte(`<h2>見出し</h2><p>本文<code>go</code></p>`), true)
	f.Add([]byte(`<script>if (a < b) {}</script><p>x`), false)
	f.Add([]byte(`<<<>>><a href="x>y">z</a></`), true)
	f.Fuzz(func(t *testing.T, html []byte, code bool) {
		for _, b := range Blocks(html, code) {
			if b.Text == "" || b.Field != Heading && b.Field != Body {
				t.Errorf("block %+v: empty or of no field", b)
			}
		}
	})
}

// TestStableRunes checks the fast path of Normalize: every rune it takes
// for NFKC-stable is, alone and before another such rune.
func TestStableRunes(t *testing.T) {
	for r := rune(0); r <= 0x10FFFF; r++ {
		if !stableRune(r) {
			continue
		}
		for _, s := range []string{string(r), string(r) + "あ", "か" + string(r), string(r) + "ア"} {
			if got := norm.NFKC.String(s); got != s {
				t.Errorf("NFKC(%q) = %q: U+%04X is not stable", s, got, r)
			}
		}
	}
}

// TestDecodeRune: every sequence of up to three bytes decodes as
// utf8.DecodeRune decodes it.
func TestDecodeRune(t *testing.T) {
	var b [3]byte
	for c := range 1 << 24 {
		b[0], b[1], b[2] = byte(c>>16), byte(c>>8), byte(c)
		for n := 1; n <= 3; n++ {
			if n < 3 && c&(1<<(8*(3-n))-1) != 0 {
				continue // shorter inputs: once for each prefix
			}
			r, m := decodeRune(b[:n])
			wr, wm := utf8.DecodeRune(b[:n])
			if r != wr || m != wm {
				t.Fatalf("decodeRune(% x) = %U, %d; utf8.DecodeRune: %U, %d", b[:n], r, m, wr, wm)
			}
		}
	}
	if r, m := decodeRune(nil); r != utf8.RuneError || m != 0 {
		t.Errorf("decodeRune(nil) = %U, %d", r, m)
	}
}
