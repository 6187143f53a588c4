package build

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/kiji-ssg/kiji/site/diag"
)

// outProject is a small project whose stylesheet can be changed (which
// renames the fingerprinted asset every page links to).
func outProject(t testing.TB, articles int) string {
	t.Helper()
	root := t.TempDir()
	if r, err := filepath.EvalSymlinks(root); err == nil {
		root = r
	}
	w := func(rel, s string) {
		p := filepath.Join(root, filepath.FromSlash(rel))
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for i := range articles {
		w(fmt.Sprintf("content/articles/a%03d.md", i), builderArticle(fmt.Sprintf("Article %d", i), `"go"`, "## Intro\n\nText ![](/images/a.png)\n"))
	}
	w("content/images/a.png", string(tinyPNG))
	w("kiji.yaml", "title: Output test\ntheme: mine\nog_images: false\n")
	w("themes/mine/assets/style.css", "body { color: #000 }\n")
	return root
}

func outOpts(root string) Options {
	return Options{Root: root, Offline: true}
}

// restyle changes the theme's stylesheet: every page then links to a new
// fingerprinted file and the old one is stale.
func restyle(t testing.TB, root string, n int) {
	t.Helper()
	css := fmt.Sprintf("body { color: #%06x }\n", n)
	if err := os.WriteFile(filepath.Join(root, "themes/mine/assets/style.css"), []byte(css), 0o644); err != nil {
		t.Fatal(err)
	}
}

func mustBuild(t testing.TB, opts Options) *Report {
	t.Helper()
	rep, err := Build(context.Background(), opts)
	if err != nil {
		t.Fatalf("build: %v", err)
	}
	return rep
}

// files maps every file under dir (hidden ones included) to its bytes.
func files(t testing.TB, dir string) map[string]string {
	t.Helper()
	m := map[string]string{}
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		b, _ := os.ReadFile(p)
		rel, _ := filepath.Rel(dir, p)
		m[filepath.ToSlash(rel)] = string(b)
		return nil
	})
	return m
}

var refRE = regexp.MustCompile(`(?:href|src)="(/[^"#?]*)`)

// brokenRefs lists the files (not pages) that a page of dest points to
// and that are not there: stylesheets, scripts, images.
func brokenRefs(dest string) []string {
	var out []string
	filepath.WalkDir(dest, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if d.IsDir() && strings.HasPrefix(d.Name(), ".kiji-") {
			return filepath.SkipDir // a staging folder, not the site
		}
		if d.IsDir() || !strings.HasSuffix(p, ".html") {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return nil
		}
		for _, m := range refRE.FindAllStringSubmatch(string(b), -1) {
			ref := m[1]
			if !strings.HasPrefix(ref, "/assets/") && !strings.HasPrefix(ref, "/images/") {
				continue
			}
			if _, err := os.Stat(filepath.Join(dest, filepath.FromSlash(ref))); err != nil {
				rel, _ := filepath.Rel(dest, p)
				out = append(out, rel+" -> "+ref)
			}
		}
		return nil
	})
	return out
}

// TestOutputRefusesFolderItDidNotWrite plants manifests in a folder of
// user data: kiji must refuse it and delete nothing.
func TestOutputRefusesFolderItDidNotWrite(t *testing.T) {
	hash := strings.Repeat("ab", 32)
	for _, tc := range []struct {
		name, manifest string
	}{
		{"empty manifest", ""},
		{"header only", manifestHeader + "\n"},
		{"not a manifest", "hello\n"},
		{"a damaged line", manifestHeader + "\n" + hash + " notes.txt\nxyz precious.txt\n"},
		{"lists none of the files", manifestHeader + "\n" + hash + " index.html\n"},
		{"lists a few of many", manifestHeader + "\n" + hash + " notes.txt\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := outProject(t, 1)
			dest := filepath.Join(root, "mine")
			user := map[string]string{
				"precious.txt":     "do not delete",
				"notes.txt":        "notes",
				"photos/a.jpg":     "jpeg",
				"photos/b.jpg":     "jpeg",
				"index.html":       "my own page",
				manifestName:       tc.manifest,
				"articles/x/y.txt": "user data where kiji writes",
			}
			if tc.name == "lists none of the files" {
				delete(user, "index.html")
			}
			for rel, s := range user {
				writeFile(t, filepath.Join(dest, filepath.FromSlash(rel)), s)
			}
			opts := outOpts(root)
			opts.Dest = dest
			_, err := Build(context.Background(), opts)
			if err == nil {
				t.Fatal("kiji built into a folder it did not write")
			}
			for _, want := range []string{dest, "not one kiji wrote", "--dest"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("the error %q does not say %q", err, want)
				}
			}
			if diff := cmp.Diff(user, files(t, dest)); diff != "" {
				t.Errorf("the folder changed (-want +got):\n%s", diff)
			}
		})
	}
}

