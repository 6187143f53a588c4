package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// kiji runs the command line in dir and returns the exit code and output.
func kiji(t *testing.T, dir string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	wd, _ := os.Getwd()
	if err := os.Chdir(dir); err != nil {
		t.Fatal(err)
	}
	defer os.Chdir(wd)
	code := run(context.Background(), &env{stdout: &out, stderr: &errb, stdin: strings.NewReader(""), getenv: func(string) string { return "" }}, args)
	return code, out.String(), errb.String()
}

const goodArticle = `---
title: "良い記事"
emoji: "🐳"
type: "tech"
topics: ["aws"]
published: true
published_at: 2024-01-02
---

## はじめに

[見出しへ](#はじめに) ![図](/images/a.png)
`

// site writes a small content folder into a temp dir.
func site(t *testing.T, articles map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range articles {
		p := filepath.Join(dir, "content", "articles", name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	os.MkdirAll(filepath.Join(dir, "content", "images"), 0o755)
	// A 1×1 PNG.
	png := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")
	os.WriteFile(filepath.Join(dir, "content", "images", "a.png"), png, 0o644)
	return dir
}

// snapshot hashes every file under dir.
func snapshot(t *testing.T, dir string) map[string][32]byte {
	t.Helper()
	m := map[string][32]byte{}
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, _ := os.ReadFile(p)
		rel, _ := filepath.Rel(dir, p)
		m[rel] = sha256.Sum256(b)
		return nil
	})
	return m
}

func TestBuildErrorsLeaveOutputUntouched(t *testing.T) {
	for _, tc := range []struct {
		name string
		file string // article file name
		body string
		want string // expected in stderr: file:line[:col]: message part
	}{
		{"broken front matter", "bad.md", "---\ntitle: [unclosed\nemoji: \"🐳\"\n---\nbody\n", "content/articles/bad.md:3:"},
		{"unclosed front matter", "open.md", "---\ntitle: x\n", "content/articles/open.md:1:1: the front matter opened by --- on line 1 is never closed"},
		{"missing image", "img.md", strings.Replace(goodArticle, "/images/a.png", "/images/nope.png", 1), "content/articles/img.md:12:15: the image /images/nope.png does not exist"},
		{"broken in-page link", "link.md", strings.Replace(goodArticle, "(#はじめに)", "(#おわりに)", 1), "content/articles/link.md:12:1: the link #おわりに points to #おわりに, but this page has no heading with that id"},
		{"d2 syntax error", "d2.md", goodArticle + "\n```d2\na -> b: {\n```\n", "content/articles/d2.md:15:"},
		{"traversal slug", "trav.md", strings.Replace(goodArticle, "published: true", "published: true\nslug: ../../x", 1), "content/articles/trav.md:7:7: slugの値（../../x）が不正です"},
		{"quoted published", "pub.md", strings.Replace(goodArticle, "published: true", `published: "true"`, 1), "content/articles/pub.md:6:12: published（公開設定）を true か false で指定してください"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := site(t, map[string]string{"good.md": goodArticle})
			if code, _, stderr := kiji(t, dir, "build"); code != 0 {
				t.Fatalf("first build failed (%d):\n%s", code, stderr)
			}
			before := snapshot(t, filepath.Join(dir, "public"))
			os.WriteFile(filepath.Join(dir, "content", "articles", tc.file), []byte(tc.body), 0o644)
			code, _, stderr := kiji(t, dir, "build")
			if code != 1 {
				t.Errorf("exit code = %d, want 1; stderr:\n%s", code, stderr)
			}
			if !strings.Contains(stderr, tc.want) {
				t.Errorf("stderr does not contain %q:\n%s", tc.want, stderr)
			}
			after := snapshot(t, filepath.Join(dir, "public"))
			if fmt.Sprint(before) != fmt.Sprint(after) {
				t.Errorf("public/ changed after a failed build")
			}
			// Nothing was left beside the destination.
			entries, _ := os.ReadDir(dir)
			for _, e := range entries {
				if strings.Contains(e.Name(), "kiji-tmp") {
					t.Errorf("staging folder left behind: %s", e.Name())
				}
			}
		})
	}
}

