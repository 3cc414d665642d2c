package xxhash

import (
	"encoding/binary"
	"hash"
	"math/bits"
)

const (
	prime32_1 = 0x9E3779B1
	prime32_2 = 0x85EBCA77
	prime32_3 = 0xC2B2AE3D
	primeMX1  = 0x165667919E3779F9
	primeMX2  = 0x9FB21C651E98DF25

	stripeLen       = 64
	secretConsume   = 8
	accNB           = 8
	secretSizeMin   = 136
	midStartOffset  = 3
	midLastOffset   = 17
	secretLastAcc   = 7
	secretMergeAccs = 11
	bufferSize      = 256
	midSizeMax      = 240
)

// kSecret is XXH3's default secret.
var kSecret = [192]byte{
	0xb8, 0xfe, 0x6c, 0x39, 0x23, 0xa4, 0x4b, 0xbe, 0x7c, 0x01, 0x81, 0x2c, 0xf7, 0x21, 0xad, 0x1c,
	0xde, 0xd4, 0x6d, 0xe9, 0x83, 0x90, 0x97, 0xdb, 0x72, 0x40, 0xa4, 0xa4, 0xb7, 0xb3, 0x67, 0x1f,
	0xcb, 0x79, 0xe6, 0x4e, 0xcc, 0xc0, 0xe5, 0x78, 0x82, 0x5a, 0xd0, 0x7d, 0xcc, 0xff, 0x72, 0x21,
	0xb8, 0x08, 0x46, 0x74, 0xf7, 0x43, 0x24, 0x8e, 0xe0, 0x35, 0x90, 0xe6, 0x81, 0x3a, 0x26, 0x4c,
	0x3c, 0x28, 0x52, 0xbb, 0x91, 0xc3, 0x00, 0xcb, 0x88, 0xd0, 0x65, 0x8b, 0x1b, 0x53, 0x2e, 0xa3,
	0x71, 0x64, 0x48, 0x97, 0xa2, 0x0d, 0xf9, 0x4e, 0x38, 0x19, 0xef, 0x46, 0xa9, 0xde, 0xac, 0xd8,
	0xa8, 0xfa, 0x76, 0x3f, 0xe3, 0x9c, 0x34, 0x3f, 0xf9, 0xdc, 0xbb, 0xc7, 0xc7, 0x0b, 0x4f, 0x1d,
	0x8a, 0x51, 0xe0, 0x4b, 0xcd, 0xb4, 0x59, 0x31, 0xc8, 0x9f, 0x7e, 0xc9, 0xd9, 0x78, 0x73, 0x64,
	0xea, 0xc5, 0xac, 0x83, 0x34, 0xd3, 0xeb, 0xc3, 0xc5, 0x81, 0xa0, 0xff, 0xfa, 0x13, 0x63, 0xeb,
	0x17, 0x0d, 0xdd, 0x51, 0xb7, 0xf0, 0xda, 0x49, 0xd3, 0x16, 0x55, 0x26, 0x29, 0xd4, 0x68, 0x9e,
	0x2b, 0x16, 0xbe, 0x58, 0x7d, 0x47, 0xa1, 0xfc, 0x8f, 0xf8, 0xb8, 0xd1, 0x7a, 0xd0, 0x31, 0xce,
	0x45, 0xcb, 0x3a, 0x8f, 0x95, 0x16, 0x04, 0x28, 0xaf, 0xd7, 0xfb, 0xca, 0xbb, 0x4b, 0x40, 0x7e,
}

const (
	secretSize      = len(kSecret)
	stripesPerBlock = (secretSize - stripeLen) / secretConsume
	secretLimit     = secretSize - stripeLen
	secretHighMerge = secretSize - 64 - secretMergeAccs
)

func r64(b []byte, off int) uint64 { return binary.LittleEndian.Uint64(b[off:]) }
func r32(b []byte, off int) uint32 { return binary.LittleEndian.Uint32(b[off:]) }

func mulFold64(a, b uint64) uint64 {
	hi, lo := bits.Mul64(a, b)
	return hi ^ lo
}

func avalanche3(h uint64) uint64 {
	h ^= h >> 37
	h *= primeMX1
	return h ^ h>>32
}

