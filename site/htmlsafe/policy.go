package htmlsafe

import (
	"strings"
)

// Policy says what HTML may reach a page. Make one with Safe or Trusted; a
// Policy is read-only and safe for concurrent use.
type Policy struct {
	trusted bool
	hosts   map[string]bool // iframe hosts (safe policy)
}

// Safe is the policy for content whose raw HTML is not trusted (Zenn's
// behaviour, kiji's default): only the elements and attributes of the
// allow-lists below pass, iframes only from the given hosts (https), and
// every rule of Trusted applies too.
func Safe(iframeHosts ...string) *Policy {
	p := &Policy{hosts: map[string]bool{}}
	for _, h := range iframeHosts {
		p.hosts[strings.ToLower(h)] = true
	}
	return p
}

// Trusted is the policy for a site that trusts its authors' HTML
// (markdown.trust_html): any element and attribute passes, except what
// runs script or replaces the page: <script>, <base>, <meta http-equiv=
// refresh>, <plaintext>, <iframe srcdoc>, event-handler attributes, script
// URLs in any attribute (SVG animation values included), script in CSS.
func Trusted() *Policy { return &Policy{trusted: true} }

// IsTrusted reports whether p is the Trusted policy.
func (p *Policy) IsTrusted() bool { return p.trusted }

// Namespaces of elements, as the HTML parser assigns them.
const (
	nsHTML uint8 = iota
	nsSVG
	nsMath
)

var nsNames = [...]string{nsHTML: "html", nsSVG: "svg", nsMath: "math"}

func set(lists ...string) map[string]bool {
	m := map[string]bool{}
	for _, l := range lists {
		for _, w := range strings.Fields(l) {
			m[w] = true
		}
	}
	return m
}

// The safe allow-lists: everything goldmark and kiji's extensions write
// (code blocks, Zenn's blocks and embeds, link cards, KaTeX's HTML and
// MathML, score charts, D2's SVG with its Markdown labels), plus harmless
// text-level HTML. Names are lower case, as the tokenizer gives them.
var (
	htmlElems = set(`a abbr article aside b bdi bdo blockquote br button caption cite code col colgroup
		dd del details dfn div dl dt em figcaption figure footer h1 h2 h3 h4 h5 h6 header hr i iframe img input
		ins kbd li mark nav ol p picture pre q rp rt ruby s samp section small source span strike strong
		sub summary sup table tbody td tfoot th thead time tr tt u ul var wbr svg math`)
	htmlGlobalAttrs = set(`class id title lang dir role hidden tabindex translate style xmlns`)
	htmlElemAttrs   = map[string]map[string]bool{
		"a":          set(`href rel target hreflang`),
		"img":        set(`src alt width height loading decoding srcset sizes referrerpolicy`),
		"source":     set(`src srcset type media sizes width height`),
		"iframe":     set(`src width height loading allow allowfullscreen referrerpolicy sandbox frameborder scrolling`),
		"input":      set(`type checked disabled`),
		"button":     set(`type disabled`),
		"ol":         set(`start reversed type`),
		"li":         set(`value`),
		"td":         set(`colspan rowspan align valign`),
		"th":         set(`colspan rowspan align valign scope abbr`),
		"col":        set(`span`),
		"colgroup":   set(`span`),
		"time":       set(`datetime`),
		"details":    set(`open`),
		"blockquote": set(`cite`),
		"q":          set(`cite`),
		"del":        set(`cite datetime`),
		"ins":        set(`cite datetime`),
	}
	svgElems = set(`svg g defs symbol use title desc metadata style switch a image foreignobject
		rect circle ellipse line polyline polygon path text tspan textpath marker mask clippath pattern
		lineargradient radialgradient stop filter feblend fecolormatrix fecomponenttransfer fecomposite
		feconvolvematrix fediffuselighting fedisplacementmap fedistantlight fedropshadow feflood fefunca
		fefuncb fefuncg fefuncr fegaussianblur feimage femerge femergenode femorphology feoffset
		fepointlight fespecularlighting fespotlight fetile feturbulence`)
	svgAttrs = set(`id class style lang tabindex role focusable transform x y x1 x2 y1 y2 cx cy r rx ry fx fy fr
		width height d points pathlength viewbox preserveaspectratio fill fill-opacity fill-rule stroke
		stroke-width stroke-opacity stroke-dasharray stroke-dashoffset stroke-linecap stroke-linejoin
		stroke-miterlimit opacity color clip-path clip-rule clippathunits mask maskunits maskcontentunits
		marker-start marker-mid marker-end markerwidth markerheight markerunits refx refy orient filter
		filterunits primitiveunits in in2 result mode operator k1 k2 k3 k4 stddeviation dx dy rotate
		flood-color flood-opacity lighting-color values type tablevalues slope intercept amplitude exponent
		offset stop-color stop-opacity gradientunits gradienttransform spreadmethod patternunits
		patterncontentunits patterntransform href xlink:href xmlns xmlns:xlink xml:space xml:lang
		text-anchor dominant-baseline alignment-baseline baseline-shift font-family font-size font-weight
		font-style font-variant font-stretch letter-spacing word-spacing text-decoration writing-mode
		textlength lengthadjust startoffset method spacing side visibility display overflow shape-rendering
		text-rendering image-rendering color-interpolation color-interpolation-filters vector-effect
		pointer-events paint-order requiredfeatures requiredextensions systemlanguage target version
		baseprofile kernelmatrix order divisor bias targetx targety edgemode kernelunitlength preservealpha
		surfacescale diffuseconstant specularconstant specularexponent azimuth elevation pointsatx
		pointsaty pointsatz limitingconeangle z scale xchannelselector ychannelselector radius
		basefrequency numoctaves seed stitchtiles crossorigin`)
	mathElems = set(`math semantics annotation mrow mi mn mo ms mtext mspace mfrac msqrt mroot msub msup
		msubsup munder mover munderover mmultiscripts mprescripts none mtable mtr mtd mlabeledtr mstyle
		mpadded mphantom menclose merror`)
	mathAttrs = set(`id class style dir display xmlns mathvariant mathsize mathcolor mathbackground stretchy
		fence separator lspace rspace minsize maxsize symmetric largeop movablelimits accent accentunder
		form linethickness numalign denomalign bevelled columnalign rowalign columnspacing rowspacing
		columnlines rowlines columnwidth frame framespacing equalrows equalcolumns displaystyle scriptlevel
		width height depth voffset notation encoding rowspan columnspan scriptminsize
		scriptsizemultiplier lquote rquote open close align minlabelspacing subscriptshift
		superscriptshift linebreak`)
)

