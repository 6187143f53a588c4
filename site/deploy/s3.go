package deploy

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/cloudfront"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/logging"
)

// ClientOptions configure NewClient.
type ClientOptions struct {
	// Region of the bucket; "" takes it from the environment or the shared
	// config (AWS_REGION, ~/.aws/config). Required for AWS.
	Region string
	// Endpoint is the URL of an S3-compatible server (MinIO, versitygw, R2,
	// …); addressed path-style. "" is AWS.
	Endpoint string
	// MaxAttempts per request, first try included (default 6), and the
	// longest wait between two (default 10s). Transient errors (throttling,
	// 5xx, refused and dropped connections, timeouts) are retried by the
	// SDK's standard retryer with jittered exponential backoff that reaches
	// seconds (see newRetryer).
	MaxAttempts int
	MaxBackoff  time.Duration
	// HTTPClient replaces the SDK's default HTTP client for S3 (nil:
	// default).
	HTTPClient *http.Client
}

// A Client talks to S3 (and CloudFront) with credentials from the standard
// AWS chain: environment variables, the shared config and credentials files
// (AWS_PROFILE, SSO), web identity, then the container or EC2 role.
type Client struct {
	s3    *s3.Client
	cf    *cloudfront.Client
	creds aws.CredentialsProvider
}

// ErrNoCredentials is returned (wrapped) when the credential chain finds no
// usable credentials.
var ErrNoCredentials = errors.New("no usable AWS credentials")

// NewClient loads the AWS configuration and returns a client. It does not
// contact any server.
func NewClient(ctx context.Context, o ClientOptions) (*Client, error) {
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = 6
	}
	if o.MaxBackoff <= 0 {
		o.MaxBackoff = 10 * time.Second
	}
	if o.Endpoint != "" {
		u, err := url.Parse(o.Endpoint)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, fmt.Errorf("--endpoint %q is not a URL: write it as http(s)://host[:port]", o.Endpoint)
		}
	}
	opts := []func(*config.LoadOptions) error{
		// The SDK must not print: only package main does.
		config.WithLogger(logging.Nop{}),
		config.WithRetryer(func() aws.Retryer { return newRetryer(o.MaxAttempts, o.MaxBackoff) }),
	}
	if o.Region != "" {
		opts = append(opts, config.WithRegion(o.Region))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("loading the AWS configuration: %w", err)
	}
	if cfg.Region == "" {
		if o.Endpoint == "" {
			return nil, errors.New("no AWS region: pass --region with the bucket's region, or set AWS_REGION")
		}
		cfg.Region = "us-east-1" // what most S3-compatible servers expect
	}
	c := &Client{
		s3: s3.NewFromConfig(cfg, func(so *s3.Options) {
			if o.HTTPClient != nil {
				// Set here, not in the shared config: there the SDK would
				// try to add AWS_CA_BUNDLE to it and fail on an
				// *http.Client.
				so.HTTPClient = o.HTTPClient
			}
			if o.Endpoint != "" {
				so.BaseEndpoint = aws.String(o.Endpoint)
				so.UsePathStyle = true
				// Many S3-compatible servers do not accept the newer
				// default checksum headers; Content-MD5 is sent instead.
				so.RequestChecksumCalculation = aws.RequestChecksumCalculationWhenRequired
				so.ResponseChecksumValidation = aws.ResponseChecksumValidationWhenRequired
			}
		}),
		cf:    cloudfront.NewFromConfig(cfg),
		creds: cfg.Credentials,
	}
	return c, nil
}

