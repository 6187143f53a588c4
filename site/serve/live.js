// kiji serve's live reload. Injected into HTML responses by the dev server
// only; never part of a built site.
(function () {
  "use strict";
  if (window.__kijiLiveStarted) return;
  window.__kijiLiveStarted = true;
  var cfg = window.__kijiLive || {};
  var build = cfg.build || "";
  var files = cfg.files || [];
  var scrollKey = "kiji-scroll:" + location.pathname + location.search;

  // A reload keeps the scroll position.
  try {
    var saved = sessionStorage.getItem(scrollKey);
    if (saved !== null) {
      sessionStorage.removeItem(scrollKey);
      var pos = JSON.parse(saved);
      var restore = function () { window.scrollTo(pos.x, pos.y); };
      if ("scrollRestoration" in history) history.scrollRestoration = "manual";
      restore();
      document.addEventListener("DOMContentLoaded", restore);
      window.addEventListener("load", restore);
    }
  } catch (e) { /* storage may be disabled */ }

  var reloading = false;
  function reload() {
    if (reloading) return;
    reloading = true;
    try {
      sessionStorage.setItem(scrollKey, JSON.stringify({ x: window.scrollX, y: window.scrollY }));
    } catch (e) { /* ignore */ }
    location.reload();
  }

  function concerns(changed) {
    for (var i = 0; i < changed.length; i++) {
      if (files.indexOf(changed[i]) >= 0) return true;
    }
    return false;
  }

  // Restyle in place: fetch this page again and swap its <style> and
  // stylesheet <link> elements for the new ones (a theme may inline its
  // CSS or link it under a fingerprinted name). A new link is added next
  // to the old one, which goes once the new one has loaded: no flash of
  // unstyled content, no reload, the scroll position and the page's state
  // stay. Stylesheets whose URL did not change (bust) are fetched anew.
  var styleSel = 'style, link[rel~="stylesheet"]';
  function restyle(bust) {
    fetch(location.href, { cache: "no-store", credentials: "same-origin" })
      .then(function (r) { return r.text(); })
      .then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        var olds = document.head.querySelectorAll(styleSel);
        var news = doc.head.querySelectorAll(styleSel);
        if (olds.length === news.length) {
          for (var i = 0; i < olds.length; i++) {
            if (olds[i].outerHTML !== news[i].outerHTML) swapStyle(olds[i], news[i]);
          }
        } else {
          var anchor = olds.length ? olds[olds.length - 1] : null;
          for (var j = 0; j < news.length; j++) {
            var n = document.importNode(news[j], true);
            if (anchor) anchor.parentNode.insertBefore(n, anchor.nextSibling); else document.head.appendChild(n);
            anchor = n;
          }
          for (var k = 0; k < olds.length; k++) olds[k].parentNode.removeChild(olds[k]);
        }
        bustLinks(bust || []);
      })
      .catch(reload);
  }
  function swapStyle(old, neu) {
    var n = document.importNode(neu, true);
    if (n.tagName !== "LINK") {
      old.parentNode.replaceChild(n, old);
      return;
    }
    var done = function () { if (old.parentNode) old.parentNode.removeChild(old); };
    n.addEventListener("load", done);
    n.addEventListener("error", done);
    old.parentNode.insertBefore(n, old.nextSibling);
  }
  function bustLinks(hrefs) {
    var links = document.querySelectorAll('link[rel~="stylesheet"]');
    for (var i = 0; i < links.length; i++) {
      var u = new URL(links[i].getAttribute("href"), location.href);
      if (u.origin !== location.origin || hrefs.indexOf(decodeURI(u.pathname)) < 0) continue;
      var n = links[i].cloneNode(false);
      u.searchParams.set("kiji", String(Date.now()));
      n.setAttribute("href", u.pathname + u.search);
      swapStyle(links[i], n);
    }
  }

  // The overlay lists the build's errors, each with file:line:col. When
  // the build published its pages (a content error), it is a panel at the
  // bottom that leaves the page readable and lists this page's problems
  // first; when it could not (a theme error), it covers the last good
  // version of the page.
  var overlayID = "kiji-overlay";
  function problemList(problems) {
    var ul = document.createElement("ul");
    ul.style.cssText = "list-style:none;margin:0 0 8px;padding:0";
    for (var i = 0; i < problems.length; i++) {
      var p = problems[i];
      var li = document.createElement("li");
      li.className = "kiji-problem";
      li.style.cssText = "margin:0 0 10px;white-space:pre-wrap;word-break:break-word";
      if (p.file) {
        var loc = document.createElement("span");
        loc.style.cssText = "color:#79c0ff";
        loc.textContent = p.file + (p.line ? ":" + p.line + (p.col ? ":" + p.col : "") : "");
        li.appendChild(loc);
        li.appendChild(document.createTextNode(": "));
      }
      li.appendChild(document.createTextNode(p.msg));
      ul.appendChild(li);
    }
    return ul;
  }
  function section(o, title, problems) {
    if (!problems.length) return;
    var h = document.createElement("div");
    h.style.cssText = "font-weight:bold;color:#e3b341;margin:8px 0 6px";
    h.textContent = title;
    o.appendChild(h);
    o.appendChild(problemList(problems));
  }
  function showOverlay(problems, published) {
    hideOverlay();
    if (!problems || !problems.length) return;
    var here = location.pathname;
    try { here = decodeURI(here); } catch (e) { /* keep it */ }
    var mine = [], others = [];
    for (var i = 0; i < problems.length; i++) {
      (problems[i].page && problems[i].page === here ? mine : others).push(problems[i]);
    }
    var o = document.createElement("div");
    o.id = overlayID;
    o.setAttribute("role", "alert");
    o.setAttribute("data-published", published ? "true" : "false");
    var box = "all:initial;position:fixed;z-index:2147483647;overflow:auto;box-sizing:border-box;" +
      "background:rgba(20,20,24,.96);color:#f5f5f5;font:14px/1.5 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;";
    o.style.cssText = published ?
      box + "left:0;right:0;bottom:0;max-height:40vh;padding:12px 20px;border-top:3px solid #ff7b72" :
      box + "inset:0;padding:32px";
    var h = document.createElement("div");
    h.style.cssText = "font-weight:bold;font-size:15px;color:#ff7b72;margin-bottom:8px;padding-right:32px";
    var n = problems.length + (problems.length === 1 ? " problem" : " problems");
    h.textContent = published ?
      "kiji: " + n + (mine.length ? " (" + mine.length + " on this page)" : "") +
        "; every page that could be built is shown as built." :
      "kiji: the build failed (" + n + "); the last good version of this page is shown.";
    o.appendChild(h);
    if (published) {
      var close = document.createElement("button");
      close.type = "button";
      close.textContent = "×";
      close.setAttribute("aria-label", "Hide the problems");
      close.style.cssText = "all:initial;position:absolute;top:8px;right:16px;cursor:pointer;color:#f5f5f5;font:20px/1 sans-serif";
      close.onclick = hideOverlay;
      o.appendChild(close);
      section(o, "On this page:", mine);
      section(o, mine.length ? "Elsewhere:" : "In other files:", others);
    } else {
      o.appendChild(problemList(problems));
    }
    var f = document.createElement("div");
    f.style.cssText = "margin-top:8px;color:#8b949e";
    f.textContent = "Fix the file and save it: this page updates by itself.";
    o.appendChild(f);
    (document.body || document.documentElement).appendChild(o);
  }
  function hideOverlay() {
    var o = document.getElementById(overlayID);
    if (o) o.parentNode.removeChild(o);
  }

  // The events received, for debugging (and tests).
  var log = window.__kijiLiveLog = [];
  function on(es, name, f) {
    es.addEventListener(name, function (e) {
      var d;
      try { d = JSON.parse(e.data); } catch (err) { return; }
      log.push(name + " " + e.data);
      if (log.length > 50) log.shift();
      f(d);
    });
  }

  var retry = 500;
  function connect() {
    var es = new EventSource(cfg.events || "/_kiji/events");
    on(es, "hello", function (d) {
      retry = 500;
      window.__kijiLiveConnected = true;
      // The server restarted, or built while this page was loading.
      if (d.was && d.was === build) build = d.build; // the same pages
      if (d.ready && d.build !== build && d.published !== false) { reload(); return; }
      showOverlay(d.problems, d.published !== false);
    });
    on(es, "reload", function (d) {
      if (d.all || concerns(d.files || [])) { reload(); return; }
      build = d.build;
      showOverlay(d.problems, true);
    });
    on(es, "css", function (d) {
      restyle(d.bust);
      build = d.build;
      showOverlay(d.problems, true);
    });
    on(es, "problems", function (d) { showOverlay(d.problems, d.published); });
    es.onerror = function () {
      // The browser retries by itself while the connection is merely
      // lost; when it gives up, start over.
      if (es.readyState === EventSource.CLOSED) {
        es.close();
        setTimeout(connect, retry);
        retry = Math.min(retry * 2, 5000);
      }
    };
  }
  connect();
})();
