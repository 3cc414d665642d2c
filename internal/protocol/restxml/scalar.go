package restxml

import (
	"encoding/base64"
	"errors"
	"fmt"
	"math"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/jobplane/jobplane/internal/schema"
)

// Wire forms of timestamps. Responses write ISO 8601 with milliseconds, the
// form AWS itself sends (spec sheet §1.1); requests may carry any precision.
const (
	isoMillis = "2006-01-02T15:04:05.000Z"
	httpDate  = "Mon, 02 Jan 2006 15:04:05 GMT"
)

var (
	timeType  = reflect.TypeFor[time.Time]()
	bytesType = reflect.TypeFor[[]byte]()
)

// setScalar parses text into v, an addressable value of a scalar Go type
// (or a pointer to one, which it allocates). fmt is the timestamp format
// already resolved for the location.
func setScalar(v reflect.Value, sh *schema.Shape, text string, tf schema.TimestampFormat) error {
	if v.Kind() == reflect.Pointer {
		p := reflect.New(v.Type().Elem())
		if err := setScalar(p.Elem(), sh, text, tf); err != nil {
			return err
		}
		v.Set(p)
		return nil
	}
	if v.Type() == timeType {
		t, err := parseTime(text, tf)
		if err != nil {
			return err
		}
		v.Set(reflect.ValueOf(t))
		return nil
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString(text)
	case reflect.Bool:
		switch strings.TrimSpace(text) {
		case "true":
			v.SetBool(true)
		case "false":
			v.SetBool(false)
		default:
			return fmt.Errorf("%q is not a boolean", text)
		}
	case reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64, reflect.Int:
		n, err := strconv.ParseInt(strings.TrimSpace(text), 10, v.Type().Bits())
		if err != nil {
			return fmt.Errorf("%q is not an integer of %d bits", text, v.Type().Bits())
		}
		v.SetInt(n)
	case reflect.Float32, reflect.Float64:
		f, err := parseFloat(strings.TrimSpace(text), v.Type().Bits())
		if err != nil {
			return err
		}
		v.SetFloat(f)
	case reflect.Slice:
		if v.Type().Elem().Kind() != reflect.Uint8 {
			return fmt.Errorf("cannot bind text to %s", v.Type())
		}
		b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(text))
		if err != nil {
			return fmt.Errorf("%q is not base64", text)
		}
		v.SetBytes(b)
	default:
		return fmt.Errorf("cannot bind text to %s", v.Type())
	}
	return nil
}

func parseFloat(s string, bits int) (float64, error) {
	switch s {
	case "NaN":
		return math.NaN(), nil
	case "Infinity":
		return math.Inf(1), nil
	case "-Infinity":
		return math.Inf(-1), nil
	}
	f, err := strconv.ParseFloat(s, bits)
	if err != nil {
		return 0, fmt.Errorf("%q is not a number", s)
	}
	return f, nil
}

var errBadTime = errors.New("not a timestamp")

// parseTime reads a timestamp in the given format. ISO 8601 accepts any
// fractional precision (botocore sends seconds, Go v2 milliseconds).
func parseTime(s string, tf schema.TimestampFormat) (time.Time, error) {
	s = strings.TrimSpace(s)
	switch tf {
	case schema.RFC822:
		if t, err := http.ParseTime(s); err == nil {
			return t.UTC(), nil
		}
		if t, err := time.Parse(time.RFC1123Z, s); err == nil {
			return t.UTC(), nil
		}
	case schema.UnixTimestamp:
		f, err := strconv.ParseFloat(s, 64)
		if err == nil && !math.IsNaN(f) && !math.IsInf(f, 0) {
			sec, frac := math.Modf(f)
			return time.Unix(int64(sec), int64(math.Round(frac*1e3))*1e6).UTC(), nil
		}
	default:
		if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("%q: %w", s, errBadTime)
}

// formatTime writes a timestamp in the given format.
func formatTime(t time.Time, tf schema.TimestampFormat) string {
	t = t.UTC()
	switch tf {
	case schema.RFC822:
		return t.Format(httpDate)
	case schema.UnixTimestamp:
		if t.Nanosecond() == 0 {
			return strconv.FormatInt(t.Unix(), 10)
		}
		return strconv.FormatFloat(float64(t.UnixMilli())/1e3, 'f', -1, 64)
	default:
		return string(appendISOMillis(nil, t))
	}
}

// appendISOMillis appends t (in UTC) as isoMillis. It writes the digits
// itself: time.Format interprets its layout on every call, which is most of
// the cost of a timestamp in a ListJobs page.
func appendISOMillis(b []byte, t time.Time) []byte {
	t = t.UTC()
	year, month, day := t.Date()
	if year < 0 || year > 9999 {
		return t.AppendFormat(b, isoMillis)
	}
	hour, minute, sec := t.Clock()
	digits := func(b []byte, n, width int) []byte {
		var d [4]byte
		for i := width - 1; i >= 0; i-- {
			d[i] = byte('0' + n%10)
			n /= 10
		}
		return append(b, d[:width]...)
	}
	b = digits(b, year, 4)
	b = append(b, '-')
	b = digits(b, int(month), 2)
	b = append(b, '-')
	b = digits(b, day, 2)
	b = append(b, 'T')
	b = digits(b, hour, 2)
	b = append(b, ':')
	b = digits(b, minute, 2)
	b = append(b, ':')
	b = digits(b, sec, 2)
	b = append(b, '.')
	b = digits(b, t.Nanosecond()/1e6, 3)
	return append(b, 'Z')
}

// formatScalar renders a scalar value (not a pointer) as text. ok is false
// for values that are not scalars.
func formatScalar(v reflect.Value, tf schema.TimestampFormat) (s string, ok bool) {
	if v.Type() == timeType {
		return formatTime(v.Interface().(time.Time), tf), true
	}
	switch v.Kind() {
	case reflect.String:
		return v.String(), true
	case reflect.Bool:
		return strconv.FormatBool(v.Bool()), true
	case reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64, reflect.Int:
		return strconv.FormatInt(v.Int(), 10), true
	case reflect.Float32, reflect.Float64:
		f := v.Float()
		switch {
		case math.IsNaN(f):
			return "NaN", true
		case math.IsInf(f, 1):
			return "Infinity", true
		case math.IsInf(f, -1):
			return "-Infinity", true
		}
		return strconv.FormatFloat(f, 'f', -1, v.Type().Bits()), true
	case reflect.Slice:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return base64.StdEncoding.EncodeToString(v.Bytes()), true
		}
	}
	return "", false
}