func rrmxmx(h uint64, n uint64) uint64 {
	h ^= bits.RotateLeft64(h, 49) ^ bits.RotateLeft64(h, 24)
	h *= primeMX2
	h ^= (h >> 35) + n
	h *= primeMX2
	return h ^ h>>28
}

func mix16(in []byte, off int, sec int) uint64 {
	return mulFold64(r64(in, off)^r64(kSecret[:], sec), r64(in, off+8)^r64(kSecret[:], sec+8))
}

// hash64Short is XXH3-64 of inputs up to midSizeMax bytes.
func hash64Short(in []byte) uint64 {
	n := len(in)
	s := kSecret[:]
	switch {
	case n == 0:
		return avalanche64(r64(s, 56) ^ r64(s, 64))
	case n <= 3:
		c := uint32(in[0])<<16 | uint32(in[n>>1])<<24 | uint32(in[n-1]) | uint32(n)<<8
		return avalanche64(uint64(c) ^ uint64(r32(s, 0)^r32(s, 4)))
	case n <= 8:
		bitflip := r64(s, 8) ^ r64(s, 16)
		v := uint64(r32(in, n-4)) + uint64(r32(in, 0))<<32
		return rrmxmx(v^bitflip, uint64(n))
	case n <= 16:
		lo := r64(in, 0) ^ (r64(s, 24) ^ r64(s, 32))
		hi := r64(in, n-8) ^ (r64(s, 40) ^ r64(s, 48))
		return avalanche3(uint64(n) + bits.ReverseBytes64(lo) + hi + mulFold64(lo, hi))
	case n <= 128:
		acc := uint64(n) * prime64_1
		if n > 32 {
			if n > 64 {
				if n > 96 {
					acc += mix16(in, 48, 96)
					acc += mix16(in, n-64, 112)
				}
				acc += mix16(in, 32, 64)
				acc += mix16(in, n-48, 80)
			}
			acc += mix16(in, 16, 32)
			acc += mix16(in, n-32, 48)
		}
		acc += mix16(in, 0, 0)
		acc += mix16(in, n-16, 16)
		return avalanche3(acc)
	}
	acc := uint64(n) * prime64_1
	for i := range 8 {
		acc += mix16(in, 16*i, 16*i)
	}
	acc = avalanche3(acc)
	for i := 8; i < n/16; i++ {
		acc += mix16(in, 16*i, 16*(i-8)+midStartOffset)
	}
	acc += mix16(in, n-16, secretSizeMin-midLastOffset)
	return avalanche3(acc)
}

// mix32 is XXH128_mix32B.
func mix32(acc [2]uint64, in []byte, off1, off2, sec int) [2]uint64 {
	acc[0] += mix16(in, off1, sec)
	acc[0] ^= r64(in, off2) + r64(in, off2+8)
	acc[1] += mix16(in, off2, sec+16)
	acc[1] ^= r64(in, off1) + r64(in, off1+8)
	return acc
}

