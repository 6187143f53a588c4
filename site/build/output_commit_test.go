package build

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// changeSite makes the next build of outProject's site change every kind
// of file: the stylesheet is renamed (every page changes), an article
// goes, another comes, and the image changes.
func changeSite(t testing.TB, root string, n int) {
	t.Helper()
	restyle(t, root, n)
	arts := filepath.Join(root, "content/articles")
	os.Remove(filepath.Join(arts, fmt.Sprintf("a%03d.md", n%3)))
	os.WriteFile(filepath.Join(arts, fmt.Sprintf("n%03d.md", n)), []byte(builderArticle(fmt.Sprintf("New %d", n), `"web"`, "New.\n")), 0o644)
	img := append([]byte(nil), tinyPNG...)
	img = append(img, byte(n))
	os.WriteFile(filepath.Join(root, "content/images/a.png"), img, 0o644)
}

// TestCommitOrderKeepsPagesWhole watches a commit change by change: no
// page ever points to a stylesheet or image that is not there, and the
// folder's manifest always lists every file kiji put in it.
func TestCommitOrderKeepsPagesWhole(t *testing.T) {
	root := outProject(t, 4)
	opts := outOpts(root)
	mustBuild(t, opts)
	dest := filepath.Join(root, "public")
	changeSite(t, root, 1)
	var ops []string
	commitStep = func(op, rel string) error {
		ops = append(ops, op+" "+rel)
		if b := brokenRefs(dest); len(b) > 0 {
			t.Errorf("before %s %s: broken references %v", op, rel, b)
		}
		m, err := parseManifest([]byte(read(t, filepath.Join(dest, manifestName))))
		if err != nil {
			t.Fatalf("before %s %s: %v", op, rel, err)
		}
		if _, unknown, _ := walkDest(dest, m); len(unknown) > 0 {
			t.Errorf("before %s %s: files the manifest does not list: %v", op, rel, unknown)
		}
		return nil
	}
	defer func() { commitStep = nil }()
	mustBuild(t, opts)
	commitStep = nil
	if b := brokenRefs(dest); len(b) > 0 {
		t.Errorf("after the build: broken references %v", b)
	}
	// The order: manifest, files, pages, removals, manifest.
	last := map[string]int{}
	first := map[string]int{}
	for i, op := range ops {
		kind := strings.Fields(op)[0]
		if kind == "put" && strings.HasSuffix(op, ".html") {
			kind = "page"
		}
		if _, ok := first[kind]; !ok {
			first[kind] = i
		}
		last[kind] = i
	}
	if !(first["manifest"] == 0 && last["put"] < first["page"] && last["page"] < first["remove"] && last["remove"] < last["manifest"]) {
		t.Errorf("the commit's order is wrong: %v", ops)
	}
}

// TestCommitFailureRollsBack makes the commit fail at each of its changes
// in turn: the build fails, and the destination is exactly as it was; once
// nothing fails, the build succeeds.
func TestCommitFailureRollsBack(t *testing.T) {
	for _, builder := range []bool{false, true} {
		t.Run(fmt.Sprintf("builder=%v", builder), func(t *testing.T) {
			root := outProject(t, 3)
			opts := outOpts(root)
			var b *Builder
			build := func() error {
				if builder {
					_, err := b.Build(context.Background(), nil)
					return err
				}
				_, err := Build(context.Background(), opts)
				return err
			}
			if builder {
				opts.Dev = true
				b = NewBuilder(opts)
				defer b.Close()
			}
			if err := build(); err != nil {
				t.Fatal(err)
			}
			dest := filepath.Join(root, "public")
			before := files(t, dest)
			changeSite(t, root, 1)
			injected := errors.New("injected failure")
			for k := 0; ; k++ {
				n := 0
				commitStep = func(op, rel string) error {
					n++
					if n-1 == k {
						return fmt.Errorf("%s %s: %w", op, rel, injected)
					}
					return nil
				}
				err := build()
				commitStep = nil
				if err == nil {
					if k < 5 {
						t.Fatalf("the commit made only %d changes", k)
					}
					break
				}
				if !errors.Is(err, injected) || !strings.Contains(err.Error(), "left as it was") {
					t.Fatalf("failure at change %d: %v", k, err)
				}
				if diff := cmp.Diff(before, files(t, dest)); diff != "" {
					t.Fatalf("failure at change %d left the destination changed (-before +after):\n%s", k, diff)
				}
			}
			if b := brokenRefs(dest); len(b) > 0 {
				t.Errorf("broken references: %v", b)
			}
			if countPrefix(files(t, dest), "assets/style.") != 1 {
				t.Error("the build did not converge")
			}
		})
	}
}

