//go:build !race

package zenn

const raceEnabled = false