// newRetryer is the SDK's standard retryer with waits that reach seconds.
// The SDK's own default waits at most 50 ms × 2^i (all five retries within
// about 1.5 s: a server restarting for half a second fails a deploy); here
// the waits are random up to 2, 4 and 8 s, then maxBackoff for every later
// retry (the SDK's exponential jitter backoff), so that with the defaults (6
// attempts, 10 s) a server away for up to 20 s is always waited out.
//
// Connection errors (refused, reset, broken pipe, a response cut short) are
// retried like 5xx answers and throttling. There is no client-side retry
// quota: a deploy sends many requests at once, and a burst of failures (a
// restarting server) must be retried, not short-circuited.
func newRetryer(maxAttempts int, maxBackoff time.Duration) aws.Retryer {
	return retry.NewStandard(func(so *retry.StandardOptions) {
		so.MaxAttempts = maxAttempts
		so.MaxBackoff = maxBackoff
		so.Backoff = retry.NewExponentialJitterBackoff(maxBackoff)
		so.RateLimiter = ratelimit.None
		so.Retryables = append(so.Retryables, retry.IsErrorRetryableFunc(retryableConnection))
	})
}

// retryableConnection reports a dropped or refused connection, whatever
// wraps it, as retryable; it leaves every other error to the SDK's checks
// (which run first, so a canceled request is never retried).
func retryableConnection(err error) aws.Ternary {
	for _, e := range []error{syscall.ECONNREFUSED, syscall.ECONNRESET, syscall.ECONNABORTED, syscall.EPIPE, io.ErrUnexpectedEOF} {
		if errors.Is(err, e) {
			return aws.TrueTernary
		}
	}
	return aws.UnknownTernary
}

// Online is what a deploy finds under its target.
type Online struct {
	// Objects are the objects under the prefix; those that match a local
	// file have their headers and MD5 filled in.
	Objects []RemoteObject
	// State is the deploy state read from the bucket (empty when there is
	// none); pass it to Plan.
	State State
	// Heads is the number of objects whose headers had to be read with
	// HEAD (no valid record in the state).
	Heads int
}

// List lists the objects under the target's prefix and reads the deploy
// state (both at once), and fills in the headers of every object the state
// has a valid record of. It reads no local file, so it can run while the
// site folder is read. expect is the site paths expected online, sorted
// (Paths): a large site's listing is split at them into ranges listed at
// once (nil: one listing from the start).
func (c *Client) List(ctx context.Context, t Target, expect []string) (Online, error) {
	// Look the credentials up first, so that a missing one is reported as
	// such rather than as the failure of the first request. The chain's
	// error names the places it looked, never a secret.
	if c.creds == nil {
		return Online{}, ErrNoCredentials
	}
	if _, err := c.creds.Retrieve(ctx); err != nil {
		return Online{}, fmt.Errorf("%w: %w", ErrNoCredentials, err)
	}
	var (
		st       State
		stateErr error
		wg       sync.WaitGroup
	)
	wg.Go(func() { st, stateErr = c.readState(ctx, t) })
	objs, err := c.list(ctx, t, expect)
	wg.Wait()
	if err != nil {
		return Online{}, err
	}
	if stateErr != nil {
		return Online{}, stateErr
	}
	for i := range objs {
		if _, ok := sitePath(t.Prefix, objs[i].Key); ok {
			objs[i].Recorded = st.lookup(&objs[i])
		}
	}
	return Online{Objects: objs, State: st}, nil
}

// ReadHeaders reads with HEAD (up to concurrency at once) the headers of
// the objects of on that match a local file and that the deploy state has
// no valid record of, and drops the objects deleted since the listing.
func (c *Client) ReadHeaders(ctx context.Context, t Target, on *Online, local []LocalFile, concurrency int) error {
	want := make(map[string]bool, len(local))
	for _, f := range local {
		want[f.Path] = true
	}
	objs := on.Objects
	var idx []int
	for i := range objs {
		if p, ok := sitePath(t.Prefix, objs[i].Key); ok && want[p] && !objs[i].Recorded {
			idx = append(idx, i)
		}
	}
	gone, err := c.heads(ctx, t, objs, idx, concurrency)
	if err != nil {
		return err
	}
	on.Heads += len(idx)
	on.Objects = objs[:0]
	for i, o := range objs {
		if !gone[i] {
			on.Objects = append(on.Objects, o)
		}
	}
	return nil
}

