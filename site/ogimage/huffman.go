package ogimage

import (
	"math/bits"
	"slices"
)

// huffman is the cards' Huffman code (RFC 1951, 3.2.7), ready to write:
// each literal byte, each match length with its extra bits, the two
// distances a card's matches use with theirs, and the header of a block
// that uses the code.
type huffman struct {
	header bitWriter
	lit    [256]code
	length [maxMatch + 1]code
	eob    code
	run    code // distance 1
	row    code // distance stride
}

// trainingCards are the cards the code is made from: what titles look
// like, in Japanese and in English, short and long.
var trainingCards = []Card{
	{Title: "【初心者向け】Amazon ECS と EKS について改めて整理してみた", Emoji: "🐳", Site: "kiji のブログ"},
	{Title: "Getting started with Lambda on Next.js: a walkthrough of the whole deployment", Emoji: "🔧", Site: "Tech notes"},
	{Title: "Go のジェネリクスで型安全なキャッシュを書く", Emoji: "🐹", Site: "Zenn"},
	{Title: "Rust 入門", Emoji: "🦀", Site: "blog"},
}

// makeCode makes the Huffman code of every card from the symbols of the
// training cards. Every symbol a card can hold has a code: each palette
// index as a literal (the bytes of a card are those and the filter byte
// 0), each match length, both distances.
func (fs *fontSet) makeCode() *huffman {
	e := &encoder{}
	for _, card := range trainingCards {
		c := newCanvas()
		c.paint(layout(fs, card))
		for y := 0; y < height; {
			end := y + 1
			for end < height && c.inked[end] == c.inked[y] {
				end++
			}
			if c.inked[y] {
				e.tokenize(c, nil, y, end)
			}
			y = end
		}
		c.release()
	}
	for i := range paletteLen {
		e.litLen[i]++
	}
	for i := endOfBlock; i < numLitLen; i++ {
		e.litLen[i]++
	}
	e.dist[runDist]++
	e.dist[rowDist]++
	return newHuffman(e.litLen[:], e.dist[:])
}

// newHuffman makes the code for the symbol counts.
func newHuffman(litLenFreq, distFreq []int32) *huffman {
	litLen, dist := codeLengths(litLenFreq, 15), codeLengths(distFreq, 15)
	lc, dc := canonical(litLen), canonical(dist)
	h := &huffman{}
	copy(h.lit[:], lc[:256])
	h.eob = lc[endOfBlock]
	for l := minMatch; l <= maxMatch; l++ {
		i := lengthCode[l]
		h.length[l] = withExtra(lc[257+int(i)], l-lengthBase[i], lengthExtra[i])
	}
	h.run = withExtra(dc[runDist], 1-distBase[runDist], distExtra[runDist])
	h.row = withExtra(dc[rowDist], stride-distBase[rowDist], distExtra[rowDist])
	h.header.write(code{bits: 0b100, n: 3}) // BFINAL 0, BTYPE 10
	writeCodeLengths(&h.header, litLen, dist)
	return h
}

// withExtra appends n extra bits of value v to c.
func withExtra(c code, v int, n uint8) code {
	return code{bits: c.bits | uint32(v)<<c.n, n: c.n + n}
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

// codeLengths returns the lengths of a Huffman code for the counts, none
// longer than limit: the counts are halved until the code fits.
func codeLengths(freq []int32, limit int) []uint8 {
	f := slices.Clone(freq)
	lengths := make([]uint8, len(freq))
	for huffmanLengths(f, lengths) > limit {
		for i := range f {
			f[i] = (f[i] + 1) / 2
		}
	}
	return lengths
}

// huffmanLengths sets lengths to those of a Huffman code for the counts
// (a symbol with none gets none) and returns the longest.
func huffmanLengths(freq []int32, lengths []uint8) int {
	clear(lengths)
	var syms []int
	for s, f := range freq {
		if f > 0 {
			syms = append(syms, s)
		}
	}
	if len(syms) == 1 {
		lengths[syms[0]] = 1
		return 1
	}
	slices.SortStableFunc(syms, func(a, b int) int { return int(freq[a]) - int(freq[b]) })
	// Leaves are nodes 0 to n-1 by count, the merged nodes follow in the
	// order they are made (their counts do not decrease): two queues.
	n := len(syms)
	weight, parent := make([]int64, 2*n-1), make([]int, 2*n-1)
	for i, s := range syms {
		weight[i] = int64(freq[s])
	}
	leaf, inner := 0, n
	pick := func(next int) int {
		if leaf < n && (inner >= next || weight[leaf] <= weight[inner]) {
			leaf++
			return leaf - 1
		}
		inner++
		return inner - 1
	}
	for next := n; next < 2*n-1; next++ {
		a, b := pick(next), pick(next)
		weight[next] = weight[a] + weight[b]
		parent[a], parent[b] = next, next
	}
	depth := make([]int, 2*n-1)
	longest := 0
	for i := 2*n - 3; i >= 0; i-- {
		depth[i] = depth[parent[i]] + 1
		if i < n {
			lengths[syms[i]] = uint8(depth[i])
			longest = max(longest, depth[i])
		}
	}
	return longest
}

// clOrder is the order the code length code's lengths are written in.
var clOrder = [19]int{16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15}

// writeCodeLengths writes the header of a dynamic block after its first
// three bits: HLIT, HDIST, HCLEN, the code length code, and the code
// lengths of both alphabets in it.
func writeCodeLengths(w *bitWriter, litLen, dist []uint8) {
	nLit := len(litLen)
	for nLit > 257 && litLen[nLit-1] == 0 {
		nLit--
	}
	nDist := len(dist)
	for nDist > 1 && dist[nDist-1] == 0 {
		nDist--
	}
	syms := rleLengths(append(slices.Clone(litLen[:nLit]), dist[:nDist]...))
	var freq [19]int32
	for _, s := range syms {
		freq[s&0x1f]++
	}
	cl := codeLengths(freq[:], 7)
	nCL := len(clOrder)
	for nCL > 4 && cl[clOrder[nCL-1]] == 0 {
		nCL--
	}
	w.write(code{bits: uint32(nLit - 257), n: 5})
	w.write(code{bits: uint32(nDist - 1), n: 5})
	w.write(code{bits: uint32(nCL - 4), n: 4})
	for _, s := range clOrder[:nCL] {
		w.write(code{bits: uint32(cl[s]), n: 3})
	}
	codes := canonical(cl)
	for _, s := range syms {
		w.write(withExtra(codes[s&0x1f], int(s>>5), clExtra[s&0x1f]))
	}
}

// clExtra is how many extra bits follow the code length symbols 16, 17, 18.
var clExtra = [19]uint8{16: 2, 17: 3, 18: 7}

// rleLengths codes code lengths with the code length alphabet: each
// symbol in the low 5 bits, its extra bits' value above.
func rleLengths(lengths []uint8) []uint16 {
	var out []uint16
	for i := 0; i < len(lengths); {
		v := lengths[i]
		r := 1
		for i+r < len(lengths) && lengths[i+r] == v {
			r++
		}
		i += r
		if v == 0 {
			for r >= 11 {
				k := min(r, 138)
				out, r = append(out, 18|uint16(k-11)<<5), r-k
			}
			if r >= 3 {
				out, r = append(out, 17|uint16(r-3)<<5), 0
			}
		} else {
			out, r = append(out, uint16(v)), r-1
			for r >= 3 {
				k := min(r, 6)
				out, r = append(out, 16|uint16(k-3)<<5), r-k
			}
		}
		for ; r > 0; r-- {
			out = append(out, uint16(v))
		}
	}
	return out
}
