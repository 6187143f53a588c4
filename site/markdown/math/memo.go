package math

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// A formula that ran out of time is remembered on disk too (with a cache
// dir), so that the next build does not spend that time again: one small
// file per formula, named by the hash of the KaTeX code, the JavaScript
// engines (goja's version, node's path) and the formula, holding
//
//	kiji-katex-timeout <timeout in ns> <sha256 of name and timeout>\n
//
// A file that does not read back exactly so is ignored (the formula is
// tried again). Only timeouts are kept: renderings are cheap to redo and
// the pages that hold them are in the build cache.

const memoMagic = "kiji-katex-timeout"

func (e *engine) memoPath(key [32]byte) string {
	h := sha256.Sum256(append([]byte(e.id+"\x00"), key[:]...))
	return filepath.Join(e.cacheDir, hex.EncodeToString(h[:]))
}

func memoSum(name string, timeout time.Duration) string {
	h := sha256.Sum256([]byte(memoMagic + " " + name + " " + strconv.FormatInt(int64(timeout), 10)))
	return hex.EncodeToString(h[:])
}

func (e *engine) readMemo(key [32]byte) (result, bool) {
	p := e.memoPath(key)
	b, err := os.ReadFile(p)
	if err != nil || len(b) > 200 {
		return result{}, false
	}
	f := strings.Fields(string(b))
	if len(f) != 3 || f[0] != memoMagic || !strings.HasSuffix(string(b), "\n") {
		return result{}, false
	}
	ns, err := strconv.ParseInt(f[1], 10, 64)
	if err != nil || ns <= 0 || f[2] != memoSum(filepath.Base(p), time.Duration(ns)) {
		return result{}, false
	}
	d := time.Duration(ns)
	return result{timeout: d, err: &TeXError{Offset: -1, Msg: fmt.Sprintf("rendering took longer than %v; simplify or split the formula", d)}}, true
}

// writeMemo records a timeout; failing to is not an error (the formula is
// only tried again).
func (e *engine) writeMemo(key [32]byte, r result) {
	if e.cacheDir == "" || r.timeout <= 0 {
		return
	}
	if err := os.MkdirAll(e.cacheDir, 0o755); err != nil {
		return
	}
	p := e.memoPath(key)
	line := fmt.Sprintf("%s %d %s\n", memoMagic, int64(r.timeout), memoSum(filepath.Base(p), r.timeout))
	tmp := p + ".tmp" + strconv.Itoa(os.Getpid())
	if os.WriteFile(tmp, []byte(line), 0o644) == nil {
		if os.Rename(tmp, p) != nil {
			os.Remove(tmp)
		}
	}
}
