package search

import (
	"bytes"
	"fmt"
	"maps"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// siteDocs makes n pages of Japanese and English text.
func siteDocs(n int) []Doc {
	words := strings.Fields("コンテナ 運用 監視 設定 東京 京都 デプロイ 本番 環境 変数 クラスタ 認証 ログ 障害 対応 改善")
	latin := strings.Fields("kubernetes terraform lambda cache deploy build rollout metrics")
	rng := rand.New(rand.NewPCG(1, 2))
	var docs []Doc
	for i := range n {
		var b strings.Builder
		for p := range 6 {
			if p == 3 {
				fmt.Fprintf(&b, "<h2>見出し%d</h2>", i)
			}
			b.WriteString("<p>")
			for range 20 {
				b.WriteString(words[rng.IntN(len(words))])
				if rng.IntN(4) == 0 {
					b.WriteString(" " + latin[rng.IntN(len(latin))] + " ")
				}
			}
			b.WriteString("。</p>")
		}
		docs = append(docs, Doc{URL: fmt.Sprintf("articles/a%04d/", i), Title: fmt.Sprintf("記事 %d", i),
			Topics: []string{latin[i%len(latin)]}, Body: []byte(b.String())})
	}
	return docs
}

// outputSink is an output folder across builds: a build's files are what
// it wrote or kept; the others go (as the output's commit removes them).
type outputSink struct {
	memSink
	bmu   sync.Mutex
	build map[string][]byte
}

func (o *outputSink) begin() {
	o.build, o.written = map[string][]byte{}, nil
}

func (o *outputSink) Write(p string, data []byte) (string, error) {
	h, err := o.memSink.Write(p, data)
	o.bmu.Lock()
	o.build[p] = slices.Clone(data) // data is the index's buffer: valid during the call only
	o.bmu.Unlock()
	return h, err
}

func (o *outputSink) Keep(p, hash string) bool {
	if !o.memSink.Keep(p, hash) {
		return false
	}
	o.mu.Lock()
	b := o.files[p]
	o.mu.Unlock()
	o.bmu.Lock()
	o.build[p] = b
	o.bmu.Unlock()
	return true
}

func (o *outputSink) Release(p string) {
	o.bmu.Lock()
	delete(o.build, p)
	o.bmu.Unlock()
}

func (o *outputSink) end() { o.files = maps.Clone(o.build) }

// coldIndex is the index of docs as a first build writes it.
func coldIndex(t *testing.T, docs []Doc) map[string][]byte {
	t.Helper()
	ix := NewIndex(Config{Options: Options{Code: true}, Pages: len(docs), CacheDir: t.TempDir()}, false)
	for _, d := range docs {
		if err := ix.AddDoc(d); err != nil {
			t.Fatal(err)
		}
	}
	var out memSink
	if _, err := ix.Write(&out); err != nil {
		t.Fatal(err)
	}
	ix.Close()
	return out.files
}

// rebuild indexes docs again as a build does: pages in changed are added
// again, the others kept from the cache; the index is told the pages.
func rebuild(t testing.TB, cache, prev string, docs []Doc, changed map[string]bool, out *outputSink) string {
	t.Helper()
	return rebuildTold(t, cache, prev, docs, urlsOf(docs), changed, out)
}

// rebuildTold is rebuild with the index told that the pages are urls.
func rebuildTold(t testing.TB, cache, prev string, docs []Doc, urls []string, changed map[string]bool, out *outputSink) string {
	t.Helper()
	ix := NewIndex(Config{Options: Options{Code: true}, Pages: len(docs), URLs: urls, CacheDir: cache, PrevID: prev}, false)
	out.begin()
	for _, d := range docs {
		if !changed[d.URL] && ix.Has(d.URL) {
			ix.Keep(d.URL)
			continue
		}
		if err := ix.AddDoc(d); err != nil {
			t.Fatal(err)
		}
	}
	id, err := ix.Write(out)
	if err != nil {
		t.Fatal(err)
	}
	ix.Close()
	out.end()
	return id
}

func urlsOf(docs []Doc) []string {
	var urls []string
	for _, d := range docs {
		urls = append(urls, d.URL)
	}
	return urls
}

func groupFilesWritten(written []string) int {
	n := 0
	for _, p := range written {
		if strings.HasPrefix(p, "search/g/") {
			n++
		}
	}
	return n
}

// TestIncrementalIndex edits one page of 300: the index is the one a
// first build makes of the edited pages, only the groups whose entries
// changed are written again, and the cache holds nothing else.
func TestIncrementalIndex(t *testing.T) {
	docs := siteDocs(300)
	cache := t.TempDir()
	out := &outputSink{}
	id := rebuild(t, cache, "", docs, nil, out)
	all := groupFilesWritten(out.written)

	edited := slices.Clone(docs)
	e := &edited[120]
	body := string(e.Body)
	i := strings.Index(body, "運用")
	if i < 0 {
		t.Fatal("the page to edit has no 運用")
	}
	e.Body = []byte(body[:i] + "活用" + body[i+len("運用"):]) // one character: no position moves
	id2 := rebuild(t, cache, id, edited, map[string]bool{e.URL: true}, out)
	if diff := cmp.Diff(coldIndex(t, edited), out.files); diff != "" {
		t.Errorf("the index after the edit is not the one a first build writes (-cold +incremental):\n%s", diff)
	}
	t.Logf("the edit wrote %d of %d group files", groupFilesWritten(out.written), all)
	if n := groupFilesWritten(out.written); n == 0 || n > all/2 {
		t.Errorf("the edit wrote %d of the index's %d group files; want some, at most half", n, all)
	}

	if rebuild(t, cache, id2, edited, nil, out); groupFilesWritten(out.written) != 0 {
		t.Errorf("a build with nothing changed wrote %v", out.written)
	}
	ents, _ := os.ReadDir(cache)
	for _, d := range ents {
		if strings.HasSuffix(d.Name(), ".tmp") {
			t.Errorf("the cache keeps %s", d.Name())
		}
	}

	// A page removed: the index is a first build's.
	fewer := slices.Delete(slices.Clone(edited), 10, 11)
	id3 := rebuild(t, cache, id2, fewer, nil, out)
	if diff := cmp.Diff(coldIndex(t, fewer), out.files); diff != "" {
		t.Errorf("the index after a page went is not the one a first build writes (-cold +incremental):\n%s", diff)
	}

	// A cache that is not the one the state names is not used.
	stale := NewIndex(Config{Options: Options{Code: true}, Pages: len(fewer), CacheDir: cache, PrevID: id}, false)
	if stale.Has(fewer[0].URL) {
		t.Error("a cache of another build is used")
	}
	if fresh := NewIndex(Config{Options: Options{Code: true}, Pages: len(fewer), CacheDir: cache, PrevID: id3}, false); !fresh.Has(fewer[0].URL) {
		t.Error("the cache the state names is not used")
	}
	if _, err := os.Stat(filepath.Join(cache, "search", "index.gob")); err != nil {
		t.Error(err)
	}
}

// TestToldPagesDiffer: a build told pages that are not the ones it adds
// (one never added, one not told; out of order, one twice) writes a first build's index, and
// leaves a cache the next build reads right: its spill files are not
// numbered as the index numbers its pages, so they cannot become the
// cache as they are. A build told nothing works too.
func TestToldPagesDiffer(t *testing.T) {
	docs := siteDocs(200)
	told := append([]string{"articles/never/", docs[9].URL}, urlsOf(docs[1:])...) // out of order, one twice
	cache := t.TempDir()
	out := &outputSink{}
	id := rebuildTold(t, cache, "", docs, told, nil, out)
	if cold := coldIndex(t, docs); !maps.EqualFunc(cold, out.files, bytes.Equal) {
		t.Fatalf("the index is not a first build's (-cold +told):\n%s", cmp.Diff(cold, out.files))
	}
	edited := slices.Clone(docs)
	edited[50].Body = bytes.ReplaceAll(edited[50].Body, []byte("運用"), []byte("活用"))
	for i, changed := range []string{edited[50].URL, edited[0].URL, edited[7].URL} {
		told := urlsOf(edited)
		if i == 2 {
			told = nil // not told: the pages kept outnumber the ones added
			edited[7].Body = bytes.ReplaceAll(edited[7].Body, []byte("監視"), []byte("観察"))
		}
		id = rebuildTold(t, cache, id, edited, told, map[string]bool{changed: true}, out)
		if cold := coldIndex(t, edited); !maps.EqualFunc(cold, out.files, bytes.Equal) {
			t.Fatalf("after %s changed the index is not a first build's (-cold +incremental):\n%s", changed, cmp.Diff(cold, out.files))
		}
	}
}

// TestOnePageSpillsNoFile: a rebuild that adds one page again keeps its
// entries in memory; a spill file for each group (256 at 10,000 pages)
// cost a serve reload more than the page did.
func TestOnePageSpillsNoFile(t *testing.T) {
	docs := siteDocs(300)
	cache := t.TempDir()
	id := rebuild(t, cache, "", docs, nil, &outputSink{})
	ix := NewIndex(Config{Options: Options{Code: true}, Pages: len(docs), CacheDir: cache, PrevID: id}, false)
	defer ix.Close()
	if err := ix.AddDoc(docs[7]); err != nil {
		t.Fatal(err)
	}
	var spilled []string
	ents, _ := os.ReadDir(filepath.Join(cache, "search"))
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), "spill-") {
			spilled = append(spilled, e.Name())
		}
	}
	if len(spilled) > 0 {
		t.Errorf("adding one page made %d spill files (want none): %v", len(spilled), spilled)
	}
}

