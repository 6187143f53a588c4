package deploy

import (
	"context"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"fmt"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudfront"
	cftypes "github.com/aws/aws-sdk-go-v2/service/cloudfront/types"
)

// CloudFrontFunction is the source of the CloudFront Function (viewer
// request, cloudfront-js-2.0) that serves /dir/ and /dir from
// /dir/index.html when the site is in a private bucket behind CloudFront.
//
//go:embed cloudfront-index.js
var CloudFrontFunction string

// DefaultInvalidationLimit is the number of paths above which
// InvalidationPaths invalidates everything with one wildcard instead. The
// first 1,000 paths a month are free and each one past them is billed; a
// wildcard counts as one path. 30 keeps a daily deploy within the free
// paths, and a wildcard only costs origin fetches of unchanged files.
const DefaultInvalidationLimit = 30

// InvalidationPaths returns the CloudFront paths to invalidate for the
// changed site paths (see Changeset.ChangedPaths). urlPrefix is the URL path
// at which the distribution serves the site ("" when the site is at its
// root, i.e. its origin path is the S3 prefix; "/blog" when it serves the
// bucket root and the site is deployed to the prefix blog).
//
// A page "dir/index.html" is cached under both "/dir/" and
// "/dir/index.html", so both are invalidated ("/" for the root index).
// Characters that are not safe in a URL are percent-encoded. When more than
// limit paths result, the single wildcard urlPrefix+"/*" is returned instead.
// No changed path gives no invalidation (nil).
func InvalidationPaths(changed []string, urlPrefix string, limit int) []string {
	if len(changed) == 0 {
		return nil
	}
	urlPrefix = "/" + strings.Trim(urlPrefix, "/")
	if urlPrefix == "/" {
		urlPrefix = ""
	}
	set := map[string]bool{}
	for _, p := range changed {
		p = strings.TrimPrefix(p, "/")
		set[urlPrefix+"/"+escapePath(p)] = true
		if p == "index.html" {
			set[urlPrefix+"/"] = true
		} else if dir, ok := strings.CutSuffix(p, "/index.html"); ok {
			set[urlPrefix+"/"+escapePath(dir)+"/"] = true
		}
	}
	if len(set) > limit {
		return []string{urlPrefix + "/*"}
	}
	out := make([]string, 0, len(set))
	for p := range set {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}

// escapePath percent-encodes each segment of a slash path; "*" is encoded
// too, since CloudFront reads it as a wildcard.
func escapePath(p string) string {
	segs := strings.Split(p, "/")
	for i, s := range segs {
		segs[i] = strings.ReplaceAll(url.PathEscape(s), "*", "%2A")
	}
	return strings.Join(segs, "/")
}

// Invalidate asks CloudFront to drop paths from its caches and returns the
// invalidation's ID. It does not wait for the invalidation to finish (that
// takes a minute or so).
func (c *Client) Invalidate(ctx context.Context, distributionID string, paths []string) (string, error) {
	if len(paths) == 0 {
		return "", nil
	}
	h := sha256.Sum256([]byte(strings.Join(paths, "\n")))
	ref := fmt.Sprintf("kiji-%s-%s", time.Now().UTC().Format("20060102T150405.000000000Z"), hex.EncodeToString(h[:6]))
	out, err := c.cf.CreateInvalidation(ctx, &cloudfront.CreateInvalidationInput{
		DistributionId: aws.String(distributionID),
		InvalidationBatch: &cftypes.InvalidationBatch{
			CallerReference: aws.String(ref),
			Paths: &cftypes.Paths{
				Quantity: aws.Int32(int32(len(paths))),
				Items:    paths,
			},
		},
	})
	if err != nil {
		return "", fmt.Errorf("invalidating %d paths of the CloudFront distribution %s: %w", len(paths), distributionID, err)
	}
	if out.Invalidation == nil {
		return "", nil
	}
	return aws.ToString(out.Invalidation.Id), nil
}
