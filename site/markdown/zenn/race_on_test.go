//go:build race

package zenn

// raceEnabled: timings mean little under the race detector.
const raceEnabled = true