// TestOutputKeepsFilesItDidNotWrite adds files to the output folder: they
// survive rebuilds with and without the cache, the files kiji no longer
// writes go, and the build says which files it kept.
func TestOutputKeepsFilesItDidNotWrite(t *testing.T) {
	for _, cache := range []string{"with the cache", "without the cache"} {
		t.Run(cache, func(t *testing.T) {
			root := outProject(t, 2)
			opts := outOpts(root)
			mustBuild(t, opts)
			dest := filepath.Join(root, "public")
			writeFile(t, filepath.Join(dest, "CNAME"), "blog.example.com\n")
			writeFile(t, filepath.Join(dest, "downloads/talk.pdf"), "%PDF")
			os.Remove(filepath.Join(root, "content/articles/a001.md"))
			restyle(t, root, 1)
			if cache == "without the cache" {
				opts.CacheDir = filepath.Join(root, "other-cache")
			}
			rep := mustBuild(t, opts)
			got := files(t, dest)
			for _, rel := range []string{"CNAME", "downloads/talk.pdf"} {
				if _, ok := got[rel]; !ok {
					t.Errorf("%s, added by the user, was deleted", rel)
				}
			}
			for rel := range got {
				if strings.HasPrefix(rel, "articles/a001/") {
					t.Errorf("%s, no longer built, is still there", rel)
				}
			}
			if n := countPrefix(got, "assets/style."); n != 1 {
				t.Errorf("%d stylesheets in assets/, want the new one only", n)
			}
			var kept []string
			for _, p := range rep.Problems {
				if p.Severity == diag.Warning && strings.Contains(p.Msg, "did not write") {
					kept = append(kept, p.File)
				}
			}
			want := []string{filepath.ToSlash(filepath.Join(dest, "CNAME")), filepath.ToSlash(filepath.Join(dest, "downloads/talk.pdf"))}
			if diff := cmp.Diff(want, kept); diff != "" {
				t.Errorf("warnings about kept files (-want +got):\n%s", diff)
			}
		})
	}
}

func countPrefix(m map[string]string, prefix string) int {
	n := 0
	for k := range m {
		if strings.HasPrefix(k, prefix) {
			n++
		}
	}
	return n
}

// TestOutputSymlinkedDest builds into a symlink to a folder: the link
// stays a link and the site is in the folder it points to.
func TestOutputSymlinkedDest(t *testing.T) {
	root := outProject(t, 2)
	target := filepath.Join(t.TempDir(), "site")
	os.MkdirAll(target, 0o755)
	dest := filepath.Join(root, "public")
	if err := os.Symlink(target, dest); err != nil {
		t.Fatal(err)
	}
	opts := outOpts(root)
	for i := range 3 {
		restyle(t, root, i)
		mustBuild(t, opts)
		fi, err := os.Lstat(dest)
		if err != nil || fi.Mode()&fs.ModeSymlink == 0 {
			t.Fatalf("build %d: %s is no longer a symlink (%v)", i, dest, err)
		}
		if _, err := os.Stat(filepath.Join(target, "index.html")); err != nil {
			t.Fatalf("build %d: the site is not in the link's target: %v", i, err)
		}
		if b := brokenRefs(target); len(b) > 0 {
			t.Fatalf("build %d: broken references %v", i, b)
		}
	}
	if ents, _ := os.ReadDir(filepath.Dir(target)); len(ents) != 1 {
		t.Errorf("beside the target: %v, want only the site", ents)
	}

	// A link to nothing is an error that names it; nothing is created.
	dangling := filepath.Join(root, "gone")
	os.Symlink(filepath.Join(root, "nowhere"), dangling)
	opts.Dest = dangling
	if _, err := Build(context.Background(), opts); err == nil || !strings.Contains(err.Error(), "nowhere") {
		t.Errorf("building into a dangling link: %v", err)
	}
	if fi, err := os.Lstat(dangling); err != nil || fi.Mode()&fs.ModeSymlink == 0 {
		t.Error("the dangling link was replaced")
	}
}

