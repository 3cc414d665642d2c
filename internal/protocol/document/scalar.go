package document

import (
	"encoding/json"
	"errors"
	"math"
	"math/big"
	"strconv"
	"strings"
	"time"
)

// Timestamps are bounded to years 0001-9999: the range every SDK can format,
// and a guard against epoch values whose milliseconds overflow int64.
const (
	minEpochSeconds = -62135596800 // 0001-01-01T00:00:00Z
	maxEpochSeconds = 253402300799 // 9999-12-31T23:59:59Z
)

// toInt converts a number of the tree to an integer that fits bits (32 for
// an integer shape, 64 for a long). Integral floats (1.0, 1e3) are accepted
// because JSON and CBOR encoders may write them so; fractions are not.
func toInt(tree any, bits int) (int64, error) {
	var i int64
	switch x := tree.(type) {
	case json.Number:
		n, err := strconv.ParseInt(string(x), 10, 64)
		if err == nil {
			i = n
			break
		}
		if errors.Is(err, strconv.ErrRange) {
			return 0, overflow(bits)
		}
		f, ferr := strconv.ParseFloat(string(x), 64)
		if ferr != nil && !errors.Is(ferr, strconv.ErrRange) {
			return 0, mismatch("an integer", tree)
		}
		return floatToInt(f, bits)
	case int64:
		i = x
	case uint64:
		if x > math.MaxInt64 {
			return 0, overflow(bits)
		}
		i = int64(x)
	case float64:
		return floatToInt(x, bits)
	case *big.Int:
		return 0, overflow(bits)
	default:
		return 0, mismatch("an integer", tree)
	}
	return checkIntRange(i, bits)
}

func floatToInt(f float64, bits int) (int64, error) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, errorf("expected an integer, got a non-finite number")
	}
	if f != math.Trunc(f) {
		return 0, errorf("expected an integer, got a fraction")
	}
	// 2^63 is the first float64 above MaxInt64.
	if f >= 1<<63 || f < -(1<<63) {
		return 0, overflow(bits)
	}
	return checkIntRange(int64(f), bits)
}

func checkIntRange(i int64, bits int) (int64, error) {
	if bits == 32 && (i < math.MinInt32 || i > math.MaxInt32) {
		return 0, overflow(bits)
	}
	return i, nil
}

func overflow(bits int) error {
	if bits == 32 {
		return errorf("number does not fit a 32-bit integer")
	}
	return errorf("number does not fit a 64-bit integer")
}

// toFloat converts a number of the tree to a double (bits 64) or float (32).
// The strings NaN, Infinity and -Infinity are how awsJson writes the
// non-finite values (Smithy awsJson1_1 spec, "Shape serialization").
func toFloat(tree any, bits int) (float64, error) {
	var f float64
	switch x := tree.(type) {
	case json.Number:
		v, err := strconv.ParseFloat(string(x), 64)
		if err != nil {
			return 0, errorf("number is out of range for a double")
		}
		f = v
	case float64:
		f = x
	case int64:
		f = float64(x)
	case uint64:
		f = float64(x)
	case *big.Int:
		f, _ = new(big.Float).SetInt(x).Float64()
	case string:
		switch x {
		case "NaN":
			return math.NaN(), nil
		case "Infinity":
			return math.Inf(1), nil
		case "-Infinity":
			return math.Inf(-1), nil
		}
		return 0, mismatch("a number", tree)
	default:
		return 0, mismatch("a number", tree)
	}
	if bits == 32 && !math.IsInf(f, 0) && math.Abs(f) > math.MaxFloat32 {
		return 0, errorf("number is out of range for a float")
	}
	return f, nil
}

// toTime converts a timestamp of the tree. Numbers are epoch seconds,
// integral or fractional, kept to the millisecond (Smithy: timestamps have
// millisecond precision). time.Time values come from CBOR tag 1. Strings are
// accepted leniently: ISO-8601 as some clients mistakenly send, and numeric
// text as the Snowball model's examples write ("1460678186.0").
func toTime(tree any) (time.Time, error) {
	switch x := tree.(type) {
	case time.Time:
		return checkTime(x)
	case json.Number:
		return parseEpoch(string(x))
	case int64:
		return epochInt(x)
	case uint64:
		if x > maxEpochSeconds {
			return time.Time{}, errorf("timestamp is out of range")
		}
		return epochInt(int64(x))
	case float64:
		return EpochFloat(x)
	case string:
		if t, err := parseEpoch(x); err == nil {
			return t, nil
		}
		for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999Z0700", "2006-01-02T15:04:05Z"} {
			if t, err := time.Parse(layout, x); err == nil {
				return checkTime(t.Round(time.Millisecond))
			}
		}
		return time.Time{}, errorf("expected a timestamp, got an unparsable string")
	}
	return time.Time{}, mismatch("a timestamp", tree)
}

func parseEpoch(s string) (time.Time, error) {
	// Integral seconds are the common case (botocore sends them); parse
	// them exactly before falling back to a float.
	if !strings.ContainsAny(s, ".eE") {
		i, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			if errors.Is(err, strconv.ErrRange) {
				return time.Time{}, errorf("timestamp is out of range")
			}
			return time.Time{}, errorf("expected a timestamp, got a malformed number")
		}
		return epochInt(i)
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return time.Time{}, errorf("expected a timestamp, got a malformed number")
	}
	return EpochFloat(f)
}

func epochInt(sec int64) (time.Time, error) {
	if sec < minEpochSeconds || sec > maxEpochSeconds {
		return time.Time{}, errorf("timestamp is out of range")
	}
	return time.Unix(sec, 0).UTC(), nil
}

// EpochFloat converts fractional epoch seconds to a UTC time rounded to the
// millisecond. It returns an *Error for NaN, infinities and values outside
// years 0001-9999.
func EpochFloat(f float64) (time.Time, error) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return time.Time{}, errorf("timestamp is not a finite number")
	}
	if f < minEpochSeconds || f > maxEpochSeconds {
		return time.Time{}, errorf("timestamp is out of range")
	}
	return time.UnixMilli(int64(math.Round(f * 1000))).UTC(), nil
}

func checkTime(t time.Time) (time.Time, error) {
	if s := t.Unix(); s < minEpochSeconds || s > maxEpochSeconds {
		return time.Time{}, errorf("timestamp is out of range")
	}
	return t.UTC(), nil
}