// Listing a large site is split into ranges of keys listed at once, each
// of whole pages (pageKeys, what a ListObjectsV2 page holds; a variable for
// tests), at most maxListers of them.
var pageKeys = 1000

const maxListers = 8

// list lists the objects under the target's prefix, sorted by key. With
// expect, it lists ranges of keys at once: S3 lists keys in UTF-8 binary
// order and each range starts after the previous one's last expected key
// (StartAfter), so every key is in exactly one range whatever is online.
func (c *Client) list(ctx context.Context, t Target, expect []string) ([]RemoteObject, error) {
	if !slices.IsSorted(expect) {
		expect = slices.Sorted(slices.Values(expect))
	}
	var bounds []string // the last key of each range but the last
	if len(expect) > pageKeys {
		per := (len(expect) + maxListers - 1) / maxListers
		per = (per + pageKeys - 1) / pageKeys * pageKeys // whole pages
		for i := per; i < len(expect); i += per {
			bounds = append(bounds, t.Key(expect[i-1]))
		}
	}
	parts := make([][]RemoteObject, len(bounds)+1)
	err := parallel(ctx, len(parts), len(parts), func(ctx context.Context, i int) error {
		after, until := "", ""
		if i > 0 {
			after = bounds[i-1]
		}
		if i < len(bounds) {
			until = bounds[i]
		}
		var err error
		parts[i], err = c.listRange(ctx, t, after, until)
		return err
	})
	if err != nil {
		return nil, err
	}
	return slices.Concat(parts...), nil
}

// listRange lists the keys under the target's prefix that come after after
// ("": from the start) up to until included ("": to the end).
func (c *Client) listRange(ctx context.Context, t Target, after, until string) ([]RemoteObject, error) {
	in := &s3.ListObjectsV2Input{Bucket: aws.String(t.Bucket), Prefix: aws.String(listPrefix(t.Prefix))}
	if after != "" {
		in.StartAfter = aws.String(after)
	}
	var objs []RemoteObject
	p := s3.NewListObjectsV2Paginator(c.s3, in)
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("listing %s: %w", t, err)
		}
		for _, o := range page.Contents {
			key := aws.ToString(o.Key)
			if until != "" && key > until {
				return objs, nil
			}
			objs = append(objs, RemoteObject{Key: key, Size: aws.ToInt64(o.Size), ETag: aws.ToString(o.ETag)})
			if key == until {
				return objs, nil // the range's last key: no need for another page
			}
		}
	}
	return objs, nil
}

// heads reads the headers of objs[i] for each i in idx, and marks the
// objects deleted since the listing.
func (c *Client) heads(ctx context.Context, t Target, objs []RemoteObject, idx []int, concurrency int) ([]bool, error) {
	gone := make([]bool, len(objs))
	err := parallel(ctx, concurrency, len(idx), func(ctx context.Context, n int) error {
		i := idx[n]
		h, err := c.s3.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(t.Bucket), Key: aws.String(objs[i].Key)})
		if err != nil {
			var nf *types.NotFound
			if errors.As(err, &nf) {
				gone[i] = true // deleted since the listing
				return nil
			}
			return fmt.Errorf("reading the headers of s3://%s/%s: %w", t.Bucket, objs[i].Key, err)
		}
		o := &objs[i]
		o.Size = aws.ToInt64(h.ContentLength)
		o.ETag = aws.ToString(h.ETag)
		o.MD5 = h.Metadata[MetadataMD5]
		o.ContentType = aws.ToString(h.ContentType)
		o.CacheControl = aws.ToString(h.CacheControl)
		o.ContentEncoding = aws.ToString(h.ContentEncoding)
		return nil
	})
	return gone, err
}

