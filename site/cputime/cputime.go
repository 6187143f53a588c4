// Package cputime measures the CPU time a benchmark spends; only _test.go
// files import it (site/layers_test.go holds that).
//
// On a machine shared with other work, wall time (ns/op) measures the wait
// as well as the work; CPU time measures the work. A benchmark reports it
// beside ns/op:
//
//	start := cputime.Used()
//	for b.Loop() { ... }
//	if used := cputime.Used() - start; used > 0 {
//		b.ReportMetric(float64(used.Microseconds())/1000/float64(b.N), "cpu-ms/op")
//	}
//
// Where the system cannot tell (not Unix), Used returns 0: report nothing
// then.
package cputime
