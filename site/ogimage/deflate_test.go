package ogimage

import (
	"bytes"
	"compress/zlib"
	"io"
	"math/rand/v2"
	"testing"
)

// Rows of any palette indices, not only glyphs, come back out of the zlib
// stream as they went in: runs, repeats of the row above, literals, long
// and short, at the edges of runs of inked rows.
func TestCompressRoundTrip(t *testing.T) {
	code := testFonts(t).code()
	rng := rand.New(rand.NewPCG(1, 2))
	for _, tt := range []struct {
		name string
		fill func(row []byte, y int)
	}{
		{"noise", func(row []byte, _ int) {
			for i := range row {
				row[i] = byte(rng.IntN(paletteLen))
			}
		}},
		{"short runs", func(row []byte, _ int) {
			for i := range row {
				row[i] = byte(i / (1 + rng.IntN(5)) % paletteLen)
			}
		}},
		{"the row above, changed here and there", func(row []byte, y int) {
			for i := range row {
				if rng.IntN(50) == 0 {
					row[i] = byte(rng.IntN(paletteLen))
				}
			}
		}},
		{"one colour", func(row []byte, _ int) {
			for i := range row {
				row[i] = byte(paletteLen - 1)
			}
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := newCanvas()
			defer c.release()
			for _, y := range []int{1, 2, 3, 100, 101, 300, 628, 629} {
				row := c.pix[y*stride+1 : (y+1)*stride]
				tt.fill(row, y)
				c.inked[y], c.lo[y], c.hi[y] = true, 0, width
			}
			b := blank()
			for i := range c.pix { // what span keeps for the Adler-32
				d := int64(c.pix[i]) - int64(b[i])
				c.sumD += d
				c.sumDPos += d * int64(i)
			}
			e := &encoder{}
			e.compress(c, code)
			zr, err := zlib.NewReader(bytes.NewReader(e.w.out))
			if err != nil {
				t.Fatal(err)
			}
			got, err := io.ReadAll(zr) // checks the Adler-32 too
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, c.pix) {
				t.Error("the rows read back differ from the canvas")
			}
		})
	}
}

// A Huffman code never has a code longer than its limit, even for counts
// that would make one (Fibonacci numbers), and its codes are complete:
// the Kraft sum is exactly 1.
func TestCodeLengths(t *testing.T) {
	fib := make([]int32, 30)
	fib[0], fib[1] = 1, 1
	for i := 2; i < len(fib); i++ {
		fib[i] = fib[i-1] + fib[i-2]
	}
	for _, tt := range []struct {
		name  string
		freq  []int32
		limit int
	}{
		{"fibonacci", fib, 15},
		{"fibonacci, code length code", fib[:19], 7},
		{"flat", []int32{5, 5, 5, 5, 5, 5, 5, 5}, 15},
		{"two", []int32{0, 9, 0, 1}, 15},
		{"skewed", []int32{100000, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1}, 15},
	} {
		t.Run(tt.name, func(t *testing.T) {
			lengths := codeLengths(tt.freq, tt.limit)
			kraft := 0.0
			for s, l := range lengths {
				if (l == 0) != (tt.freq[s] == 0) {
					t.Errorf("symbol %d with count %d has length %d", s, tt.freq[s], l)
				}
				if int(l) > tt.limit {
					t.Errorf("symbol %d has length %d, over %d", s, l, tt.limit)
				}
				if l > 0 {
					kraft += 1 / float64(uint(1)<<l)
				}
			}
			if kraft != 1 {
				t.Errorf("Kraft sum %v, want 1 (lengths %v)", kraft, lengths)
			}
		})
	}
}
