package score

import (
	"math"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseNumber(t *testing.T) {
	tests := []struct {
		name string
		in   string
		ok   bool
		want float64
		sh   shape
	}{
		{"integer", "13", true, 13, shape{minus: "-"}},
		{"unit after", "13 点", true, 13, shape{minus: "-", suffix: " 点"}},
		{"currency and note", "USD 0.0856（c6g.large）", true, 0.0856, shape{prefix: "USD ", minus: "-", decimals: 4, suffix: "（c6g.large）"}},
		{"signed percent", "+15 %", true, 0.15, shape{plus: true, minus: "-", percent: true, suffix: " %"}},
		{"sign apart", "+ 15 %", true, 0.15, shape{plus: true, minus: "-", signSpace: " ", percent: true, suffix: " %"}},
		{"negative", "-2.50", true, -2.5, shape{minus: "-", decimals: 2}},
		{"unicode minus", "−3", true, -3, shape{minus: "−"}},
		{"thousands", "¥1,234,567", true, 1234567, shape{prefix: "¥", minus: "-", group: true}},
		{"comma not thousands", "1,23", true, 1, shape{minus: "-", suffix: ",23"}},
		{"full-width percent", "12％", true, 0.12, shape{minus: "-", percent: true, suffix: "％"}},
		{"digit inside a word", "c6g.large", false, 0, shape{}},
		{"word then number", "vCPU 2", true, 2, shape{prefix: "vCPU ", minus: "-"}},
		{"leading point", ".5", true, 0.5, shape{minus: "-", decimals: 1}},
		{"first of two", "2 vCPU/ 4 GB", true, 2, shape{minus: "-", suffix: " vCPU/ 4 GB"}},
		{"no digits", "たくさん", false, 0, shape{}},
		{"sign only", "+", false, 0, shape{}},
		{"empty", "", false, 0, shape{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, ok := parseNumber(tt.in)
			if ok != tt.ok {
				t.Fatalf("parseNumber(%q) ok = %v, want %v", tt.in, ok, tt.ok)
			}
			if !ok {
				return
			}
			if math.Abs(n.value-tt.want) > 1e-12 {
				t.Errorf("parseNumber(%q) = %v, want %v", tt.in, n.value, tt.want)
			}
			if diff := cmp.Diff(tt.sh, n.shape, cmp.AllowUnexported(shape{})); diff != "" {
				t.Errorf("shape of %q (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

func TestFormat(t *testing.T) {
	tests := []struct {
		name    string
		pattern string
		v       float64
		want    string
	}{
		{"fixed decimals", "0.00", 1.005, "1.01"},
		{"half up", "0", 2.5, "3"},
		{"negative half away from zero", "0", -2.5, "-3"},
		{"float noise", "USD 0.00000", 2*0.04045 + 4*0.00442, "USD 0.09858"},
		{"signed percent", "+0 %", 0.09858/0.0856 - 1, "+15 %"},
		{"signed percent negative", "+0.0 %", -0.25, "-25.0 %"},
		{"negative zero has no sign", "0.0", -0.01, "0.0"},
		{"percent", "0.0%", 0.5, "50.0%"},
		{"thousands", "#,##0", 1234567.4, "1,234,567"},
		{"currency", "¥#,##0", 188550, "¥188,550"},
		{"thousands with decimals", "#,##0.00 円", 1234.5, "1,234.50 円"},
		{"carry", "0.00", 9.999, "10.00"},
		{"small", "0", 0.4, "0"},
		{"unicode minus kept", "−0", -3, "−3"},
		{"zero padded", "000", 7, "007"},
		{"optional digits do not pad", "#0.0", 7, "7.0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sh, ok := parsePattern(tt.pattern)
			if !ok {
				t.Fatalf("parsePattern(%q) failed", tt.pattern)
			}
			if got := format(tt.v, sh); got != tt.want {
				t.Errorf("format(%v, %q) = %q, want %q", tt.v, tt.pattern, got, tt.want)
			}
		})
	}
}

func TestGeneralFormat(t *testing.T) {
	tests := map[float64]string{
		13:                  "13",
		0.1 + 0.2:           "0.3",
		1.0 / 3:             "0.333333",
		-2.5:                "-2.5",
		1e21:                "1000000000000000000000",
		0.09858000000000001: "0.09858",
		math.Inf(1):         "?",
		0.0000004:           "0",
	}
	for v, want := range tests {
		if got := plain(v); got != want {
			t.Errorf("plain(%v) = %q, want %q", v, got, want)
		}
	}
}

// TestRoundTrip: a number written in a shape reads back as the same text.
func TestRoundTrip(t *testing.T) {
	for _, in := range []string{"USD 0.09858", "+15 %", "¥1,234,567", "13 点", "-0.5", "+ 8 %", "1,000.25 円"} {
		n, ok := parseNumber(in)
		if !ok {
			t.Fatalf("parseNumber(%q) failed", in)
		}
		if got := format(n.value, n.shape); got != in {
			t.Errorf("format(parseNumber(%q)) = %q", in, got)
		}
	}
}
