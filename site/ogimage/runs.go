package ogimage

import (
	"bytes"
	"sync"
	"sync/atomic"

	"github.com/klauspost/compress/flate"
)

// The rows of the card between its rounded corners are all alike.
const cardTop, cardBottom = margin + radius, height - margin - radius

// run is a span of blank rows, deflated on its own and ended by a sync
// flush.
type run struct {
	deflated []byte
}

// maxRuns bounds the runs kept: a span within the card is keyed by its
// length alone (at most 494 of them), one that reaches the tint above or
// below by where it starts or ends; each holds a few kilobytes.
const maxRuns = 2048

// compressors are deflate writers kept between runs: a writer's state is
// some hundreds of kilobytes.
var compressors = sync.Pool{New: func() any {
	w, _ := flate.NewWriter(nil, flate.BestSpeed) // errors only on a bad level
	return w
}}

var (
	runs     sync.Map // [2]int{first row, end row} → *run
	runCount atomic.Int32
)

// blankRun returns rows y0 to y1 (not included) of the blank card,
// compressed.
func blankRun(y0, y1 int) *run {
	if y0 >= cardTop && y1 <= cardBottom {
		y0, y1 = cardTop, cardTop+y1-y0
	}
	key := [2]int{y0, y1}
	if v, ok := runs.Load(key); ok {
		return v.(*run)
	}
	rows := blank()[y0*stride : y1*stride]
	var b bytes.Buffer
	w := compressors.Get().(*flate.Writer)
	w.Reset(&b)
	w.Write(rows) // a bytes.Buffer takes every write
	w.Flush()
	compressors.Put(w)
	r := &run{deflated: b.Bytes()}
	if runCount.Add(1) <= maxRuns {
		runs.Store(key, r)
	}
	return r
}
