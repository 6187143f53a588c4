//go:build !unix

package build

import "os"

// readCacheFile returns the bytes of the cache file at p.
func readCacheFile(p string) ([]byte, error) { return os.ReadFile(p) }
