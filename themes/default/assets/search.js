// kiji search: reads the index written by package search (site/search).
// The header's search link becomes a box; /search/?q= lists every result.
// No request is made until the reader searches.
(() => {
  "use strict";
  const me = document.currentScript;
  const root = (me && me.dataset.root) || "/";
  const base = root + "search/";

  // --- normalising and tokenising, as site/search does ---
  const isCJK = (c) =>
    c >= 0x2e80 && (c <= 0x2fdf || (c >= 0x3001 && c <= 0x303f) || (c >= 0x3040 && c <= 0x30ff) ||
      (c >= 0x3130 && c <= 0x318f) || (c >= 0x1100 && c <= 0x11ff) || (c >= 0xac00 && c <= 0xd7af) ||
      (c >= 0x31f0 && c <= 0x31ff) || (c >= 0x3400 && c <= 0x4dbf) || (c >= 0x4e00 && c <= 0x9fff) ||
      (c >= 0xf900 && c <= 0xfaff) || (c >= 0x20000 && c <= 0x3ffff));
  const wordRe = /[\p{L}\p{N}\p{M}]/u;
  const isWord = (ch, c) => !isCJK(c) && wordRe.test(ch);
  const lowerChar = (ch) => { const l = ch.toLowerCase(); return [...l].length === 1 ? l : ch; };
  function normalize(s) {
    let out = "";
    for (const ch of s.normalize("NFKC")) out += lowerChar(ch);
    return out.replace(/[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/g, " ").trim(); // Go's unicode.IsSpace
  }
  // tokens of one term: {key, pos, cjk, end}
  function tokenize(text) {
    const cs = [...text], toks = [];
    let pos = 0;
    for (let i = 0; i < cs.length;) {
      const c = cs[i].codePointAt(0);
      if (isCJK(c)) {
        const n = cs[i + 1];
        const next = n !== undefined && isCJK(n.codePointAt(0));
        toks.push({ key: cs[i] + (next ? n : "$"), ch: cs[i], pos, cjk: true, end: !next });
        pos++; i++;
      } else if (isWord(cs[i], c)) {
        let j = i + 1;
        while (j < cs.length && isWord(cs[j], cs[j].codePointAt(0))) j++;
        toks.push({ key: cs.slice(i, j).join(""), pos, cjk: false });
        pos++; i = j;
      } else {
        // a run of spaces and punctuation takes one position, as in the index
        while (i < cs.length && !isCJK(cs[i].codePointAt(0)) && !isWord(cs[i], cs[i].codePointAt(0))) i++;
        pos++;
      }
    }
    return toks;
  }
  function fnv(s) {
    let h = 0x811c9dc5;
    for (const b of new TextEncoder().encode(s)) { h ^= b; h = Math.imul(h, 16777619) >>> 0; }
    return h >>> 0;
  }
  const shardKey = (k) => (isCJK(k.codePointAt(0)) ? k : [...k].slice(0, 2).join(""));

  // --- fetching ---
  // meta.json names the index's files. The search page preloads it (one
  // round trip less); elsewhere it is revalidated. A 404 from the index means
  // those files were replaced by a newer build: meta.json is then fetched
  // afresh, once, and the search run again.
  const onPage = !!document.querySelector(".search-page");
  let metaP = null, fresh = !onPage;
  const cache = new Map();
  class Stale extends Error {}
  function meta(again) {
    if (again && !fresh) { fresh = true; metaP = null; wholePos.clear(); cache.clear(); postCache.clear(); }
    if (!metaP) metaP = fetch(base + "meta.json", fresh ? { cache: "no-cache" } : {}).then((r) => r.json());
    return metaP;
  }
  const checked = (r) => { if (r.status === 404 && !fresh) throw new Stale(); return r; };
  function json(url) {
    if (!cache.has(url)) cache.set(url, fetch(url).then(checked).then((r) => (r.ok ? r.json() : {})));
    return cache.get(url);
  }
  // a key's shard n is in group n % m.groups: the folder g/m.g[group]/
  // holds the group's shards (n.json) and the positions they point into
  // (pos.bin); "" is a group with no keys
  function groupDir(m, key) {
    const n = fnv(shardKey(key)) % m.shards, g = m.g[n % m.groups];
    return g ? { dir: base + "g/" + g + "/", n } : null;
  }
  function shard(m, key) {
    const at = groupDir(m, key);
    return at ? json(at.dir + at.n + ".json") : Promise.resolve({});
  }
  function varints(b64) {
    const bin = atob(b64), out = [];
    let v = 0, s = 0;
    for (let i = 0; i < bin.length; i++) {
      const b = bin.charCodeAt(i);
      v += (b & 0x7f) * 2 ** s;
      if (b < 0x80) { out.push(v); v = 0; s = 0; } else s += 7;
    }
    return out;
  }
  // a key's postings, in page order: its pages, the length of each one's
  // positions, its flags and the offset of its positions in the group's
  // pos.bin (url; -1: none kept), in typed arrays (a common key has
  // postings in most pages: no object per page)
  const postCache = new Map();
  const noPostings = { pages: new Int32Array(0), lens: new Int32Array(0), flags: new Uint8Array(0), offs: new Float64Array(0), url: "" };
  function postings(m, entry, key) {
    if (!entry) return noPostings;
    if (postCache.has(key)) return postCache.get(key);
    const vs = varints(entry[1]), n = vs.length >> 1;
    const ps = { pages: new Int32Array(n), lens: new Int32Array(n), flags: new Uint8Array(n), offs: new Float64Array(n), url: groupDir(m, key).dir + "pos.bin" };
    let page = -1, off = entry[0];
    for (let i = 0; i < n; i++) {
      page += vs[2 * i];
      const len = Math.floor(vs[2 * i + 1] / 8);
      ps.pages[i] = page; ps.lens[i] = len; ps.flags[i] = vs[2 * i + 1] & 7; ps.offs[i] = off;
      if (off >= 0) off += len;
    }
    postCache.set(key, ps);
    return ps;
  }
  // find: the index of page p in a key's postings, or -1
  function find(ps, p) {
    let lo = 0, hi = ps.pages.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1, v = ps.pages[mid];
      if (v === p) return mid;
      if (v < p) lo = mid + 1; else hi = mid - 1;
    }
    return -1;
  }
  // byte ranges of the groups' pos.bin files, [url, start, end] each; a
  // server without Range support sends a file whole, once. Ranges less
  // than gap bytes apart are read as one: fewer requests (a first round,
  // whose titles wait for it) or fewer bytes read in between (the staged
  // rounds of a rare phrase, over many pages).
  const wholePos = new Map();
  async function ranges(list, gap) {
    list.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] - b[1]));
    const merged = [];
    for (const [url, s, e] of list) {
      const last = merged[merged.length - 1];
      if (last && last[0] === url && s <= last[2] + gap) last[2] = Math.max(last[2], e); else merged.push([url, s, e]);
    }
    const got = await Promise.all(merged.map(async ([url, s, e]) => {
      if (wholePos.has(url)) return [url, s, (await wholePos.get(url)).subarray(s, e)];
      const r = checked(await fetch(url, { headers: { Range: "bytes=" + s + "-" + (e - 1) } }));
      const buf = new Uint8Array(await r.arrayBuffer());
      if (r.status === 200) { wholePos.set(url, Promise.resolve(buf)); return [url, s, buf.subarray(s, e)]; }
      return [url, s, buf];
    }));
    return (url, s, e) => {
      for (const [gu, gs, b] of got) if (gu === url && s >= gs && e <= gs + b.length) return b.subarray(s - gs, e - gs);
      return new Uint8Array(0);
    };
  }
  function positions(bytes) {
    const out = [];
    let v = 0, s = 0, p = 0;
    for (const b of bytes) {
      v += (b & 0x7f) * 2 ** s;
      if (b < 0x80) { p += v; out.push(p); v = 0; s = 0; } else s += 7;
    }
    return out;
  }

  // --- a query: terms (AND), each a phrase of tokens ---
  function parse(q) {
    const terms = [];
    for (const m of normalize(q).matchAll(/"([^"]*)"?|([^\s"]+)/g)) {
      const text = (m[1] !== undefined ? m[1] : m[2]).trim();
      const toks = tokenize(text);
      if (!toks.length) continue;
      const last = toks[toks.length - 1];
      let uni = null;
      if (last.end) {
        toks.pop(); // the query ends here, the text may go on
        const prev = toks[toks.length - 1];
        if (!prev || !prev.cjk || prev.pos !== last.pos - 1) uni = last.ch;
      }
      if (toks.length && !toks[toks.length - 1].cjk) toks[toks.length - 1].prefix = true;
      // a cover of the CJK bigrams: every other one of a run, and its last
      const keep = [], rest = [];
      let k = 0;
      toks.forEach((t, i) => {
        const prev = toks[i - 1], next = toks[i + 1];
        k = t.cjk && prev && prev.cjk && !prev.end && prev.pos === t.pos - 1 ? k + 1 : 0;
        const lastOfRun = !next || !next.cjk || next.pos !== t.pos + 1;
        if (!t.cjk || t.end || k % 2 === 0 || lastOfRun) keep.push(t); else rest.push(t);
      });
      terms.push({ text, toks: keep, rest, uni });
    }
    return terms;
  }
  // termPostings: a term's tokens' postings. Their shards are asked for
  // at once (one round trip, not one a token); a common key's postings
  // take a task of their own to decode.
  async function termPostings(m, term) {
    const keys = term.toks.map((t) => t.key).concat(term.uni ? [term.uni] : []);
    const shs = await Promise.all(keys.map((k) => shard(m, k)));
    const lists = [];
    for (const [i, t] of term.toks.entries()) {
      let ks = [t.key];
      if (t.prefix) ks = Object.keys(shs[i]).filter((k) => k.startsWith(t.key) && !isCJK(k.codePointAt(0)));
      lists.push({ tok: t, keys: ks.map((k) => postings(m, shs[i][k], k)) });
      await pause();
    }
    if (term.uni) lists.push({ tok: null, keys: [postings(m, shs[shs.length - 1][term.uni], term.uni)] });
    return lists;
  }
  const tierOf = (m, p) => (p < m.bases[0] ? 0 : p < m.bases[1] ? 1 : 2);
  const flagTier = (f) => (f & 1 ? 0 : f & 2 ? 1 : 2);
  // candidates of a term, over all n pages: tier[p] estimated from the
  // postings (3: p is not a candidate) and count[p]
  function candidates(lists, n) {
    let tier = null, count = null;
    for (const l of lists) {
      const t = new Uint8Array(n).fill(3), c = new Int32Array(n);
      for (const ps of l.keys) for (let i = 0; i < ps.pages.length; i++) {
        const p = ps.pages[i], f = flagTier(ps.flags[i]);
        if (p >= n) continue;
        if (f < t[p]) t[p] = f;
        c[p] += ps.lens[i];
      }
      if (tier === null) { tier = t; count = c; continue; }
      for (let p = 0; p < n; p++) {
        if (tier[p] === 3) continue;
        if (t[p] === 3) tier[p] = 3;
        else { tier[p] = Math.max(tier[p], t[p]); count[p] = Math.min(count[p], c[p]); }
      }
    }
    return tier ? { tier, count } : { tier: new Uint8Array(n).fill(3), count: new Int32Array(n) };
  }
  // ranked: the pages every term has, by estimated tier, then count
  // (descending), then page; and each page's estimated tier
  function ranked(cands, n) {
    const tier = new Uint8Array(n), count = new Int32Array(n), pages = [];
    for (let p = 0; p < n; p++) {
      let t = 2, c = 0, ok = true;
      for (const k of cands) {
        if (k.tier[p] === 3) { ok = false; break; }
        t = Math.min(t, k.tier[p]); c += k.count[p];
      }
      if (ok) { tier[p] = t; count[p] = c; pages.push(p); }
    }
    return { pages: byRank(pages, tier, count, n), tier };
  }
  // byRank sorts pages by tier, then count (descending), then page: as
  // numbers in a typed array when they fit in one (a comparator is slow
  // on thousands of pages)
  function byRank(pages, tier, count, n) {
    const top = pages.reduce((c, p) => Math.max(c, count[p]), 0);
    if (n > 2 ** 20 || top >= 2 ** 30) return pages.sort((a, b) => tier[a] - tier[b] || count[b] - count[a] || a - b);
    const keys = Float64Array.from(pages, (p) => tier[p] * 2 ** 50 + (2 ** 30 - 1 - count[p]) * 2 ** 20 + p).sort();
    return Array.from(keys, (k) => k % 2 ** 20);
  }
  // verify checks the term's phrase in pages; returns Map page → {tier,
  // count, first}. staged (when most pages of the last round failed): the
  // tokens' positions are read cheapest first, two and then one more at a
  // time, each time only for the pages where the tokens read so far sit as
  // in the phrase. A page without the phrase mostly fails on its cheap
  // tokens, so the long positions of a common bigram are read only for
  // the few pages left.
  async function verify(m, lists, pages, staged) {
    let order = lists.filter((l) => l.tok), keep = pages, n = order.length;
    if (staged && n > 2) {
      const cost = (l) => l.keys.reduce((c, ps) => c + pages.reduce((k, p) => { const j = find(ps, p); return k + (j >= 0 ? ps.lens[j] : 0); }, 0), 0);
      order = order.map((l) => [l, cost(l)]).sort((a, b) => a[1] - b[1]).map((x) => x[0]);
      n = 2;
    }
    const gets = [], gap = staged ? 128 : 512;
    for (let done = 0; keep.length; n++) {
      gets.push(await ranges(want(order.slice(done, n), keep), gap));
      done = n;
      if (n >= order.length) break;
      keep = keep.filter((p) => phrase(order.slice(0, n), p, gets).count > 0);
    }
    const out = new Map();
    for (const p of keep) {
      const { count, first } = phrase(order, p, gets);
      if (count) out.set(p, { tier: tierOf(m, first), count, first });
    }
    return out;
  }
  // want: the byte ranges of the lists' positions in pages
  function want(lists, pages) {
    const out = [];
    for (const l of lists) for (const ps of l.keys) for (const p of pages) {
      const j = find(ps, p);
      if (j >= 0 && ps.offs[j] >= 0) out.push([ps.url, ps.offs[j], ps.offs[j] + ps.lens[j]]);
    }
    return out;
  }
  // phrase: where in page p the lists' tokens all sit as in the phrase
  // (their positions read by one of gets): how often and first where
  function phrase(lists, p, gets) {
    const read = (url, s, e) => {
      for (const g of gets) { const b = g(url, s, e); if (b.length === e - s) return b; }
      return new Uint8Array(0);
    };
    const sets = lists.map((l) => {
      const s = new Set();
      for (const ps of l.keys) {
        const j = find(ps, p);
        if (j >= 0) for (const x of positions(read(ps.url, ps.offs[j], ps.offs[j] + ps.lens[j]))) s.add(x);
      }
      return s;
    });
    const d0 = lists[0].tok.pos;
    let count = 0, first = Infinity;
    for (const x of sets[0]) {
      const start = x - d0;
      if (lists.every((l, i) => sets[i].has(start + l.tok.pos))) { count++; first = Math.min(first, start); }
    }
    return { count, first };
  }
  // pause lets the browser paint and handle input between the steps of a
  // search (each a task of its own, none long); not throttled in a
  // background tab as setTimeout is
  function pause() {
    if (window.scheduler && scheduler.yield) return scheduler.yield();
    return new Promise((resolve) => {
      const c = new MessageChannel();
      c.port1.onmessage = () => resolve();
      c.port2.postMessage(0);
    });
  }
  const needsPositions = (lists) => lists.filter((l) => l.tok).length > 1;

  // search returns {results: [{page, tier, count, first}], total, complete}.
  // limit bounds how many results must be exact and ranked (0: all).
  // prefetch (the search page): the pages its snippets are cut from are
  // asked for as soon as the candidates' titles arrive, while their
  // positions are still being checked.
  async function search(q, limit, prefetch) {
    try {
      return await searchIn(await meta(), q, limit, prefetch);
    } catch (e) {
      if (!(e instanceof Stale)) throw e;
      return searchIn(await meta(true), q, limit, prefetch);
    }
  }
  async function searchIn(m, q, limit, prefetch) {
    const terms = parse(q);
    if (!terms.length) return { results: [], total: 0, complete: true, terms };
    const tl = await Promise.all(terms.map((t) => termPostings(m, t)));
    await pause();
    const cands = tl.map((lists) => candidates(lists, m.pages));
    await pause();
    let { pages, tier: estTier } = ranked(cands, m.pages);
    const results = [];
    let i = 0, size = Math.max(limit + 2, 12), sparse = false, narrowed = false;
    while (i < pages.length) {
      const chunk = pages.slice(i, limit ? i + size : pages.length);
      i += chunk.length;
      // the titles of a screen's candidates load while their positions are
      // checked (when most pass)
      if (limit && !sparse) {
        const titles = docs(m, chunk);
        if (prefetch) titles.then((ds) => ds.slice(0, limit).forEach((d, j) => pageHTML(d.url, j < 3))).catch(() => {});
        else titles.catch(() => {});
      }
      const checked = await Promise.all(tl.map((lists) => (needsPositions(lists) ? verify(m, lists, chunk, sparse) : null)));
      const passed = merge(cands, checked, chunk, results);
      if (!limit || i >= pages.length) continue;
      if (results.filter((r) => r.tier <= estTier[pages[i]]).length >= limit) break;
      // most failed: the phrase is rarer than its bigrams. The bigrams left
      // out of the cover narrow the rest down; then larger rounds.
      sparse = passed * 2 < chunk.length;
      if (sparse && !narrowed) {
        narrowed = true;
        pages = pages.slice(0, i).concat(await narrow(m, terms, pages.slice(i)));
      } else if (sparse) size = Math.min(size * 2, 512);
    }
    results.sort((a, b) => a.tier - b.tier || b.count - a.count || a.first - b.first || a.page - b.page);
    const complete = i >= pages.length;
    return { results, total: complete ? results.length : pages.length, complete, terms };
  }
  // merge adds to results the pages of chunk that every term's check
  // passed; returns how many
  function merge(cands, checked, chunk, results) {
    let n = 0;
    for (const p of chunk) {
      let tier = 2, count = 0, first = Infinity, ok = true;
      checked.forEach((v, ti) => {
        if (!ok) return;
        const e = v ? v.get(p) : { tier: cands[ti].tier[p], count: cands[ti].count[p], first: Infinity };
        if (!e) { ok = false; return; }
        tier = Math.min(tier, e.tier); count += e.count; first = Math.min(first, e.first);
      });
      if (ok) { results.push({ page: p, tier, count, first }); n++; }
    }
    return n;
  }
  // narrow keeps the pages that have every bigram a term's phrase left out
  // of its cover (a page that holds the phrase has them all)
  async function narrow(m, terms, pages) {
    const toks = terms.flatMap((t) => t.rest);
    const lists = await Promise.all(toks.map(async (t) => postings(m, (await shard(m, t.key))[t.key], t.key)));
    return pages.filter((p) => lists.every((ps) => find(ps, p) >= 0));
  }
  async function docs(m, pages) {
    return Promise.all(pages.map(async (p) => {
      const block = await json(base + "d/" + m.d[Math.floor(p / m.block)] + ".json");
      const d = block[p % m.block] || ["", "", []];
      return { page: p, url: root + d[0], title: d[1], topics: d[2] };
    }));
  }
  // pageHTML: a result page, asked for once (the last 40 kept); the first
  // results' pages before the others'
  const pagesHTML = new Map();
  function pageHTML(url, first) {
    if (!pagesHTML.has(url)) {
      if (pagesHTML.size >= 40) pagesHTML.delete(pagesHTML.keys().next().value);
      const p = fetch(url, { priority: first ? "high" : "low" }).then((r) => (r.ok ? r.text() : ""));
      p.catch(() => pagesHTML.delete(url));
      pagesHTML.set(url, p);
    }
    return pagesHTML.get(url);
  }
  // snippet: the page's text around the first match, the match marked
  async function snippet(url, terms, first) {
    const html = await pageHTML(url, first);
    await pause();
    const doc = new DOMParser().parseFromString(html, "text/html");
    const body = doc.querySelector(".article-body") || doc.querySelector("main");
    if (!body) return null;
    body.querySelectorAll("script,style,svg,math,[aria-hidden=true]").forEach((e) => e.remove());
    const text = body.textContent.replace(/\s+/g, " ");
    const cut = (s, e) => {
      const from = Math.max(0, s - 40), to = Math.min(text.length, e + 80);
      return [(from > 0 ? "…" : "") + text.slice(from, s), text.slice(s, e), text.slice(e, to) + (to < text.length ? "…" : "")];
    };
    // Most text needs only lower case to be found; NFKC, character by
    // character, only when that fails (it is slow on a long page).
    const low = text.toLowerCase();
    if (low.length === text.length) {
      for (const t of terms) { const j = low.indexOf(t.text); if (j >= 0) return cut(j, j + t.text.length); }
    }
    let norm = "";
    const at = [];
    for (let i = 0; i < Math.min(text.length, 20000);) {
      const ch = String.fromCodePoint(text.codePointAt(i));
      const n = lowerChar(ch.normalize("NFKC"));
      for (let k = 0; k < n.length; k++) at.push(i);
      norm += n; i += ch.length;
    }
    at.push(Math.min(text.length, 20000));
    for (const t of terms) {
      const j = norm.indexOf(t.text);
      if (j < 0) continue;
      return cut(at[j], at[j + t.text.length]);
    }
    return null;
  }

  // --- the interface ---
  function el(tag, attrs, ...kids) {
    const e = document.createElement(tag);
    for (const k in attrs || {}) e.setAttribute(k, attrs[k]);
    for (const c of kids) if (c != null) e.append(c);
    return e;
  }
  function chips(topics) {
    if (!topics.length) return null;
    return el("span", { class: "search-topics" }, ...topics.map((t) => el("span", { class: "search-topic" }, "#" + t)));
  }
  const debounce = (f, ms) => { let t; return (...a) => { clearTimeout(t); t = setTimeout(() => f(...a), ms); }; };

  // the header box: a combobox over the first results
  function headerBox(link) {
    const id = "kiji-search";
    const form = el("form", { class: "search-box", role: "search", action: link.getAttribute("href") });
    const input = el("input", {
      id, name: "q", type: "search", autocomplete: "off", placeholder: link.dataset.placeholder || link.textContent,
      "aria-label": link.textContent, role: "combobox", "aria-expanded": "false", "aria-controls": id + "-list",
      "aria-autocomplete": "list", enterkeyhint: "search",
    });
    const list = el("ul", { id: id + "-list", role: "listbox", class: "search-popup", "aria-label": link.textContent, hidden: "" });
    form.append(input, list);
    link.replaceWith(form);
    let active = -1, items = [], seq = 0;
    const close = () => { list.hidden = true; input.setAttribute("aria-expanded", "false"); input.removeAttribute("aria-activedescendant"); active = -1; };
    const mark = (i) => {
      items.forEach((li, j) => li.setAttribute("aria-selected", j === i ? "true" : "false"));
      active = i;
      if (i >= 0) input.setAttribute("aria-activedescendant", items[i].id); else input.removeAttribute("aria-activedescendant");
    };
    const run = debounce(async () => {
      const q = input.value, my = ++seq;
      if (!normalize(q)) { close(); return; }
      const res = await search(q, 8);
      const m = await meta();
      const ds = await docs(m, res.results.slice(0, 8).map((r) => r.page));
      if (my !== seq) return;
      list.replaceChildren();
      items = ds.map((d, i) => {
        const a = el("a", { href: d.url, tabindex: "-1" }, el("span", { class: "search-title" }, d.title), chips(d.topics));
        return el("li", { id: id + "-o" + i, role: "option", "aria-selected": "false" }, a);
      });
      if (!items.length) list.append(el("li", { class: "search-none", role: "option", "aria-disabled": "true", "aria-selected": "false" }, link.dataset.none || "—"));
      list.append(...items);
      const all = el("li", { role: "option", id: id + "-all", "aria-selected": "false", class: "search-all" },
        el("a", { href: form.action + "?q=" + encodeURIComponent(q), tabindex: "-1" }, link.dataset.all || "→"));
      list.append(all);
      items.push(all);
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
      mark(-1);
    }, 120);
    input.addEventListener("input", run);
    input.addEventListener("keydown", (e) => {
      if (e.key === "ArrowDown" || e.key === "ArrowUp") {
        if (list.hidden || !items.length) return;
        e.preventDefault();
        const n = items.length;
        mark(e.key === "ArrowDown" ? (active + 1) % n : (active - 1 + n) % n);
      } else if (e.key === "Enter" && active >= 0 && !list.hidden) {
        e.preventDefault();
        location.href = items[active].querySelector("a").href;
      } else if (e.key === "Escape") {
        if (!list.hidden) { e.preventDefault(); close(); } else input.blur();
      }
    });
    // A form submitted while an option is chosen opens that option (an Enter
    // that arrives as a keypress too submits the form after the keydown).
    form.addEventListener("submit", (e) => {
      if (active >= 0 && !list.hidden) { e.preventDefault(); location.href = items[active].querySelector("a").href; }
    });
    list.addEventListener("mousedown", (e) => e.preventDefault());
    input.addEventListener("blur", () => setTimeout(close, 150));
    input.addEventListener("focus", () => meta());
    return input;
  }

  // the /search/ page
  function searchPage(page) {
    const input = page.querySelector("input[name=q]");
    const out = page.querySelector(".search-results");
    const status = page.querySelector(".search-status");
    const more = page.querySelector(".search-more");
    const per = 10;
    let shown = 0, res = null, seq = 0;
    async function show() {
      const m = await meta();
      const slice = res.results.slice(shown, shown + per);
      const ds = await docs(m, slice.map((r) => r.page));
      const lis = ds.map((d, j) => {
        const p = el("p", { class: "search-snippet" });
        const li = el("li", { class: "search-result" }, el("h2", {}, el("a", { href: d.url }, d.title)), chips(d.topics), p);
        snippet(d.url, res.terms, j < 3).then((s) => { if (s) p.append(s[0], el("mark", {}, s[1]), s[2]); }).catch(() => {});
        return li;
      });
      out.append(...lis);
      shown += slice.length;
      more.hidden = shown >= res.results.length && res.complete;
    }
    async function run(q, push) {
      const my = ++seq;
      out.replaceChildren();
      shown = 0;
      if (push) history.replaceState(null, "", q ? "?q=" + encodeURIComponent(q) : location.pathname);
      if (!normalize(q)) { status.textContent = ""; more.hidden = true; return; }
      const r = await search(q, per, true);
      if (my !== seq) return;
      res = r;
      status.textContent = (r.complete ? page.dataset.count : page.dataset.countAbout).replace("%d", String(r.total));
      await show();
    }
    more.addEventListener("click", async () => {
      if (shown >= res.results.length && !res.complete) {
        const q = input.value;
        const r = await search(q, shown + per * 3);
        res = r;
        status.textContent = (r.complete ? page.dataset.count : page.dataset.countAbout).replace("%d", String(r.total));
      }
      await show();
    });
    const q = new URLSearchParams(location.search).get("q") || "";
    input.value = q;
    input.addEventListener("input", debounce(() => run(input.value, true), 150));
    page.querySelector("form").addEventListener("submit", (e) => { e.preventDefault(); run(input.value, true); });
    run(q, false);
    return input;
  }

  let box = null;
  const link = document.querySelector("a.search-link");
  const page = document.querySelector(".search-page");
  if (page) box = searchPage(page);
  else if (link) box = headerBox(link);
  if (page && link) link.setAttribute("aria-current", "page");
  document.addEventListener("keydown", (e) => {
    if (e.key !== "/" || e.ctrlKey || e.metaKey || e.altKey || !box) return;
    const t = e.target;
    if (t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName))) return;
    e.preventDefault();
    box.focus();
  });
  // for tests and the benchmark
  window.kijiSearch = {
    normalize, parse, tokenize,
    // what a first screen of results costs: the ranked first n and their titles
    async first(q, n) {
      const r = await search(q, n);
      await docs(await meta(), r.results.slice(0, n).map((x) => x.page));
      return r.results.length;
    },
    async urls(q) {
      const r = await search(q, 0);
      const m = await meta();
      return (await docs(m, r.results.map((x) => x.page))).map((d, i) => ({ url: d.url, tier: r.results[i].tier }));
    },
  };
})();
