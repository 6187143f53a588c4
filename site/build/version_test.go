package build

import (
	"os"
	"os/exec"
	"runtime/debug"
	"strings"
	"testing"
)

func TestVersionFromBuildInfo(t *testing.T) {
	vcs := func(rev, modified string) []debug.BuildSetting {
		return []debug.BuildSetting{{Key: "vcs", Value: "git"}, {Key: "vcs.revision", Value: rev}, {Key: "vcs.modified", Value: modified}}
	}
	for _, tc := range []struct {
		name string
		bi   *debug.BuildInfo
		want string
	}{
		{"no build info", nil, "devel"},
		{"go install of a release", &debug.BuildInfo{Main: debug.Module{Version: "v1.2.3"}}, "v1.2.3"},
		{"go build of a clean checkout", &debug.BuildInfo{Main: debug.Module{Version: "v0.0.0-20260101120000-0123456789ab"}, Settings: vcs("0123456789abcdef", "false")}, "v0.0.0-20260101120000-0123456789ab"},
		{"go build of a modified checkout", &debug.BuildInfo{Main: debug.Module{Version: "v0.0.0-20260101120000-0123456789ab+dirty"}, Settings: vcs("0123456789abcdef", "true")}, "v0.0.0-20260101120000-0123456789ab+dirty"},
		{"revision only", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: vcs("0123456789abcdef", "true")}, "devel-0123456789ab+dirty"},
		{"nothing known (go test, -buildvcs=false)", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}}, "devel"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := versionOf(tc.bi); got != tc.want {
				t.Errorf("versionOf = %q, want %q", got, tc.want)
			}
		})
	}
}

// The executable's Go build ID is read as the go tool reads it, and is the
// same every time (two builds of one binary share their caches).
func TestBuildID(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Skip(err)
	}
	got := buildIDOf(exe)
	if got == "" || got != buildIDOf(exe) {
		t.Fatalf("buildIDOf = %q, not stable or empty", got)
	}
	out, err := exec.Command("go", "tool", "buildid", exe).Output()
	if err != nil {
		t.Skipf("go tool buildid: %v", err)
	}
	if want := strings.TrimSpace(string(out)); got != want {
		t.Errorf("buildIDOf = %q, go tool buildid says %q", got, want)
	}
	if cacheVersion() != cacheVersion() || !strings.Contains(cacheVersion(), got) {
		t.Errorf("cacheVersion %q is not stable or lacks the build ID", cacheVersion())
	}
}
