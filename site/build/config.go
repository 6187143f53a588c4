package build

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/goccy/go-yaml"

	"github.com/kiji-ssg/kiji/site/content"
	"github.com/kiji-ssg/kiji/site/diag"
	"github.com/kiji-ssg/kiji/site/userfile"
)

// Config is kiji.yaml. Every field is optional.
//
//	title: "My notes"                # site title
//	description: "…"                 # for the home page and feeds
//	author: "Taro"                   # shown in the footer and feeds
//	base_url: "https://example.com/" # absolute URL of the site; a path part
//	                                 # (https://x.github.io/repo/) serves it under /repo/
//	language: ja                     # html lang and messages (ja or en)
//	theme: default                   # or a folder name under themes/
//	drafts: false                    # build unpublished articles too
//	og_images: true                  # draw a sharing image per article
//	paginate: 20                     # articles per list page (0: one page)
//	markdown:
//	  soft_breaks: false             # true: CommonMark soft line breaks
//	  trust_html: false              # true: raw HTML passes through (sanitized)
//	zenn_user: "name"                # links to zenn.dev/name/… become this site's pages
//	zenn_strict: false               # true: Zenn's platform rules are errors, as in zenn-cli
//	on_broken: error                 # warn: publish pages with broken links, images, YAML
//	limits:
//	  markdown_mb: 10                # largest article, chapter or YAML file
//	  image_mb: 50                   # largest image, static file or theme asset
type Config struct {
	Title       string         `yaml:"title"`
	Description string         `yaml:"description"`
	Author      string         `yaml:"author"`
	BaseURL     string         `yaml:"base_url"`
	Language    string         `yaml:"language"`
	Theme       string         `yaml:"theme"`
	Drafts      bool           `yaml:"drafts"`
	Markdown    MarkdownConfig `yaml:"markdown"`
	// OGImages draws /articles/<slug>/og.png for each article (default
	// true). Drawing costs a few ms an article on the first build; later
	// builds take them from the cache.
	OGImages *bool `yaml:"og_images"`
	// Extra keeps fields for themes: `params:` in kiji.yaml.
	Params map[string]any `yaml:"params"`
	// ZennUser is the author's user name on zenn.dev: links to their
	// articles and books there that this repository holds become links
	// to this site's pages.
	ZennUser string `yaml:"zenn_user"`
	// ZennStrict reports Zenn's platform rules (topics, slug length,
	// book price…) with zenn-cli's severities: errors where it blocks.
	// Without it they are warnings.
	ZennStrict bool `yaml:"zenn_strict"`
	// OnBroken says what a problem that breaks a page for a reader (a
	// missing image, a link or anchor to nothing, front matter that does
	// not parse) does: "error" (the default) fails the build; "warn"
	// publishes anyway and lists them as warnings.
	OnBroken string `yaml:"on_broken"`
	// Limits bound the size of one file.
	Limits LimitsConfig `yaml:"limits"`
	// Paginate is how many articles (or books) a list page holds: the
	// home page, topic pages and the books page continue at page/2/,
	// page/3/… (default 20; 0: every list on one page).
	Paginate *int `yaml:"paginate"`
	// Search writes a search index of the published articles and
	// chapters and the /search/ page (see package search).
	Search SearchConfig `yaml:"search"`
}

// perPage is Paginate with its default (0: one page).
func (c Config) perPage() int {
	if c.Paginate == nil {
		return 20
	}
	return *c.Paginate
}

// SearchConfig is `search:` in kiji.yaml:
//
//	search:
//	  enabled: true   # false: no index, no search box
//	  code: true      # false: code blocks stay out of the index
type SearchConfig struct {
	Enabled *bool `yaml:"enabled"`
	Code    *bool `yaml:"code"`
}

// on reports whether the search index is written.
func (s SearchConfig) on() bool { return s.Enabled == nil || *s.Enabled }

// LimitsConfig bounds what one file may hold, in MB (0: the default). A
// file over its limit is an error naming it, and is never read whole.
type LimitsConfig struct {
	MarkdownMB float64 `yaml:"markdown_mb"` // articles, chapters, YAML, theme templates (default 10)
	ImageMB    float64 `yaml:"image_mb"`    // images, static files, theme assets (default 50)
}

// bytes returns the limits in bytes, the defaults for those not set.
func (l LimitsConfig) bytes() (text, image int64) {
	text, image = userfile.TextLimit, userfile.ImageLimit
	if l.MarkdownMB > 0 {
		text = int64(l.MarkdownMB * (1 << 20))
	}
	if l.ImageMB > 0 {
		image = int64(l.ImageMB * (1 << 20))
	}
	return text, image
}

// MarkdownConfig holds the Markdown switches.
type MarkdownConfig struct {
	SoftBreaks bool `yaml:"soft_breaks"`
	TrustHTML  bool `yaml:"trust_html"`
}

