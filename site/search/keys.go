package search

import (
	"encoding/binary"
	"hash/maphash"
	"math/bits"
)

// keyTable numbers distinct keys (byte strings) in the order they first
// come: an open-addressing hash table that keeps the keys' bytes in one
// buffer. It is reused from page to page: reset empties it in constant
// time, and once grown it allocates nothing, where a map[string]int32
// costs a string a key and a clear as long as the map's largest size.
//
// A key of up to 8 bytes (a CJK bigram, most words) is held in its slot
// as a number: finding it reads one slot, and no hash is computed but a
// multiplication. A longer one is held by its hash, and compared.
type keyTable struct {
	seed  maphash.Seed
	slots []keySlot // a power of two, at most half full
	shift uint      // 64 - log2(len(slots))
	stamp uint32    // a slot is used when its stamp is this one (|1: a long key); even
	bytes []byte    // the keys, one after another
	ends  []int32   // key i is bytes[ends[i-1]:ends[i]] (ends[-1] = 0)
}

type keySlot struct {
	key   uint64 // the key's bytes, little-endian, or a long key's hash
	stamp uint32
	id    int32
}

func newKeyTable() keyTable {
	t := keyTable{seed: maphash.MakeSeed(), stamp: 2}
	t.alloc(1024)
	return t
}

func (t *keyTable) alloc(n int) {
	t.slots = make([]keySlot, n)
	t.shift = uint(64 - bits.TrailingZeros(uint(n)))
}

// reset forgets every key. A table grown for a page of many keys shrinks
// for the next ones: scattered over a big table, a few keys would miss
// the processor's cache at every look-up.
func (t *keyTable) reset() {
	if n := len(t.slots); n > 1024 && 8*len(t.ends) < n {
		t.alloc(n / 2)
	}
	t.stamp += 2
	if t.stamp == 0 { // after 2^31 resets: no slot may look used
		clear(t.slots)
		t.stamp = 2
	}
	t.bytes, t.ends = t.bytes[:0], t.ends[:0]
}

// len is the number of keys.
func (t *keyTable) len() int { return len(t.ends) }

// key returns key id's bytes (valid until the next reset).
func (t *keyTable) key(id int32) []byte {
	start := int32(0)
	if id > 0 {
		start = t.ends[id-1]
	}
	return t.bytes[start:t.ends[id]]
}

// packed is a key of at most 8 bytes as a number (no key holds a NUL
// byte, so no two keys give the same one).
func packed(key []byte) uint64 {
	if cap(key) >= 8 { // read 8 bytes, keep len(key)
		return binary.LittleEndian.Uint64(key[:8]) & (1<<(8*len(key)) - 1)
	}
	var b [8]byte
	copy(b[:], key)
	return binary.LittleEndian.Uint64(b[:])
}

// id returns key's number, adding it if it is new.
func (t *keyTable) id(key []byte) int32 {
	stamp, k := t.stamp, uint64(0)
	if len(key) <= 8 {
		k = packed(key)
	} else {
		stamp, k = t.stamp|1, maphash.Bytes(t.seed, key)
	}
	mask := uint64(len(t.slots) - 1)
	for i := (k * 0x9E3779B97F4A7C15) >> t.shift; ; i = (i + 1) & mask {
		s := &t.slots[i]
		if s.stamp&^1 != t.stamp {
			id := int32(len(t.ends))
			*s = keySlot{k, stamp, id}
			t.bytes = append(t.bytes, key...)
			t.ends = append(t.ends, int32(len(t.bytes)))
			if 2*len(t.ends) > len(t.slots) {
				t.grow()
			}
			return id
		}
		if s.key == k && s.stamp == stamp && (stamp == t.stamp || string(t.key(s.id)) == string(key)) {
			return s.id
		}
	}
}

// grow doubles the slots and places the keys again.
func (t *keyTable) grow() {
	old := t.slots
	t.alloc(2 * len(old))
	mask := uint64(len(t.slots) - 1)
	for _, s := range old {
		if s.stamp&^1 != t.stamp {
			continue
		}
		i := (s.key * 0x9E3779B97F4A7C15) >> t.shift
		for t.slots[i].stamp&^1 == t.stamp {
			i = (i + 1) & mask
		}
		t.slots[i] = s
	}
}