// Elements handled apart from the allow-lists.
var (
	// voidElems never have content or an end tag (in HTML).
	voidElems = set(`area base basefont bgsound br col embed frame hr image img input keygen link meta param
		source track wbr`)
	// rawElems hold text the tokenizer reads up to their end tag.
	rawElems = map[string]rawMode{"style": rawText, "xmp": rawText, "iframe": rawText, "noembed": rawText,
		"noframes": rawText, "noscript": rawText, "script": rawText, "title": rcData, "textarea": rcData,
		"plaintext": rawPlain}
	// dropWhole are elements removed with everything inside them when the
	// policy does not keep them (script, or content never meant as text).
	dropWhole = set(`script style template textarea title xmp iframe noembed noframes noscript plaintext
		object applet embed frameset frame head select`)
	// htmlOnly are HTML elements that parsers treat apart even inside SVG
	// or MathML (where they mean nothing): such elements are removed there.
	htmlOnly = set(`html head body frameset template select table caption colgroup tbody thead tfoot tr td th`)
	// tableParts are the parts of a table and the elements that may hold
	// each (a cell in a section or a table gets its row from the parser).
	tableParts = map[string]string{"tr": "tbody thead tfoot table", "td": "tr tbody thead tfoot table",
		"th": "tr tbody thead tfoot table", "tbody": "table", "thead": "table", "tfoot": "table",
		"caption": "table", "colgroup": "table", "col": "colgroup table"}
	// pageElems describe the page itself; in an article body the browser
	// ignores them or merges their attributes into the page's own.
	pageElems = set(`html head body`)
	// breakout are the start tags that end SVG or MathML content.
	breakout = set(`b big blockquote body br center code dd div dl dt em embed h1 h2 h3 h4 h5 h6 head hr i
		img li listing menu meta nobr ol p pre ruby s small span strong strike sub sup table tt u ul var`)
	// urlAttrs hold a URL (or a list of them) in some element.
	urlAttrs = set(`href src action formaction poster srcset imagesrcset xlink:href data cite background
		codebase classid archive longdesc lowsrc dynsrc manifest ping profile usemap itemtype`)
	// animValues are SVG animation attributes that can set a URL.
	animValues = set(`to from by values`)
)

// elemAction is what happens to an element.
type elemAction uint8

const (
	actKeep    elemAction = iota
	actDropTag            // the tags go, the content stays
	actDropAll            // the element goes with its content
)

