package rpcv2cbor

import (
	"encoding/binary"
	"math"
	"math/big"
	"unicode/utf8"

	"github.com/jobplane/jobplane/internal/protocol/document"
)

// A small CBOR (RFC 8949) decoder that produces the generic tree
// document.Decode binds. It is written here rather than configured from
// fxamacker/cbor so that the protocol's quirks are explicit: tag 1 becomes a
// millisecond time, undefined (f7) is null (Smithy RPC v2 CBOR spec, "Shape
// serialization"), and every length is checked against the bytes left before
// anything is allocated, so a hostile header cannot make it allocate more
// than the body it came in.

// maxDepth bounds nesting of arrays, maps and tags.
const maxDepth = document.DefaultMaxDepth

type cborError struct{ msg string }

func (e *cborError) Error() string { return "invalid CBOR: " + e.msg }

func fail(msg string) error { return &cborError{msg} }

// undecodable marks a well-formed data item the protocol gives no meaning
// (a simple value, a tag other than 1): document.Decode rejects it where a
// member expects a value, and ignores it under an unknown key.
type undecodable struct{}

const breakByte = 0xff

type cborDecoder struct {
	data []byte
	off  int
}

// decodeCBOR decodes data, which must hold exactly one data item.
func decodeCBOR(data []byte) (any, error) {
	d := cborDecoder{data: data}
	v, err := d.item(0)
	if err != nil {
		return nil, err
	}
	if d.off != len(d.data) {
		return nil, fail("trailing bytes after the data item")
	}
	return v, nil
}

func (d *cborDecoder) remaining() int { return len(d.data) - d.off }

// head reads an initial byte and its argument. For additional information
// 31 (indefinite length) it returns indef true.
func (d *cborDecoder) head() (major byte, ai byte, arg uint64, indef bool, err error) {
	if d.off >= len(d.data) {
		return 0, 0, 0, false, fail("unexpected end of data")
	}
	ib := d.data[d.off]
	d.off++
	major, ai = ib>>5, ib&0x1f
	switch {
	case ai < 24:
		return major, ai, uint64(ai), false, nil
	case ai == 31:
		return major, ai, 0, true, nil
	case ai > 27:
		return 0, 0, 0, false, fail("reserved additional information")
	}
	n := 1 << (ai - 24)
	if d.remaining() < n {
		return 0, 0, 0, false, fail("unexpected end of data")
	}
	b := d.data[d.off : d.off+n]
	d.off += n
	switch n {
	case 1:
		arg = uint64(b[0])
	case 2:
		arg = uint64(binary.BigEndian.Uint16(b))
	case 4:
		arg = uint64(binary.BigEndian.Uint32(b))
	default:
		arg = binary.BigEndian.Uint64(b)
	}
	return major, ai, arg, false, nil
}

func (d *cborDecoder) item(depth int) (any, error) {
	major, ai, arg, indef, err := d.head()
	if err != nil {
		return nil, err
	}
	if indef && (major == 0 || major == 1 || major == 6) {
		return nil, fail("indefinite length on a type that has none")
	}
	switch major {
	case 0:
		return arg, nil
	case 1:
		if arg > math.MaxInt64 {
			// -1-arg does not fit int64; document reports it as an overflow.
			n := new(big.Int).SetUint64(arg)
			return n.Neg(n.Add(n, big.NewInt(1))), nil
		}
		return -1 - int64(arg), nil
	case 2:
		return d.bytes(2, arg, indef)
	case 3:
		p, err := d.bytes(3, arg, indef)
		if err != nil {
			return nil, err
		}
		if !utf8.Valid(p) {
			return nil, fail("text string is not valid UTF-8")
		}
		return string(p), nil
	case 4:
		return d.array(arg, indef, depth)
	case 5:
		return d.mapping(arg, indef, depth)
	case 6:
		return d.tag(arg, depth)
	}
	return d.simple(ai, arg, indef)
}

// bytes reads a byte or text string; indefinite ones are concatenated from
// definite chunks of the same major type (RFC 8949 §3.2.3).
func (d *cborDecoder) bytes(major byte, n uint64, indef bool) ([]byte, error) {
	if !indef {
		if n > uint64(d.remaining()) {
			return nil, fail("string longer than the data")
		}
		p := make([]byte, n)
		copy(p, d.data[d.off:])
		d.off += int(n)
		return p, nil
	}
	var out []byte
	for {
		if d.off < len(d.data) && d.data[d.off] == breakByte {
			d.off++
			if out == nil {
				out = []byte{}
			}
			return out, nil
		}
		m, _, cn, cindef, err := d.head()
		if err != nil {
			return nil, err
		}
		if m != major || cindef {
			return nil, fail("bad chunk in an indefinite-length string")
		}
		if cn > uint64(d.remaining()) {
			return nil, fail("string longer than the data")
		}
		out = append(out, d.data[d.off:d.off+int(cn)]...)
		d.off += int(cn)
	}
}

