package diagram

// Options only tests use: the build sets none of them, so they live here,
// out of the program (deadcode).

import "time"

// WithTimeout bounds the time one diagram may take to lay out (default
// DefaultTimeout). A diagram over the limit is reported as an error.
func WithTimeout(d time.Duration) Option {
	return func(c *config) {
		if d > 0 {
			c.timeout = d
		}
	}
}

// WithMaxSourceBytes bounds the size of a d2 block (default
// DefaultMaxSourceBytes); a larger block is reported as an error rather
// than laid out.
func WithMaxSourceBytes(n int) Option {
	return func(c *config) {
		if n > 0 {
			c.maxSource = n
		}
	}
}

// WithThemes selects the D2 theme (d2themescatalog ids) used in light mode
// and under prefers-color-scheme: dark. A negative dark id drops the dark
// variant. The defaults are Neutral default (0) and Dark Mauve (200).
func WithThemes(light, dark int64) Option {
	return func(c *config) { c.themeID, c.darkThemeID = light, dark }
}

// Assets returns what the diagrams of New(opts...) share: the stylesheets
// StylesheetName and MarkdownStylesheetName and the font files they name,
// relative to themselves, so serve them from one folder. The font files'
// names carry a fingerprint of their bytes. Link StylesheetName from every
// page for which diag.Doc.Needs(Feature) is true (without it a diagram has
// neither its colours nor its fonts), and MarkdownStylesheetName from those
// for which diag.Doc.Needs(FeatureMarkdown) is.
func Assets(opts ...Option) ([]Asset, error) { return New(opts...).Assets() }
