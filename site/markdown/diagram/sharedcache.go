package diagram

import (
	"bytes"
	"crypto/sha256"
	"encoding/gob"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// Cutting D2's fonts and writing the shared stylesheets takes a few
// hundred milliseconds of CPU, so with WithCacheDir they are kept in one
// file, "shared-<key>.d2shared", keyed by formatVersion, D2's version and
// the themes (bump formatVersion when the ranges or the stylesheets
// change). The file is one header line and a gob of sharedFile:
//
//	kiji-d2-shared <key> <payload length> <sha256 of payload>\n
//	<payload>
//
// A file that does not parse, names another key or fails its checksum is
// made again and rewritten.
const sharedMagic = "kiji-d2-shared"

type sharedFile struct {
	CSS, MDCSS      []byte
	Fonts           []sharedFont
	Embed           []string
	Theme, Markdown string
}

type sharedFont struct {
	Suffix, Name, Ranges string
	Data                 []byte
}

func (e *engine) sharedKey() string {
	h := sha256.Sum256(fmt.Appendf(nil, "%s\x00%s\x00theme=%d dark=%d shared", formatVersion, e.version, e.cfg.themeID, e.cfg.darkThemeID))
	return hex.EncodeToString(h[:])[:32]
}

// loadShared returns the shared styles from the cache directory, or makes
// them and writes them there.
func (e *engine) loadShared() (*shared, error) {
	if e.cfg.cacheDir == "" {
		return newShared(e.cfg)
	}
	key := e.sharedKey()
	path := filepath.Join(e.cfg.cacheDir, "shared-"+key+".d2shared")
	if data, err := os.ReadFile(path); err == nil {
		if sh, err := decodeShared(data, key); err == nil {
			return sh, nil
		}
	}
	sh, err := newShared(e.cfg)
	if err != nil {
		return nil, err
	}
	// A cache folder that cannot be written costs the next build the
	// time to make them again, nothing else (Stats counts diagrams).
	_ = writeFileAtomic(e.cfg.cacheDir, path, encodeShared(sh, key))
	return sh, nil
}

func encodeShared(sh *shared, key string) []byte {
	f := sharedFile{CSS: sh.css, MDCSS: sh.mdCSS, Embed: sh.embed, Theme: sh.theme, Markdown: sh.markdown}
	for _, ff := range sh.fonts {
		f.Fonts = append(f.Fonts, sharedFont{Suffix: ff.face.suffix, Name: ff.name, Ranges: ff.ranges, Data: ff.data})
	}
	var payload bytes.Buffer
	_ = gob.NewEncoder(&payload).Encode(&f) // of plain data, cannot fail
	sum := sha256.Sum256(payload.Bytes())
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s %s %d %s\n", sharedMagic, key, payload.Len(), hex.EncodeToString(sum[:]))
	b.Write(payload.Bytes())
	return b.Bytes()
}

func decodeShared(data []byte, key string) (*shared, error) {
	nl := bytes.IndexByte(data, '\n')
	if nl < 0 || nl > 256 {
		return nil, errors.New("no header")
	}
	var magic, k, sum string
	var n int
	if _, err := fmt.Sscanf(string(data[:nl]), "%s %s %d %s", &magic, &k, &n, &sum); err != nil || magic != sharedMagic || k != key {
		return nil, errors.New("bad header")
	}
	payload := data[nl+1:]
	got := sha256.Sum256(payload)
	if len(payload) != n || hex.EncodeToString(got[:]) != sum {
		return nil, errors.New("bad length or checksum")
	}
	var f sharedFile
	if err := gob.NewDecoder(bytes.NewReader(payload)).Decode(&f); err != nil {
		return nil, err
	}
	sh := &shared{css: f.CSS, mdCSS: f.MDCSS, embed: f.Embed, theme: f.Theme, markdown: f.Markdown}
	for _, ff := range f.Fonts {
		fc, ok := faceBySuffix(ff.Suffix)
		if !ok {
			return nil, errors.New("unknown face")
		}
		sh.fonts = append(sh.fonts, fontFile{face: fc, name: ff.Name, data: ff.Data, ranges: ff.Ranges})
	}
	return sh, nil
}

func faceBySuffix(s string) (face, bool) {
	for _, f := range faces {
		if f.suffix == s {
			return f, true
		}
	}
	return face{}, false
}

// writeFileAtomic writes path (in dir, created if missing) through a
// temporary file renamed over it.
func writeFileAtomic(dir, path string, data []byte) (err error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, ".tmp-shared-*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			_ = os.Remove(tmp.Name())
		}
	}()
	if _, err = tmp.Write(data); err != nil {
		_ = tmp.Close()
		return err
	}
	if err = tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
