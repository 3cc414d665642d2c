// Package xxhash implements the xxHash algorithms S3's checksum operations
// name (XXHASH64, XXHASH3, XXHASH128: XXH64, XXH3-64 and XXH3-128 with seed
// 0 and the default secret, as specified in the xxHash reference, version
// 0.8) as streaming hash.Hash values. Sums are big-endian, the canonical
// representation of the reference implementation.
package xxhash

import (
	"encoding/binary"
	"hash"
	"math/bits"
)

const (
	prime64_1 = 0x9E3779B185EBCA87
	prime64_2 = 0xC2B2AE3D27D4EB4F
	prime64_3 = 0x165667B19E3779F9
	prime64_4 = 0x85EBCA77C2B2AE63
	prime64_5 = 0x27D4EB2F165667C5
)

// XXH64 is a streaming XXH64 with seed 0.
type XXH64 struct {
	v     [4]uint64
	total uint64
	buf   [32]byte
	n     int
}

var _ hash.Hash64 = (*XXH64)(nil)

// New64 returns a new XXH64 hash.
func New64() *XXH64 {
	h := &XXH64{}
	h.Reset()
	return h
}

// Reset implements hash.Hash.
func (h *XXH64) Reset() {
	p1, p2 := uint64(prime64_1), uint64(prime64_2)
	h.v = [4]uint64{p1 + p2, p2, 0, -p1}
	h.total, h.n = 0, 0
}

// Size implements hash.Hash.
func (h *XXH64) Size() int { return 8 }

// BlockSize implements hash.Hash.
func (h *XXH64) BlockSize() int { return 32 }

func round64(acc, in uint64) uint64 {
	acc += in * prime64_2
	return bits.RotateLeft64(acc, 31) * prime64_1
}

func merge64(acc, v uint64) uint64 {
	acc ^= round64(0, v)
	return acc*prime64_1 + prime64_4
}

// Write implements hash.Hash.
func (h *XXH64) Write(p []byte) (int, error) {
	n := len(p)
	h.total += uint64(n)
	if h.n > 0 {
		c := copy(h.buf[h.n:], p)
		h.n += c
		p = p[c:]
		if h.n < 32 {
			return n, nil
		}
		h.stripe(h.buf[:])
		h.n = 0
	}
	for len(p) >= 32 {
		h.stripe(p[:32])
		p = p[32:]
	}
	h.n = copy(h.buf[:], p)
	return n, nil
}

func (h *XXH64) stripe(b []byte) {
	h.v[0] = round64(h.v[0], binary.LittleEndian.Uint64(b[0:]))
	h.v[1] = round64(h.v[1], binary.LittleEndian.Uint64(b[8:]))
	h.v[2] = round64(h.v[2], binary.LittleEndian.Uint64(b[16:]))
	h.v[3] = round64(h.v[3], binary.LittleEndian.Uint64(b[24:]))
}

// Sum64 implements hash.Hash64.
func (h *XXH64) Sum64() uint64 {
	var acc uint64
	if h.total >= 32 {
		v := h.v
		acc = bits.RotateLeft64(v[0], 1) + bits.RotateLeft64(v[1], 7) + bits.RotateLeft64(v[2], 12) + bits.RotateLeft64(v[3], 18)
		for _, x := range v {
			acc = merge64(acc, x)
		}
	} else {
		acc = prime64_5
	}
	acc += h.total
	b := h.buf[:h.n]
	for len(b) >= 8 {
		acc ^= round64(0, binary.LittleEndian.Uint64(b))
		acc = bits.RotateLeft64(acc, 27)*prime64_1 + prime64_4
		b = b[8:]
	}
	if len(b) >= 4 {
		acc ^= uint64(binary.LittleEndian.Uint32(b)) * prime64_1
		acc = bits.RotateLeft64(acc, 23)*prime64_2 + prime64_3
		b = b[4:]
	}
	for _, c := range b {
		acc ^= uint64(c) * prime64_5
		acc = bits.RotateLeft64(acc, 11) * prime64_1
	}
	return avalanche64(acc)
}

func avalanche64(h uint64) uint64 {
	h ^= h >> 33
	h *= prime64_2
	h ^= h >> 29
	h *= prime64_3
	h ^= h >> 32
	return h
}

// Sum implements hash.Hash: the big-endian digest appended to b.
func (h *XXH64) Sum(b []byte) []byte { return binary.BigEndian.AppendUint64(b, h.Sum64()) }
