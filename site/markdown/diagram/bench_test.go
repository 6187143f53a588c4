package diagram

import (
	"fmt"
	"testing"
	"time"
)

// benchDiagram is the size of a typical article figure (the "EKS on EC2"
// figure of the seed article): nested containers, Japanese labels, edges.
const benchDiagram = `classes: {
  aws: {style.stroke-dash: 4}
  group: {style.font-size: 16; label.near: top-left}
}
eks: "Amazon EKS\nコントロールプレーン（AWS が管理）" {class: aws}
vpc: "VPC（利用者が管理）" {
  class: group
  ng: "ノードグループ（利用者が管理）" {
    class: group
    n1: "EC2 ワーカーノード" {
      class: group
      kubelet: "kubelet"
      p1: "Pod" {class: group; c1: "コンテナ"}
      p2: "Pod" {class: group; c1: "コンテナ"}
    }
    n2: "EC2 ワーカーノード" {
      class: group
      kubelet: "kubelet"
      p1: "Pod" {class: group; c1: "コンテナ"}
    }
  }
}
vpc.ng.n1.kubelet -> vpc.ng.n1.p1
vpc.ng.n1.kubelet -> vpc.ng.n1.p2
vpc.ng.n2.kubelet -> vpc.ng.n2.p1
eks -> vpc.ng.n1: "Pod をスケジュール"
eks -> vpc.ng.n2: "Pod をスケジュール"
`

func benchDoc(i int) string {
	return fmt.Sprintf("```d2 title=\"bench\"\n# %d\n%s```\n", i, benchDiagram)
}

// BenchmarkDiagram measures one diagram: laid out by D2 with a fresh
// extender (first: new ruler, nothing cached), laid out with a warm ruler
// (layout: a new source each time), served from memory, and served from the
// cache directory by a new extender (what a rebuild does).
//
//	go test ./site/markdown/diagram -run '^$' -bench Diagram -benchtime 20x
func BenchmarkDiagram(b *testing.B) {
	// ms/diagram is wall time; cpu-ms/diagram the CPU time of the whole
	// process (all goroutines, GC included), which does not depend on how
	// busy the machine is.
	var cpu0 time.Duration
	report := func(b *testing.B, start time.Time) {
		b.ReportMetric(float64(time.Since(start).Microseconds())/1000/float64(b.N), "ms/diagram")
		b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/1000/float64(b.N), "cpu-ms/diagram")
	}
	b.Run("first", func(b *testing.B) {
		var start time.Time
		start, cpu0 = time.Now(), cpuTime()
		for i := 0; i < b.N; i++ {
			x := New()
			if _, ps := convert(b, x, "b.md", benchDoc(i)); len(ps) != 0 {
				b.Fatal(ps)
			}
		}
		report(b, start)
	})
	b.Run("layout", func(b *testing.B) {
		x := New()
		convert(b, x, "b.md", benchDoc(-1)) // warm the ruler
		b.ResetTimer()
		var start time.Time
		start, cpu0 = time.Now(), cpuTime()
		for i := 0; i < b.N; i++ {
			if _, ps := convert(b, x, "b.md", benchDoc(i)); len(ps) != 0 {
				b.Fatal(ps)
			}
		}
		report(b, start)
		if s := x.Stats(); s.Layouts != int64(b.N)+1 {
			b.Fatalf("stats %+v", s)
		}
	})
	b.Run("memory", func(b *testing.B) {
		x := New()
		convert(b, x, "b.md", benchDoc(0))
		b.ResetTimer()
		var start time.Time
		start, cpu0 = time.Now(), cpuTime()
		for i := 0; i < b.N; i++ {
			convert(b, x, "b.md", benchDoc(0))
		}
		report(b, start)
		if s := x.Stats(); s.Layouts != 1 {
			b.Fatalf("stats %+v", s)
		}
	})
	b.Run("disk", func(b *testing.B) {
		dir := b.TempDir()
		convert(b, New(WithCacheDir(dir)), "b.md", benchDoc(0))
		b.ResetTimer()
		var start time.Time
		start, cpu0 = time.Now(), cpuTime()
		for i := 0; i < b.N; i++ {
			x := New(WithCacheDir(dir))
			convert(b, x, "b.md", benchDoc(0))
			if s := x.Stats(); s.Layouts != 0 || s.DiskHits != 1 {
				b.Fatalf("stats %+v", s)
			}
		}
		report(b, start)
	})
}

// BenchmarkSharedAssets measures making the shared stylesheets and font
// files, which every build does once.
func BenchmarkSharedAssets(b *testing.B) {
	for i := 0; i < b.N; i++ {
		if _, err := cutFonts(); err != nil {
			b.Fatal(err)
		}
		if _, err := newShared(newEngine().cfg); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSharedAssetsCached measures what a build with a warm cache
// directory pays instead: reading them back.
func BenchmarkSharedAssetsCached(b *testing.B) {
	dir := b.TempDir()
	if _, err := Assets(WithCacheDir(dir)); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := Assets(WithCacheDir(dir)); err != nil {
			b.Fatal(err)
		}
	}
}