// readState reads the deploy state. One that is gone or damaged is no
// state (every object is then read with HEAD).
func (c *Client) readState(ctx context.Context, t Target) (State, error) {
	out, err := c.s3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(t.Bucket), Key: aws.String(t.Key(StateName))})
	if err != nil {
		var nk *types.NoSuchKey
		var status interface{ HTTPStatusCode() int }
		if errors.As(err, &nk) || errors.As(err, &status) && status.HTTPStatusCode() == http.StatusNotFound {
			return State{}, nil // none yet (a NoSuchBucket fails the listing)
		}
		return nil, fmt.Errorf("reading the deploy state s3://%s/%s: %w", t.Bucket, t.Key(StateName), err)
	}
	defer out.Body.Close()
	b, err := io.ReadAll(io.LimitReader(out.Body, maxStateSize))
	if err != nil {
		return nil, fmt.Errorf("reading the deploy state s3://%s/%s: %w", t.Bucket, t.Key(StateName), err)
	}
	return decodeState(b), nil
}

// writeState replaces the deploy state.
func (c *Client) writeState(ctx context.Context, t Target, st State) error {
	data := st.encode()
	sum := md5.Sum(data)
	_, err := c.s3.PutObject(ctx, &s3.PutObjectInput{
		Bucket:        aws.String(t.Bucket),
		Key:           aws.String(t.Key(StateName)),
		Body:          bytes.NewReader(data),
		ContentLength: aws.Int64(int64(len(data))),
		ContentMD5:    aws.String(base64.StdEncoding.EncodeToString(sum[:])),
		ContentType:   aws.String("application/gzip"),
		CacheControl:  aws.String("no-store"),
	})
	if err != nil {
		return fmt.Errorf("recording the deploy state s3://%s/%s: %w", t.Bucket, t.Key(StateName), err)
	}
	return nil
}

// ErrIncomplete is returned (wrapped) by Apply when it stopped midway; a
// rerun finishes the deploy.
var ErrIncomplete = errors.New("the deploy is incomplete")

// ApplyOptions configure Apply.
type ApplyOptions struct {
	// Concurrency is the number of requests in flight (default 8).
	Concurrency int
	// Progress, when set, is called after each upload and delete, one call
	// at a time (it need not be safe for concurrent use).
	Progress func(Event)
}

// An Event reports one finished upload or delete.
type Event struct {
	Upload *Upload // one of Upload and Delete is set
	Delete *Delete
	Err    error
	Done   int // operations finished so far, this one included
	Total  int
}

// Apply carries out a changeset made by Plan for the same target.
//
// The order makes an interrupted deploy safe to rerun: every stage (assets,
// then pages, then feeds and sitemap; see Stage) must fully succeed before
// the next one starts, and stale objects are deleted only at the end. So a
// deploy that stops midway leaves the old pages (pointing at assets that are
// still there) or new pages whose assets are already uploaded, never a page
// pointing at a missing file; running the deploy again uploads what is still
// missing and deletes what is stale.
//
// The deploy state is written before the first change, without the records
// of the objects about to change (only when it holds such records), and at
// the end with a record of every upload, after a failure too. A changeset
// with nothing to do writes only a state that is missing or out of date.
func (c *Client) Apply(ctx context.Context, t Target, cs Changeset, opts ApplyOptions) error {
	if err := checkChangeset(t, cs); err != nil {
		return err
	}
	if opts.Concurrency <= 0 {
		opts.Concurrency = 8
	}
	next, online := cs.keep.clone(), cs.prev
	if len(cs.Uploads)+len(cs.Deletes) > 0 && !online.within(next) {
		// Forget what is about to change before changing it, so that the
		// state never describes an object it no longer matches: if the
		// deploy stops before the end, the next one reads those objects
		// with HEAD.
		if err := c.writeState(ctx, t, next); err != nil {
			return fmt.Errorf("%w: nothing was changed: %w", ErrIncomplete, err)
		}
		online = next.clone()
	}
	err := c.applyChanges(ctx, t, cs, opts, next)
	// Record what is known now, after a failure too (the uploads that
	// succeeded then need no HEAD next time).
	if !online.equal(next) {
		if serr := c.writeState(ctx, t, next); serr != nil && err == nil {
			err = fmt.Errorf("%w: every file is online, but %w", ErrIncomplete, serr)
		}
	}
	return err
}

