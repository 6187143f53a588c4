// kiji default theme: the active TOC entry. No dependencies.
// (The copy buttons are copy.js, written by the code extension.)
(function () {
  "use strict";
  var links = document.querySelectorAll(".toc a");
  if (!links.length || !("IntersectionObserver" in window)) return;
  var byId = {};
  links.forEach(function (a) { byId[decodeURIComponent(a.hash.slice(1))] = a; });
  var io = new IntersectionObserver(function (entries) {
    entries.forEach(function (e) {
      if (!e.isIntersecting) return;
      links.forEach(function (a) { a.classList.remove("active"); a.removeAttribute("aria-current"); });
      var a = byId[e.target.id];
      if (a) { a.classList.add("active"); a.setAttribute("aria-current", "location"); }
    });
  }, { rootMargin: "0px 0px -70% 0px" });
  Object.keys(byId).forEach(function (id) { var h = document.getElementById(id); if (h) io.observe(h); });
})();
