package fastchroma

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/alecthomas/chroma/v2"
	"github.com/alecthomas/chroma/v2/lexers"
)

// BenchmarkHalves lexes chroma's samples of Go and TypeScript (and of YAML
// and bash) with chroma's own lexer and with fast lexers using the filter
// alone, the simple matcher alone, and both.
//
//	go test ./site/markdown/code/fastchroma -run '^$' -bench Halves -count 6
func BenchmarkHalves(b *testing.B) {
	dir := filepath.Join(chromaDir(b), "lexers", "testdata")
	for _, lang := range []string{"go", "typescript", "yaml", "bash"} {
		text, err := os.ReadFile(filepath.Join(dir, lang+".actual"))
		if err != nil {
			b.Fatal(err)
		}
		rl := lexers.Get(lang).(*chroma.RegexLexer)
		cases := []struct {
			name string
			l    chroma.Lexer
		}{{"chroma", rl}}
		for _, h := range []struct {
			name string
			h    halves
		}{{"filter", halves{filter: true}}, {"simple", halves{simple: true}}, {"both", both}} {
			f, err := forHalves(rl, h.h)
			if err != nil {
				b.Fatal(err)
			}
			cases = append(cases, struct {
				name string
				l    chroma.Lexer
			}{h.name, f})
		}
		for _, c := range cases {
			b.Run(lang+"/"+c.name, func(b *testing.B) {
				b.SetBytes(int64(len(text)))
				for b.Loop() {
					it, err := c.l.Tokenise(nil, string(text))
					if err != nil {
						b.Fatal(err)
					}
					for t := it(); t != chroma.EOF; t = it() {
					}
				}
			})
		}
	}
}

// corpusBlock is one fenced code block of a benchmark corpus.
type corpusBlock struct {
	lexer *chroma.RegexLexer
	text  string
}

// corpusBlocks reads the distinct fenced code blocks (```lang or
// ```lang:file) of the Markdown files under dir whose language is a chroma
// regexp lexer: what a build highlights (its memo highlights a block seen
// before only once).
func corpusBlocks(b *testing.B, dir string) (blocks []corpusBlock, size int) {
	seen := map[corpusBlock]bool{}
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || filepath.Ext(p) != ".md" {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		var cur *corpusBlock
		var body strings.Builder
		for _, line := range strings.SplitAfter(string(data), "\n") {
			fence := strings.HasPrefix(line, "```")
			switch {
			case cur == nil && fence:
				lang, _, _ := strings.Cut(strings.TrimSpace(line[3:]), ":")
				rl, _ := lexers.Get(lang).(*chroma.RegexLexer)
				cur = &corpusBlock{lexer: rl}
				body.Reset()
			case cur != nil && fence:
				cur.text = body.String()
				if cur.lexer != nil && !seen[*cur] {
					seen[*cur] = true
					blocks = append(blocks, *cur)
					size += len(cur.text)
				}
				cur = nil
			case cur != nil:
				body.WriteString(line)
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	return blocks, size
}

// BenchmarkCorpus lexes every code block of a benchmark corpus, as a build
// does, with chroma and with each half of the fast path:
//
//	KIJI_BENCH_CORPUS=/path/to/corpus-1000/content go test ./site/markdown/code/fastchroma -run '^$' -bench Corpus -count 6
func BenchmarkCorpus(b *testing.B) {
	dir := os.Getenv("KIJI_BENCH_CORPUS")
	if dir == "" {
		b.Skip("set KIJI_BENCH_CORPUS to a corpus's content folder")
	}
	blocks, size := corpusBlocks(b, dir)
	b.Logf("%d blocks, %d bytes", len(blocks), size)
	for _, c := range []struct {
		name string
		h    *halves
	}{{"chroma", nil}, {"filter", &halves{filter: true}}, {"simple", &halves{simple: true}}, {"both", &both}} {
		lexer := func(rl *chroma.RegexLexer) chroma.Lexer {
			if c.h == nil {
				return rl
			}
			f, err := forHalves(rl, *c.h)
			if err != nil {
				b.Fatal(err)
			}
			return f
		}
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(size))
			for b.Loop() {
				for _, bl := range blocks {
					it, err := lexer(bl.lexer).Tokenise(nil, bl.text)
					if err != nil {
						b.Fatal(err)
					}
					for t := it(); t != chroma.EOF; t = it() {
					}
				}
			}
		})
	}
}
