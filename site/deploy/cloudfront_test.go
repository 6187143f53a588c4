package deploy

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestInvalidationPaths(t *testing.T) {
	many := make([]string, 40)
	for i := range many {
		many[i] = fmt.Sprintf("articles/a%02d.png", i)
	}
	tests := []struct {
		name      string
		changed   []string
		urlPrefix string
		limit     int
		want      []string
	}{
		{name: "nothing changed", changed: nil, limit: 30, want: nil},
		{name: "root index", changed: []string{"index.html"}, limit: 30, want: []string{"/", "/index.html"}},
		{name: "folder index", changed: []string{"articles/hello/index.html"}, limit: 30,
			want: []string{"/articles/hello/", "/articles/hello/index.html"}},
		{name: "plain files", changed: []string{"feed.xml", "images/a.png"}, limit: 30, want: []string{"/feed.xml", "/images/a.png"}},
		{name: "a file named like index.html is not a folder index", changed: []string{"old-index.html"}, limit: 30,
			want: []string{"/old-index.html"}},
		{name: "url prefix", changed: []string{"index.html", "a/index.html"}, urlPrefix: "/blog/", limit: 30,
			want: []string{"/blog/", "/blog/a/", "/blog/a/index.html", "/blog/index.html"}},
		{name: "url prefix without slashes", changed: []string{"x.css"}, urlPrefix: "blog", limit: 30, want: []string{"/blog/x.css"}},
		{name: "unsafe characters are encoded, * is not a wildcard", changed: []string{"tags/日本語/index.html", "a b*.txt"}, limit: 30,
			want: []string{"/a%20b%2A.txt", "/tags/%E6%97%A5%E6%9C%AC%E8%AA%9E/", "/tags/%E6%97%A5%E6%9C%AC%E8%AA%9E/index.html"}},
		{name: "duplicates collapse", changed: []string{"a/index.html", "a/index.html"}, limit: 30, want: []string{"/a/", "/a/index.html"}},
		{name: "at the limit: paths", changed: []string{"a/index.html", "b.css"}, limit: 3, want: []string{"/a/", "/a/index.html", "/b.css"}},
		{name: "one past the limit (an index counts twice): wildcard", changed: []string{"a/index.html", "b/index.html"}, limit: 3, want: []string{"/*"}},
		{name: "many paths: wildcard", changed: many, limit: DefaultInvalidationLimit, want: []string{"/*"}},
		{name: "many paths under a url prefix: its wildcard", changed: many, urlPrefix: "/blog", limit: DefaultInvalidationLimit, want: []string{"/blog/*"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := InvalidationPaths(tt.changed, tt.urlPrefix, tt.limit)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("InvalidationPaths (-want +got):\n%s", diff)
			}
		})
	}
}

// nodeRunner is the harness that loads the function file the way CloudFront
// does (a plain script defining handler) and runs it over URIs read as JSON
// from stdin.
const nodeRunner = `
const fs = require('fs');
const vm = require('vm');
const src = fs.readFileSync(process.argv[1], 'utf8');
const ctx = {};
vm.createContext(ctx);
vm.runInContext(src, ctx);
const uris = JSON.parse(fs.readFileSync(0, 'utf8'));
const out = uris.map(function (uri) {
  const req = { method: 'GET', uri: uri, querystring: { v: { value: '1' } }, headers: { host: { value: 'example.com' } }, cookies: {} };
  const res = ctx.handler({ version: '1.0', context: { eventType: 'viewer-request' }, viewer: { ip: '127.0.0.1' }, request: req });
  if (res !== req) throw new Error('handler must return the request object');
  if (res.querystring.v.value !== '1' || res.headers.host.value !== 'example.com') throw new Error('handler changed more than the URI');
  return res.uri;
});
process.stdout.write(JSON.stringify(out));
`

// TestCloudFrontFunction runs cloudfront-index.js with node over a table of
// URIs. Without node the test is skipped, but fails under CI=true.
func TestCloudFrontFunction(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		msg := "node is not installed, so the CloudFront Function cannot be run (apt-get install nodejs)"
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	tests := []struct{ in, want string }{
		{"/", "/index.html"},
		{"/articles/hello/", "/articles/hello/index.html"},
		{"/articles/hello", "/articles/hello/index.html"},
		{"/tags/%E6%97%A5%E6%9C%AC%E8%AA%9E/", "/tags/%E6%97%A5%E6%9C%AC%E8%AA%9E/index.html"},
		{"/index.html", "/index.html"},
		{"/articles/hello/index.html", "/articles/hello/index.html"},
		{"/assets/style.3f2a9c1b.css", "/assets/style.3f2a9c1b.css"},
		{"/feed.xml", "/feed.xml"},
		{"/favicon.ico", "/favicon.ico"},
		{"/v1.2/notes", "/v1.2/notes/index.html"},
		{"/.well-known/security.txt", "/.well-known/security.txt"},
		{"/.well-known/apple-app-site-association", "/.well-known/apple-app-site-association"},
		{"", "/index.html"},
	}
	in := make([]string, len(tests))
	want := make([]string, len(tests))
	for i, tt := range tests {
		in[i], want[i] = tt.in, tt.want
	}
	f, err := os.CreateTemp(t.TempDir(), "fn-*.js")
	if err != nil {
		t.Fatal(err)
	}
	// Run the embedded copy: it is what --print-cloudfront-function prints.
	f.WriteString(CloudFrontFunction)
	f.Close()
	b, _ := json.Marshal(in)
	cmd := exec.Command(node, "-e", nodeRunner, f.Name())
	cmd.Stdin = strings.NewReader(string(b))
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node: %v\n%s", err, stderr.String())
	}
	var got []string
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("node printed %q: %v", out, err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		for i := range in {
			if i < len(got) && got[i] != want[i] {
				t.Errorf("handler(%q) = %q, want %q", in[i], got[i], want[i])
			}
		}
		t.Errorf("URIs (-want +got):\n%s", diff)
	}
	// CloudFront Functions reject files over 10 KB.
	if n := len(CloudFrontFunction); n > 10*1024 {
		t.Errorf("the function is %d bytes; CloudFront allows 10 KB", n)
	}
}

func TestHint(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"nil", nil, ""},
		{"plain", fmt.Errorf("boom"), ""},
		{"incomplete", fmt.Errorf("%w: x", ErrIncomplete), "run kiji deploy again: files already uploaded are skipped and the rest is finished"},
		{"nothing", fmt.Errorf("%w", ErrNothingToDeploy), "kiji build"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, Hint(tt.err)); diff != "" {
				t.Errorf("Hint (-want +got):\n%s", diff)
			}
		})
	}
}
