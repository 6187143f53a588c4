package main

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io/fs"
	"math/big"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/kiji-ssg/kiji/site/build"
	"github.com/kiji-ssg/kiji/site/content"
)

func init() {
	register(&command{
		name:    "new",
		summary: "create an article or a book, as zenn new:article and new:book do",
		usage:   "kiji new article|book [slug] [--source DIR] [--title TITLE] [--type tech|idea] [--emoji EMOJI] [--summary TEXT] [--price N] [--published]",
		run:     runNew,
	})
}

// newEmojis are the emojis a new article may get (zenn-cli's list).
var newEmojis = []string{"😺", "📘", "📚", "📑", "😊", "😎", "👻", "🤖", "😸", "😽", "💨", "💬", "💭", "👋", "👌", "👏", "🙌", "🙆", "🐕", "🐈", "🦁", "🐷", "🦔", "🐥", "🐡", "🐙", "🍣", "🕌", "🌟", "🔥", "🌊", "🎃", "✨", "🎉", "⛳", "🔖", "📝", "📌"}

const slugLetters = "0123456789abcdefghijklmnopqrstuvwxyz"

type newFlags struct {
	source, title, typ, emoji, summary string
	price                              int
	published                          bool
}

func runNew(ctx context.Context, e *env, args []string) error {
	c := commands["new"]
	fs := newFlagSet(c, e)
	var nf newFlags
	fs.StringVar(&nf.source, "source", "", "the content `folder` to create the files in; default content/, or this folder when it has articles/ or books/ and no content/ (a Zenn repository)")
	fs.StringVar(&nf.title, "title", "", "the `title` (default empty, as zenn-cli leaves it)")
	fs.StringVar(&nf.typ, "type", "tech", "article type: tech or idea")
	fs.StringVar(&nf.emoji, "emoji", "", "the article's `emoji` (default: a random one)")
	fs.StringVar(&nf.summary, "summary", "", "the book's summary")
	fs.IntVar(&nf.price, "price", 0, "the book's price (0, or 200–5000 in steps of 100)")
	fs.BoolVar(&nf.published, "published", false, "create it published (default: a draft, published: false)")
	// Flags may come before or after the arguments.
	var pos []string
	rest := args
	for {
		if err := parseFlags(fs, c, e, rest); err != nil {
			return err
		}
		if fs.NArg() == 0 {
			break
		}
		pos = append(pos, fs.Arg(0))
		rest = fs.Args()[1:]
	}
	kind, slug, err := newKindSlug(pos)
	if err != nil {
		return err
	}
	if nf.typ != "tech" && nf.typ != "idea" {
		return usagef("--type must be tech or idea, not %q", nf.typ)
	}
	var files []newFile
	if kind == "article" {
		if nf.emoji == "" {
			nf.emoji = newEmojis[randomInt(len(newEmojis))]
		}
		files = articleFiles(nf, slug)
	} else {
		files = bookFiles(nf, slug)
	}
	if nf.source == "" {
		nf.source = build.DefaultSource(".")
	}
	for i := range files {
		files[i].path = filepath.Join(nf.source, filepath.FromSlash(files[i].path))
		for j, p := range files[i].also {
			files[i].also[j] = filepath.Join(nf.source, filepath.FromSlash(p))
		}
	}
	if err := createAll(files, kind); err != nil {
		return err
	}
	for _, f := range files {
		fmt.Fprintf(e.stdout, "created %s\n", f.path)
	}
	if len(slug) < 12 {
		fmt.Fprintf(e.stderr, "note: the slug %q is shorter than 12 characters; kiji builds it, but Zenn would reject it\n", slug)
	}
	return nil
}

