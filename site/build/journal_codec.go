package build

import (
	"bytes"
	"encoding/binary"
	"encoding/gob"
	"errors"
	"unsafe"
)

// The journal file is its header, then (as unsigned varints and
// length-prefixed strings) the key, the source stamps, the output folder
// and its stamps, the first due time, the saved report (gob), and last
// the checksum of all that (checksum.go). Decoding it takes a few
// milliseconds for a site of 10,000 articles: no reflection per entry.

var errJournal = errors.New("not a kiji journal")

func encodeJournal(j *statJournal) []byte {
	size := len(journalHeader) + len(j.Key) + len(j.Dest) + 64 + sumSize
	for _, ps := range [][]pathStamp{j.Sources, j.Outs} {
		for _, p := range ps {
			size += len(p.Path) + len(p.Hash) + 48
		}
	}
	b := append(make([]byte, 0, size), journalHeader...)
	b = appendString(b, j.Key)
	b = appendStamps(b, j.Sources, j.SrcAt)
	b = appendString(b, j.Dest)
	b = appendStamps(b, j.Outs, j.OutsAt)
	b = binary.AppendVarint(b, j.Due)
	var rep bytes.Buffer
	if err := gob.NewEncoder(&rep).Encode(&j.Report); err != nil {
		return nil
	}
	return appendString(b, rep.String())
}

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

func appendStamps(b []byte, ps []pathStamp, at int64) []byte {
	b = binary.AppendVarint(b, at)
	b = binary.AppendUvarint(b, uint64(len(ps)))
	for _, p := range ps {
		b = appendString(b, p.Path)
		missing := uint64(0)
		if p.Missing {
			missing = 1
		}
		b = binary.AppendUvarint(b, missing)
		b = binary.AppendUvarint(b, uint64(p.Mode))
		b = binary.AppendVarint(b, p.Size)
		b = binary.AppendVarint(b, p.Mtime)
		b = binary.AppendVarint(b, p.Ctime)
		b = binary.AppendUvarint(b, p.Ino)
		b = appendString(b, p.Hash)
	}
	return b
}

// journalReader reads what encodeJournal wrote; the first error sticks.
type journalReader struct {
	b   []byte
	err error
	// whole is the buffer b was at first, as a string: the strings read
	// are parts of it, not copies (a rebuild reads tens of thousands).
	whole string
}

// newReader reads b, which must never be written to afterwards: the
// strings read share its bytes.
func newReader(b []byte) journalReader {
	return journalReader{b: b, whole: unsafe.String(unsafe.SliceData(b), len(b))}
}

func (r *journalReader) uvarint() uint64 {
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.err, r.b = errJournal, nil
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *journalReader) varint() int64 {
	v, n := binary.Varint(r.b)
	if n <= 0 {
		r.err, r.b = errJournal, nil
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *journalReader) string() string {
	n := r.uvarint()
	if n > uint64(len(r.b)) {
		r.err, r.b = errJournal, nil
		return ""
	}
	off := len(r.whole) - len(r.b)
	r.b = r.b[n:]
	return r.whole[off : off+int(n)]
}

func (r *journalReader) stamps() ([]pathStamp, int64) {
	at := r.varint()
	n := r.uvarint()
	if n > uint64(len(r.b)) { // each stamp takes bytes
		r.err, r.b = errJournal, nil
		return nil, 0
	}
	ps := make([]pathStamp, n)
	for i := range ps {
		p := &ps[i]
		p.Path = r.string()
		p.Missing = r.uvarint() == 1
		p.Mode = uint32(r.uvarint())
		p.Size, p.Mtime, p.Ctime = r.varint(), r.varint(), r.varint()
		p.Ino = r.uvarint()
		p.Hash = r.string()
	}
	return ps, at
}

func decodeJournal(b []byte) (*statJournal, error) {
	if !bytes.HasPrefix(b, []byte(journalHeader)) {
		return nil, errJournal
	}
	rd := newReader(b[len(journalHeader):])
	r := &rd
	j := &statJournal{Key: r.string()}
	j.Sources, j.SrcAt = r.stamps()
	j.Dest = r.string()
	j.Outs, j.OutsAt = r.stamps()
	j.Due = r.varint()
	rep := r.string()
	if r.err != nil || len(r.b) != 0 {
		return nil, errJournal
	}
	if err := gob.NewDecoder(bytes.NewReader([]byte(rep))).Decode(&j.Report); err != nil {
		return nil, err
	}
	return j, nil
}
