package diagram

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// A cache file is one header line and the body:
//
//	kiji-d2-cache <formatVersion> <key> <id> <w> <h> <body length> <sha256 of body>\n
//	<body>
//
// A file whose header does not parse, names another key, or whose body has
// the wrong length or checksum (a torn or truncated write, a disk error, an
// edit) is not served.
const cacheMagic = "kiji-d2-cache"

type cacheStatus int

const (
	cacheMiss cacheStatus = iota
	cacheHit
	cacheCorrupt
)

func cachePath(dir, key string) string { return filepath.Join(dir, key+".d2svg") }

// readCache returns the cached diagram of key.
func readCache(dir, key string) (*result, cacheStatus) {
	data, err := os.ReadFile(cachePath(dir, key))
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, cacheMiss
		}
		return nil, cacheCorrupt
	}
	res, err := decodeCache(data, key)
	if err != nil {
		return nil, cacheCorrupt
	}
	return res, cacheHit
}

func encodeCache(key string, r *result) []byte {
	sum := sha256.Sum256(r.body)
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s %s %s %s %d %d %d %s\n", cacheMagic, formatVersion, key, r.id, r.w, r.h, len(r.body), hex.EncodeToString(sum[:]))
	b.Write(r.body)
	return b.Bytes()
}

func decodeCache(data []byte, key string) (*result, error) {
	nl := bytes.IndexByte(data, '\n')
	if nl < 0 || nl > 512 {
		return nil, errors.New("no header")
	}
	f := strings.Split(string(data[:nl]), " ")
	if len(f) != 8 || f[0] != cacheMagic || f[1] != formatVersion || f[2] != key {
		return nil, errors.New("bad header")
	}
	id := f[3]
	if id != "d2-"+key[:12] {
		return nil, errors.New("bad id")
	}
	w, err1 := strconv.Atoi(f[4])
	h, err2 := strconv.Atoi(f[5])
	n, err3 := strconv.Atoi(f[6])
	if err1 != nil || err2 != nil || err3 != nil || w <= 0 || h <= 0 {
		return nil, errors.New("bad numbers")
	}
	body := data[nl+1:]
	if len(body) != n {
		return nil, errors.New("bad length")
	}
	sum := sha256.Sum256(body)
	if hex.EncodeToString(sum[:]) != f[7] {
		return nil, errors.New("bad checksum")
	}
	return &result{id: id, w: w, h: h, body: body}, nil
}

// writeCache writes the cache file of key atomically: a temporary file in
// dir, renamed over the final name, so a reader sees the old file, the new
// one, or none.
func writeCache(dir, key string, r *result) (err error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("creating the diagram cache directory: %w", err)
	}
	tmp, err := os.CreateTemp(dir, ".tmp-"+key[:12]+"-*")
	if err != nil {
		return fmt.Errorf("writing the diagram cache: %w", err)
	}
	defer func() {
		if err != nil {
			_ = os.Remove(tmp.Name())
		}
	}()
	if _, err = tmp.Write(encodeCache(key, r)); err != nil {
		_ = tmp.Close()
		return fmt.Errorf("writing the diagram cache: %w", err)
	}
	if err = tmp.Close(); err != nil {
		return fmt.Errorf("writing the diagram cache: %w", err)
	}
	if err = os.Rename(tmp.Name(), cachePath(dir, key)); err != nil {
		return fmt.Errorf("writing the diagram cache: %w", err)
	}
	return nil
}