// hash128Short is XXH3-128 of inputs up to midSizeMax bytes, as (high, low).
func hash128Short(in []byte) (hi, lo uint64) {
	n := len(in)
	s := kSecret[:]
	switch {
	case n == 0:
		return avalanche64(r64(s, 80) ^ r64(s, 88)), avalanche64(r64(s, 64) ^ r64(s, 72))
	case n <= 3:
		cl := uint32(in[0])<<16 | uint32(in[n>>1])<<24 | uint32(in[n-1]) | uint32(n)<<8
		ch := bits.RotateLeft32(bits.ReverseBytes32(cl), 13)
		kl := uint64(cl) ^ uint64(r32(s, 0)^r32(s, 4))
		kh := uint64(ch) ^ uint64(r32(s, 8)^r32(s, 12))
		return avalanche64(kh), avalanche64(kl)
	case n <= 8:
		v := uint64(r32(in, 0)) + uint64(r32(in, n-4))<<32
		keyed := v ^ (r64(s, 16) ^ r64(s, 24))
		mh, ml := bits.Mul64(keyed, prime64_1+uint64(n)<<2)
		mh += ml << 1
		ml ^= mh >> 3
		ml ^= ml >> 35
		ml *= primeMX2
		ml ^= ml >> 28
		return avalanche3(mh), ml
	case n <= 16:
		bitflipl := r64(s, 32) ^ r64(s, 40)
		bitfliph := r64(s, 48) ^ r64(s, 56)
		inLo, inHi := r64(in, 0), r64(in, n-8)
		mh, ml := bits.Mul64(inLo^inHi^bitflipl, prime64_1)
		ml += uint64(n-1) << 54
		inHi ^= bitfliph
		mh += inHi + uint64(uint32(inHi))*(prime32_2-1)
		ml ^= bits.ReverseBytes64(mh)
		hh, hl := bits.Mul64(ml, prime64_2)
		hh += mh * prime64_2
		return avalanche3(hh), avalanche3(hl)
	case n <= 128:
		acc := [2]uint64{uint64(n) * prime64_1, 0}
		if n > 32 {
			if n > 64 {
				if n > 96 {
					acc = mix32(acc, in, 48, n-64, 96)
				}
				acc = mix32(acc, in, 32, n-48, 64)
			}
			acc = mix32(acc, in, 16, n-32, 32)
		}
		acc = mix32(acc, in, 0, n-16, 0)
		return finish128(acc, n)
	}
	acc := [2]uint64{uint64(n) * prime64_1, 0}
	for i := range 4 {
		acc = mix32(acc, in, 32*i, 32*i+16, 32*i)
	}
	acc[0], acc[1] = avalanche3(acc[0]), avalanche3(acc[1])
	for i := 4; i < n/32; i++ {
		acc = mix32(acc, in, 32*i, 32*i+16, midStartOffset+32*(i-4))
	}
	acc = mix32(acc, in, n-16, n-32, secretSizeMin-midLastOffset-16)
	return finish128(acc, n)
}

func finish128(acc [2]uint64, n int) (hi, lo uint64) {
	lo = acc[0] + acc[1]
	hi = acc[0]*prime64_1 + acc[1]*prime64_4 + uint64(n)*prime64_2
	return -avalanche3(hi), avalanche3(lo)
}

// long is the state of XXH3 over inputs longer than midSizeMax bytes.
type long struct {
	acc    [accNB]uint64
	buf    [bufferSize]byte
	n      int // bytes in buf
	stripe int // stripes consumed in the current block
	total  uint64
}

func (l *long) reset() {
	l.acc = [accNB]uint64{prime32_3, prime64_1, prime64_2, prime64_3, prime64_4, prime32_2, prime64_5, prime32_1}
	l.n, l.stripe, l.total = 0, 0, 0
}

func accumulate512(acc *[accNB]uint64, in []byte, sec int) {
	for i := range accNB {
		v := r64(in, 8*i)
		k := v ^ r64(kSecret[:], sec+8*i)
		acc[i^1] += v
		acc[i] += uint64(uint32(k)) * (k >> 32)
	}
}

func scramble(acc *[accNB]uint64) {
	for i := range accNB {
		a := acc[i]
		a ^= a >> 47
		a ^= r64(kSecret[:], secretLimit+8*i)
		acc[i] = a * prime32_1
	}
}

// consume accumulates n stripes of in, scrambling at each block's end.
func consume(acc *[accNB]uint64, stripe *int, in []byte, n int) {
	for i := range n {
		accumulate512(acc, in[i*stripeLen:], *stripe*secretConsume)
		*stripe++
		if *stripe == stripesPerBlock {
			scramble(acc)
			*stripe = 0
		}
	}
}

// write adds p, keeping the last bytes buffered: a buffer is consumed only
// once more input follows it, so that the final stripe is always known.
func (l *long) write(p []byte) {
	l.total += uint64(len(p))
	if l.n+len(p) <= bufferSize {
		l.n += copy(l.buf[l.n:], p)
		return
	}
	if l.n > 0 {
		c := copy(l.buf[l.n:], p)
		p = p[c:]
		consume(&l.acc, &l.stripe, l.buf[:], bufferSize/stripeLen)
		l.n = 0
	}
	if len(p) > bufferSize {
		k := (len(p) - 1) / bufferSize * bufferSize
		consume(&l.acc, &l.stripe, p[:k], k/stripeLen)
		// Keep the last stripe consumed: the final stripe may reach back
		// into it.
		copy(l.buf[bufferSize-stripeLen:], p[k-stripeLen:k])
		p = p[k:]
	}
	l.n = copy(l.buf[:], p)
}