func (d *cborDecoder) array(n uint64, indef bool, depth int) (any, error) {
	if depth >= maxDepth {
		return nil, fail("nesting exceeds the limit")
	}
	if indef {
		out := []any{}
		for {
			if d.off >= len(d.data) {
				return nil, fail("unexpected end of data")
			}
			if d.data[d.off] == breakByte {
				d.off++
				return out, nil
			}
			v, err := d.item(depth + 1)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
	}
	// Every element takes at least one byte.
	if n > uint64(d.remaining()) {
		return nil, fail("array longer than the data")
	}
	out := make([]any, n)
	for i := range out {
		v, err := d.item(depth + 1)
		if err != nil {
			return nil, err
		}
		out[i] = v
	}
	return out, nil
}

func (d *cborDecoder) mapping(n uint64, indef bool, depth int) (any, error) {
	if depth >= maxDepth {
		return nil, fail("nesting exceeds the limit")
	}
	// Every pair takes at least two bytes.
	if !indef && n > uint64(d.remaining())/2 {
		return nil, fail("map longer than the data")
	}
	out := make(map[string]any, min(n, 64))
	for i := uint64(0); indef || i < n; i++ {
		if indef {
			if d.off >= len(d.data) {
				return nil, fail("unexpected end of data")
			}
			if d.data[d.off] == breakByte {
				d.off++
				return out, nil
			}
		}
		k, err := d.item(depth + 1)
		if err != nil {
			return nil, err
		}
		key, ok := k.(string)
		if !ok {
			return nil, fail("map key is not a text string")
		}
		v, err := d.item(depth + 1)
		if err != nil {
			return nil, err
		}
		// RFC 8949 §5.6: a map with duplicate keys is not valid; accepting
		// one would make "which value wins" an accident of the decoder.
		if _, dup := out[key]; dup {
			return nil, fail("duplicate map key " + key)
		}
		out[key] = v
	}
	return out, nil
}

// tag decodes tag 1 (epoch-based date/time, the only tag Smithy RPC v2 CBOR
// uses for Snowball's shapes) to a time.Time kept to the millisecond; other
// tags are skipped over and yield an undecodable value.
func (d *cborDecoder) tag(num uint64, depth int) (any, error) {
	if depth >= maxDepth {
		return nil, fail("nesting exceeds the limit")
	}
	v, err := d.item(depth + 1)
	if err != nil {
		return nil, err
	}
	if num != 1 {
		return undecodable{}, nil
	}
	var f float64
	switch x := v.(type) {
	case uint64:
		// Any epoch that fits the year 9999 is far below 2^53, so the
		// conversion is exact for every value EpochFloat accepts.
		f = float64(x)
	case int64:
		f = float64(x)
	case float64:
		f = x
	default:
		return nil, fail("tag 1 must enclose a number")
	}
	t, err := document.EpochFloat(f)
	if err != nil {
		return nil, err
	}
	return t, nil
}

func (d *cborDecoder) simple(ai byte, arg uint64, indef bool) (any, error) {
	if indef {
		return nil, fail("unexpected break")
	}
	switch ai {
	case 20:
		return false, nil
	case 21:
		return true, nil
	case 22, 23:
		// null, and undefined which Smithy decoders treat as null.
		return nil, nil
	case 24:
		if arg < 32 {
			return nil, fail("simple value in two bytes below 32")
		}
		return undecodable{}, nil
	case 25:
		return halfFloat(uint16(arg)), nil
	case 26:
		return float64(math.Float32frombits(uint32(arg))), nil
	case 27:
		return math.Float64frombits(arg), nil
	}
	return undecodable{}, nil
}

// halfFloat widens an IEEE 754 half-precision value, which Smithy decoders
// must accept for doubles and floats.
func halfFloat(h uint16) float64 {
	exp, mant := int(h>>10&0x1f), float64(h&0x3ff)
	var f float64
	switch exp {
	case 0: // zero and subnormals: mant * 2^-24
		f = math.Ldexp(mant, -24)
	case 0x1f:
		if mant != 0 {
			return math.NaN()
		}
		f = math.Inf(1)
	default: // (1024 + mant) * 2^(exp-25)
		f = math.Ldexp(1024+mant, exp-25)
	}
	if h&0x8000 != 0 {
		f = -f
	}
	return f
}