// TestOutputOnAnotherFileSystem builds into a mount point, into a symlink
// to one (a Docker volume, NFS, a CI cache), and into a folder with a
// mount point inside: staging beside the folder would be on another file
// system, where rename cannot reach.
func TestOutputOnAnotherFileSystem(t *testing.T) {
	for _, tc := range []string{"mount point", "symlink to a mount point", "mount point inside"} {
		t.Run(tc, func(t *testing.T) {
			root := outProject(t, 2)
			mnt := filepath.Join(root, "mnt")
			opts := outOpts(root)
			opts.Dest = mnt
			switch tc {
			case "symlink to a mount point":
				opts.Dest = filepath.Join(root, "public")
				os.Symlink(mnt, opts.Dest)
			case "mount point inside":
				mnt = filepath.Join(root, "public/images")
				opts.Dest = filepath.Join(root, "public")
			}
			os.MkdirAll(mnt, 0o755)
			mountTmpfs(t, mnt)
			for i := range 4 {
				restyle(t, root, i)
				img := append(append([]byte(nil), tinyPNG...), byte(i))
				os.WriteFile(filepath.Join(root, "content/images/a.png"), img, 0o644)
				if i == 3 {
					os.Remove(filepath.Join(root, "content/images/a.png"))
					for _, a := range []string{"a000.md", "a001.md"} {
						writeFile(t, filepath.Join(root, "content/articles", a), builderArticle("No image "+a, `"go"`, "Text.\n"))
					}
				}
				mustBuild(t, opts)
				site, _ := filepath.EvalSymlinks(opts.Dest)
				if b := brokenRefs(site); len(b) > 0 {
					t.Fatalf("build %d: broken references %v", i, b)
				}
				got, err := os.ReadFile(filepath.Join(site, "images/a.png"))
				if i < 3 && (err != nil || string(got) != string(img)) {
					t.Fatalf("build %d: images/a.png is not the new image (%v)", i, err)
				}
				if i == 3 && err == nil {
					t.Fatal("the removed image is still there")
				}
			}
			site, _ := filepath.EvalSymlinks(opts.Dest)
			if n := countPrefix(files(t, site), "assets/style."); n != 1 {
				t.Errorf("%d stylesheets, want 1", n)
			}
		})
	}
}

// TestOutputCommitFailsCleanly makes one page impossible to replace
// (chattr +i) while a build replaces every page: the build fails and the
// destination is exactly as before; once the page can be replaced, the
// next build succeeds.
func TestOutputCommitFailsCleanly(t *testing.T) {
	if _, err := exec.LookPath("chattr"); err != nil {
		t.Skip("no chattr")
	}
	root := outProject(t, 6)
	opts := outOpts(root)
	mustBuild(t, opts)
	dest := filepath.Join(root, "public")
	before := files(t, dest)
	locked := filepath.Join(dest, "articles/a003/index.html")
	if out, err := exec.Command("chattr", "+i", locked).CombinedOutput(); err != nil {
		t.Skipf("chattr +i: %v %s", err, out)
	}
	defer exec.Command("chattr", "-i", locked).Run()
	restyle(t, root, 7)
	_, err := Build(context.Background(), opts)
	if err == nil {
		t.Fatal("the build succeeded although a page could not be replaced")
	}
	if diff := cmp.Diff(before, files(t, dest)); diff != "" {
		t.Errorf("a failed commit left the destination mixed (-before +after):\n%s", diff)
	}
	exec.Command("chattr", "-i", locked).Run()
	mustBuild(t, opts)
	if b := brokenRefs(dest); len(b) > 0 {
		t.Errorf("broken references after the next build: %v", b)
	}
	if strings.Contains(read(t, locked), "#000000") || countPrefix(files(t, dest), "assets/style.") != 1 {
		t.Error("the next build did not converge")
	}
}

