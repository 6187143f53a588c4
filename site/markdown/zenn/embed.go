package zenn

import (
	"bytes"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf16"

	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"

	"github.com/kiji-ssg/kiji/site/diag"
)

// KindEmbed is the node kind of Embed.
var KindEmbed = ast.NewNodeKind("ZennEmbed")

// Embed is an @[name](arg) block, or a bare URL turned into a card.
type Embed struct {
	ast.BaseBlock
	// Name is the name as written (youtube, card…); Arg the argument.
	Name, Arg string
	// EmbedKind is the kind it renders as: one of the iframe kinds, "tweet",
	// "card", "github", "gist"; "" for an unknown name.
	EmbedKind string
	// Src is the iframe source (iframe kinds), always an https URL.
	Src string
	// URL is the link of a card, tweet, github or gist embed.
	URL string
	// Err is Zenn's error text when the argument is invalid.
	Err string
	// Bare is true when the embed comes from a URL alone on its line.
	Bare bool

	doc    *diag.Doc
	offset int
}

// Kind implements ast.Node.
func (n *Embed) Kind() ast.NodeKind { return KindEmbed }

// Dump implements ast.Node.
func (n *Embed) Dump(src []byte, level int) {
	ast.DumpHelper(n, src, level, map[string]string{
		"Name": n.Name, "Arg": n.Arg, "Kind": n.EmbedKind, "Src": n.Src, "URL": n.URL, "Err": n.Err,
	}, nil)
}

// IsCard reports whether the embed renders as a link card.
func (n *Embed) IsCard() bool {
	return n.Err == "" && (n.EmbedKind == "card" || n.EmbedKind == "github" || n.EmbedKind == "gist")
}

const maxEmbedArg = 300

// Zenn's error texts.
const (
	errTooLong = "埋め込みURLは300文字以内にする必要があります"
)

// embedSpec describes one embed kind.
type embedSpec struct {
	title string // iframe title (accessibility)
	err   string // Zenn's error text
	hint  string // what to do, for the warning
	// resolve returns the iframe src (iframe kinds) or the link (others),
	// or ok=false when the argument is invalid.
	resolve func(arg string, cfg *config) (string, bool)
	iframe  bool
}

var (
	idRE            = regexp.MustCompile(`^[a-zA-Z0-9_-]+$`)
	speakerdeckRE   = regexp.MustCompile(`^([a-zA-Z0-9_-]+)(\?slide=\d+)?$`)
	jsfiddleRE      = regexp.MustCompile(`^(?:http|https)://jsfiddle\.net/[a-zA-Z0-9_,/-]+$`)
	codepenRE       = regexp.MustCompile(`^https://codepen\.io/[a-zA-Z0-9\-_/@]+/pen/[a-zA-Z0-9\-_/.@?&=%,]+$`)
	codesandboxRE   = regexp.MustCompile(`^https://codesandbox\.io/embed/[a-zA-Z0-9\-_/.@?&=%,+]+$`)
	stackblitzRE    = regexp.MustCompile(`^https://stackblitz\.com/[a-zA-Z0-9\-_/.@?&=%\[\]]+$`)
	blueprintueRE   = regexp.MustCompile(`^https://blueprintue\.com/render/[-\w]+/?$`)
	figmaRE         = regexp.MustCompile(`^https://(?:(?:www|embed)\.)?figma\.com/(?:file|proto|design|board|slides|deck)/[0-9a-zA-Z]{22,128}(?:/[\w.?=&%-]+)?(?:\?[\w.?=&%-]+)?$`)
	tweetRE         = regexp.MustCompile(`^https://(?:twitter|x)\.com/([a-zA-Z0-9_-]+)/status/[a-zA-Z0-9?=&\-_]+$`)
	gistRE          = regexp.MustCompile(`^https://gist\.github\.com/([a-zA-Z0-9](?:-?[a-zA-Z0-9]){0,38})/([a-zA-Z0-9]){1,32}(/[a-zA-Z0-9]+)?(\?file=.+)?$`)
	githubRE        = regexp.MustCompile(`^https://github\.com/([a-zA-Z0-9](?:-?[a-zA-Z0-9]){0,38})/([a-zA-Z0-9](?:-?[a-zA-Z0-9._]){0,99})/blob/[^~\s:?\[*^/\\]{2,}/[\w!\-_~.*%()'"/]+(?:#L\d+(?:-L\d+)?)?$`)
	docswellRE      = regexp.MustCompile(`^https://www\.docswell\.com/s/[a-zA-Z0-9_-]+/([a-zA-Z0-9_-]+)(/\d+)?(#p\d+)?$`)
	docswellEmbedRE = regexp.MustCompile(`^https://www\.docswell\.com/slide/[a-zA-Z0-9_-]+/embed(#p\d+)?$`)
	youtubeShortRE  = regexp.MustCompile(`^https?://youtu\.be/[\w-]+(?:\?[\w=&-]+)?$`)
	youtubeWatchRE  = regexp.MustCompile(`^https?://(?:www\.|m\.)?youtube\.com/watch\?[\w=&-]+$`)
	youtubePathRE   = regexp.MustCompile(`^https?://(?:www\.|m\.)?youtube\.com/(?:shorts|live|embed)/[\w-]+(?:\?[\w=&-]+)?$`)
	youtubeTimeRE   = regexp.MustCompile(`^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s?)?$`)
)

