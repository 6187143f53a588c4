package serve

import (
	"context"
	"os"
	"runtime/pprof"
	"testing"
	"time"

	"github.com/kiji-ssg/kiji/site/build"
)

func TestZZProf(t *testing.T) {
	dir := os.Getenv("PROFDIR")
	if dir == "" {
		t.Skip()
	}
	opts := build.Options{Root: dir, Source: dir + "/content", Dest: dir + "/out", CacheDir: dir + "/.kc", Offline: true, Dev: true}
	build.Build(context.Background(), opts)
	f, _ := os.Create("/tmp/cpu-inc.prof")
	pprof.StartCPUProfile(f)
	for i := 0; i < 5; i++ {
		st := time.Now()
		rep, err := build.Build(context.Background(), opts)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%v %s", time.Since(st), rep.Summary())
	}
	pprof.StopCPUProfile()
}
