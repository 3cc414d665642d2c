package objectstore

import (
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"hash"
	"hash/crc32"
	"hash/crc64"
	"strconv"
	"strings"
)

// crc64NVME is the reversed CRC-64/NVME polynomial, the form crc64.MakeTable
// takes (the same constant the AWS SDKs use).
const crc64NVME = 0x9a6c9329ac4bc9b5

var (
	crc32cTable = crc32.MakeTable(crc32.Castagnoli)
	crc64Table  = crc64.MakeTable(crc64NVME)
)

// SupportedChecksum reports whether jobplane computes the algorithm.
func SupportedChecksum(alg string) bool {
	switch alg {
	case CRC32, CRC32C, CRC64NVME, SHA1, SHA256:
		return true
	}
	return false
}

// ErrUnsupportedChecksum is S3's answer to an algorithm it does not take.
func ErrUnsupportedChecksum(alg string) error {
	return ErrInvalidRequest("Checksum algorithm provided is unsupported. Please try again with any of the valid types: [CRC32, CRC32C, CRC64NVME, SHA1, SHA256]")
}

// NewHash returns a hash computing alg, or nil for an unsupported one.
func NewHash(alg string) hash.Hash {
	switch alg {
	case CRC32:
		return crc32.NewIEEE()
	case CRC32C:
		return crc32.New(crc32cTable)
	case CRC64NVME:
		return crc64.New(crc64Table)
	case SHA1:
		return sha1.New()
	case SHA256:
		return sha256.New()
	}
	return nil
}

// ChecksumLen is the length in bytes of alg's raw checksum.
func ChecksumLen(alg string) int {
	switch alg {
	case CRC32, CRC32C:
		return 4
	case CRC64NVME:
		return 8
	case SHA1:
		return 20
	case SHA256:
		return 32
	}
	return 0
}

// EncodeChecksum renders a raw checksum as S3 sends it: base64.
func EncodeChecksum(raw []byte) string { return base64.StdEncoding.EncodeToString(raw) }

// DefaultChecksumType is the checksum type of a multipart upload of alg when
// the client names none (Amazon S3 User Guide, "Checking object integrity":
// CRC64NVME supports full-object checksums only).
func DefaultChecksumType(alg string) string {
	if alg == CRC64NVME {
		return FullObject
	}
	return Composite
}

// ValidChecksumType reports whether alg supports the checksum type for a
// multipart upload: full-object checksums exist only for the CRCs.
func ValidChecksumType(alg, typ string) bool {
	switch typ {
	case Composite:
		return alg != CRC64NVME
	case FullObject:
		return alg == CRC32 || alg == CRC32C || alg == CRC64NVME
	}
	return false
}

// CompositeChecksum is the checksum of a multipart object with COMPOSITE
// checksums: the checksum of the concatenated raw part checksums, followed
// by "-N".
func CompositeChecksum(alg string, partChecksums []string) (string, bool) {
	h := NewHash(alg)
	if h == nil {
		return "", false
	}
	for _, c := range partChecksums {
		raw, err := base64.StdEncoding.DecodeString(c)
		if err != nil {
			return "", false
		}
		h.Write(raw)
	}
	return EncodeChecksum(h.Sum(nil)) + "-" + strconv.Itoa(len(partChecksums)), true
}

// CombineCRC returns the full-object CRC (CRC32, CRC32C or CRC64NVME) of a
// sequence of parts from each part's CRC and length, without the bytes: the
// zlib crc32_combine method, which holds for any reflected CRC.
func CombineCRC(alg string, crcs []string, sizes []int64) (string, bool) {
	var poly uint64
	width := 32
	switch alg {
	case CRC32:
		poly = uint64(crc32.IEEE)
	case CRC32C:
		poly = uint64(crc32.Castagnoli)
	case CRC64NVME:
		poly, width = crc64NVME, 64
	default:
		return "", false
	}
	var acc uint64
	for i, c := range crcs {
		raw, err := base64.StdEncoding.DecodeString(c)
		if err != nil || len(raw) != width/8 {
			return "", false
		}
		var v uint64
		if width == 32 {
			v = uint64(binary.BigEndian.Uint32(raw))
		} else {
			v = binary.BigEndian.Uint64(raw)
		}
		if i == 0 {
			acc = v
			continue
		}
		acc = crcCombine(poly, width, acc, v, sizes[i])
	}
	out := make([]byte, width/8)
	if width == 32 {
		binary.BigEndian.PutUint32(out, uint32(acc))
	} else {
		binary.BigEndian.PutUint64(out, acc)
	}
	return EncodeChecksum(out), true
}

// crcCombine is zlib's crc32_combine generalised to a reflected CRC of 32 or
// 64 bits: the CRC of A||B from crc(A), crc(B) and len(B).
func crcCombine(poly uint64, width int, crc1, crc2 uint64, len2 int64) uint64 {
	if len2 <= 0 {
		return crc1
	}
	odd := make([]uint64, width)
	even := make([]uint64, width)
	odd[0] = poly // the operator for one zero bit
	row := uint64(1)
	for i := 1; i < width; i++ {
		odd[i] = row
		row <<= 1
	}
	gf2Square(even, odd) // two zero bits
	gf2Square(odd, even) // four zero bits
	for {
		gf2Square(even, odd)
		if len2&1 != 0 {
			crc1 = gf2Times(even, crc1)
		}
		len2 >>= 1
		if len2 == 0 {
			break
		}
		gf2Square(odd, even)
		if len2&1 != 0 {
			crc1 = gf2Times(odd, crc1)
		}
		len2 >>= 1
		if len2 == 0 {
			break
		}
	}
	return crc1 ^ crc2
}

func gf2Times(mat []uint64, vec uint64) uint64 {
	var sum uint64
	for i := 0; vec != 0; i, vec = i+1, vec>>1 {
		if vec&1 != 0 {
			sum ^= mat[i]
		}
	}
	return sum
}

func gf2Square(square, mat []uint64) {
	for n := range mat {
		square[n] = gf2Times(mat, mat[n])
	}
}

// MultipartETag is the entity tag of a multipart object: the MD5 of its
// parts' binary MD5s, then "-" and the number of parts.
func MultipartETag(partETags []string) string {
	h := md5.New()
	for _, e := range partETags {
		raw, _ := hex.DecodeString(unquote(e))
		h.Write(raw)
	}
	return `"` + hex.EncodeToString(h.Sum(nil)) + "-" + strconv.Itoa(len(partETags)) + `"`
}

// DecodeContentMD5 decodes a Content-MD5 header: base64 of 16 bytes.
func DecodeContentMD5(h string) ([]byte, error) {
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(h))
	if err != nil || len(raw) != md5.Size {
		return nil, ErrInvalidDigest()
	}
	return raw, nil
}

// ValidChecksumValue reports whether v is a well-formed base64 checksum of
// alg, as S3 checks before reading the body.
func ValidChecksumValue(alg, v string) bool {
	raw, err := base64.StdEncoding.DecodeString(v)
	return err == nil && len(raw) == ChecksumLen(alg)
}

// ErrInvalidChecksumValue is S3's answer to a checksum header that is not a
// base64 value of the algorithm's length.
func ErrInvalidChecksumValue(alg string) error {
	return ErrInvalidRequest("Value for x-amz-checksum-" + strings.ToLower(alg) + " header is invalid.")
}
