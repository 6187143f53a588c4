package main

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/google/go-cmp/cmp"

	"github.com/kiji-ssg/kiji/site/deploy"
)

// deployCLI runs kiji with args, stdin as given, and returns the exit code
// and output.
func deployCLI(t *testing.T, stdin io.Reader, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), &env{stdout: &out, stderr: &errb, stdin: stdin, getenv: os.Getenv}, args)
	return code, out.String(), errb.String()
}

func TestDeployCommandUsage(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		code     int
		inStderr string
	}{
		{"no target", []string{"deploy", "--yes"}, 2, "deploy needs one target"},
		{"two targets", []string{"deploy", "--yes", "s3://bucket/a", "s3://bucket/b"}, 2, "got 2 arguments"},
		{"not an S3 URL", []string{"deploy", "--yes", "bucket/blog"}, 2, "is not an S3 URL"},
		{"bad prefix", []string{"deploy", "--yes", "s3://bucket/a/../b"}, 2, `".."`},
		{"bad concurrency", []string{"deploy", "--yes", "--concurrency", "0", "s3://bucket"}, 2, "--concurrency must be at least 1"},
		{"unknown flag", []string{"deploy", "--bogus", "s3://bucket"}, 2, "flag provided but not defined"},
		{"unknown flag after the target", []string{"deploy", "s3://bucket", "--bogus"}, 2, "flag provided but not defined"},
		{"no terminal and no --yes", []string{"deploy", "s3://bucket/blog"}, 1, "Try: pass --yes"},
		{"missing site folder", []string{"deploy", "--yes", "--dir", filepath.Join(t.TempDir(), "nope"), "s3://bucket"}, 1, "Try: kiji build"},
		{"missing site folder, flags after the target", []string{"deploy", "s3://bucket", "--yes", "--dir", filepath.Join(t.TempDir(), "nope")}, 1, "Try: kiji build"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := deployCLI(t, strings.NewReader(""), tt.args...)
			if code != tt.code || !strings.Contains(stderr, tt.inStderr) {
				t.Errorf("exit %d, stderr:\n%s\nwant exit %d and stderr containing %q", code, stderr, tt.code, tt.inStderr)
			}
		})
	}
}

