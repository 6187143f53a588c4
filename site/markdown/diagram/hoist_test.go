package diagram

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestHoistTextDefaults(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"shared by all",
			`<svg class="d2-1" viewBox="0 0 1 1"><text x="1" text-anchor="middle" font-size="16">a</text><text x="2" text-anchor="middle" font-size="16">b</text></svg>`,
			`<svg class="d2-1" viewBox="0 0 1 1" text-anchor="middle" font-size="16"><text x="1">a</text><text x="2">b</text></svg>`},
		{"the others keep theirs",
			`<svg class="d2-1"><text text-anchor="start" font-size="16">a</text><text text-anchor="middle" font-size="20">b</text><text text-anchor="middle" font-size="16">c</text></svg>`,
			`<svg class="d2-1" text-anchor="middle" font-size="16"><text text-anchor="start">a</text><text font-size="20">b</text><text>c</text></svg>`},
		{"a text without an anchor: as it is",
			`<svg class="d2-1"><text font-size="16">a</text><text text-anchor="middle" font-size="16">b</text></svg>`,
			`<svg class="d2-1"><text font-size="16">a</text><text text-anchor="middle" font-size="16">b</text></svg>`},
		{"Markdown labels keep the size",
			`<svg class="d2-1"><text text-anchor="middle" font-size="16">a</text><foreignObject><div class="md"><p>b</p></div></foreignObject></svg>`,
			`<svg class="d2-1" text-anchor="middle"><text font-size="16">a</text><foreignObject><div class="md"><p>b</p></div></foreignObject></svg>`},
		{"no text", `<svg class="d2-1"><rect x="1"/></svg>`, `<svg class="d2-1"><rect x="1"/></svg>`},
		{"style and comments untouched",
			`<svg class="d2-1"><style>text { x: 1 }</style><!-- <text text-anchor="middle" font-size="16"> --><text text-anchor="middle" font-size="16">a</text></svg>`,
			`<svg class="d2-1" text-anchor="middle" font-size="16"><style>text { x: 1 }</style><!-- <text text-anchor="middle" font-size="16"> --><text>a</text></svg>`},
		{"an odd text tag: as it is",
			`<svg class="d2-1"><text x=1 text-anchor="middle" font-size="16">a</text></svg>`,
			`<svg class="d2-1"><text x=1 text-anchor="middle" font-size="16">a</text></svg>`},
		{"not an svg", `<g><text text-anchor="middle" font-size="16">a</text></g>`, `<g><text text-anchor="middle" font-size="16">a</text></g>`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, string(hoistTextDefaults([]byte(tt.in)))); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}
