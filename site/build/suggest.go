package build

import (
	"path"
	"strings"
	"unicode/utf8"
)

// A broken link's message offers the page, file or heading the author
// most likely meant ("did you mean …?"): the same name in other letter
// case (an image that works on a case-insensitive disk and nowhere
// else), else the nearest name by edit distance, else a unique name that
// ends with the one written (./context for 13-concepts-context).

// nearestFile returns the output file nearest to target, a missing output
// file ("articles/x/index.html", "images/a/B.png"), and the segments in
// which they differ (in target, then in the file); "" when none is near.
func (li *linkIndex) nearestFile(target string) (string, [][2]string) {
	ts := strings.Split(target, "/")
	best, bestScore := "", -1
	for f := range li.files {
		score, ok := fileScore(ts, f)
		if !ok {
			continue
		}
		if bestScore < 0 || score < bestScore || score == bestScore && f < best {
			best, bestScore = f, score
		}
	}
	if best == "" {
		return "", nil
	}
	fs := strings.Split(best, "/")
	var diffs [][2]string
	for i := range ts {
		if ts[i] != fs[i] {
			diffs = append(diffs, [2]string{ts[i], fs[i]})
		}
	}
	return best, diffs
}

// fileScore says how near the file f is to the target's segments ts:
// the same path in other letter case scores 0; a path that differs in one
// segment scores that segment's distance.
func fileScore(ts []string, f string) (int, bool) {
	if strings.Count(f, "/") != len(ts)-1 {
		return 0, false
	}
	fs := strings.Split(f, "/")
	diff := -1
	for i := range ts {
		if ts[i] == fs[i] || strings.EqualFold(ts[i], fs[i]) {
			continue
		}
		if diff >= 0 {
			return 0, false // two segments differ
		}
		diff = i
	}
	if diff < 0 {
		return 0, true // the same but for letter case
	}
	if d, ok := near(ts[diff], fs[diff]); ok {
		return 1 + d, true
	}
	return 0, false
}

// nearestID returns the id of ids nearest to frag, or "".
func nearestID(ids idSet, frag string) string {
	best, bestScore := "", -1
	for _, id := range ids {
		if d, ok := near(frag, id); ok && (bestScore < 0 || d < bestScore) {
			best, bestScore = id, d
		}
	}
	return best
}

// near reports whether got is near enough to want to be offered for it,
// and how far it is: letter case, a few edits (about one in five
// characters), or want as got's last word ("context" for
// "13-concepts-context", scored as far as the edits allowed).
func near(want, got string) (int, bool) {
	lw, lg := strings.ToLower(want), strings.ToLower(got)
	if lw == lg {
		return 0, true
	}
	limit := 1 + utf8.RuneCountInString(want)/5
	if d := distance(lw, lg, limit); d <= limit {
		return d, true
	}
	if len(lw) >= 3 && (strings.HasSuffix(lg, "-"+lw) || strings.HasSuffix(lg, "_"+lw)) {
		return limit + 1, true
	}
	return 0, false
}

// distance is the Levenshtein distance between a and b in characters,
// or limit+1 when it is larger than limit.
func distance(a, b string, limit int) int {
	ra, rb := []rune(a), []rune(b)
	if d := len(ra) - len(rb); d > limit || -d > limit {
		return limit + 1
	}
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		rowMin := cur[0]
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			rowMin = min(rowMin, cur[j])
		}
		if rowMin > limit {
			return limit + 1
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}

// rewrite offers the link as the author would write it: written with
// each wrong segment replaced by the right one, when written holds them
// all; else ok is false.
func rewrite(written string, diffs [][2]string) (string, bool) {
	p, suffix := written, ""
	if i := strings.IndexAny(p, "?#"); i >= 0 {
		p, suffix = p[:i], p[i:]
	}
	segs := strings.Split(p, "/")
	for _, d := range diffs {
		found := false
		for i := len(segs) - 1; i >= 0; i-- {
			for _, form := range []string{d[0], d[0] + ".md"} {
				if segs[i] == form {
					segs[i] = d[1] + strings.TrimPrefix(form, d[0])
					found = true
					break
				}
			}
			if found {
				break
			}
		}
		if !found {
			return "", false
		}
	}
	return strings.Join(segs, "/") + suffix, true
}

// pageURL is the site path of an output file: "articles/x/index.html" →
// "/articles/x/".
func pageURL(base, rel string) string {
	if path.Base(rel) == "index.html" {
		rel = strings.TrimSuffix(rel, "index.html")
	}
	return base + rel
}

// caseOnly reports whether the segments differ only in letter case.
func caseOnly(diffs [][2]string) bool {
	for _, d := range diffs {
		if !strings.EqualFold(d[0], d[1]) {
			return false
		}
	}
	return len(diffs) > 0
}

// urlInside finds an absolute URL written inside a link by mistake
// ("(https://example.com)", `"https://example.com"`, "hthttps://example.com"),
// without the bracket or quote around it: the link then is a
// relative one for a browser. It returns "" when there is none.
func urlInside(link string) string {
	for _, scheme := range []string{"https://", "http://"} {
		if i := strings.Index(link, scheme); i > 0 {
			u := link[i:]
			for _, q := range [][2]string{{"(", ")"}, {`"`, `"`}, {"'", "'"}, {"“", "”"}, {"「", "」"}} {
				if strings.HasSuffix(link[:i], q[0]) && strings.HasSuffix(u, q[1]) {
					u = strings.TrimSuffix(u, q[1])
				}
			}
			return u
		}
	}
	return ""
}

// unquoted returns a relative link written inside quotes by mistake
// (`[x]("./other" "title")`, where Markdown makes the quotes part of the
// link), without them; "" when the link is not one.
func unquoted(link string) string {
	for _, q := range [][2]string{{`"`, `"`}, {"'", "'"}, {"“", "”"}, {"「", "」"}} {
		if in, ok := strings.CutPrefix(link, q[0]); ok {
			if in, ok = strings.CutSuffix(in, q[1]); ok && strings.TrimSpace(in) != "" {
				return in
			}
		}
	}
	return ""
}

// webTLDs are the last labels that make a relative link such as
// example.org or example.com/docs read as a host name rather than a file
// (a.md, run.sh and main.go are files, though .md, .sh and .go are
// domains too).
var webTLDs = map[string]bool{
	"com": true, "org": true, "net": true, "io": true, "dev": true, "jp": true, "app": true,
	"ai": true, "co": true, "info": true, "edu": true, "gov": true, "cloud": true, "tech": true,
}

// bareHost returns https:// and a relative link that starts with a host
// name (raspberrypi.org, example.com/docs): the browser would look for it
// beside the page. It returns "" when the link does not start with one.
func bareHost(link string) string {
	host := link
	if i := strings.IndexAny(host, "/?#"); i >= 0 {
		host = host[:i]
	}
	labels := strings.Split(strings.ToLower(host), ".")
	if len(labels) < 2 || !webTLDs[labels[len(labels)-1]] {
		return ""
	}
	for _, l := range labels {
		if l == "" || strings.Trim(l, "abcdefghijklmnopqrstuvwxyz0123456789-") != "" {
			return ""
		}
	}
	return "https://" + link
}