// element decides about an element of namespace ns.
func (p *Policy) element(ns uint8, in *info) (elemAction, string) {
	switch {
	case in.name == "script":
		return actDropAll, "a <script> element"
	case ns != nsHTML && in.htmlOnly:
		return actDropAll, "a <" + in.name + "> element inside SVG or MathML"
	case ns != nsHTML:
	case in.name == "plaintext":
		return actDropAll, "a <plaintext> element"
	case in.name == "template":
		return actDropAll, "a <template> element (never shown without script)"
	case in.name == "base":
		return actDropTag, "a <base> element"
	case in.page:
		return actDropTag, "a <" + in.name + "> tag"
	}
	if p.trusted || in.elem&(1<<ns) != 0 {
		return actKeep, ""
	}
	what := "a <" + in.name + "> element"
	if ns != nsHTML || in.dropAll {
		return actDropAll, what
	}
	return actDropTag, what
}

// attrAllowed reports whether the safe policy allows an attribute on an
// element of namespace ns (values are checked apart).
func attrAllowed(ns uint8, elem, attr *info) bool {
	if attr.attr&(1<<ns) != 0 || ns == nsHTML && attr.bit&elem.attrs != 0 {
		return true
	}
	name := attr.name
	return strings.HasPrefix(name, "aria-") || strings.HasPrefix(name, "data-") && len(name) > 5
}

// attrName decides whether an attribute may stay, by its name. It returns
// "" to keep it, else what was wrong.
func (p *Policy) attrName(ns uint8, elem, attr *info) string {
	if strings.HasPrefix(attr.name, "on") {
		return "an event handler (" + attr.name + ")"
	}
	if attr.name == "srcdoc" {
		return "an iframe srcdoc"
	}
	if !p.trusted && !attrAllowed(ns, elem, attr) {
		return "a " + attr.name + " attribute"
	}
	return ""
}

// needsValue reports whether an attribute's value must be checked even
// when it has no ':', '%' or '&' (which every script URL needs).
func (p *Policy) needsValue(ns uint8, attr *info) bool {
	return attr.name == "style" || !p.trusted && ns == nsSVG && attr.url
}

// attrValue decides whether an attribute may stay, by its (unescaped)
// value. It returns "" to keep it, else what was wrong.
func (p *Policy) attrValue(ns uint8, elem, attr *info, val []byte) string {
	name := attr.name
	switch {
	case name == "style":
		if !cssSafe(val) {
			return "a style with script"
		}
	case name == "srcset" || name == "imagesrcset":
		if !srcsetSafe(val) {
			return "a script URL in " + name
		}
	case attr.url:
		if !safeURL(val) {
			return "a script URL in " + name
		}
		if ns == nsSVG && !p.trusted && !localRefOK(elem.name, val) {
			return "a reference to another document in <" + elem.name + " " + name + ">"
		}
	case ns == nsSVG && attr.anim:
		if !listSafe(val) {
			return "a script URL in " + name
		}
	case ns != nsHTML && scriptScheme(val):
		// SVG and MathML have URL attributes of their own; HTML's are
		// all in urlAttrs (so alt="JavaScript: The Good Parts" stays).
		return "a script URL in " + name
	}
	return ""
}

// localRefOK: SVG elements other than <a>, <image> and <feImage> may refer
// only to an element of the same page (#id).
func localRefOK(elem string, val []byte) bool {
	switch elem {
	case "a", "image", "feimage":
		return true
	}
	return localRef(val)
}

// hostAllowed reports whether an iframe URL is https on an allowed host.
func (p *Policy) hostAllowed(u string) bool {
	u = strings.TrimSpace(u)
	if len(u) < 8 || !strings.EqualFold(u[:8], "https://") {
		return false
	}
	host := u[8:]
	if i := strings.IndexAny(host, "/?#\\"); i >= 0 {
		host = host[:i]
	}
	return p.hosts[strings.ToLower(host)]
}

// animatesHandler reports whether an SVG animation element sets an event
// handler attribute (attributeName="onclick").
func animatesHandler(elem, attributeName string) bool {
	switch elem {
	case "set", "animate", "animatetransform", "animatemotion", "animatecolor":
		a := strings.ToLower(strings.TrimSpace(attributeName))
		return strings.HasPrefix(a, "on") || strings.Contains(a, ":on")
	}
	return false
}

// metaRefresh reports whether a <meta>'s attributes make it a refresh.
func metaRefresh(name, val string) bool {
	return name == "http-equiv" && strings.EqualFold(strings.TrimSpace(val), "refresh")
}