func defaultConfig() Config {
	return Config{Title: "kiji", Language: "ja", Theme: "default"}
}

var yamlPosRE = regexp.MustCompile(`^\[(\d+):(\d+)\]\s*(.*)`)

// LoadConfig reads kiji.yaml from fsys at name. A missing file gives the
// defaults; a bad one gives problems with line and column.
func LoadConfig(fsys fs.FS, name, display string, l *diag.List) (Config, []byte) {
	c := defaultConfig()
	b, err := userfile.ReadFile(fsys, name, userfile.TextLimit)
	if err != nil {
		if why, ok := userfile.Reason(err); ok {
			l.Errorf(display, 0, 0, "kiji.yaml %s", why)
		} else if !errors.Is(err, fs.ErrNotExist) {
			l.Errorf(display, 0, 0, "cannot read the config file: %v", err)
		}
		return c, nil
	}
	if err := content.CheckYAML(b, 1); err != nil {
		se := err.(*content.SyntaxError)
		l.Errorf(display, se.Line, se.Col, "kiji.yaml is not valid: %s", se.Msg)
		return defaultConfig(), b
	}
	if err := yaml.UnmarshalWithOptions(b, &c, yaml.Strict()); err != nil {
		line, col, msg := 1, 0, err.Error()
		first, _, _ := strings.Cut(msg, "\n")
		if m := yamlPosRE.FindStringSubmatch(first); m != nil {
			line, _ = strconv.Atoi(m[1])
			col, _ = strconv.Atoi(m[2])
			msg = m[3]
		}
		l.Errorf(display, line, col, "kiji.yaml is not valid: %s; see the README for the fields kiji.yaml takes", msg)
		return defaultConfig(), b
	}
	if c.Language == "" {
		c.Language = "ja"
	}
	if c.Theme == "" {
		c.Theme = "default"
	}
	if c.Theme != "default" && !validThemeName(c.Theme) {
		l.Errorf(display, lineOf(b, "theme:"), 0, "the theme %q must be a folder name under themes/ (letters, digits, - and _)", c.Theme)
		c.Theme = "default"
	}
	if c.OnBroken != "" && c.OnBroken != OnBrokenError && c.OnBroken != OnBrokenWarn {
		l.Errorf(display, lineOf(b, "on_broken:"), 0, "on_broken is %q; write error (fail the build, the default) or warn (publish anyway)", c.OnBroken)
		c.OnBroken = ""
	}
	if c.Limits.MarkdownMB < 0 || c.Limits.ImageMB < 0 {
		l.Errorf(display, lineOf(b, "limits:"), 0, "limits must be sizes in MB above 0, such as markdown_mb: 20; remove a limit to keep its default")
		c.Limits = LimitsConfig{}
	}
	if c.Paginate != nil && *c.Paginate < 0 {
		l.Errorf(display, lineOf(b, "paginate:"), 0, "paginate is %d; write how many articles a list page holds (20 by default), or 0 for one page", *c.Paginate)
		c.Paginate = nil
	}
	if c.BaseURL != "" {
		if _, err := ParseBaseURL(c.BaseURL); err != nil {
			l.Errorf(display, lineOf(b, "base_url:"), 0, "%v", err)
			c.BaseURL = ""
		}
	}
	return c, b
}

func validThemeName(s string) bool {
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return s != ""
}

func lineOf(b []byte, key string) int {
	for i, l := range bytes.Split(b, []byte("\n")) {
		if bytes.HasPrefix(bytes.TrimSpace(l), []byte(key)) {
			return i + 1
		}
	}
	return 1
}

// ParseBaseURL checks a base URL and returns it with a trailing slash. It
// may be absolute (https://host/path/) or a bare path (/repo/).
func ParseBaseURL(s string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil {
		return nil, fmt.Errorf("the base URL %q cannot be parsed: %w", s, err)
	}
	if u.Scheme != "" && u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("the base URL %q must start with https:// or http:// (or be a path like /repo/)", s)
	}
	if u.Scheme != "" && u.Host == "" {
		return nil, fmt.Errorf("the base URL %q has no host; write it like https://example.com/", s)
	}
	if u.Scheme == "" && !strings.HasPrefix(u.Path, "/") {
		return nil, fmt.Errorf("the base URL %q must be absolute (https://example.com/) or a path starting with /", s)
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("the base URL %q must not have a query or a fragment", s)
	}
	if !strings.HasSuffix(u.Path, "/") {
		u.Path += "/"
	}
	if strings.Contains(u.Path, "/../") || strings.Contains(u.Path, "/./") {
		return nil, fmt.Errorf("the base URL %q must not contain . or .. segments", s)
	}
	return u, nil
}

// The values of on_broken.
const (
	OnBrokenError = "error"
	OnBrokenWarn  = "warn"
)

// ogImages reports whether sharing images are drawn.
func (c Config) ogImages() bool { return c.OGImages == nil || *c.OGImages }
