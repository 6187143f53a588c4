package deploy

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"maps"
	"regexp"
	"strings"
)

// The deploy state: what a listing cannot show.
//
// A listing gives each object's key, size and ETag, but not its
// Content-Type, Cache-Control or Content-Encoding, nor the MD5 of the
// original bytes of a file stored gzip-compressed. Reading them costs a HEAD
// per file (10,000 requests for 10,000 files). Instead kiji keeps them in one
// object under the prefix, StateName, written by every deploy that changed
// something: per object, the ETag and size it had when kiji uploaded it and
// the headers and MD5 it was uploaded with.
//
// A record is trusted only while the listed ETag and size are still the
// recorded ones; any other object (replaced by another tool, or unknown) has
// its headers read with HEAD, as without a state, and is recorded by the
// next write. Since the record holds the headers themselves, not whether
// they were right, a change of kiji's Content-Type or Cache-Control rules
// (an upgrade) still re-uploads the files it concerns.
//
// Keys are stored as hashes: the bucket may be public, and the list of
// every file is not for readers (they can only test names they already
// know).

// StateName is the name of the deploy state object, directly under the
// prefix. It is kiji's own: never uploaded from the site folder, never
// deleted by a deploy.
const StateName = ".kiji-deploy-state"

const stateVersion = 1

// maxStateSize bounds what is read of a state object, uncompressed (about
// 150 bytes a file; this allows some 400,000 files).
const maxStateSize = 64 << 20

// A record is what kiji knows of an object it uploaded.
type record struct {
	ETag string `json:"e"` // as listed: without quotes, lower case
	Size int64  `json:"s"` // stored size (compressed, for gzip)
	// MD5 is the hex MD5 of the file before compression; omitted when it
	// equals the ETag.
	MD5             string `json:"m,omitempty"`
	ContentType     string `json:"t"`
	CacheControl    string `json:"c"`
	ContentEncoding string `json:"z,omitempty"`
}

// State is a deploy state: records by keyHash of the object key.
type State map[string]record

type stateFile struct {
	Version int   `json:"v"`
	Objects State `json:"objects"`
}

// keyHash is how a key is named in the state: 64 bits of its SHA-256.
func keyHash(key string) string {
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:8])
}

var keyHashRE = regexp.MustCompile(`^[0-9a-f]{16}$`)

func normETag(etag string) string { return strings.ToLower(strings.Trim(etag, `"`)) }

// recordOf is the record of o once it is known to hold f.
func recordOf(f LocalFile, etag string, size int64) (record, bool) {
	e := normETag(etag)
	if e == "" {
		return record{}, false
	}
	r := record{ETag: e, Size: size, MD5: f.MD5, ContentType: f.ContentType, CacheControl: f.CacheControl}
	if f.Gzip {
		r.ContentEncoding = "gzip"
	}
	return r, true
}

// lookup fills o's headers and MD5 from the state when the state's record
// of o.Key still describes the listed object.
func (s State) lookup(o *RemoteObject) bool {
	r, ok := s[keyHash(o.Key)]
	if !ok || r.ETag != normETag(o.ETag) || r.Size != o.Size {
		return false
	}
	o.MD5 = r.MD5
	o.ContentType, o.CacheControl, o.ContentEncoding = r.ContentType, r.CacheControl, r.ContentEncoding
	return true
}

// within reports whether every record of s is also in t, unchanged.
func (s State) within(t State) bool {
	for k, r := range s {
		if u, ok := t[k]; !ok || u != r {
			return false
		}
	}
	return true
}

func (s State) equal(t State) bool { return len(s) == len(t) && s.within(t) }

func (s State) clone() State {
	if s == nil {
		return State{}
	}
	return maps.Clone(s)
}

// encode returns the state object's bytes: gzip-compressed JSON.
func (s State) encode() []byte {
	objs := make(State, len(s))
	for k, r := range s {
		if r.MD5 == r.ETag {
			r.MD5 = ""
		}
		objs[k] = r
	}
	j, _ := json.Marshal(stateFile{Version: stateVersion, Objects: objs}) // plain strings and numbers: cannot fail
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	zw.Write(j) // a bytes.Buffer does not fail
	zw.Close()
	return b.Bytes()
}

// decodeState reads a state object. A damaged, unknown or oversized one is
// no state at all (every object is then read with HEAD): it is never an
// error, since the state only saves requests.
func decodeState(b []byte) State {
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return State{}
	}
	j, err := io.ReadAll(io.LimitReader(zr, maxStateSize+1))
	if err != nil || len(j) > maxStateSize {
		return State{}
	}
	var f stateFile
	if json.Unmarshal(j, &f) != nil || f.Version != stateVersion {
		return State{}
	}
	out := make(State, len(f.Objects))
	for k, r := range f.Objects {
		if r.MD5 == "" {
			r.MD5 = r.ETag
		}
		if keyHashRE.MatchString(k) && r.ETag != "" && plainMD5.MatchString(r.MD5) {
			out[k] = r
		}
	}
	return out
}