// BenchmarkRebuildOnePage is the index's part of a rebuild after one
// page of 3,000 changed: the page added again, the others kept, Write.
func BenchmarkRebuildOnePage(b *testing.B) {
	docs := siteDocs(3000)
	cache := b.TempDir()
	out := &outputSink{}
	id := rebuild(b, cache, "", docs, nil, out)
	body := docs[1500].Body
	n := 0
	for b.Loop() {
		n++
		docs[1500].Body = fmt.Appendf(slices.Clip(body), "<p>編集%d</p>", n%2)
		id = rebuild(b, cache, id, docs, map[string]bool{docs[1500].URL: true}, out)
	}
}

// TestRowsKeepGroupsUnread: a page added again with the entries it had
// keeps every group without reading the groups' cache files (the rows
// say so), and edits past fewPatched pages, with the rows file lost or
// damaged on the way, still give the index a first build writes.
func TestRowsKeepGroupsUnread(t *testing.T) {
	docs := siteDocs(300)
	cache := t.TempDir()
	out := &outputSink{}
	id := rebuild(t, cache, "", docs, nil, out)
	dir := filepath.Join(cache, "search")
	groupFiles, _ := filepath.Glob(filepath.Join(dir, "g*.bin"))
	saved := map[string][]byte{}
	for _, f := range groupFiles {
		saved[f], _ = os.ReadFile(f)
		os.Remove(f)
	}
	id = rebuild(t, cache, id, docs, map[string]bool{docs[5].URL: true}, out)
	if n := groupFilesWritten(out.written); n != 0 {
		t.Errorf("a page added again unchanged wrote %d group files", n)
	}
	for f, b := range saved {
		os.WriteFile(f, b, 0o644)
	}
	rng := rand.New(rand.NewPCG(3, 4))
	edited := slices.Clone(docs)
	for i := range fewPatched + 20 {
		e := &edited[(i*37)%len(edited)]
		switch i % 3 {
		case 0:
			e.Body = fmt.Appendf(slices.Clip(e.Body), "<p>追記%d kubernetes%d</p>", rng.IntN(5), i)
		case 1:
			e.Body = e.Body[:len(e.Body)/2]
		default:
			e.Body = bytes.ReplaceAll(e.Body, []byte("運用"), []byte("活用"))
		}
		switch i {
		case 10:
			rowsFile(t, dir, func(f string) { os.Remove(f) })
		case 30:
			rowsFile(t, dir, func(f string) { os.Truncate(f, 100) })
		}
		id = rebuild(t, cache, id, edited, map[string]bool{e.URL: true}, out)
		if i%10 == 0 || i >= fewPatched-2 {
			// maps.EqualFunc first: cmp.Diff of every file takes seconds.
			if cold := coldIndex(t, edited); !maps.EqualFunc(cold, out.files, bytes.Equal) {
				t.Fatalf("after edit %d the index is not a first build's (-cold +incremental):\n%s", i, cmp.Diff(cold, out.files))
			}
		}
	}
}

// rowsFile calls do with the cache's rows file.
func rowsFile(t *testing.T, dir string, do func(string)) {
	t.Helper()
	fs, _ := filepath.Glob(filepath.Join(dir, "rows-*.bin"))
	if len(fs) != 1 {
		t.Fatalf("the cache holds rows files %v; want one", fs)
	}
	do(fs[0])
}

// BenchmarkColdIndex is the index's part of a first build of 2,000
// pages: every page added (tokenised, spilled), then Write.
func BenchmarkColdIndex(b *testing.B) {
	docs := siteDocs(2000)
	for b.Loop() {
		rebuild(b, b.TempDir(), "", docs, nil, &outputSink{})
	}
}
