package search

import (
	"strings"
	"testing"
)

// benchPage is an article body like the benchmark corpus's: Japanese and
// English paragraphs, headings, a code block (about 9 KB).
var benchPage = func() []byte {
	var b strings.Builder
	for i := 0; i < 6; i++ {
		b.WriteString(`<h2 id="h">この記事について</h2><p>CIから実行する場合はイングレスとボリュームの違いを簡単に実現できます。<del>ロール</del>については、そのため、ローカルで動かす場合はチャネルを使って環境変数を設定しておくと便利です。次に、Fargateのバージョンによってはプロバイダーとブランチの違いを試してみましょう。</p>`)
		b.WriteString(`<p>First, we cache the feature flag with a single command. Here we deploy the <strong>deployment</strong> to reduce the blast radius. After that, we automate the build cache without touching the application code.</p>`)
		b.WriteString(`<pre class="chroma"><code><span class="line"><span class="kd">func</span> <span class="nf">main</span><span class="p">()</span> <span class="p">{</span></span>
<span class="line">	<span class="nx">ctx</span><span class="p">,</span> <span class="nx">cancel</span> <span class="o">:=</span> <span class="nx">context</span><span class="p">.</span><span class="nf">WithTimeout</span><span class="p">(</span><span class="nx">ctx</span><span class="p">)</span></span></code></pre>`)
		b.WriteString(`<ul><li>sqlcのコンソールを開く</li><li><code>terraform init</code> を実行する</li><li>Cloud Runでステートファイルを確認する</li></ul>`)
	}
	return []byte(b.String())
}()

func BenchmarkTokens(b *testing.B) {
	d := Doc{URL: "articles/x/", Title: "Next.js で始める Helm 運用", Topics: []string{"aws", "go"}, Body: benchPage}
	b.SetBytes(int64(len(benchPage)))
	ix := NewIndex(Config{Options: Options{Code: true}, Pages: 1000}, false)
	for b.Loop() {
		ix.AddDoc(d)
	}
}

func BenchmarkBlocks(b *testing.B) {
	b.SetBytes(int64(len(benchPage)))
	for b.Loop() {
		Blocks(benchPage, true)
	}
}