// IframeHosts are the hosts the iframe embeds load from (always https):
// the page's HTML policy lets an iframe load from these only.
var IframeHosts = []string{"www.youtube-nocookie.com", "www.slideshare.net", "speakerdeck.com",
	"www.docswell.com", "jsfiddle.net", "codepen.io", "codesandbox.io", "stackblitz.com", "embed.figma.com",
	"blueprintue.com"}

var embedSpecs = map[string]*embedSpec{
	"youtube": {
		title: "YouTube video", iframe: true,
		err:  "YouTubeのvideoIDが不正です",
		hint: "write the 11-character video ID or a youtube.com/watch?v= or youtu.be URL",
		resolve: func(arg string, _ *config) (string, bool) {
			id, start := youtubeParams(arg)
			if !idRE.MatchString(id) {
				return "", false
			}
			src := "https://www.youtube-nocookie.com/embed/" + id
			if start > 0 {
				src += "?start=" + strconv.Itoa(start)
			}
			return src, true
		},
	},
	"slideshare": {
		title: "SlideShare slides", iframe: true,
		err:  "Slide Shareのkeyが不正です",
		hint: "write the key of the slides (letters, digits, _ and -), found in SlideShare's embed code",
		resolve: func(arg string, _ *config) (string, bool) {
			if !idRE.MatchString(arg) {
				return "", false
			}
			return "https://www.slideshare.net/slideshow/embed_code/key/" + arg, true
		},
	},
	"speakerdeck": {
		title: "Speaker Deck slides", iframe: true,
		err:  "Speaker Deckのkeyが不正です",
		hint: "write the id of the slides from Speaker Deck's embed code, optionally followed by ?slide=N",
		resolve: func(arg string, _ *config) (string, bool) {
			if !speakerdeckRE.MatchString(arg) {
				return "", false
			}
			return "https://speakerdeck.com/player/" + arg, true
		},
	},
	"docswell": {
		title: "Docswell slides", iframe: true,
		err:  "DocswellのスライドURLが不正です",
		hint: "write the URL of the slides, e.g. https://www.docswell.com/s/USER/ID-title",
		resolve: func(arg string, _ *config) (string, bool) {
			if docswellEmbedRE.MatchString(arg) {
				return arg, true
			}
			m := docswellRE.FindStringSubmatch(arg)
			if m == nil {
				return "", false
			}
			id, _, _ := strings.Cut(m[1], "-")
			if id == "" {
				return "", false
			}
			page := m[3]
			if page == "" && m[2] != "" {
				page = "#p" + strings.TrimPrefix(m[2], "/")
			}
			return "https://www.docswell.com/slide/" + id + "/embed" + page, true
		},
	},
	"jsfiddle": {
		title: "JSFiddle", iframe: true,
		err:  "jsfiddleのURLが不正です",
		hint: "write the URL of the fiddle, e.g. https://jsfiddle.net/USER/ID/",
		resolve: func(arg string, _ *config) (string, bool) {
			if !jsfiddleRE.MatchString(arg) {
				return "", false
			}
			u := "https://" + strings.TrimPrefix(strings.TrimPrefix(arg, "http://"), "https://")
			if !strings.Contains(u, "embed") {
				u = strings.TrimSuffix(u, "/") + "/embedded/"
			}
			return u, true
		},
	},
	"codepen": {
		title: "CodePen", iframe: true,
		err:  "CodePenのURLが不正です",
		hint: "write the URL of the pen, e.g. https://codepen.io/USER/pen/ID",
		resolve: func(arg string, _ *config) (string, bool) {
			if !codepenRE.MatchString(arg) {
				return "", false
			}
			u, err := url.Parse(strings.Replace(arg, "/pen/", "/embed/", 1))
			if err != nil {
				return "", false
			}
			q := u.Query()
			q.Set("embed-version", "2")
			u.RawQuery = q.Encode()
			return u.String(), true
		},
	},
	"codesandbox": {
		title: "CodeSandbox", iframe: true,
		err:  "「https://codesandbox.io/embed/」から始まる正しいURLを入力してください",
		hint: "write the embed URL from CodeSandbox's share menu, https://codesandbox.io/embed/…",
		resolve: func(arg string, _ *config) (string, bool) {
			if !codesandboxRE.MatchString(arg) {
				return "", false
			}
			return forceParam(arg, "runonclick", "1"), true
		},
	},
	"stackblitz": {
		title: "StackBlitz", iframe: true,
		err:  "StackBlitzのembed用のURLを指定してください",
		hint: "write the URL of the project, https://stackblitz.com/edit/…",
		resolve: func(arg string, _ *config) (string, bool) {
			if !stackblitzRE.MatchString(arg) {
				return "", false
			}
			return forceParam(arg, "ctl", "1"), true
		},
	},
	"figma": {
		title: "Figma", iframe: true,
		err:  "ファイルまたはプロトタイプのFigma URLを指定してください",
		hint: "write the URL of a Figma file or prototype, https://www.figma.com/file/KEY/…",
		resolve: func(arg string, cfg *config) (string, bool) {
			if !figmaRE.MatchString(arg) {
				return "", false
			}
			u, err := url.Parse(arg)
			if err != nil {
				return "", false
			}
			parts := strings.Split(strings.Trim(u.Path, "/"), "/")
			if len(parts) < 2 {
				return "", false
			}
			if parts[0] == "file" {
				parts[0] = "design"
			}
			q := u.Query()
			q.Set("embed-host", cfg.figmaHost)
			e := url.URL{Scheme: "https", Host: "embed.figma.com", Path: "/" + strings.Join(parts, "/"), RawQuery: q.Encode()}
			return e.String(), true
		},
	},
	"blueprintue": {
		title: "blueprintUE", iframe: true,
		err:  "「https://blueprintue.com/render/」から始まる正しいURLを指定してください",
		hint: "write the render URL, https://blueprintue.com/render/ID/",
		resolve: func(arg string, _ *config) (string, bool) {
			return arg, blueprintueRE.MatchString(arg)
		},
	},
	"tweet": {
		err:  "ツイートページのURLを指定してください",
		hint: "write the URL of the post, https://x.com/USER/status/ID",
		resolve: func(arg string, _ *config) (string, bool) {
			return arg, tweetRE.MatchString(arg)
		},
	},
	"card": {
		err:  "URLが不正です",
		hint: "write an http(s) URL",
		resolve: func(arg string, _ *config) (string, bool) {
			return arg, isHTTPURL(arg)
		},
	},
	"gist": {
		err:  "GitHub GistのページURLを指定してください",
		hint: "write the URL of the gist, https://gist.github.com/USER/ID",
		resolve: func(arg string, _ *config) (string, bool) {
			return arg, gistRE.MatchString(arg)
		},
	},
	"github": {
		err:  "GitHub のファイルURLまたはパーマリンクを指定してください",
		hint: "write the URL of a file on GitHub, https://github.com/OWNER/REPO/blob/REF/PATH (optionally #L10-L20)",
		resolve: func(arg string, _ *config) (string, bool) {
			return arg, githubRE.MatchString(arg)
		},
	},
}

