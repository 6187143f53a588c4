package build

import (
	"runtime/debug"
	"strconv"
	"testing"
)

func gcPercent() int {
	p := debug.SetGCPercent(100)
	debug.SetGCPercent(p)
	return p
}

// TestCollectLessOften: a one-off rebuild of few changes runs with
// rebuildGCPercent, and puts the setting back, also when two run at once.
func TestCollectLessOften(t *testing.T) {
	rebuild := func(changed int) *run {
		jr := &journalRun{prev: &statJournal{}, same: map[string]bool{}}
		for i := range 100 + changed {
			p := strconv.Itoa(i)
			jr.sources = append(jr.sources, pathStamp{Path: p})
			if i >= changed {
				jr.same[p] = true
			}
		}
		return &run{journal: jr}
	}
	for _, tc := range []struct {
		name  string
		r     *run
		gogc  string
		wantP int // while it runs
	}{
		{"one change", rebuild(1), "", rebuildGCPercent},
		{"as many as fewChanged", rebuild(fewChanged), "", rebuildGCPercent},
		{"more changes", rebuild(fewChanged + 1), "", 100},
		{"no journal", &run{}, "", 100},
		{"a Builder's", func() *run { r := rebuild(1); r.b = &Builder{}; return r }(), "", 100},
		{"GOGC set", rebuild(1), "100", 100},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.gogc != "" {
				t.Setenv("GOGC", tc.gogc)
			}
			defer debug.SetGCPercent(debug.SetGCPercent(100))
			restore := tc.r.collectLessOften()
			if got := gcPercent(); got != tc.wantP {
				t.Errorf("GOGC while it runs = %d, want %d", got, tc.wantP)
			}
			restore()
			if got := gcPercent(); got != 100 {
				t.Errorf("GOGC after = %d, want 100", got)
			}
		})
	}
	t.Run("two at once", func(t *testing.T) {
		defer debug.SetGCPercent(debug.SetGCPercent(100))
		first := rebuild(1).collectLessOften()
		second := rebuild(1).collectLessOften()
		first()
		if got := gcPercent(); got != rebuildGCPercent {
			t.Errorf("GOGC while the second runs = %d, want %d", got, rebuildGCPercent)
		}
		second()
		if got := gcPercent(); got != 100 {
			t.Errorf("GOGC after both = %d, want 100", got)
		}
	})
}