// digest returns the accumulators after the final stripes.
func (l *long) digest() [accNB]uint64 {
	acc := l.acc
	stripe := l.stripe
	var last [stripeLen]byte
	if l.n >= stripeLen {
		consume(&acc, &stripe, l.buf[:l.n], (l.n-1)/stripeLen)
		copy(last[:], l.buf[l.n-stripeLen:l.n])
	} else {
		catchup := stripeLen - l.n
		copy(last[:], l.buf[bufferSize-catchup:])
		copy(last[catchup:], l.buf[:l.n])
	}
	accumulate512(&acc, last[:], secretLimit-secretLastAcc)
	return acc
}

func mergeAccs(acc [accNB]uint64, sec int, start uint64) uint64 {
	r := start
	for i := range 4 {
		r += mulFold64(acc[2*i]^r64(kSecret[:], sec+16*i), acc[2*i+1]^r64(kSecret[:], sec+16*i+8))
	}
	return avalanche3(r)
}

// state is what XXH3-64 and XXH3-128 share: the whole input while it is
// short (the short algorithms need all of it), the long state once it is
// not.
type state struct {
	short  [midSizeMax]byte
	n      int
	isLong bool
	l      long
}

func (s *state) reset() {
	s.n, s.isLong = 0, false
}

func (s *state) write(p []byte) {
	if !s.isLong {
		if s.n+len(p) <= midSizeMax {
			s.n += copy(s.short[s.n:], p)
			return
		}
		s.isLong = true
		s.l.reset()
		s.l.write(s.short[:s.n])
	}
	s.l.write(p)
}

// XXH3 is a streaming XXH3-64 with seed 0 and the default secret.
type XXH3 struct{ s state }

var _ hash.Hash64 = (*XXH3)(nil)

// New3 returns a new XXH3-64 hash.
func New3() *XXH3 { return &XXH3{} }

// Write implements hash.Hash.
func (h *XXH3) Write(p []byte) (int, error) { h.s.write(p); return len(p), nil }

// Reset implements hash.Hash.
func (h *XXH3) Reset() { h.s.reset() }

// Size implements hash.Hash.
func (h *XXH3) Size() int { return 8 }

// BlockSize implements hash.Hash.
func (h *XXH3) BlockSize() int { return stripeLen }

// Sum64 implements hash.Hash64.
func (h *XXH3) Sum64() uint64 {
	if !h.s.isLong {
		return hash64Short(h.s.short[:h.s.n])
	}
	return mergeAccs(h.s.l.digest(), secretMergeAccs, h.s.l.total*prime64_1)
}

// Sum implements hash.Hash: the big-endian digest appended to b.
func (h *XXH3) Sum(b []byte) []byte { return binary.BigEndian.AppendUint64(b, h.Sum64()) }

// XXH128 is a streaming XXH3-128 with seed 0 and the default secret.
type XXH128 struct{ s state }

var _ hash.Hash = (*XXH128)(nil)

// New128 returns a new XXH3-128 hash.
func New128() *XXH128 { return &XXH128{} }

// Write implements hash.Hash.
func (h *XXH128) Write(p []byte) (int, error) { h.s.write(p); return len(p), nil }

// Reset implements hash.Hash.
func (h *XXH128) Reset() { h.s.reset() }

// Size implements hash.Hash.
func (h *XXH128) Size() int { return 16 }

// BlockSize implements hash.Hash.
func (h *XXH128) BlockSize() int { return stripeLen }

// Sum128 returns the digest's high and low halves.
func (h *XXH128) Sum128() (hi, lo uint64) {
	if !h.s.isLong {
		return hash128Short(h.s.short[:h.s.n])
	}
	acc := h.s.l.digest()
	total := h.s.l.total
	lo = mergeAccs(acc, secretMergeAccs, total*prime64_1)
	hi = mergeAccs(acc, secretHighMerge, ^(total * prime64_2))
	return hi, lo
}

// Sum implements hash.Hash: the canonical (big-endian, high half first)
// digest appended to b.
func (h *XXH128) Sum(b []byte) []byte {
	hi, lo := h.Sum128()
	return binary.BigEndian.AppendUint64(binary.BigEndian.AppendUint64(b, hi), lo)
}
