package fastchroma

import (
	"os"
	"path/filepath"
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
