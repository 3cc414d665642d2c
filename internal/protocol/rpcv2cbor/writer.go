package rpcv2cbor

import (
	"encoding/binary"
	"math"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jobplane/jobplane/internal/protocol/document"
)

// writer appends CBOR to buf as document.Walk drives it, with definite
// lengths throughout and the smallest encoding of every integer and length
// (the Smithy RPC v2 CBOR spec asks for preferred serialization). It
// implements document.Encoder.
type writer struct {
	buf []byte
}

var _ document.Encoder = (*writer)(nil)

const (
	majorUint   = 0 << 5
	majorNeg    = 1 << 5
	majorBytes  = 2 << 5
	majorText   = 3 << 5
	majorArray  = 4 << 5
	majorMap    = 5 << 5
	tagEpoch    = 0xc1 // tag 1, epoch-based date/time
	float32Byte = 0xfa
	float64Byte = 0xfb
)

func (w *writer) head(major byte, n uint64) {
	switch {
	case n < 24:
		w.buf = append(w.buf, major|byte(n))
	case n <= math.MaxUint8:
		w.buf = append(w.buf, major|24, byte(n))
	case n <= math.MaxUint16:
		w.buf = binary.BigEndian.AppendUint16(append(w.buf, major|25), uint16(n))
	case n <= math.MaxUint32:
		w.buf = binary.BigEndian.AppendUint32(append(w.buf, major|26), uint32(n))
	default:
		w.buf = binary.BigEndian.AppendUint64(append(w.buf, major|27), n)
	}
}

func (w *writer) BeginStruct(n int)         { w.head(majorMap, uint64(n)) }
func (w *writer) Member(_ int, name string) { w.String(name) }
func (w *writer) EndStruct()                {}
func (w *writer) BeginList(n int)           { w.head(majorArray, uint64(n)) }
func (w *writer) Element(int)               {}
func (w *writer) EndList()                  {}
func (w *writer) BeginMap(n int)            { w.head(majorMap, uint64(n)) }
func (w *writer) MapKey(_ int, key string)  { w.String(key) }
func (w *writer) EndMap()                   {}

// String writes a text string. CBOR text must be UTF-8, so invalid bytes
// become U+FFFD rather than producing a body clients reject.
func (w *writer) String(s string) {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	w.head(majorText, uint64(len(s)))
	w.buf = append(w.buf, s...)
}

func (w *writer) Bool(b bool) {
	if b {
		w.buf = append(w.buf, 0xf5)
	} else {
		w.buf = append(w.buf, 0xf4)
	}
}

func (w *writer) Int(i int64) {
	if i >= 0 {
		w.head(majorUint, uint64(i))
	} else {
		w.head(majorNeg, uint64(-1-i))
	}
}

// Double always writes a float64: the spec sheet's type table allows
// narrower floats, but a fixed width keeps every double exact.
func (w *writer) Double(f float64) {
	w.buf = binary.BigEndian.AppendUint64(append(w.buf, float64Byte), math.Float64bits(f))
}

func (w *writer) Float(f float32) {
	w.buf = binary.BigEndian.AppendUint32(append(w.buf, float32Byte), math.Float32bits(f))
}

// Timestamp writes tag 1 around integer epoch seconds, or around a float64
// when the time has milliseconds (spec sheet §1.3: botocore parses both).
func (w *writer) Timestamp(t time.Time) {
	w.buf = append(w.buf, tagEpoch)
	ms := t.UnixMilli()
	if ms%1000 == 0 {
		w.Int(ms / 1000)
		return
	}
	w.Double(float64(ms) / 1000)
}

func (w *writer) Blob(p []byte) {
	w.head(majorBytes, uint64(len(p)))
	w.buf = append(w.buf, p...)
}
