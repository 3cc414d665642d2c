package xxhash

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"math/rand/v2"
	"testing"
)

// data is the test input: a xorshift32 byte stream, the same the reference
// digests below were computed on (libxxhash 0.8.1 through ctypes).
func data(n int) []byte {
	out := make([]byte, n)
	x := uint32(2463534242)
	for i := range out {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		out[i] = byte(x)
	}
	return out
}

var lengths = func() []int {
	var ls []int
	for n := range 2100 {
		ls = append(ls, n)
	}
	return append(ls, 4095, 4096, 4097, 10000, 65536, 100000, 300000)
}()

func TestDigestsMatchTheReferenceImplementation(t *testing.T) {
	t.Parallel()
	big := data(300000)
	for _, tc := range []struct {
		name string
		h    func() hash.Hash
		want string
	}{
		{"XXH64", func() hash.Hash { return New64() }, "6b2d2daa561dcbc3095955da44e4874f60de0e8a21775db3c25471827294918a"},
		{"XXH3-64", func() hash.Hash { return New3() }, "84c51c52a49eeb6b33672ecf247f3af1ff0a050f5487fbd7d30e027dbe1bc91e"},
		{"XXH3-128", func() hash.Hash { return New128() }, "bf3eef9f8f1c1220d50cbe91f3e32d152c6836ecb6849c34d0b36bea69e92954"},
	} {
		t.Run(tc.name+" of every length from 0 to 2099 bytes and some long inputs matches libxxhash", func(t *testing.T) {
			all := sha256.New()
			for _, n := range lengths {
				h := tc.h()
				h.Write(big[:n])
				all.Write(h.Sum(nil))
			}
			if got := hex.EncodeToString(all.Sum(nil)); got != tc.want {
				t.Fatalf("combined digest %s, want %s", got, tc.want)
			}
		})
	}
}

func TestSingleDigests(t *testing.T) {
	t.Parallel()
	big := data(100000)
	for _, tc := range []struct {
		n             int
		x64, x3, x128 string
	}{
		{0, "ef46db3751d8e999", "2d06800538d394c2", "99aa06d3014798d86001c324468d497f"},
		{3, "2567926db132df41", "e06900ca2fe0cd71", "bc71d25866c91d8de06900ca2fe0cd71"},
		{8, "0f203c98f5dc9938", "41ab92b9308dfed2", "c285a83b893b8a89e5d4d53b4e945daa"},
		{16, "1c170a9fb1e77655", "58b2c60c19a5bce8", "00cdedd21fe849a719facfb58a379b4c"},
		{100, "fbe8877d4ac22dd3", "861beca317ae423a", "c0ea2ba6b3d514168aaa49085c3ab2e0"},
		{200, "61becbb588d98643", "372f34916ae653ac", "b1512fc3eae5f6946111482f8f6dcb26"},
		{240, "6e4b9a038e14c6bb", "ee5465a9db5643c1", "9060d0929957d8e2c8bd6bc24c800778"},
		{241, "94e8960088b00d02", "ed6c556491388c90", "cd5f14f1f68896faed6c556491388c90"},
		{1025, "41007c8c38140273", "4c892cf76f1bfd11", "172f3917ac7a3bca4c892cf76f1bfd11"},
		{100000, "a0c8596105cbff68", "1b7e0010594a2a35", "665aab8e5ed8c1821b7e0010594a2a35"},
	} {
		t.Run(fmt.Sprintf("a %d-byte input hashes as libxxhash does", tc.n), func(t *testing.T) {
			for _, c := range []struct {
				h    hash.Hash
				want string
			}{{New64(), tc.x64}, {New3(), tc.x3}, {New128(), tc.x128}} {
				c.h.Write(big[:tc.n])
				if got := hex.EncodeToString(c.h.Sum(nil)); got != c.want {
					t.Errorf("%T: %s, want %s", c.h, got, c.want)
				}
			}
		})
	}
}

func TestWritesInPiecesGiveTheOneShotDigest(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{17, 240, 241, 255, 256, 257, 300, 511, 512, 513, 1023, 1024, 1025, 4096, 70000} {
		in := data(n)
		for _, mk := range []func() hash.Hash{func() hash.Hash { return New64() }, func() hash.Hash { return New3() }, func() hash.Hash { return New128() }} {
			one := mk()
			one.Write(in)
			want := one.Sum(nil)
			for range 20 {
				h := mk()
				for p := in; len(p) > 0; {
					k := min(len(p), 1+rng.IntN(300))
					h.Write(p[:k])
					p = p[k:]
				}
				if got := h.Sum(nil); string(got) != string(want) {
					t.Fatalf("%T of %d bytes in pieces: %x, want %x", h, n, got, want)
				}
				h.Reset()
				h.Write(in)
				if got := h.Sum(nil); string(got) != string(want) {
					t.Fatalf("%T after Reset: %x, want %x", h, got, want)
				}
			}
		}
	}
}
