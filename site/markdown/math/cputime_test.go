package math

import "github.com/kiji-ssg/kiji/site/cputime"

// cpuTime is what this package's benchmarks call; the lead may inline it
// as cputime.Used once the benchmark files are merged.
var cpuTime = cputime.Used
