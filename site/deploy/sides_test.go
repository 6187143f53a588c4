package deploy

import "context"

// The deploy command runs Paths, Describe, List and ReadHeaders as separate
// steps (cmd/kiji/deploy.go); the tests take the whole local and remote
// sides at once.

// Walk lists every regular file under dir, with its MD5 and the headers it
// must be served with (from mediatype.ContentType and mediatype.CacheControl).
// The result is sorted by Path. It is Paths then Describe.
func Walk(dir string, opts WalkOptions) ([]LocalFile, error) {
	paths, err := Paths(dir)
	if err != nil {
		return nil, err
	}
	return Describe(dir, paths, opts)
}

// Remote lists the objects under the target's prefix, reads the deploy
// state and fills in the headers of the objects that match a local file:
// from the state when its record of the object is still valid, else with a
// HEAD request (up to concurrency at once). Objects outside the prefix are
// never listed. It is List then ReadHeaders.
func (c *Client) Remote(ctx context.Context, t Target, local []LocalFile, concurrency int) (Online, error) {
	paths := make([]string, len(local))
	for i, f := range local {
		paths[i] = f.Path
	}
	on, err := c.List(ctx, t, paths)
	if err != nil {
		return Online{}, err
	}
	if err := c.ReadHeaders(ctx, t, &on, local, concurrency); err != nil {
		return Online{}, err
	}
	return on, nil
}
