package ogimage

import (
	"bytes"
	"encoding/binary"
	"math/bits"
	"sync"
)

// The rows glyphs drew on are deflated here rather than by a general
// compressor, which looks for matches anywhere in the last 32 KiB: a
// card's inked rows are mostly the blank card, and a glyph's rows repeat
// one another. So each byte is either the same as the one above it (a
// match one row back), the same as the one before it (a run), or a
// literal; the longer of the two matches is taken. Finding them is a few
// word compares per row where nothing changed. The matches and literals
// are coded with a Huffman code made once per process from a few sample
// cards (huffman.go), in one block per run of inked rows.

// code is a Huffman code with what follows it (a length's or distance's
// extra bits), reversed so that it is written least significant bit first.
type code struct {
	bits uint32
	n    uint8
}

// The lengths and distances of RFC 1951, 3.2.5: the base of each code and
// how many extra bits follow it.
var (
	lengthBase  = [29]int{3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258}
	lengthExtra = [29]uint8{0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0}
	distBase    = [30]int{1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577}
	distExtra   = [30]uint8{0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13}
)

const (
	endOfBlock = 256
	maxMatch   = 258
	minMatch   = 3
	// The symbols of the literal/length and distance alphabets a card
	// uses: distance code runDist is 1, rowDist is stride.
	numLitLen = 286
	runDist   = 0
	rowDist   = 20
)

// lengthCode is the index into lengthBase of each match length.
var lengthCode = func() (t [maxMatch + 1]uint8) {
	for i := range lengthBase {
		for l := lengthBase[i]; l <= maxMatch; l++ {
			t[l] = uint8(i)
		}
	}
	return t
}()

// tokenize codes rows y0 to y1 (not included) of the canvas with h, or
// counts their symbols into e.litLen and e.dist when h is nil. Row y0-1
// must be the row before them in the stream (y0 > 0).
func (e *encoder) tokenize(c *canvas, h *huffman, y0, y1 int) {
	pix := c.pix
	end := y1 * stride
	p := y0 * stride
	for y := y0; y < y1; y++ {
		// Before the bytes glyphs drew on, in this row or the one above,
		// the row is the one above: no need to compare.
		a, b := c.window(y, y0)
		if p < a {
			if n := a - p + sameLen(pix[a:end], pix[a-stride:]); n >= minMatch {
				e.matches(h, true, n)
				p += n
			}
		}
		p = e.scan(c, h, p, b, end)
	}
	if p < end {
		e.matches(h, true, end-p) // the rest of the last row is the row above
	}
}

// window returns where the bytes of row y that may differ from the row
// above start and end: the pixels glyphs drew on in row y and, unless it
// is the first inked row y0, in the row above; all of it where the blank
// card's row differs from the one above.
func (c *canvas) window(y, y0 int) (a, b int) {
	if !sameBlank()[y] {
		return y * stride, (y + 1) * stride
	}
	lo, hi := c.lo[y], c.hi[y]
	if y > y0 {
		lo, hi = min(lo, c.lo[y-1]), max(hi, c.hi[y-1])
	}
	return y*stride + 1 + int(lo), y*stride + 1 + int(hi)
}

// sameBlank tells for each row whether the blank card's row is the same
// as the one above.
var sameBlank = sync.OnceValue(func() (same [height]bool) {
	b := blank()
	for y := 1; y < height; y++ {
		same[y] = bytes.Equal(b[y*stride:(y+1)*stride], b[(y-1)*stride:y*stride])
	}
	return same
})

// scan codes the bytes from p on until at least b (and at most end)
// with the longer match it finds at each, and returns where it stopped.
func (e *encoder) scan(c *canvas, h *huffman, p, b, end int) int {
	pix := c.pix
	for p < b {
		if v := pix[p]; v != pix[p-stride] && v != pix[p-1] { // neither match starts here
			if h == nil {
				e.litLen[v]++
			} else {
				e.w.write(h.lit[v])
			}
			p++
			continue
		}
		n := sameLen(pix[p:end], pix[p-stride:])
		m := 0
		if n < maxMatch {
			m = runLen(pix[p:end], pix[p-1])
		}
		switch {
		case m >= minMatch && m >= n:
			e.matches(h, false, m)
			p += m
		case n >= minMatch:
			e.matches(h, true, n)
			p += n
		case h == nil:
			e.litLen[pix[p]]++
			p++
		default:
			e.w.write(h.lit[pix[p]])
			p++
		}
	}
	return p
}

// matches codes n bytes (at least minMatch) as matches one row back or
// one byte back, with h or into the counts (see tokenize).
func (e *encoder) matches(h *huffman, row bool, n int) {
	for n > 0 {
		l := min(n, maxMatch)
		if r := n - l; r > 0 && r < minMatch {
			l = n - minMatch
		}
		n -= l
		switch {
		case h == nil && row:
			e.litLen[257+int(lengthCode[l])]++
			e.dist[rowDist]++
		case h == nil:
			e.litLen[257+int(lengthCode[l])]++
			e.dist[runDist]++
		case row:
			e.w.write(h.length[l])
			e.w.write(h.row)
		default:
			e.w.write(h.length[l])
			e.w.write(h.run)
		}
	}
}

// sameLen returns how many bytes a starts with that b also starts with
// (len(b) >= len(a)).
func sameLen(a, b []byte) int {
	n := 0
	for n+8 <= len(a) {
		if x := binary.LittleEndian.Uint64(a[n:]) ^ binary.LittleEndian.Uint64(b[n:]); x != 0 {
			return n + bits.TrailingZeros64(x)/8
		}
		n += 8
	}
	for n < len(a) && a[n] == b[n] {
		n++
	}
	return n
}

// runLen returns how many bytes a starts with that are v.
func runLen(a []byte, v byte) int {
	vv := uint64(v) * 0x0101010101010101
	n := 0
	for n+8 <= len(a) {
		if x := binary.LittleEndian.Uint64(a[n:]) ^ vv; x != 0 {
			return n + bits.TrailingZeros64(x)/8
		}
		n += 8
	}
	for n < len(a) && a[n] == v {
		n++
	}
	return n
}

// bitWriter packs bits least significant first, as deflate does.
type bitWriter struct {
	out  []byte
	bits uint64
	n    uint8
}

// write appends c (at most 32 bits).
func (w *bitWriter) write(c code) {
	w.bits |= uint64(c.bits) << w.n
	w.n += c.n
	if w.n >= 32 {
		w.out = binary.LittleEndian.AppendUint32(w.out, uint32(w.bits))
		w.bits >>= 32
		w.n -= 32
	}
}

// writeBits appends what another bitWriter wrote.
func (w *bitWriter) writeBits(b *bitWriter) {
	for _, x := range b.out {
		w.write(code{bits: uint32(x), n: 8})
	}
	w.write(code{bits: uint32(b.bits), n: b.n})
}

// syncFlush ends the block with an empty stored block, so that the
// stream is on a byte boundary.
func (w *bitWriter) syncFlush() {
	w.write(code{bits: 0, n: 3}) // BFINAL 0, BTYPE 00
	for w.n > 0 {
		w.out = append(w.out, byte(w.bits))
		w.bits >>= 8
		w.n -= min(w.n, 8)
	}
	w.out = append(w.out, 0, 0, 0xff, 0xff)
}
