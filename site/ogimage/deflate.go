package ogimage

import (
	"encoding/binary"
	"math/bits"
)

// The rows glyphs drew on are deflated here rather than by a general
// compressor, which looks for matches anywhere in the last 32 KiB: a
// card's inked rows are mostly the blank card, and a glyph's rows repeat
// one another. So each byte is either the same as the one above it (a
// match one row back), the same as the one before it (a run), or a
// literal; the longer of the two matches is taken. Finding them is a few
// word compares per row where nothing changed, and the codes are looked
// up in tables made once (huffman).

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
)

// huffman is a block's codes, ready to write: each literal byte, each
// match length with its extra bits, and the two distances a card's
// matches use (one byte back, one row back) with theirs.
type huffman struct {
	header     []byte // the block's header bits, BFINAL 0 (a whole number of bytes is not needed)
	headerBits int
	lit        [256]code
	length     [maxMatch + 1]code
	run, row   code // distance 1, distance stride
	eob        code
}

// canonical returns the codes of RFC 1951, 3.2.2, for the code lengths.
func canonical(lengths []uint8) []code {
	var count [16]int
	for _, l := range lengths {
		count[l]++
	}
	count[0] = 0
	var next [16]uint32
	c := uint32(0)
	for b := 1; b < 16; b++ {
		c = (c + uint32(count[b-1])) << 1
		next[b] = c
	}
	codes := make([]code, len(lengths))
	for s, l := range lengths {
		if l > 0 {
			codes[s] = code{bits: bits.Reverse32(next[l]) >> (32 - l), n: l}
			next[l]++
		}
	}
	return codes
}

// withExtra appends n extra bits of value v to c.
func withExtra(c code, v int, n uint8) code {
	return code{bits: c.bits | uint32(v)<<c.n, n: c.n + n}
}

// newHuffman makes the tables for the literal/length and distance code
// lengths.
func newHuffman(litLen, dist []uint8) *huffman {
	lc, dc := canonical(litLen), canonical(dist)
	h := &huffman{}
	copy(h.lit[:], lc[:256])
	h.eob = lc[endOfBlock]
	for i, base := range lengthBase {
		end := maxMatch + 1
		if i+1 < len(lengthBase) {
			end = lengthBase[i+1]
		}
		for l := base; l < end; l++ {
			h.length[l] = withExtra(lc[257+i], l-base, lengthExtra[i])
		}
	}
	h.run = distCode(dc, 1)
	h.row = distCode(dc, stride)
	return h
}

// distCode is the code of distance d with its extra bits.
func distCode(dc []code, d int) code {
	i := len(distBase) - 1
	for distBase[i] > d {
		i--
	}
	return withExtra(dc[i], d-distBase[i], distExtra[i])
}

// fixedHuffman is deflate's fixed code (RFC 1951, 3.2.6).
var fixedHuffman = func() *huffman {
	lit := make([]uint8, 288)
	for i := range lit {
		switch {
		case i < 144:
			lit[i] = 8
		case i < 256:
			lit[i] = 9
		case i < 280:
			lit[i] = 7
		default:
			lit[i] = 8
		}
	}
	dist := make([]uint8, 30)
	for i := range dist {
		dist[i] = 5
	}
	h := newHuffman(lit, dist)
	h.header, h.headerBits = []byte{0b010}, 3 // BFINAL 0, BTYPE 01
	return h
}()

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

// writeBits appends the first n bits of b, first byte first.
func (w *bitWriter) writeBits(b []byte, n int) {
	for i := 0; n > 0; i++ {
		k := min(n, 8)
		w.write(code{bits: uint32(b[i]), n: uint8(k)})
		n -= k
	}
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

// deflateRows writes rows y0 to y1 (not included) of the canvas as one
// block coded with h, then a sync flush. Row y0-1 must be the row before
// them in the stream (y0 > 0).
func (c *canvas) deflateRows(w *bitWriter, h *huffman, y0, y1 int) {
	w.writeBits(h.header, h.headerBits)
	pix := c.pix
	end := y1 * stride
	for p := y0 * stride; p < end; {
		n := sameLen(pix[p:end], pix[p-stride:])
		m := 0
		if n < maxMatch {
			m = runLen(pix[p:end], pix[p-1])
		}
		switch {
		case n >= minMatch && n >= m:
			w.matches(h, h.row, n)
			p += n
		case m >= minMatch:
			w.matches(h, h.run, m)
			p += m
		default:
			w.write(h.lit[pix[p]])
			p++
		}
	}
	w.write(h.eob)
	w.syncFlush()
}

// matches writes n bytes (at least minMatch) as matches at distance d.
func (w *bitWriter) matches(h *huffman, d code, n int) {
	for n > 0 {
		l := min(n, maxMatch)
		if r := n - l; r > 0 && r < minMatch {
			l = n - minMatch
		}
		w.write(h.length[l])
		w.write(d)
		n -= l
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