func TestDeployPrintCloudFrontFunction(t *testing.T) {
	code, stdout, stderr := deployCLI(t, strings.NewReader(""), "deploy", "--print-cloudfront-function")
	if code != 0 || stderr != "" {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	if diff := cmp.Diff(deploy.CloudFrontFunction, stdout); diff != "" {
		t.Errorf("printed function (-want +got):\n%s", diff)
	}
	if !strings.Contains(stdout, "function handler(event)") {
		t.Errorf("the printed function has no handler:\n%s", stdout)
	}
}

// TestDeployCommandS3 runs the command against versitygw: --dry-run
// changes nothing, a deploy uploads, a rerun has nothing to do.
func TestDeployCommandS3(t *testing.T) {
	endpoint := startVersitygw(t)
	ctx := context.Background()
	cfg, err := config.LoadDefaultConfig(ctx, config.WithRegion("us-east-1"))
	if err != nil {
		t.Fatal(err)
	}
	s3c := s3.NewFromConfig(cfg, func(o *s3.Options) { o.BaseEndpoint = aws.String(endpoint); o.UsePathStyle = true })
	if _, err := s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("site")}); err != nil {
		t.Fatal(err)
	}
	if _, err := s3c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("site"), Key: aws.String("blog/stale.html"), Body: strings.NewReader("old")}); err != nil {
		t.Fatal(err)
	}
	state := func() map[string]string {
		out := map[string]string{}
		l, err := s3c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("site")})
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range l.Contents {
			g, err := s3c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("site"), Key: o.Key})
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(g.Body)
			g.Body.Close()
			sum := md5.Sum(b)
			out[aws.ToString(o.Key)] = hex.EncodeToString(sum[:]) + " " + aws.ToString(g.ContentType) + " " + aws.ToString(g.CacheControl)
		}
		return out
	}

	dir := filepath.Join(t.TempDir(), "public")
	// .kiji-manifest is what kiji build writes beside the pages: it lists
	// every output file and must never be published.
	for p, s := range map[string]string{"index.html": "<p>home</p>", "a/index.html": "<p>a</p>", "assets/s.0123abcd.css": "p{}", ".kiji-manifest": "kiji-manifest v1\n"} {
		full := filepath.Join(dir, filepath.FromSlash(p))
		os.MkdirAll(filepath.Dir(full), 0o755)
		os.WriteFile(full, []byte(s), 0o644)
	}
	common := []string{"--endpoint", endpoint, "--dir", dir}

	before := state()
	code, stdout, stderr := deployCLI(t, strings.NewReader(""), append(append([]string{"deploy"}, common...), "--dry-run", "s3://site/blog")...)
	if code != 0 {
		t.Fatalf("--dry-run: exit %d\n%s", code, stderr)
	}
	for _, want := range []string{"upload blog/index.html (new)", "upload blog/assets/s.0123abcd.css (new)", "delete blog/stale.html", "dry run: nothing was changed"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("--dry-run output lacks %q:\n%s", want, stdout)
		}
	}
	if diff := cmp.Diff(before, state()); diff != "" {
		t.Errorf("--dry-run changed the bucket (-before +after):\n%s", diff)
	}

	// The delete cap applies to a real deploy: nothing changes.
	code, _, stderr = deployCLI(t, strings.NewReader(""), append(append([]string{"deploy"}, common...), "--yes", "--max-deletes", "0", "s3://site/blog")...)
	if code != 1 || !strings.Contains(stderr, "too many deletes") || !strings.Contains(stderr, "Try:") {
		t.Errorf("--max-deletes 0: exit %d, stderr:\n%s\nwant exit 1 with the reason and a hint", code, stderr)
	}
	if diff := cmp.Diff(before, state()); diff != "" {
		t.Errorf("a plan over --max-deletes changed the bucket (-before +after):\n%s", diff)
	}

	code, stdout, stderr = deployCLI(t, strings.NewReader(""), append(append([]string{"deploy"}, common...), "s3://site/blog", "--yes")...)
	if code != 0 {
		t.Fatalf("deploy: exit %d\n%s", code, stderr)
	}
	if !strings.Contains(stdout, "deployed to s3://site/blog: 3 uploaded, 1 deleted, 0 unchanged") {
		t.Errorf("deploy output:\n%s", stdout)
	}
	after := state()
	if _, ok := after["blog/.kiji-manifest"]; ok {
		t.Errorf("the output manifest was uploaded: %v", after)
	}
	// The site's 3 files and kiji's deploy state.
	if _, ok := after["blog/"+deploy.StateName]; !ok {
		t.Errorf("no deploy state in the bucket: %v", after)
	}
	if _, ok := after["blog/stale.html"]; ok || len(after) != 4 {
		t.Errorf("bucket after deploy: %v", after)
	}
	if got := after["blog/a/index.html"]; !strings.HasSuffix(got, " text/html; charset=utf-8 public, max-age=0, must-revalidate") {
		t.Errorf("blog/a/index.html = %q, want HTML headers", got)
	}

	code, stdout, _ = deployCLI(t, strings.NewReader(""), append(append([]string{"deploy"}, common...), "--yes", "s3://site/blog")...)
	if code != 0 || !strings.Contains(stdout, "s3://site/blog is up to date (3 files)") {
		t.Errorf("second deploy: exit %d, output:\n%s", code, stdout)
	}

	// A bucket deployed without a state (an older kiji): nothing to
	// upload, and the state is recorded for the next deploy.
	if _, err := s3c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("site"), Key: aws.String("blog/" + deploy.StateName)}); err != nil {
		t.Fatal(err)
	}
	code, stdout, _ = deployCLI(t, strings.NewReader(""), append(append([]string{"deploy"}, common...), "--yes", "s3://site/blog")...)
	if code != 0 || !strings.Contains(stdout, "s3://site/blog is up to date (3 files)") {
		t.Errorf("deploy without a state: exit %d, output:\n%s", code, stdout)
	}
	if _, ok := state()["blog/"+deploy.StateName]; !ok {
		t.Errorf("a no-change deploy did not record the missing deploy state")
	}

	// Wrong credentials: a clear error with a hint, and the secret is
	// never printed.
	const wrongSecret = "wrong-secret-must-not-be-printed"
	t.Setenv("AWS_SECRET_ACCESS_KEY", wrongSecret)
	code, stdout, stderr = deployCLI(t, strings.NewReader(""), append(append([]string{"deploy"}, common...), "--yes", "s3://site/blog")...)
	if code != 1 || !strings.Contains(stderr, "Try: check your AWS credentials") || strings.Contains(stdout+stderr, wrongSecret) {
		t.Errorf("wrong secret: exit %d, stdout %q, stderr:\n%s\nwant exit 1, a credentials hint and no secret", code, stdout, stderr)
	}

	// No credentials at all.
	t.Setenv("AWS_ACCESS_KEY_ID", "")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "")
	code, _, stderr = deployCLI(t, strings.NewReader(""), append(append([]string{"deploy"}, common...), "--yes", "s3://site/blog")...)
	if code != 1 || !strings.Contains(stderr, "no usable AWS credentials") || !strings.Contains(stderr, "Try: set up AWS credentials") {
		t.Errorf("no credentials: exit %d, stderr:\n%s", code, stderr)
	}
}