// youtubeParams returns the video id and start second of a YouTube URL, or
// the argument itself as the id when it is not a YouTube URL.
func youtubeParams(arg string) (id string, start int) {
	if !youtubeShortRE.MatchString(arg) && !youtubeWatchRE.MatchString(arg) && !youtubePathRE.MatchString(arg) {
		return arg, 0
	}
	u, err := url.Parse(arg)
	if err != nil {
		return arg, 0
	}
	q := u.Query()
	id = q.Get("v")
	if id == "" {
		parts := strings.Split(strings.Trim(u.Path, "/"), "/")
		id = parts[len(parts)-1]
	}
	if len(id) != 11 {
		return arg, 0
	}
	t := q.Get("t")
	if t == "" {
		t = q.Get("start")
	}
	return id, youtubeSeconds(t)
}

// youtubeSeconds reads 90, 90s or 1h2m3s; at most 48 hours, as Zenn.
func youtubeSeconds(t string) int {
	m := youtubeTimeRE.FindStringSubmatch(t)
	if t == "" || m == nil {
		return 0
	}
	n := func(s string) int {
		if len(s) > 6 {
			return 48 * 3600
		}
		v, _ := strconv.Atoi(s)
		return v
	}
	s := n(m[1])*3600 + n(m[2])*60 + n(m[3])
	return min(s, 48*3600)
}