func TestBuildReportsAllProblemsSorted(t *testing.T) {
	dir := site(t, map[string]string{
		"b.md": strings.Replace(goodArticle, "/images/a.png", "/images/x.png", 1),
		"a.md": "---\ntitle: \"t\"\nemoji: \"🐳\"\ntype: tech\ntopics: [a]\npublished: \"true\"\n---\n",
	})
	code, _, stderr := kiji(t, dir, "build")
	if code != 1 {
		t.Fatalf("exit %d", code)
	}
	ia := strings.Index(stderr, "content/articles/a.md:6")
	ib := strings.Index(stderr, "content/articles/b.md:12")
	if ia < 0 || ib < 0 || ia > ib {
		t.Fatalf("want both problems, a.md first:\n%s", stderr)
	}
	if !strings.Contains(stderr, "2 errors") {
		t.Errorf("summary line should count 2 errors:\n%s", stderr)
	}
}

func TestBuildUsageErrors(t *testing.T) {
	dir := site(t, map[string]string{"good.md": goodArticle})
	for _, tc := range []struct {
		name string
		args []string
		code int
	}{
		{"unknown flag", []string{"build", "--nope"}, 2},
		{"unknown command", []string{"frobnicate"}, 2},
		{"stray argument", []string{"build", "extra"}, 2},
		{"bad base url", []string{"build", "--base-url", "ftp://x/"}, 2},
		{"help", []string{"build", "--help"}, 0},
		{"version", []string{"version"}, 0},
		{"missing source", []string{"build", "--source", "nowhere"}, 1},
		{"dest inside the content", []string{"build", "--dest", "content/images/out"}, 2},
		{"dest around the content", []string{"build", "--dest", "."}, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := kiji(t, dir, tc.args...)
			if code != tc.code {
				t.Errorf("exit code = %d, want %d\n%s", code, tc.code, stderr)
			}
			if tc.code != 0 && !strings.HasPrefix(stderr, "Error: ") && !strings.Contains(stderr, "\nError: ") {
				t.Errorf("stderr should start with Error:\n%s", stderr)
			}
		})
	}
}

func TestBuildDeterministic(t *testing.T) {
	root, _ := filepath.Abs("../..")
	dir := t.TempDir()
	var sums [2]map[string][32]byte
	for i := range sums {
		dest := filepath.Join(dir, fmt.Sprint("out", i))
		code, _, stderr := kiji(t, root, "build", "--dest", dest, "--cache-dir", filepath.Join(dir, fmt.Sprint("cache", i)))
		if code != 0 {
			t.Fatalf("build %d failed:\n%s", i, stderr)
		}
		sums[i] = snapshot(t, dest)
	}
	var names []string
	for n := range sums[0] {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if sums[0][n] != sums[1][n] {
			t.Errorf("%s differs between two builds", n)
		}
	}
	if len(sums[0]) != len(sums[1]) {
		t.Errorf("file counts differ: %d vs %d", len(sums[0]), len(sums[1]))
	}
}

func TestBuildRefusesForeignDest(t *testing.T) {
	dir := site(t, map[string]string{"good.md": goodArticle})
	os.MkdirAll(filepath.Join(dir, "mine"), 0o755)
	os.WriteFile(filepath.Join(dir, "mine", "precious.txt"), []byte("x"), 0o644)
	code, _, stderr := kiji(t, dir, "build", "--dest", "mine")
	if code != 1 || !strings.Contains(stderr, "holds files kiji did not write") {
		t.Fatalf("want refusal, got %d:\n%s", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "mine", "precious.txt")); err != nil {
		t.Fatal("the foreign file was removed")
	}
}

func TestRemovedArticleDisappears(t *testing.T) {
	dir := site(t, map[string]string{"good.md": goodArticle, "other.md": strings.Replace(goodArticle, "良い記事", "別の記事", 1)})
	if code, _, stderr := kiji(t, dir, "build"); code != 0 {
		t.Fatal(stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "public", "articles", "other", "index.html")); err != nil {
		t.Fatal(err)
	}
	os.Remove(filepath.Join(dir, "content", "articles", "other.md"))
	if code, _, stderr := kiji(t, dir, "build"); code != 0 {
		t.Fatal(stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "public", "articles", "other")); err == nil {
		t.Fatal("the removed article's folder is still in public/")
	}
}