// TestOutputRemovesLeftStaging: the staging folders of a build that was
// killed (beside a new destination, or inside an existing one) are
// removed by the next build; folders that only look like them, and the
// staging folder of a build still running, are not.
func TestOutputRemovesLeftStaging(t *testing.T) {
	root := outProject(t, 1)
	opts := outOpts(root)
	dest := filepath.Join(root, "public")
	// A build killed before its first commit leaves its staging folder
	// beside the destination.
	killed := stageAndDie(t, dest)
	mustBuild(t, opts)
	// One killed during a later build leaves it inside.
	killedInside := stageAndDie(t, dest)
	lookalike := filepath.Join(dest, ".kiji-tmp-mine")
	writeFile(t, filepath.Join(lookalike, "keep.txt"), "mine")
	lookalikeBeside := filepath.Join(root, ".public.kiji-tmp-123")
	writeFile(t, filepath.Join(lookalikeBeside, "keep.txt"), "mine")
	running, err := newOutputKnown(dest, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer running.abort()
	mustBuild(t, opts)
	for _, p := range []string{killed, killedInside} {
		if _, err := os.Stat(p); err == nil {
			t.Errorf("the staging folder %s of a killed build is still there", p)
		}
		if _, err := os.Stat(p + ".lock"); err == nil {
			t.Errorf("the lock of %s is still there", p)
		}
	}
	for _, p := range []string{lookalike, lookalikeBeside, running.staging} {
		if _, err := os.Stat(p); err != nil {
			t.Errorf("%s was removed: %v", p, err)
		}
	}
}

// stageAndDie starts an output for dest, writes a file to its staging
// folder and leaves it as a killed process would (its lock released).
func stageAndDie(t *testing.T, dest string) string {
	t.Helper()
	o, err := newOutputKnown(dest, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := o.write("index.html", []byte("half")); err != nil {
		t.Fatal(err)
	}
	o.die()
	if _, err := os.Stat(o.staging); err != nil {
		t.Fatal(err)
	}
	return o.staging
}

// die leaves o as a killed build would: its lock released, its staging
// folder still there.
func (o *output) die() { o.stg.lock.Close() }

// FuzzParseManifest feeds arbitrary bytes as a folder's manifest: it is
// read or refused, never a crash; what it accepts names only paths inside
// the folder, and is read the same after being written again.
func FuzzParseManifest(f *testing.F) {
	h := strings.Repeat("0f", 32)
	f.Add([]byte(""))
	f.Add([]byte(manifestHeader + "\n"))
	f.Add([]byte(manifestHeader + "\n" + h + " index.html\n" + h + " assets/style.css\n"))
	f.Add([]byte(manifestHeader + "\n" + h + " ../etc/passwd\n"))
	f.Add([]byte(manifestHeader + "\n" + h + " a\n" + h + " a\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := parseManifest(b)
		if err != nil {
			return
		}
		o := &output{files: map[string]fileState{}}
		for rel, st := range m {
			if c, err := cleanRel(rel); err != nil || c != rel {
				t.Fatalf("accepted the path %q", rel)
			}
			o.files[rel] = st
		}
		again, err := parseManifest(o.manifest(nil))
		if err != nil {
			t.Fatalf("its own manifest does not parse: %v", err)
		}
		if diff := cmp.Diff(m, again); diff != "" {
			t.Fatalf("read again differently (-first +again):\n%s", diff)
		}
	})
}

// TestOutputRefusesToReplaceUserFiles: a file of the user's where this
// build writes one of the site's (or a folder of the user's where the
// site has a file) stops the build before anything changes.
func TestOutputRefusesToReplaceUserFiles(t *testing.T) {
	for _, tc := range []struct{ name, user, static string }{
		{"a file", "CNAME", "CNAME"},
		{"a folder", "notes/mine.txt", "notes"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := outProject(t, 1)
			opts := outOpts(root)
			mustBuild(t, opts)
			dest := filepath.Join(root, "public")
			writeFile(t, filepath.Join(dest, filepath.FromSlash(tc.user)), "the user's")
			before := files(t, dest)
			writeFile(t, filepath.Join(root, "content/static", tc.static), "the site's")
			restyle(t, root, 3)
			_, err := Build(context.Background(), opts)
			want := filepath.Join(dest, strings.Split(tc.static, "/")[0])
			if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "did not write") {
				t.Fatalf("Build = %v, want an error naming %s", err, want)
			}
			if diff := cmp.Diff(before, files(t, dest)); diff != "" {
				t.Errorf("the destination changed (-before +after):\n%s", diff)
			}
		})
	}
}
