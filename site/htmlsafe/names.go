package htmlsafe

import "strings"

// info is what the policy knows about a tag or attribute name: one map
// lookup per name gives every fact the rules need.
type info struct {
	name string
	// As an element name.
	elem     uint8 // bit ns set: an element the safe policy allows in namespace ns
	void     bool  // never has content (HTML)
	raw      rawMode
	breakout bool // ends SVG or MathML content
	dropAll  bool // goes with its content when not allowed
	page     bool // html, head, body
	htmlOnly bool // removed inside SVG and MathML
	// tablePart, for a part of a table (row, cell…), lists the elements
	// that may hold it: " tr tbody thead tfoot table ".
	tablePart string
	scope     bool   // ends the search for an end tag's element
	tableEnd  bool   // its end tag searches in table scope
	attrs     uint64 // the element-specific attributes it allows (bits of info.bit)
	// As an attribute name.
	attr uint8  // bit ns set: an attribute the safe policy allows on any element of namespace ns
	bit  uint64 // its bit among the element-specific HTML attributes
	url  bool   // holds a URL
	anim bool   // an SVG animation value
}

// infos holds every name of the lists above; lookup makes infos for other
// names on the fly.
var infos = func() map[string]*info {
	m := map[string]*info{}
	get := func(name string) *info {
		if m[name] == nil {
			m[name] = &info{name: name}
		}
		return m[name]
	}
	each := func(set map[string]bool, f func(*info)) {
		for name := range set {
			f(get(name))
		}
	}
	each(htmlElems, func(i *info) { i.elem |= 1 << nsHTML })
	each(svgElems, func(i *info) { i.elem |= 1 << nsSVG })
	each(mathElems, func(i *info) { i.elem |= 1 << nsMath })
	each(htmlGlobalAttrs, func(i *info) { i.attr |= 1 << nsHTML })
	each(svgAttrs, func(i *info) { i.attr |= 1 << nsSVG })
	each(mathAttrs, func(i *info) { i.attr |= 1 << nsMath })
	each(voidElems, func(i *info) { i.void = true })
	each(breakout, func(i *info) { i.breakout = true })
	each(dropWhole, func(i *info) { i.dropAll = true })
	each(pageElems, func(i *info) { i.page = true })
	each(htmlOnly, func(i *info) { i.htmlOnly = true })
	each(defaultScope, func(i *info) { i.scope = true })
	each(tableEnds, func(i *info) { i.tableEnd = true })
	each(urlAttrs, func(i *info) { i.url = true })
	each(animValues, func(i *info) { i.anim = true })
	for name, parents := range tableParts {
		get(name).tablePart = " " + parents + " "
	}
	for name, mode := range rawElems {
		get(name).raw = mode
	}
	n := 0
	for elem, attrs := range htmlElemAttrs {
		for a := range attrs {
			ai := get(a)
			if ai.bit == 0 {
				ai.bit = 1 << n
				n++
			}
			get(elem).attrs |= ai.bit
		}
	}
	if n > 64 {
		panic("htmlsafe: more than 64 element-specific attributes")
	}
	for _, name := range strings.Fields(`style script meta image img annotation-xml mglyph malignmark font base
		plaintext http-equiv encoding color face size srcdoc id aria-label aria-hidden aria-labelledby
		aria-describedby aria-current data-lang data-dnt data-mml-node data-c`) {
		get(name)
	}
	return m
}()

// nameTable finds the info of a known name faster than a map: a name's
// slot comes from its length and three of its bytes, and holds the few
// names that share it.
var nameTable = func() (t [512][]*info) {
	for name, in := range infos {
		h := nameHash([]byte(name))
		t[h] = append(t[h], in)
	}
	return t
}()

func nameHash(b []byte) int {
	n := len(b)
	if n == 0 {
		return 0
	}
	return int(uint(n)*131+uint(b[0])*31+uint(b[n-1])*7+uint(b[n/2])) & 511
}

// known returns the info of a known name given in lower case, or nil.
func known(b []byte) *info {
	for _, in := range nameTable[nameHash(b)] {
		if in.name == string(b) {
			return in
		}
	}
	return nil
}

// lookup returns the info of a name given in lower case.
func lookup(name string) *info {
	if in := infos[name]; in != nil {
		return in
	}
	return &info{name: name}
}