// youtubeID returns the id of a YouTube URL written as a bare link.
func youtubeID(u string) (string, bool) {
	id, _ := youtubeParams(u)
	return id, id != u && len(id) == 11
}

var paramRE = map[string]*regexp.Regexp{
	"runonclick": regexp.MustCompile(`([?&]runonclick=)[^&#]*`),
	"ctl":        regexp.MustCompile(`([?&]ctl=)[^&#]*`),
}

// forceParam sets name=value in u's query, keeping the rest as written.
func forceParam(u, name, value string) string {
	re := paramRE[name]
	if re.MatchString(u) {
		return re.ReplaceAllString(u, "${1}"+value)
	}
	frag := ""
	if i := strings.IndexByte(u, '#'); i >= 0 {
		u, frag = u[:i], u[i:]
	}
	sep := "?"
	if strings.Contains(u, "?") {
		sep = "&"
	}
	return u + sep + name + "=" + value + frag
}

// isHTTPURL reports whether s is an absolute http(s) URL with a host.
func isHTTPURL(s string) bool {
	if s == "" || strings.ContainsAny(s, " \t\r\n<>\"`") {
		return false
	}
	u, err := url.Parse(s)
	if err != nil {
		return false
	}
	return (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" && u.Opaque == ""
}

func utf16Len(s string) int { return len(utf16.Encode([]rune(s))) }

// resolveEmbed fills n from its Name and Arg and reports problems to d.
func resolveEmbed(n *Embed, cfg *config, d *diag.Doc, off int) {
	spec := embedSpecs[n.Name]
	if spec == nil {
		n.EmbedKind = ""
		if isHTTPURL(n.Arg) {
			n.URL = n.Arg
		}
		known := "youtube, slideshare, speakerdeck, docswell, jsfiddle, codepen, codesandbox, stackblitz, figma, blueprintue, tweet, card, github, gist"
		if n.Name == "mermaid" {
			d.Warnf(off, "@[mermaid](…) is not an embed here; write the diagram in a ```mermaid code block")
			return
		}
		shown := "as text"
		if n.URL != "" {
			shown = "as a plain link"
		}
		if lower := strings.ToLower(n.Name); embedSpecs[lower] != nil {
			d.Warnf(off, "unknown embed @[%s]: it is shown %s; embed names are lower case: write @[%s]", n.Name, shown, lower)
			return
		}
		d.Warnf(off, "unknown embed @[%s]: it is shown %s; use one of %s", n.Name, shown, known)
		return
	}
	n.EmbedKind = n.Name
	if n.Name != "card" && n.Name != "github" && utf16Len(n.Arg) > maxEmbedArg {
		n.Err = errTooLong
		d.Warnf(off, "@[%s]: the argument is %d characters long (%s); embeds other than card and github take at most %d: shorten the URL",
			n.Name, utf16Len(n.Arg), errTooLong, maxEmbedArg)
		return
	}
	v, ok := spec.resolve(n.Arg, cfg)
	if !ok || !isHTTPURL(v) {
		n.Err = spec.err
		d.Warnf(off, "@[%s](%s): %s: %s", n.Name, clip(n.Arg, 80), spec.err, spec.hint)
		return
	}
	if spec.iframe {
		n.Src = v
	} else {
		n.URL = v
	}
	if n.Name == "tweet" {
		d.Need("tweet")
	}
}

func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}

