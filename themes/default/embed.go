// Package defaulttheme holds kiji's default theme, embedded in the binary.
//
// templates/ holds html/template files; assets/ holds CSS, JS and images,
// served fingerprinted under /assets/. A site may override any file by
// putting a file with the same path under themes/<name>/ and naming the
// theme in kiji.yaml.
package defaulttheme

import "embed"

// FS is the theme: templates/*.html and assets/*.
//
//go:embed all:templates assets
var FS embed.FS
