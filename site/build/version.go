package build

import (
	"bytes"
	"crypto/sha256"
	"debug/elf"
	"encoding/hex"
	"io"
	"os"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
)

// Version is kiji's version as people read it (kiji version, the feeds'
// generator): main sets it from -ldflags "-X main.version=…" when a
// release does; otherwise it comes from the binary's build info: the
// module version (a release tag, or the pseudo-version go build stamps
// from git, "+dirty" for a modified tree), else the VCS revision, else
// "devel".
var Version = versionOf(readBuildInfo())

func readBuildInfo() *debug.BuildInfo {
	bi, _ := debug.ReadBuildInfo()
	return bi
}

func versionOf(bi *debug.BuildInfo) string {
	if bi == nil {
		return "devel"
	}
	if v := bi.Main.Version; v != "" && v != "(devel)" {
		return v
	}
	var rev, modified string
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			modified = s.Value
		}
	}
	if rev == "" {
		return "devel"
	}
	v := "devel-" + rev[:min(12, len(rev))]
	if modified == "true" {
		v += "+dirty"
	}
	return v
}

// cacheVersion keys every cache: Version, the Go version, and the
// executable's Go build ID, which changes with any change to kiji's code or
// to how it was built (a dirty tree, go run, go test, a new -ldflags) and
// is the same for every run of one binary. So an upgraded kiji never
// reuses the caches of another, and two runs of one binary share them.
func cacheVersion() string {
	return Version + " " + runtime.Version() + " " + executableID()
}

// ExecutableID is the Go build ID of the running kiji (or a hash of its
// bytes): what tells two builds of kiji apart when Version does not.
func ExecutableID() string { return executableID() }

var executableID = sync.OnceValue(func() string {
	exe, err := os.Executable()
	if err != nil {
		return "unknown"
	}
	if id := buildIDOf(exe); id != "" {
		return id
	}
	return "sha256:" + exeHash(exe) // no build ID found: the bytes themselves
})

// buildIDOf reads the Go build ID of the executable at path, as go tool
// buildid does: from the ELF note, or else from the marker the linker
// writes near the start of the text ("" when there is none).
func buildIDOf(path string) string {
	if f, err := elf.Open(path); err == nil {
		defer f.Close()
		if s := f.Section(".note.go.buildid"); s != nil {
			if b, err := s.Data(); err == nil && len(b) > 16 {
				return strings.TrimRight(string(b[16:]), "\x00")
			}
		}
		return ""
	}
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	head := make([]byte, 1<<20)
	n, _ := io.ReadFull(f, head)
	const prefix, suffix = "\xff Go build ID: \"", "\"\n \xff"
	i := bytes.Index(head[:n], []byte(prefix))
	if i < 0 {
		return ""
	}
	rest := head[i+len(prefix) : n]
	j := bytes.Index(rest, []byte(suffix))
	if j < 0 {
		return ""
	}
	return string(rest[:j])
}

func exeHash(path string) string {
	f, err := os.Open(path)
	if err != nil {
		return "unknown"
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "unknown"
	}
	return hex.EncodeToString(h.Sum(nil))
}
