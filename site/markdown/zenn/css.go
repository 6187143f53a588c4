package zenn

// CSS styles the markup of this package: messages, details, embeds with
// their aspect ratios, link cards, figures. A theme may include it as is
// or write its own for the same classes.
const CSS = `.msg{display:flex;gap:.6em;margin:1.2em 0;padding:.9em 1em;border-radius:8px;background:#fff6e4;color:inherit}
.msg-alert{background:#ffeff2}
.msg-symbol{flex:none;display:inline-grid;place-items:center;width:1.4em;height:1.4em;border-radius:50%;background:#ffb84c;color:#fff;font-weight:700;line-height:1}
.msg-alert .msg-symbol{background:#ff7670}
.msg-content{flex:1;min-width:0}
.msg-content>:first-child{margin-top:0}.msg-content>:last-child{margin-bottom:0}
details.details{margin:1.2em 0;border:1px solid #d6e3ed;border-radius:6px}
details.details>summary{cursor:pointer;padding:.6em .9em;background:#f5f8fa;border-radius:6px}
details.details[open]>summary{border-radius:6px 6px 0 0;border-bottom:1px solid #d6e3ed}
.details-content{padding:.6em 1em}
.embed{margin:1.5em 0}
.embed iframe{display:block;width:100%;border:0}
.embed-youtube iframe,.embed-docswell iframe,.embed-figma iframe,.embed-blueprintue iframe{aspect-ratio:16/9;height:auto}
.embed-speakerdeck iframe,.embed-slideshare iframe{aspect-ratio:4/3;height:auto}
.embed-codepen iframe,.embed-jsfiddle iframe,.embed-stackblitz iframe,.embed-codesandbox iframe{height:500px}
.embed-error{color:#d63a3a;font-size:.9em}
.embed-tweet blockquote{margin:0;padding:.8em 1em;border-left:4px solid #1d9bf0}
.link-card{display:flex;overflow:hidden;border:1px solid #d6e3ed;border-radius:8px;color:inherit;text-decoration:none;background:#fff}
.link-card:hover{background:#f5f8fa}
.link-card-body{flex:1;min-width:0;display:flex;flex-direction:column;gap:.3em;padding:.8em 1em}
.link-card-title{font-weight:700;line-height:1.4;overflow:hidden;display:-webkit-box;-webkit-line-clamp:2;-webkit-box-orient:vertical}
.link-card-desc{font-size:.85em;color:#65717b;overflow:hidden;display:-webkit-box;-webkit-line-clamp:2;-webkit-box-orient:vertical}
.link-card-site{font-size:.8em;color:#65717b;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
.link-card-thumb{flex:none;width:min(30%,220px)}
.link-card-thumb img{display:block;width:100%;height:100%;object-fit:cover}
.md-figure{margin:1.5em 0;text-align:center}
.md-figure figcaption{margin-top:.4em;font-size:.85em;color:#65717b}
`