// newKindSlug reads the arguments of kiji new: the kind (article or book)
// and the slug (checked; default a random one).
func newKindSlug(pos []string) (kind, slug string, err error) {
	if len(pos) == 0 {
		return "", "", usagef("new needs what to create: kiji new article [slug] or kiji new book [slug]")
	}
	if len(pos) > 2 {
		return "", "", usagef("new takes a kind and at most one slug, got %q", pos)
	}
	kind = pos[0]
	if kind != "article" && kind != "book" {
		return "", "", usagef("new creates an article or a book, not %q: kiji new article [slug] or kiji new book [slug]", kind)
	}
	if len(pos) == 1 {
		slug, err = randomSlug()
		return kind, slug, err
	}
	slug = pos[1]
	if !content.ValidSlug(slug) {
		return "", "", usagef("the slug %q is not allowed: use 1–50 lower-case letters a-z, digits, - and _ (Zenn needs 12–50)", slug)
	}
	return kind, slug, nil
}

type newFile struct {
	path string // relative to the content folder until createAll
	body string
	// also are files whose presence means this one exists already
	// (config.yml for config.yaml).
	also []string
}

// yamlString quotes s for a YAML double-quoted scalar.
func yamlString(s string) string { return strconv.Quote(s) }

// articleFiles is what zenn new:article writes.
func articleFiles(nf newFlags, slug string) []newFile {
	body := strings.Join([]string{
		"---",
		"title: " + yamlString(nf.title),
		"emoji: " + yamlString(nf.emoji),
		"type: " + yamlString(nf.typ) + " # tech: 技術記事 / idea: アイデア",
		"topics: []",
		"published: " + strconv.FormatBool(nf.published),
		"---",
	}, "\n") + "\n"
	return []newFile{{path: "articles/" + slug + ".md", body: body}}
}

// bookFiles is what zenn new:book writes: config.yaml and two chapters.
func bookFiles(nf newFlags, slug string) []newFile {
	config := strings.Join([]string{
		"title: " + yamlString(nf.title),
		"summary: " + yamlString(nf.summary),
		"topics: []",
		"published: " + strconv.FormatBool(nf.published),
		"price: " + strconv.Itoa(nf.price) + " # 有料の場合200〜5000",
		"# 本に含めるチャプターを順番に並べましょう",
		"chapters:",
		"  - example1",
		"  - example2",
	}, "\n") + "\n"
	chapter := "---\ntitle: \"\"\n---\n"
	dir := "books/" + slug + "/"
	return []newFile{
		{path: dir + "config.yaml", body: config, also: []string{dir + "config.yml"}},
		{path: dir + "example1.md", body: chapter},
		{path: dir + "example2.md", body: chapter},
	}
}

// createAll writes files, none of which may exist: it checks them all
// before writing any, so a refused run leaves nothing behind.
func createAll(files []newFile, kind string) error {
	for _, f := range files {
		for _, p := range append([]string{f.path}, f.also...) {
			if _, err := os.Lstat(p); err == nil {
				return withHint(fmt.Errorf("%s already exists; kiji new never overwrites a file", p), "kiji new "+kind+" (a random slug) or choose another slug")
			} else if !errors.Is(err, fs.ErrNotExist) {
				return fmt.Errorf("checking %s: %w", p, err)
			}
		}
	}
	for _, f := range files {
		if err := os.MkdirAll(filepath.Dir(f.path), 0o755); err != nil {
			return fmt.Errorf("creating the folder of %s: %w", f.path, err)
		}
		w, err := os.OpenFile(f.path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if err != nil {
			return fmt.Errorf("creating %s: %w", f.path, err)
		}
		_, err = w.WriteString(f.body)
		if cerr := w.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return fmt.Errorf("writing %s: %w", f.path, err)
		}
	}
	return nil
}

// randomSlug returns 14 random characters of [0-9a-z], as zenn-cli's
// slugs are 14 characters long.
func randomSlug() (string, error) {
	b := make([]byte, 14)
	for i := range b {
		n, err := rand.Int(rand.Reader, big.NewInt(int64(len(slugLetters))))
		if err != nil {
			return "", fmt.Errorf("generating a slug: %w", err)
		}
		b[i] = slugLetters[n.Int64()]
	}
	return string(b), nil
}

func randomInt(n int) int {
	v, err := rand.Int(rand.Reader, big.NewInt(int64(n)))
	if err != nil {
		return 0
	}
	return int(v.Int64())
}
