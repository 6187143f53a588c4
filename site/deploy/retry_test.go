package deploy

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	"github.com/google/go-cmp/cmp"
)

// TestDeployWaitsOutAServerRestart stops versitygw in the middle of a
// deploy and starts it again 3 s later: with the options kiji deploy uses
// (the defaults), the deploy finishes by itself, without a rerun.
func TestDeployWaitsOutAServerRestart(t *testing.T) {
	g := startGateway(t)
	useTestCredentials(t)
	c := newTestClient(t, g, ClientOptions{})
	mustCreateBucket(t, c, testBucket)
	tg := Target{Bucket: testBucket, Prefix: "blog"}

	files := map[string]string{}
	for i := 0; i < 40; i++ {
		files[fmt.Sprintf("assets/chunk%02d.%08x.js", i, i)] = strings.Repeat(fmt.Sprintf("/*%d*/", i), 500)
		files[fmt.Sprintf("articles/%02d/index.html", i)] = fmt.Sprintf("<p>article %d<script src=/assets/chunk%02d.%08x.js></script>", i, i, i)
	}
	dir := filepath.Join(t.TempDir(), "public")
	writeSite(t, dir, files)

	const down = 3 * time.Second
	var restarted chan error
	var stoppedAt time.Time
	uploads := 0
	_, err := deployOnce(t, c, tg, dir, false, ApplyOptions{
		Concurrency: 4,
		Progress: func(ev Event) {
			if ev.Upload != nil && ev.Err == nil {
				uploads++
			}
			if uploads == 5 && restarted == nil {
				g.stop()
				stoppedAt = time.Now()
				restarted = make(chan error, 1)
				go func() {
					time.Sleep(down)
					restarted <- g.run()
				}()
			}
		},
	})
	if restarted == nil {
		t.Fatalf("the deploy ended (err %v) before the server was stopped", err)
	}
	if rerr := <-restarted; rerr != nil {
		t.Fatal(rerr)
	}
	if err != nil {
		t.Fatalf("deploy with the server down for %v: %v; want it to wait the restart out", down, err)
	}
	if took := time.Since(stoppedAt); took < down {
		t.Errorf("the deploy finished %v after the server stopped, before it came back (%v)", took, down)
	}
	if diff := cmp.Diff(wantState(files, "blog", nil), snapshot(t, c)); diff != "" {
		t.Errorf("bucket state (-want +got):\n%s", diff)
	}
}

// TestRetryer checks the retry policy kiji deploy uses against what
// docs/hosting.md promises: 6 attempts, waits growing to 10 s, for dropped
// and refused connections and 5xx alike, and never for a request that
// cannot succeed.
func TestRetryer(t *testing.T) {
	useTestCredentials(t)
	c, err := NewClient(context.Background(), ClientOptions{Endpoint: "http://127.0.0.1:1"})
	if err != nil {
		t.Fatal(err)
	}
	r := c.s3.Options().Retryer
	if got := r.MaxAttempts(); got != 6 {
		t.Errorf("MaxAttempts() = %d, want 6", got)
	}

	sendErr := func(err error) error {
		return &smithyhttp.RequestSendError{Err: &url.Error{Op: "Put", URL: "http://127.0.0.1:1/site/x", Err: err}}
	}
	status := func(code int, apiCode string) error {
		return &smithyhttp.ResponseError{
			Response: &smithyhttp.Response{Response: &http.Response{StatusCode: code}},
			Err:      fmt.Errorf("api error %s", apiCode),
		}
	}
	retryable := []struct {
		name string
		err  error
		want bool
	}{
		{"connection refused", sendErr(&net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}), true},
		{"connection reset", sendErr(&net.OpError{Op: "read", Net: "tcp", Err: os.NewSyscallError("read", syscall.ECONNRESET)}), true},
		{"connection reset while reading the response", fmt.Errorf("deserialization failed: %w", &net.OpError{Op: "read", Net: "tcp", Err: os.NewSyscallError("read", syscall.ECONNRESET)}), true},
		{"broken pipe", sendErr(&net.OpError{Op: "write", Net: "tcp", Err: os.NewSyscallError("write", syscall.EPIPE)}), true},
		{"response cut short", fmt.Errorf("reading the body: %w", io.ErrUnexpectedEOF), true},
		{"500", status(500, "InternalError"), true},
		{"503 SlowDown", status(503, "SlowDown"), true},
		{"403 AccessDenied", status(403, "AccessDenied"), false},
		{"404 NoSuchBucket", status(404, "NoSuchBucket"), false},
		{"canceled", &aws.RequestCanceledError{Err: context.Canceled}, false},
	}
	for _, tt := range retryable {
		t.Run(tt.name, func(t *testing.T) {
			if got := r.IsErrorRetryable(tt.err); got != tt.want {
				t.Errorf("IsErrorRetryable(%v) = %v, want %v", tt.err, got, tt.want)
			}
		})
	}

	// The waits: up to 2, 4 and 8 s (random), then 10 s twice, so that a
	// server away for up to 20 s is always waited out.
	t.Run("backoff", func(t *testing.T) {
		connErr := retryable[0].err
		total := time.Duration(0)
		for range 50 {
			for attempt := 1; attempt <= 5; attempt++ {
				d, err := r.RetryDelay(attempt, connErr)
				if err != nil {
					t.Fatal(err)
				}
				upTo := min(time.Duration(1<<attempt)*time.Second, 10*time.Second)
				if attempt >= 4 && d != 10*time.Second || d < 0 || d > upTo {
					t.Fatalf("wait after attempt %d = %v, want %s", attempt, d, map[bool]string{true: "10s", false: "at most " + upTo.String()}[attempt >= 4])
				}
				total += d
			}
		}
		if avg := total / 50; avg < 20*time.Second {
			t.Errorf("the waits before the 6th attempt add up to %v on average, want at least 20s", avg)
		}
	})
}