// startVersitygw starts versitygw (an S3-compatible server) on a free port
// with credentials put in the environment for the AWS chain, and returns
// its endpoint. Missing versitygw fails the test under CI=true and skips it
// otherwise.
func startVersitygw(t testing.TB) string {
	t.Helper()
	bin, err := exec.LookPath("versitygw")
	if err != nil {
		out, _ := exec.Command("go", "env", "GOPATH").Output()
		for _, d := range filepath.SplitList(strings.TrimSpace(string(out))) {
			if _, err := os.Stat(filepath.Join(d, "bin", "versitygw")); err == nil {
				bin = filepath.Join(d, "bin", "versitygw")
			}
		}
	}
	if bin == "" {
		const msg = "versitygw is not installed; install it with: go install github.com/versity/versitygw/cmd/versitygw@v1.8.0"
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	const access, secret = "kijicliaccess", "kijiclisecret0123456789"
	t.Setenv("AWS_ACCESS_KEY_ID", access)
	t.Setenv("AWS_SECRET_ACCESS_KEY", secret)
	t.Setenv("AWS_SESSION_TOKEN", "")
	t.Setenv("AWS_PROFILE", "")
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	var log bytes.Buffer
	cmd := exec.Command(bin, "--port", addr, "--quiet", "posix", t.TempDir())
	cmd.Env = append(os.Environ(), "ROOT_ACCESS_KEY="+access, "ROOT_SECRET_KEY="+secret)
	cmd.Stdout, cmd.Stderr = &log, &log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	t.Cleanup(func() { cmd.Process.Kill(); <-exited })
	for deadline := time.Now().Add(15 * time.Second); ; {
		if c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond); err == nil {
			c.Close()
			return "http://" + addr
		}
		select {
		case <-exited:
			t.Fatalf("versitygw exited:\n%s", log.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("versitygw did not start:\n%s", log.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// BenchmarkDeployNoChange times kiji deploy of a 10,000-file site that is
// already online (nothing to upload) against versitygw, as a user runs it:
//
//	go test ./cmd/kiji -run '^$' -bench DeployNoChange -benchtime 5x
//
// The first deploy (uploading the site) is not timed.
func BenchmarkDeployNoChange(b *testing.B) {
	const n = 10000
	endpoint := startVersitygw(b)
	cfg, err := config.LoadDefaultConfig(context.Background(), config.WithRegion("us-east-1"))
	if err != nil {
		b.Fatal(err)
	}
	s3c := s3.NewFromConfig(cfg, func(o *s3.Options) { o.BaseEndpoint = aws.String(endpoint); o.UsePathStyle = true })
	if _, err := s3c.CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: aws.String("site")}); err != nil {
		b.Fatal(err)
	}
	dir := filepath.Join(b.TempDir(), "public")
	page := strings.Repeat("<p>a paragraph of an article, as long as a real one.</p>\n", 150) // ~8 KB
	for i := 0; i < n; i++ {
		p, body := fmt.Sprintf("articles/a%05d/index.html", i), fmt.Sprintf("<h1>%d</h1>", i)+page
		switch i % 10 {
		case 0:
			p, body = fmt.Sprintf("images/p%05d.png", i), fmt.Sprintf("\x89PNG %d", i)+page[:2000]
		case 1:
			p, body = fmt.Sprintf("topics/t%05d/index.html", i), fmt.Sprintf("<h1>%d</h1>", i)+page[:3000]
		}
		full := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(body), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	deployNow := func(args ...string) string {
		var out, errb bytes.Buffer
		args = append([]string{"deploy", "--endpoint", endpoint, "--dir", dir, "--yes"}, args...)
		if code := run(context.Background(), &env{stdout: &out, stderr: &errb, stdin: strings.NewReader(""), getenv: os.Getenv}, append(args, "s3://site/blog")); code != 0 {
			b.Fatalf("kiji %s: exit %d\n%s", strings.Join(args, " "), code, errb.String())
		}
		return out.String()
	}
	deployNow("--concurrency", "16")
	want := fmt.Sprintf("s3://site/blog is up to date (%d files)\n", n)
	b.ResetTimer()
	for range b.N {
		if got := deployNow(); got != want {
			b.Fatalf("kiji deploy said %q, want %q", got, want)
		}
	}
}
