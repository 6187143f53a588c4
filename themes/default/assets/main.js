// kiji default theme: copy buttons and the active TOC entry. No dependencies.
(function () {
  "use strict";
  document.querySelectorAll(".copy-code").forEach(function (btn) {
    btn.hidden = false;
    btn.addEventListener("click", function () {
      var block = btn.closest(".code-block");
      var code = block && block.querySelector("pre code");
      if (!code) return;
      var clone = code.cloneNode(true);
      clone.querySelectorAll(".diff-prefix, .line-number, .ln").forEach(function (e) { e.remove(); });
      var text = clone.textContent;
      var done = function () { var t = btn.textContent; btn.textContent = "✓"; setTimeout(function () { btn.textContent = t; }, 1200); };
      if (navigator.clipboard) navigator.clipboard.writeText(text).then(done, function () {});
    });
  });
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
