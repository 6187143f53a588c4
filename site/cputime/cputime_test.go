//go:build unix

package cputime

import (
	"testing"
	"time"
)

// TestUsedCountsWork: spinning for 50ms of wall time adds CPU time.
func TestUsedCountsWork(t *testing.T) {
	start := Used()
	if start <= 0 {
		t.Fatalf("Used() = %v at the start of a test; want the time the process has used", start)
	}
	sink := 0
	for end := time.Now().Add(50 * time.Millisecond); time.Now().Before(end); {
		sink++
	}
	spun := Used() - start
	if spun <= 0 {
		t.Errorf("50ms of spinning added %v of CPU time (sink %d)", spun, sink)
	}
}