// checkChangeset refuses a changeset that would write or delete outside the
// target, publish one of kiji's own files or delete the deploy state.
func checkChangeset(t Target, cs Changeset) error {
	if cs.Prefix != t.Prefix {
		return fmt.Errorf("the plan was made for the prefix %q, not %q: plan again for %s", cs.Prefix, t.Prefix, t)
	}
	lp := listPrefix(t.Prefix)
	for _, u := range cs.Uploads {
		if !strings.HasPrefix(u.Key, lp) {
			return fmt.Errorf("refusing to upload %q: it is outside %s", u.Key, t)
		}
		if internalPath(u.File.Path) {
			return fmt.Errorf("refusing to upload %q: it is one of kiji's own files, not part of the site", u.Key)
		}
	}
	for _, d := range cs.Deletes {
		if _, ok := sitePath(t.Prefix, d.Key); !ok {
			return fmt.Errorf("refusing to delete %q: it is outside %s or is kiji's deploy state", d.Key, t)
		}
	}
	return nil
}

// applyChanges uploads stage by stage, then deletes, and records each
// upload in next.
func (c *Client) applyChanges(ctx context.Context, t Target, cs Changeset, opts ApplyOptions, next State) error {
	total := len(cs.Uploads) + len(cs.Deletes)
	var mu sync.Mutex
	done := 0
	report := func(ev Event) {
		mu.Lock()
		defer mu.Unlock()
		done++
		if opts.Progress != nil {
			ev.Done, ev.Total = done, total
			opts.Progress(ev)
		}
	}
	for start := 0; start < len(cs.Uploads); {
		end := start
		for end < len(cs.Uploads) && cs.Uploads[end].Stage == cs.Uploads[start].Stage {
			end++
		}
		batch := cs.Uploads[start:end]
		err := parallel(ctx, opts.Concurrency, len(batch), func(ctx context.Context, i int) error {
			etag, size, err := c.put(ctx, t.Bucket, batch[i])
			if r, ok := recordOf(batch[i].File, etag, size); ok && err == nil {
				mu.Lock()
				next[keyHash(batch[i].Key)] = r
				mu.Unlock()
			}
			report(Event{Upload: &batch[i], Err: err})
			return err
		})
		if err != nil {
			return fmt.Errorf("%w: uploading the %s failed, so later stages and deletes were not started (no page points at a missing file): %w", ErrIncomplete, batch[0].Stage, err)
		}
		start = end
	}
	err := parallel(ctx, opts.Concurrency, len(cs.Deletes), func(ctx context.Context, i int) error {
		d := &cs.Deletes[i]
		_, err := c.s3.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(t.Bucket), Key: aws.String(d.Key)})
		if err != nil {
			err = fmt.Errorf("deleting s3://%s/%s: %w", t.Bucket, d.Key, err)
		}
		report(Event{Delete: d, Err: err})
		return err
	})
	if err != nil {
		return fmt.Errorf("%w: deleting stale objects failed (every new file is online): %w", ErrIncomplete, err)
	}
	return nil
}

// put uploads one file with its headers and the md5 metadata, and returns
// the new object's ETag and stored size.
func (c *Client) put(ctx context.Context, bucket string, u Upload) (string, int64, error) {
	data, err := os.ReadFile(u.File.Source)
	if err != nil {
		return "", 0, fmt.Errorf("reading %s: %w", u.File.Source, err)
	}
	sum := md5.Sum(data)
	if hex.EncodeToString(sum[:]) != u.File.MD5 {
		return "", 0, fmt.Errorf("%s changed after the deploy was planned (a build still running?): run kiji deploy again once the build is done", u.File.Source)
	}
	in := &s3.PutObjectInput{
		Bucket:       aws.String(bucket),
		Key:          aws.String(u.Key),
		ContentType:  aws.String(u.File.ContentType),
		CacheControl: aws.String(u.File.CacheControl),
		Metadata:     map[string]string{MetadataMD5: u.File.MD5},
	}
	if u.File.Gzip {
		var b bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&b, gzip.BestCompression)
		zw.Write(data) // a bytes.Buffer does not fail
		zw.Close()
		data = b.Bytes()
		sum = md5.Sum(data)
		in.ContentEncoding = aws.String("gzip")
	}
	in.Body = bytes.NewReader(data)
	in.ContentLength = aws.Int64(int64(len(data)))
	// The server checks the bytes it got against this.
	in.ContentMD5 = aws.String(base64.StdEncoding.EncodeToString(sum[:]))
	out, err := c.s3.PutObject(ctx, in)
	if err != nil {
		return "", 0, fmt.Errorf("uploading %s to s3://%s/%s: %w", u.File.Path, bucket, u.Key, err)
	}
	return aws.ToString(out.ETag), int64(len(data)), nil
}

