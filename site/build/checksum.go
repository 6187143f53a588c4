package build

import (
	"encoding/binary"
	"hash"
	"hash/crc32"
)

// Each file the build keeps in its cache folder (state.gob, the journal,
// the content snapshot) ends with a checksum of all before it, so that a
// damaged, truncated or foreign file is never read: CRC-32C, which the
// processor computes (gigabytes a second; SHA-256 took a tenth of a second
// of each rebuild of a 10,000-article site, reading and writing its 19 MB
// state). It guards against accidents, not against someone who can write
// to the cache folder: such a person could write a valid checksum of any
// kind.

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// sumSize is the size of the checksum as appendSum writes it.
const sumSize = 4

// newSum returns a hash computing the checksum as a stream.
func newSum() hash.Hash32 { return crc32.New(castagnoli) }

// appendSum appends the checksum of body to b.
func appendSum(b, body []byte) []byte {
	return binary.BigEndian.AppendUint32(b, crc32.Checksum(body, castagnoli))
}

// splitSummed returns the body of b, a body followed by its checksum;
// false when b is too short or the checksum does not match.
func splitSummed(b []byte) ([]byte, bool) {
	if len(b) < sumSize {
		return nil, false
	}
	body := b[:len(b)-sumSize]
	return body, crc32.Checksum(body, castagnoli) == binary.BigEndian.Uint32(b[len(body):])
}