// embedParser parses @[name](arg) lines.
type embedParser struct{ e *Extender }

func (p *embedParser) Trigger() []byte { return []byte{'@'} }

func isNameByte(c byte) bool {
	return c == '_' || c == '-' || ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z') || ('0' <= c && c <= '9')
}

// parseEmbedLine reads @[name](arg) at the start of line. As Zenn's rule
// (/@\[([\w-]+)\]\((.+)\)/), the argument runs to the last ')' of the line.
func parseEmbedLine(line []byte) (name, arg string, trailing []byte, ok bool) {
	line = bytes.TrimRight(line, "\r\n")
	if len(line) < 2 || line[0] != '@' || line[1] != '[' {
		return "", "", nil, false
	}
	i := 2
	for i < len(line) && isNameByte(line[i]) {
		i++
	}
	if i == 2 || i+1 >= len(line) || line[i] != ']' || line[i+1] != '(' {
		return "", "", nil, false
	}
	start := i + 2
	end := bytes.LastIndexByte(line, ')')
	if end <= start {
		return "", "", nil, false
	}
	return string(line[2:i]), string(line[start:end]), line[end+1:], true
}

func (p *embedParser) Open(parent ast.Node, reader text.Reader, pc parser.Context) (ast.Node, parser.State) {
	line, seg := reader.PeekLine()
	pos := pc.BlockOffset()
	if pos < 0 || pos >= len(line) {
		return nil, parser.NoChildren
	}
	name, arg, trailing, ok := parseEmbedLine(line[pos:])
	if !ok {
		return nil, parser.NoChildren
	}
	d := diag.From(pc)
	off := max(seg.Start-seg.Padding+pos, 0)
	n := &Embed{Name: name, Arg: strings.TrimSpace(arg), doc: d, offset: off}
	resolveEmbed(n, &p.e.cfg, d, off)
	if len(bytes.TrimSpace(trailing)) > 0 {
		d.Warnf(off, "the text %q after @[%s](…) is ignored; put it on its own line", clip(string(bytes.TrimSpace(trailing)), 40), name)
	}
	if n.IsCard() {
		p.e.cards.start(n.URL)
	}
	reader.AdvanceToEOL()
	return n, parser.NoChildren
}

func (p *embedParser) Continue(node ast.Node, reader text.Reader, pc parser.Context) parser.State {
	return parser.Close
}

func (p *embedParser) Close(node ast.Node, reader text.Reader, pc parser.Context) {}

func (p *embedParser) CanInterruptParagraph() bool { return true }
func (p *embedParser) CanAcceptIndentedLine() bool { return false }
