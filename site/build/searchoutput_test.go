package build

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestSearchFileLostFromOutput: a file of the search index removed from
// the output (by hand, or by a build killed while it put its output in
// place) is written again by the next build, along with the rest of its
// group. The group's other files were taken as kept before it found the
// file missing, and writing the group then failed with "two files would
// be written" (TestCommitKilled's flake).
func TestSearchFileLostFromOutput(t *testing.T) {
	root := outProject(t, 40)
	opts := outOpts(root)
	mustBuild(t, opts)
	dest := filepath.Join(root, "public")
	shards, _ := filepath.Glob(filepath.Join(dest, "search", "g", "*", "*.json"))
	if len(shards) < 2 {
		t.Fatalf("the index has %d shard files; want at least 2", len(shards))
	}
	lost := shards[len(shards)-1] // not the group's first file
	if err := os.Remove(lost); err != nil {
		t.Fatal(err)
	}
	mustBuild(t, opts)
	if _, err := os.Stat(lost); err != nil {
		t.Errorf("the lost file is not back: %v", err)
	}
	fresh := outOpts(root)
	fresh.Dest, fresh.CacheDir = filepath.Join(t.TempDir(), "fresh"), filepath.Join(t.TempDir(), "cache")
	mustBuild(t, fresh)
	if diff := cmp.Diff(files(t, fresh.Dest), files(t, dest)); diff != "" {
		t.Errorf("the output is not a fresh build's (-fresh +dest):\n%s", diff)
	}
}
