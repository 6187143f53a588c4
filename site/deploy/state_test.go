package deploy

import (
	"bytes"
	"compress/gzip"
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func gzipped(s string) []byte {
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	zw.Write([]byte(s))
	zw.Close()
	return b.Bytes()
}

func TestStateEncoding(t *testing.T) {
	plain := LocalFile{Path: "index.html", MD5: md5A, ContentType: "text/html; charset=utf-8", CacheControl: "public, max-age=0, must-revalidate"}
	gz := plain
	gz.Gzip = true
	r1, _ := recordOf(plain, `"`+md5A+`"`, 10)
	r2, _ := recordOf(gz, `"`+md5B+`"`, 7)
	r3, _ := recordOf(plain, `"`+md5C+`-2"`, 10) // multipart ETag
	st := State{keyHash("blog/index.html"): r1, keyHash("blog/a/index.html"): r2, keyHash("blog/big.html"): r3}

	if diff := cmp.Diff(st, decodeState(st.encode())); diff != "" {
		t.Errorf("decode(encode(state)) (-want +got):\n%s", diff)
	}
	if bytes.Contains(st.encode(), []byte("index.html")) {
		t.Error("the encoded state names a key")
	}

	tests := []struct {
		name string
		in   []byte
		want State
	}{
		{"not gzip", []byte("kiji"), State{}},
		{"not JSON", gzipped("{"), State{}},
		{"another version", gzipped(`{"v":2,"objects":{"0123456789abcdef":{"e":"` + md5A + `","s":1,"t":"x","c":"y"}}}`), State{}},
		{"records without an ETag or MD5, or with a bad key, are left out", gzipped(`{"v":1,"objects":{
			"0123456789abcdef":{"e":"","s":1,"t":"x","c":"y"},
			"1123456789abcdef":{"e":"abc-2","s":1,"t":"x","c":"y"},
			"short":{"e":"` + md5A + `","s":1,"t":"x","c":"y"},
			"2123456789abcdef":{"e":"` + md5A + `","s":1,"t":"x","c":"y"}}}`),
			State{"2123456789abcdef": {ETag: md5A, Size: 1, MD5: md5A, ContentType: "x", CacheControl: "y"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, decodeState(tt.in)); diff != "" {
				t.Errorf("decodeState (-want +got):\n%s", diff)
			}
		})
	}
}

func TestStateLookup(t *testing.T) {
	f := LocalFile{Path: "a.css", MD5: md5A, ContentType: "text/css; charset=utf-8", CacheControl: "public, max-age=86400", Gzip: true}
	r, _ := recordOf(f, `"`+md5B+`"`, 7)
	st := State{keyHash("blog/a.css"): r}
	tests := []struct {
		name string
		o    RemoteObject
		want RemoteObject
	}{
		{"ETag and size as recorded: headers from the record",
			RemoteObject{Key: "blog/a.css", ETag: `"` + md5B + `"`, Size: 7},
			RemoteObject{Key: "blog/a.css", ETag: `"` + md5B + `"`, Size: 7, MD5: md5A, ContentType: f.ContentType, CacheControl: f.CacheControl, ContentEncoding: "gzip"}},
		{"another ETag: replaced since, not trusted",
			RemoteObject{Key: "blog/a.css", ETag: `"` + md5C + `"`, Size: 7},
			RemoteObject{Key: "blog/a.css", ETag: `"` + md5C + `"`, Size: 7}},
		{"another size: not trusted",
			RemoteObject{Key: "blog/a.css", ETag: `"` + md5B + `"`, Size: 8},
			RemoteObject{Key: "blog/a.css", ETag: `"` + md5B + `"`, Size: 8}},
		{"another key: no record",
			RemoteObject{Key: "other/a.css", ETag: `"` + md5B + `"`, Size: 7},
			RemoteObject{Key: "other/a.css", ETag: `"` + md5B + `"`, Size: 7}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := tt.o
			ok := st.lookup(&o)
			if diff := cmp.Diff(tt.want, o); diff != "" {
				t.Errorf("lookup (-want +got):\n%s", diff)
			}
			if ok != (tt.want.ContentType != "") {
				t.Errorf("lookup = %v", ok)
			}
		})
	}
}

// FuzzDecodeState: the state comes from the bucket, which anyone with write
// access may change; whatever it holds, decoding neither fails nor keeps a
// record that could not have been written.
func FuzzDecodeState(f *testing.F) {
	r, _ := recordOf(LocalFile{MD5: md5A, ContentType: "text/html", CacheControl: "no-cache"}, md5B, 3)
	f.Add(State{keyHash("index.html"): r}.encode())
	f.Add(gzipped(`{"v":1,"objects":{"0123456789abcdef":{"e":"x","s":-1,"m":"` + md5A + `","t":"","c":""}}}`))
	f.Add([]byte{})
	f.Add([]byte(`{"v":1,"objects":{"0123456789abcdef":{"e":"` + md5A + `","s":1,"t":"x","c":"y","z":"gzip"}}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		// As stored, and as the JSON inside.
		for _, in := range [][]byte{b, gzipped(string(b))} {
			st := decodeState(in)
			for k, r := range st {
				if !keyHashRE.MatchString(k) || r.ETag == "" || !plainMD5.MatchString(r.MD5) {
					t.Fatalf("kept an impossible record %q: %+v", k, r)
				}
			}
			if diff := cmp.Diff(st, decodeState(st.encode())); diff != "" {
				t.Fatalf("the decoded state does not round-trip (-want +got):\n%s", diff)
			}
		}
	})
}

// TestApplyRefuses: whatever changeset it is given, Apply never publishes
// one of kiji's own files nor deletes the deploy state (it checks before
// sending anything; here there is no server at all).
func TestApplyRefuses(t *testing.T) {
	useTestCredentials(t)
	c, err := NewClient(context.Background(), ClientOptions{Endpoint: "http://127.0.0.1:1"})
	if err != nil {
		t.Fatal(err)
	}
	tg := Target{Bucket: "site", Prefix: "blog"}
	tests := []struct {
		name string
		cs   Changeset
		want string
	}{
		{"upload outside the prefix", Changeset{Prefix: "blog", Uploads: []Upload{{File: LocalFile{Path: "a.html"}, Key: "other/a.html"}}}, `refusing to upload "other/a.html": it is outside s3://site/blog`},
		{"upload the build manifest", Changeset{Prefix: "blog", Uploads: []Upload{{File: LocalFile{Path: ".kiji-manifest"}, Key: "blog/.kiji-manifest"}}}, `refusing to upload "blog/.kiji-manifest": it is one of kiji's own files`},
		{"upload a staged file", Changeset{Prefix: "blog", Uploads: []Upload{{File: LocalFile{Path: ".public.kiji-tmp-1/index.html"}, Key: "blog/.public.kiji-tmp-1/index.html"}}}, `it is one of kiji's own files`},
		{"delete the deploy state", Changeset{Prefix: "blog", Deletes: []Delete{{Key: "blog/" + StateName, Path: StateName}}}, `refusing to delete "blog/.kiji-deploy-state"`},
		{"delete a nested site's deploy state", Changeset{Prefix: "blog", Deletes: []Delete{{Key: "blog/sub/" + StateName, Path: "sub/" + StateName}}}, `refusing to delete "blog/sub/.kiji-deploy-state"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := c.Apply(context.Background(), tg, tt.cs, ApplyOptions{})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Apply: err = %v, want one containing %q", err, tt.want)
			}
		})
	}
}
