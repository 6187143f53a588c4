package search

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/dop251/goja"
	"github.com/google/go-cmp/cmp"
)

// script runs the theme's search.js in goja, with just enough of a page
// around it, and returns its kijiSearch object.
func script(t testing.TB) *goja.Runtime {
	t.Helper()
	src, err := os.ReadFile("../../themes/default/assets/search.js")
	if err != nil {
		t.Fatal(err)
	}
	// goja has no Unicode property escapes: the script's letter test is
	// Go's (a browser runs the script's own, see TestSearchInChromium).
	const wordRe = "const wordRe = /[\\p{L}\\p{N}\\p{M}]/u;"
	if !strings.Contains(string(src), wordRe) {
		t.Fatalf("search.js no longer has %s", wordRe)
	}
	src = []byte(strings.Replace(string(src), wordRe, "const wordRe = {test: (ch) => __isWord(ch)};", 1))
	vm := goja.New()
	vm.Set("__isWord", func(ch string) bool { r, _ := utf8.DecodeRuneInString(ch); return isWord(r) })
	if _, err := vm.RunString(`var window = {}, location = {search: ""}, history = {};
var document = {currentScript: null, querySelector: () => null, addEventListener: () => {}};
function TextEncoder() {} TextEncoder.prototype.encode = (s) => { const out = []; for (const ch of unescape(encodeURIComponent(s))) out.push(ch.charCodeAt(0)); return out; };`); err != nil {
		t.Fatal(err)
	}
	if _, err := vm.RunString(string(src)); err != nil {
		t.Fatal(err)
	}
	return vm
}

// jsTokens returns the script's normalisation and tokens of q, and its
// parse of q as JSON.
func jsTokens(t testing.TB, vm *goja.Runtime, q string) (string, []token, string) {
	t.Helper()
	vm.Set("q", q)
	v, err := vm.RunString(`JSON.stringify([window.kijiSearch.normalize(q), window.kijiSearch.tokenize(window.kijiSearch.normalize(q)).map((t) => [t.key, t.pos]), window.kijiSearch.parse(q)])`)
	if err != nil {
		t.Fatalf("search.js on %q: %v", q, err)
	}
	var out []json.RawMessage
	if err := json.Unmarshal([]byte(v.String()), &out); err != nil {
		t.Fatal(err)
	}
	var norm string
	var pairs [][2]any
	json.Unmarshal(out[0], &norm)
	json.Unmarshal(out[1], &pairs)
	var toks []token
	for _, p := range pairs {
		toks = append(toks, token{p[0].(string), uint32(p[1].(float64))})
	}
	return norm, toks, string(out[2])
}

// TestScriptTokenizesAsTheIndex checks that search.js reads a query as the
// index reads text: the same normalisation, the same tokens.
func TestScriptTokenizesAsTheIndex(t *testing.T) {
	vm := script(t)
	for _, q := range []string{"コンテナの運用", "ＡＷＳ Lambda", "goのコード", "日本 語", "ｺﾝﾃﾅ", "k8s café", "運用、監視", "Straße ÉCOLE", "①Ⅳ"} {
		t.Run(q, func(t *testing.T) {
			norm, toks, _ := jsTokens(t, vm, q)
			if norm != Normalize(q) {
				t.Errorf("normalize(%q) = %q in the script, %q in the index", q, norm, Normalize(q))
			}
			want, _ := tokenize(Normalize(q), 0, nil)
			if diff := cmp.Diff(want, toks, cmp.AllowUnexported(token{})); diff != "" {
				t.Errorf("tokens of %q (-index +script):\n%s", q, diff)
			}
		})
	}
}

// FuzzQueryParser feeds any query to the script's parser: it never
// throws, and reads the query as the index reads text.
func FuzzQueryParser(f *testing.F) {
	for _, q := range []string{"コンテナの運用", `"roll back" aws`, "語", "a", "\"", "  ", "Ⅳ𠮷野家", "\u3099か"} {
		f.Add(q)
	}
	vm := script(f)
	f.Fuzz(func(t *testing.T, q string) {
		norm, toks, _ := jsTokens(t, vm, q)
		if norm != Normalize(q) {
			t.Skipf("normalisation differs on %q: script %q, index %q (JavaScript's and Go's Unicode tables)", q, norm, Normalize(q))
		}
		want, _ := tokenize(Normalize(q), 0, nil)
		if diff := cmp.Diff(want, toks, cmp.AllowUnexported(token{}), cmpEmpty); diff != "" {
			t.Errorf("tokens of %q (-index +script):\n%s", q, diff)
		}
	})
}

var cmpEmpty = cmp.Comparer(func(a, b []token) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
})
