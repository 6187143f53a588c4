package ogimage

import (
	"encoding/binary"
	"hash/crc32"
	"sync"
)

// A PNG is the signature and four chunks: IHDR (size, 8-bit palette
// colour), PLTE, one IDAT with the zlib stream of the scanlines, IEND.
// image/png cannot be handed another compressor or told that most of a
// card is the blank card, so the chunks are written here (a few lines;
// TestPNGDecodes and FuzzPNG read every card back with image/png, which
// checks the CRCs, the deflate stream and its Adler-32).
//
// The zlib stream is the rows in runs, each a deflate block of its own
// ended by a sync flush, so that the blocks follow one another on byte
// boundaries: a run of rows that no glyph touched is the same in every
// card and is compressed once per process (blankRun, by
// klauspost/compress); a run of rows glyphs drew on is coded by
// deflate.go. A card is thus written at about a tenth of the cost of
// image/png at BestSpeed, in about as many bytes (BenchmarkEncode). Its
// Adler-32 is that of the blank card changed by what the glyphs changed
// (canvas.adler32), so the rows are not read for it.
const pngSignature = "\x89PNG\r\n\x1a\n"

// encode returns the canvas as a PNG.
func (c *canvas) encode(h *huffman) []byte {
	e := encoders.Get().(*encoder)
	defer encoders.Put(e)
	e.compress(c, h)
	z := e.w.out
	pal := palettes()[c.bg]
	out := make([]byte, 0, len(pngSignature)+4*12+13+3*len(pal)+len(z))
	out = append(out, pngSignature...)
	var ihdr [13]byte
	binary.BigEndian.PutUint32(ihdr[0:], width)
	binary.BigEndian.PutUint32(ihdr[4:], height)
	ihdr[8], ihdr[9] = 8, 3 // bit depth, colour type: palette
	out = appendChunk(out, "IHDR", ihdr[:])
	plte := make([]byte, 0, 3*len(pal))
	for _, col := range pal {
		r, g, b, _ := col.RGBA()
		plte = append(plte, byte(r>>8), byte(g>>8), byte(b>>8))
	}
	out = appendChunk(out, "PLTE", plte)
	out = appendChunk(out, "IDAT", z)
	return appendChunk(out, "IEND", nil)
}

// encoder holds a card's zlib stream, kept between cards, and the counts
// of symbols when it makes the code (huffman.go).
type encoder struct {
	w      bitWriter
	litLen [numLitLen]int32
	dist   [rowDist + 1]int32
}

var encoders = sync.Pool{New: func() any { return &encoder{w: bitWriter{out: make([]byte, 0, 64<<10)}} }}

// appendChunk appends a PNG chunk: length, type, data, CRC of type and data.
func appendChunk(out []byte, typ string, data []byte) []byte {
	out = binary.BigEndian.AppendUint32(out, uint32(len(data)))
	start := len(out)
	out = append(out, typ...)
	out = append(out, data...)
	return binary.BigEndian.AppendUint32(out, crc32.ChecksumIEEE(out[start:]))
}

// compress sets e.w.out to the zlib stream of the canvas's scanlines: the
// header, a block per run of rows (drawn on: coded with h; blank: from
// blankRun), a final empty block and the Adler-32 of the rows.
func (e *encoder) compress(c *canvas, h *huffman) {
	w := &e.w
	w.out, w.bits, w.n = append(w.out[:0], 0x78, 0x01), 0, 0 // zlib: deflate, 32 KiB window, fastest
	for y := 0; y < height; {
		end := y + 1
		for end < height && c.inked[end] == c.inked[y] {
			end++
		}
		if c.inked[y] {
			w.writeBits(&h.header)
			e.tokenize(c, h, y, end)
			w.write(h.eob)
			w.syncFlush()
		} else {
			w.out = append(w.out, blankRun(y, end).deflated...)
		}
		y = end
	}
	w.out = append(w.out, 0b011, 0) // BFINAL 1, BTYPE 01, end of block
	w.out = binary.BigEndian.AppendUint32(w.out, c.adler32())
}