// parallel runs fn(i) for i in [0, n) on up to workers goroutines. After the
// first error it starts no new call, waits for those running and returns
// every error met (joined).
func parallel(ctx context.Context, workers, n int, fn func(ctx context.Context, i int) error) error {
	if workers <= 0 {
		workers = 8
	}
	var (
		mu   sync.Mutex
		errs []error
		next int
		wg   sync.WaitGroup
	)
	take := func() (int, bool) {
		mu.Lock()
		defer mu.Unlock()
		if len(errs) > 0 || next >= n {
			return 0, false
		}
		if err := ctx.Err(); err != nil {
			errs = append(errs, err)
			return 0, false
		}
		next++
		return next - 1, true
	}
	for w := 0; w < min(workers, n); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i, ok := take()
				if !ok {
					return
				}
				if err := fn(ctx, i); err != nil {
					mu.Lock()
					errs = append(errs, err)
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	switch len(errs) {
	case 0:
		return nil
	case 1:
		return errs[0]
	}
	return fmt.Errorf("%d operations failed; the first: %w", len(errs), errs[0])
}

// Hint returns advice for a deploy error, or "" when there is none to give.
func Hint(err error) string {
	if err == nil {
		return ""
	}
	var se *v4.SigningError
	if errors.Is(err, ErrNoCredentials) || errors.As(err, &se) {
		return "set up AWS credentials: aws configure (or aws sso login), AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"
	}
	var mr *aws.MissingRegionError
	if errors.As(err, &mr) {
		return "pass --region with the bucket's region, or set AWS_REGION"
	}
	if errors.Is(err, ErrTooManyDeletes) {
		return "kiji deploy --dry-run shows every delete; if they are intended, raise --max-deletes"
	}
	if errors.Is(err, ErrNothingToDeploy) {
		return "kiji build"
	}
	var ae smithy.APIError
	if errors.As(err, &ae) {
		switch ae.ErrorCode() {
		case "NoSuchBucket":
			return "check the bucket name in s3://BUCKET/prefix; the bucket must exist (aws s3 mb s3://BUCKET)"
		case "InvalidAccessKeyId", "SignatureDoesNotMatch", "ExpiredToken", "InvalidToken", "TokenRefreshRequired":
			return "check your AWS credentials: aws sts get-caller-identity shows which ones are used"
		case "AccessDenied", "Forbidden", "AllAccessDisabled":
			return "the credentials need s3:ListBucket on the bucket and s3:GetObject, s3:PutObject, s3:DeleteObject on its objects (see docs/hosting.md)"
		case "PermanentRedirect", "AuthorizationHeaderMalformed", "IllegalLocationConstraintException":
			return "pass --region with the bucket's region"
		case "NoSuchDistribution":
			return "check --cloudfront-distribution: the ID is shown in the CloudFront console (E…)"
		}
	}
	if errors.Is(err, context.Canceled) {
		return "run kiji deploy again: files already uploaded are skipped"
	}
	if errors.Is(err, ErrIncomplete) {
		return "run kiji deploy again: files already uploaded are skipped and the rest is finished"
	}
	return ""
}
