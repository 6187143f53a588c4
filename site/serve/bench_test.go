package serve

import (
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// BenchmarkReload measures the time from saving one article to an open
// page (here a Go client of the event stream) receiving its reload event:
// the debounce, the rebuild and the event. It reports the median of 20
// saves (ms/reload-median), and the slowest (ms/reload-max); ns/op is the
// time of the 20 saves with their pauses, not a figure to read. It also
// reports how long the server takes to start serving: its first build
// with an empty cache (s/start-cold), and again with the cache the first
// left (s/start-warm, a second `kiji serve`).
//
//	go test ./site/serve -run '^$' -bench Reload -benchtime 1x
//
// "seed" is the repository's content/; "1k" is the 1,000-article corpus of
// ../shared/bench/gencorpus.go (seed 1), generated into a temp folder; "10k"
// runs when KIJI_BENCH_CORPUS names a content folder (the 10,000-article
// corpus's), copied into a temp folder:
//
//	KIJI_BENCH_CORPUS=DIR/content go test ./site/serve -run '^$' -bench 'Reload/10k' -benchtime 1x -timeout 60m
//
// The corpus cases build without sharing images (og_images: false), as
// scripts/bench.sh does.
func BenchmarkReload(b *testing.B) {
	b.Run("seed", func(b *testing.B) {
		root := b.TempDir()
		if err := copyTree(filepath.Join("..", "..", "content"), filepath.Join(root, "content")); err != nil {
			b.Fatalf("copying the seed site: %v", err)
		}
		benchReload(b, root, "ecs-vs-eks")
	})
	b.Run("1k", func(b *testing.B) {
		gen := filepath.Join("..", "..", "..", "shared", "bench", "gencorpus.go")
		if _, err := os.Stat(gen); err != nil {
			b.Skipf("no corpus generator at %s (../shared/bench beside the repository): skipping the 1,000-article case", gen)
		}
		root := b.TempDir()
		cmd := exec.Command("go", "run", gen, "-n", "1000", "-seed", "1", "-out", root)
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("generating the corpus: %v\n%s", err, out)
		}
		writeBenchConfig(b, root)
		benchReload(b, root, "slug-00500")
	})
	b.Run("10k", func(b *testing.B) {
		src := os.Getenv("KIJI_BENCH_CORPUS")
		if src == "" {
			b.Skip("KIJI_BENCH_CORPUS names no content folder: skipping the 10,000-article case")
		}
		root := b.TempDir()
		if err := copyTree(src, filepath.Join(root, "content")); err != nil {
			b.Fatalf("copying the corpus: %v", err)
		}
		writeBenchConfig(b, root)
		benchReload(b, root, "slug-05000")
	})
}

// writeBenchConfig turns the sharing images off, as scripts/bench.sh does.
func writeBenchConfig(b *testing.B, root string) {
	b.Helper()
	if err := os.WriteFile(filepath.Join(root, "kiji.yaml"), []byte("title: bench\nog_images: false\n"), 0o644); err != nil {
		b.Fatal(err)
	}
}

func benchReload(b *testing.B, root, slug string) {
	b.Helper()
	t0 := time.Now()
	_, _, stop := startServer(b, root, "127.0.0.1:0", 0)
	cold := time.Since(t0)
	stop() // writes the cache
	t0 = time.Now()
	url, builds := running(b, root, 0)
	warm := time.Since(t0)
	c := dialSSE(b, url)
	c.next(b, 10*time.Second, "hello")
	art := filepath.Join(root, "content", "articles", slug+".md")
	orig, err := os.ReadFile(art)
	if err != nil {
		b.Fatal(err)
	}
	page := "/articles/" + slug + "/index.html"
	n := 0
	saveOnce := func() time.Duration {
		n++
		text := append(append([]byte{}, orig...), fmt.Sprintf("\n\nEdit number %d.\n", n)...)
		start := time.Now()
		if err := os.WriteFile(art, text, 0o644); err != nil {
			b.Fatal(err)
		}
		for {
			ev := c.next(b, 60*time.Second, "reload", "problems")
			if ev.Name == "problems" {
				b.Fatalf("the build failed: %v", ev.Data)
			}
			if files, _ := ev.Data["files"].([]any); containsAny(files, page) || ev.Data["all"] == true {
				return time.Since(start)
			}
		}
	}
	// save returns how long the page took to reload, then waits for the
	// whole build (the lists, feeds, link check and search index go on
	// after the reload) and records how long it took: each save is made
	// on an idle server, as a person's are.
	var done []time.Duration
	save := func() time.Duration {
		reload := saveOnce()
		for ev := range builds {
			if ev.Report != nil && len(ev.Trigger) > 0 {
				done = append(done, ev.Report.Duration)
				break
			}
		}
		return reload
	}
	save() // warm up: the first rebuild fills the Builder's memory
	var times []time.Duration
	for b.Loop() {
		times, done = times[:0], done[:0]
		for range 20 {
			times = append(times, save())
			time.Sleep(100 * time.Millisecond) // separate saves, as a person's are
		}
	}
	slices.Sort(times)
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
	b.ReportMetric(ms(times[len(times)/2]), "ms/reload-median")
	b.ReportMetric(ms(times[len(times)-1]), "ms/reload-max")
	slices.Sort(done)
	b.ReportMetric(ms(done[len(done)/2]), "ms/build-median")
	// After the loop: b.Loop's first call drops the metrics reported before.
	b.ReportMetric(cold.Seconds(), "s/start-cold")
	b.ReportMetric(warm.Seconds(), "s/start-warm")
}

// copyTree copies the folder from into to.
func copyTree(from, to string) error {
	return filepath.WalkDir(from, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, p)
		dst := filepath.Join(to, rel)
		if d.IsDir() {
			return os.MkdirAll(dst, 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(dst, b, 0o644)
	})
}