// TestKillChild is the build TestCommitKilled kills; it runs only as its
// child.
func TestKillChild(t *testing.T) {
	root := os.Getenv("KIJI_KILL_ROOT")
	if root == "" {
		t.Skip("only as the child of TestCommitKilled")
	}
	// Each change of the commit takes a while, so that kills land in it.
	commitStep = func(string, string) error { time.Sleep(3 * time.Millisecond); return nil }
	defer func() { commitStep = nil }()
	if _, err := Build(context.Background(), outOpts(root)); err != nil {
		t.Fatal(err)
	}
}

// TestCommitKilled kills builds (kill -9) at random moments, most of them
// late, while they change every page: after each kill, no page points to
// a stylesheet or image that is not there, the folder is still kiji's,
// and an uninterrupted build then writes what a fresh build writes.
func TestCommitKilled(t *testing.T) {
	if testing.Short() {
		t.Skip("slow")
	}
	root := outProject(t, 40)
	dest := filepath.Join(root, "public")
	child := func() *exec.Cmd {
		c := exec.Command(os.Args[0], "-test.run=^TestKillChild$")
		c.Env = append(os.Environ(), "KIJI_KILL_ROOT="+root)
		return c
	}
	if out, err := child().CombinedOutput(); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	changeSite(t, root, 1)
	t0 := time.Now()
	if out, err := child().CombinedOutput(); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	d := time.Since(t0)
	rng := rand.New(rand.NewPCG(1, 2))
	killed, mixed := 0, 0
	for i := range 15 {
		changeSite(t, root, i+2)
		c := child()
		if err := c.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Duration(float64(d) * (0.3 + 0.9*rng.Float64())))
		c.Process.Kill() // SIGKILL
		if c.Wait() != nil {
			killed++
		}
		if b := brokenRefs(dest); len(b) > 0 {
			t.Errorf("kill %d: pages point to missing files: %v", i, b[:min(3, len(b))])
		}
		if _, err := inspectDest(dest); err != nil {
			t.Errorf("kill %d: %v", i, err)
		}
		if len(stylesheets(dest)) > 1 {
			mixed++ // killed in the middle of its commit
		}
	}
	t.Logf("%d of 15 builds were killed (a build takes %v), %d of them in the middle of their commit", killed, d, mixed)
	if out, err := child().CombinedOutput(); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	fresh := outOpts(root)
	fresh.Dest, fresh.CacheDir = filepath.Join(t.TempDir(), "fresh"), filepath.Join(t.TempDir(), "cache")
	mustBuild(t, fresh)
	if diff := cmp.Diff(files(t, fresh.Dest), files(t, dest)); diff != "" {
		t.Errorf("after the kills, a build did not converge (-fresh +dest):\n%s", diff)
	}
	for _, dir := range []string{root, dest} {
		ents, _ := os.ReadDir(dir)
		for _, e := range ents {
			if strings.Contains(e.Name(), stagingInfix) {
				t.Errorf("left behind: %s", filepath.Join(dir, e.Name()))
			}
		}
	}
}

// stylesheets lists the theme stylesheets the pages of dest link to.
func stylesheets(dest string) map[string]bool {
	m := map[string]bool{}
	filepath.WalkDir(dest, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".html") || strings.Contains(p, stagingInfix) {
			return nil
		}
		b, _ := os.ReadFile(p)
		for _, m2 := range refRE.FindAllStringSubmatch(string(b), -1) {
			if strings.HasPrefix(m2[1], "/assets/style.") {
				m[m2[1]] = true
			}
		}
		return nil
	})
	return m
}
