package score

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// mkText makes a srcText whose offsets are its byte indexes.
func mkText(s string) srcText { return srcText{s: s, segs: []srcSeg{{0, 0}}} }

func TestParseComment(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		ok      bool
		kind    string
		body    string
		wantErr bool
	}{
		{"score", "<!-- score: ◎=3 ○=2 -->\n", true, "score", " ◎=3 ○=2 ", false},
		{"calc no space", "<!--calc: a = 1-->", true, "calc", " a = 1", false},
		{"other comment", "<!-- note: hi -->", false, "", "", false},
		{"not a comment", "<div>score:</div>", false, "", "", false},
		{"two comments", "<!-- score: a=1 --> <!-- x -->", true, "score", "", true},
		{"unclosed", "<!-- score: a=1", true, "score", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, ok, err := parseComment(mkText(tt.in))
			if ok != tt.ok || (err != nil) != tt.wantErr {
				t.Fatalf("parseComment(%q) = ok %v err %v; want ok %v err %v", tt.in, ok, err, tt.ok, tt.wantErr)
			}
			if ok && err == nil && (d.kind != tt.kind || d.body.s != tt.body) {
				t.Errorf("parseComment(%q) = %q %q; want %q %q", tt.in, d.kind, d.body.s, tt.kind, tt.body)
			}
		})
	}
}

func TestScale(t *testing.T) {
	var sc scale
	if ps := parseScale(&sc, mkText(`◎=3 ○=2 △=1 "×"=0 AA=5 A=4 1..5 blank=0 weight=重み ignore="備考, メモ" total=計 best=low chart=radar`)); len(ps) > 0 {
		t.Fatalf("problems: %v", ps)
	}
	if sc.weight != "重み" || sc.total != "計" || sc.best != "low" || sc.chart != "radar" || *sc.blank != 0 {
		t.Errorf("options not read: %+v", sc)
	}
	if diff := cmp.Diff([]string{"備考", "メモ"}, sc.ignore); diff != "" {
		t.Errorf("ignore (-want +got):\n%s", diff)
	}
	tests := []struct {
		cell string
		want float64
		ok   bool
	}{
		{"◎", 3, true},
		{"○(※2)", 2, true},
		{" ◎ (※3) ", 3, true},
		{"×", 0, true},
		{"AA", 5, true}, // the longest symbol wins
		{"A", 4, true},
		{"Apple", 0, false}, // a symbol must not run into a word
		{"4.5", 4.5, true},  // the range
		{"3(注)", 3, true},
		{"6", 0, false},
		{"10%", 0, false},
		{"?", 0, false},
	}
	for _, tt := range tests {
		v, ok := sc.rating(tt.cell)
		if ok != tt.ok || v != tt.want {
			t.Errorf("rating(%q) = %v, %v; want %v, %v", tt.cell, v, ok, tt.want, tt.ok)
		}
	}
	if !sc.outOfRange("6") || sc.outOfRange("3") {
		t.Errorf("outOfRange is wrong")
	}
}

func TestParseCalc(t *testing.T) {
	in := `let vcpu = 0.04045; Fargate = vCPU * vcpu + メモリ * gb; "Fargate vs EC2" = Fargate / EC2 - 1; ` +
		`x[2] = cell("a;b", 1); y["合計"] = sum(column("y", 1, 3)); format "Fargate vs EC2" = "+0 %"; format z = 0.00`
	sts, ps := parseCalc(mkText(in))
	if len(ps) > 0 {
		t.Fatalf("problems: %v", ps)
	}
	type st struct{ Kind, Name, Row, Expr string }
	var got []st
	for _, s := range sts {
		r := ""
		if s.row != nil {
			r = s.row.String()
		}
		got = append(got, st{s.kind, s.name, r, s.expr.s})
	}
	want := []st{
		{"let", "vcpu", "", "0.04045"},
		{"set", "Fargate", "", "vCPU * vcpu + メモリ * gb"},
		{"set", "Fargate vs EC2", "", "Fargate / EC2 - 1"},
		{"set", "x", "2", `cell("a;b", 1)`},
		{"set", "y", `"合計"`, `sum(column("y", 1, 3))`},
		{"format", "Fargate vs EC2", "", "+0 %"},
		{"format", "z", "", "0.00"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("statements (-want +got):\n%s", diff)
	}
	// the expression keeps its place in the source, for problems
	if off := sts[1].expr.offset(0); in[off:off+4] != "vCPU" {
		t.Errorf("offset of the expression points at %q", in[off:])
	}
}

func TestParseCalcProblems(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"no equals", "a + 1", `expected "=" after a: quote a column name that has spaces or symbols: "Fargate vs EC2" = …`},
		{"comparison is not assignment", "a == 1", `expected "=" after a: ` + calcHelp},
		{"unquoted spaces", "Fargate vs EC2 = 1", `expected "=" after Fargate: quote a column name that has spaces or symbols: "Fargate vs EC2" = …`},
		{"bad row", "a[0] = 1", `a row is a number from 1 (the first row under the header) or a "row label": write COLUMN[2] or COLUMN["label"]`},
		{"empty expression", "a =", "nothing after a =: write an expression"},
		{"constant with row", "let a[1] = 2", "a constant has no rows: write let NAME = EXPR"},
		{"format without digits", `format a = "x"`, `format "x" has no digits: write the number as it should look, e.g. "0.00", "+0 %", "USD 0.00000" or "#,##0 円"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, ps := parseCalc(mkText(tt.in))
			if len(ps) != 1 {
				t.Fatalf("got %d problems, want 1: %v", len(ps), ps)
			}
			if ps[0].msg != tt.want {
				t.Errorf("got %q\nwant %q", ps[0].msg, tt.want)
			}
		})
	}
}
