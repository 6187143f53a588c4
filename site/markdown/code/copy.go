package code

// CopyScript makes the copy buttons work. The theme includes it once per page
// that has code blocks, e.g. <script>{{ CopyScript }}</script> at the end of
// <body> (or as a deferred file). It has no dependencies.
//
// It shows the buttons only where the asynchronous Clipboard API exists
// (secure contexts: https or localhost); elsewhere they stay hidden. A click
// copies the block's code as text, without the diff prefixes (+, -, >, <
// and the context space) that diff blocks carry in .diff-prefix spans; the
// button then says コピーしました (or コピーできませんでした) for two
// seconds, in its text and in its accessible name.
const CopyScript = `(function () {
  if (!navigator.clipboard || !document.querySelectorAll) return;
  document.querySelectorAll(".code-block > .copy-code").forEach(function (b) { b.hidden = false; });
  document.addEventListener("click", function (ev) {
    var b = ev.target instanceof Element ? ev.target.closest(".code-block > .copy-code") : null;
    var code = b && b.parentNode.querySelector("pre > code");
    if (!code) return;
    var c = code.cloneNode(true);
    c.querySelectorAll(".diff-prefix").forEach(function (p) { p.remove(); });
    if (!b.dataset.label) b.dataset.label = b.textContent;
    var done = function (msg) {
      b.textContent = msg; b.setAttribute("aria-label", msg);
      clearTimeout(b._kijiTimer);
      b._kijiTimer = setTimeout(function () { b.textContent = b.dataset.label; b.setAttribute("aria-label", "コードをコピー"); }, 2000);
    };
    navigator.clipboard.writeText(c.textContent).then(function () { done("コピーしました"); }, function () { done("コピーできませんでした"); });
  });
})();
`
