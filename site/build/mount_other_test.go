//go:build !linux

package build

import "testing"

func mountTmpfs(t *testing.T, dir string) {
	t.Skip("mounting a tmpfs needs Linux")
}
