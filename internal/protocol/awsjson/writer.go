package awsjson

import (
	"encoding/base64"
	"math"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/jobplane/jobplane/internal/protocol/document"
)

// writer appends JSON to buf as document.Walk drives it. It implements
// document.Encoder.
type writer struct {
	buf []byte
}

var _ document.Encoder = (*writer)(nil)

func (w *writer) BeginStruct(int) { w.buf = append(w.buf, '{') }
func (w *writer) EndStruct()      { w.buf = append(w.buf, '}') }
func (w *writer) BeginMap(int)    { w.buf = append(w.buf, '{') }
func (w *writer) EndMap()         { w.buf = append(w.buf, '}') }
func (w *writer) BeginList(int)   { w.buf = append(w.buf, '[') }
func (w *writer) EndList()        { w.buf = append(w.buf, ']') }

func (w *writer) Member(i int, name string) { w.key(i, name) }
func (w *writer) MapKey(i int, key string)  { w.key(i, key) }

func (w *writer) key(i int, name string) {
	if i > 0 {
		w.buf = append(w.buf, ',')
	}
	w.String(name)
	w.buf = append(w.buf, ':')
}

func (w *writer) Element(i int) {
	if i > 0 {
		w.buf = append(w.buf, ',')
	}
}

func (w *writer) Bool(b bool)      { w.buf = strconv.AppendBool(w.buf, b) }
func (w *writer) Int(i int64)      { w.buf = strconv.AppendInt(w.buf, i, 10) }
func (w *writer) Double(f float64) { w.float(f, 64) }
func (w *writer) Float(f float32)  { w.float(float64(f), 32) }

// float writes a finite number as encoding/json would, and the non-finite
// ones as the strings the Smithy awsJson spec prescribes.
func (w *writer) float(f float64, bits int) {
	switch {
	case math.IsNaN(f):
		w.buf = append(w.buf, `"NaN"`...)
		return
	case math.IsInf(f, 1):
		w.buf = append(w.buf, `"Infinity"`...)
		return
	case math.IsInf(f, -1):
		w.buf = append(w.buf, `"-Infinity"`...)
		return
	}
	format := byte('f')
	if abs := math.Abs(f); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	w.buf = strconv.AppendFloat(w.buf, f, format, -1, bits)
}

// Timestamp writes epoch seconds as a JSON number: an integer when the time
// falls on a whole second, else with up to three decimals (spec sheet §1.2:
// awsJson timestamps are numbers; SDKs accept both forms).
func (w *writer) Timestamp(t time.Time) {
	w.buf = appendEpochSeconds(w.buf, t)
}

// appendEpochSeconds appends t as epoch seconds with millisecond precision:
// "1460678186" or "1460678186.123". Integer arithmetic keeps the decimals
// exact, which formatting a float64 would not guarantee.
func appendEpochSeconds(buf []byte, t time.Time) []byte {
	ms := t.UnixMilli()
	if ms < 0 {
		buf = append(buf, '-')
		ms = -ms
	}
	buf = strconv.AppendInt(buf, ms/1000, 10)
	frac := ms % 1000
	if frac == 0 {
		return buf
	}
	digits := [3]byte{byte('0' + frac/100), byte('0' + frac/10%10), byte('0' + frac%10)}
	n := 3
	for digits[n-1] == '0' {
		n--
	}
	buf = append(buf, '.')
	return append(buf, digits[:n]...)
}

func (w *writer) Blob(p []byte) {
	w.buf = append(w.buf, '"')
	w.buf = base64.StdEncoding.AppendEncode(w.buf, p)
	w.buf = append(w.buf, '"')
}

const hexDigits = "0123456789abcdef"

// String writes s as a JSON string. Invalid UTF-8 becomes U+FFFD, and
// U+2028/U+2029 are escaped so the output is also valid JavaScript, as
// encoding/json does.
func (w *writer) String(s string) {
	buf := append(w.buf, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			buf = append(buf, s[start:i]...)
			switch c {
			case '"', '\\':
				buf = append(buf, '\\', c)
			case '\n':
				buf = append(buf, '\\', 'n')
			case '\r':
				buf = append(buf, '\\', 'r')
			case '\t':
				buf = append(buf, '\\', 't')
			default:
				buf = append(buf, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			buf = append(buf, s[start:i]...)
			buf = append(buf, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			buf = append(buf, s[start:i]...)
			buf = append(buf, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	buf = append(buf, s[start:]...)
	w.buf = append(buf, '"')
}
