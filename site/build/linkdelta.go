package build

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strconv"

	"github.com/kiji-ssg/kiji/site/diag"
)

// A one-off rebuild checks the links of the pages it rendered, and of the
// pages whose last check found a problem; a page it kept from the cache
// whose last check found none is not looked at (its links are not even
// decoded) when nothing it can point to has changed since:
//
//   - the cache's link check is of the same global key (config, theme,
//     base path, images…) and of the output the destination holds (the
//     key hashes the names of its files, as the manifest lists them);
//   - no file of that output that a link pointed to is gone (the cache
//     keeps the targets of every link checked, and adds those of the
//     pages checked again: a superset);
//   - each page rendered again that was there before has the same ids.
//
// A file added cannot break a link that worked; a page whose last check
// found a problem is checked again whatever changed (a file added may
// mend its link, or change the suggestion its message makes). Otherwise
// every page is checked, as in a cold build.

// pageChecked, when tests set it, is called with each page whose links
// checkLinks looks at.
var pageChecked func(rel string)

// linkDelta is what checkLinks may skip; nil: nothing.
type linkDelta struct {
	prev map[string][]diag.Problem
}

// linkDelta returns what checkLinks may skip in this build.
func (r *run) linkDelta() *linkDelta {
	old := r.oldState
	if r.b != nil || old == nil || old.CheckedKey == "" || r.out.prev == nil {
		return nil
	}
	prevNames := make([]string, 0, len(r.out.prev))
	for rel := range r.out.prev {
		prevNames = append(prevNames, rel)
	}
	if old.CheckedKey != r.checkedKey(prevNames) {
		return nil
	}
	r.out.mu.Lock()
	for _, rel := range prevNames {
		if _, ok := r.out.files[rel]; !ok && old.Targets[rel] {
			r.out.mu.Unlock()
			return nil // gone, and linked to: the link breaks
		}
	}
	r.out.mu.Unlock()
	before := r.oldLinks()
	for rel, pl := range r.pages.pages {
		if pl.from != nil {
			continue // kept: the same page as before
		}
		if _, ok := r.out.prev[rel]; !ok {
			continue // new
		}
		c, ok := before[rel]
		if !ok || !slices.Equal((&pageLinks{from: c}).load().ids, pl.ids) {
			return nil // its anchors changed, or may have
		}
	}
	for t := range old.Targets {
		r.linkTargets[t] = true
	}
	return &linkDelta{prev: old.Checked}
}

// oldLinks maps the pages of the cache to their links.
func (r *run) oldLinks() map[string]*cachedLinks {
	m := make(map[string]*cachedLinks, len(r.oldState.Articles)+len(r.oldState.Outs))
	for _, e := range r.oldState.Articles {
		m[e.Rel] = &e.Links
	}
	for rel, e := range r.oldState.Outs {
		if e.Links != nil {
			m[rel] = e.Links
		}
	}
	return m
}

// addTarget records the output file a link points to, for the cache.
func (r *run) addTarget(target string) {
	if r.linkTargets == nil {
		r.linkTargets = map[string]bool{}
	}
	r.linkTargets[target] = true
}

// unchanged reports whether the page rel, with links pl, may go
// unchecked: the problems it had are recorded as found again.
func (d *linkDelta) unchanged(rel string, pl *pageLinks) bool {
	if d == nil || pl.from == nil {
		return false
	}
	_, had := d.prev[rel]
	return !had
}

// checkedKey hashes the global key and the names of the output's files
// (in any order).
func (r *run) checkedKey(names []string) string {
	var sum [32]byte
	for _, n := range names {
		h := sha256.Sum256([]byte(n))
		for i := range sum {
			sum[i] ^= h[i]
		}
	}
	return r.globalKey + " " + strconv.Itoa(len(names)) + " " + hex.EncodeToString(sum[:])
}

// linkProblems records the problems the link check found on rel for the
// cache.
func (r *run) linkProblems(rel string, ps []diag.Problem) {
	if len(ps) == 0 {
		return
	}
	if r.newState.Checked == nil {
		r.newState.Checked = map[string][]diag.Problem{}
	}
	r.newState.Checked[rel] = ps
}
