package diagram

import (
	"os"
	"testing"
)

func TestScratch2(t *testing.T) {
	in, err := os.ReadFile(os.Getenv("IN"))
	if err != nil {
		t.Skip()
	}
	x := New()
	out, ps := convert(t, x, "figs.md", string(in))
	for _, p := range ps {
		t.Log(p)
	}
	page := "<!doctype html><meta charset=utf-8><style>body{margin:0;font-family:sans-serif} @media (prefers-color-scheme:dark){body{background:#111;color:#eee}} main{max-width:720px;margin:0 auto;padding:8px} figure{margin:8px 0} figcaption{text-align:center;font-size:14px}</style><main>" + out + "</main>"
	os.WriteFile(os.Getenv("OUT"), []byte(page), 0o644)
}
