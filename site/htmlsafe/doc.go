// Package htmlsafe is the one place where HTML from content is made safe
// for a page: every article's and chapter's HTML, whichever Markdown
// extension wrote it (D2 diagrams and their Markdown labels, KaTeX, link
// cards, embeds, score charts, trusted raw HTML), leaves the converter
// through a Policy, so that no extension can forget the rules.
//
// Two policies:
//
//   - Safe (the default, Zenn's behaviour): only the elements, attributes
//     and URLs of its allow-lists pass — what goldmark and kiji's
//     extensions write (HTML, D2's SVG with its <style> and the HTML of
//     its Markdown labels in <foreignObject>, KaTeX's HTML and MathML) and
//     harmless text-level HTML; iframes only from the embeds' hosts, over
//     https. Anything else is removed: the tags of an unknown HTML element
//     (its text stays); a script, a style sheet, an unknown SVG or MathML
//     element with its content.
//   - Trusted (markdown.trust_html): any element and attribute, except
//     what runs script or takes over the page.
//
// Under both: no <script> (HTML or SVG), <base>, <meta http-equiv=refresh>,
// <plaintext> or <template>; no event-handler attribute (on…); no iframe
// srcdoc; no javascript:, vbscript: or data: URL (data: images excepted)
// in any URL attribute, however it is spelled (case, spaces, control
// characters, character references, percent-encoding); no script URL in
// any attribute of an SVG or MathML element either, animation values (to,
// from, by, values) included; no style (attribute or sheet) with a script
// URL, a data: URL other than an image or a font, expression(), behavior
// or -moz-binding.
//
// Sanitize reads the HTML in one pass, with a tokenizer that cuts tokens
// where the HTML standard does (checked against x/net/html's tokenizer by
// FuzzScanner) and a model of the parser's stack of open elements: enough
// of the tree construction to know, as a browser would, whether a tag is
// HTML, SVG or MathML (foreign content, integration points, the tags that
// break out of SVG), which text is raw, and where CDATA is allowed. A tag
// that stays is written as it came, byte for byte; a tag that loses an
// attribute is written again, in a plain form. What it writes reads the
// same in a browser whatever the browser's parser state: a '<' in text is
// written &lt;, raw text holding a '<' is dropped, CDATA holding markup
// characters is written as text, every end tag that closes more than the
// innermost element is written out, and every element opened is closed.
//
// Audit is the independent check: it parses HTML with x/net/html's
// implementation of the standard's parser and lists everything a policy
// forbids. The fuzz targets (FuzzSanitize, FuzzSanitizeMarkup, and
// markdown's FuzzPage for whole pages) assert that Audit finds nothing in
// what Sanitize writes. The cost is about 1.5 % of a build's CPU time
// (BenchmarkSanitize, BenchmarkConvert).
package htmlsafe
