package code

import (
	"fmt"
	"testing"
	"time"

	"github.com/alecthomas/chroma/v2/lexers"
)

func TestScratchCompileAll(t *testing.T) {
	st := time.Now()
	n := 0
	for _, l := range lexers.GlobalLexerRegistry.Lexers {
		if _, err := l.Tokenise(nil, ""); err != nil {
			fmt.Println(l.Config().Name, err)
		}
		n++
	}
	fmt.Println(n, "lexers compiled in", time.Since(st))
}
