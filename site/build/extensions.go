package build

import "github.com/yuin/goldmark"

// extensions returns kiji's Markdown extensions, configured for this build,
// and adds the theme assets they need.
func (r *run) extensions() []goldmark.Extender {
	r.theme.AddAsset("code.css", []byte(""))
	return nil
}
