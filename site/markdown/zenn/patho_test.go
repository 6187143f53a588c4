package zenn

import (
	"strings"
	"testing"
	"time"
)

func TestPatho(t *testing.T) {
	for name, s := range map[string]string{
		"fn":      strings.Repeat("^[", 50000),
		"fnclose": strings.Repeat("^[", 25000) + strings.Repeat("]", 25000),
		"img":     strings.Repeat("![", 50000),
		"imgp":    strings.Repeat("![a](b ", 50000),
		"imgs":    strings.Repeat("![a](b =", 50000),
		"bt":      "^[" + strings.Repeat("`", 50000),
		"bt2":     strings.Repeat("^[`` `", 20000),
		"cont":    strings.Repeat(":::message\n", 20000),
		"embed":   strings.Repeat("@[card](https://e.com/"+strings.Repeat(")", 100)+"\n", 2000),
		"urls":    strings.Repeat("https://e.com/x\n", 20000),
		"plain":   strings.Repeat("a ", 100000),
	} {
		start := time.Now()
		convert(t, s)
		t.Logf("%s: %v", name, time.Since(start))
	}
}
