package document

import (
	"reflect"
	"slices"
	"time"

	"github.com/jobplane/jobplane/internal/schema"
)

// Encoder receives the events of Walk and writes them in its format. Each
// container announces how many entries it holds, so that CBOR can write
// definite lengths; each entry carries its index, so that JSON knows where a
// comma goes without keeping a stack.
type Encoder interface {
	// BeginStruct opens a structure of n present members.
	BeginStruct(n int)
	// Member starts the i-th present member of the open structure.
	Member(i int, name string)
	// EndStruct closes the structure.
	EndStruct()
	// BeginList opens a list of n elements.
	BeginList(n int)
	// Element starts the i-th element of the open list.
	Element(i int)
	// EndList closes the list.
	EndList()
	// BeginMap opens a map of n entries.
	BeginMap(n int)
	// MapKey starts the i-th entry of the open map.
	MapKey(i int, key string)
	// EndMap closes the map.
	EndMap()

	// String writes a string or enum value.
	String(s string)
	// Bool writes a boolean.
	Bool(b bool)
	// Int writes an integer or long.
	Int(i int64)
	// Double writes a double shape; Float a float shape.
	Double(f float64)
	Float(f float32)
	// Timestamp writes a timestamp; encoders keep milliseconds.
	Timestamp(t time.Time)
	// Blob writes binary data (base64 text in JSON, a byte string in CBOR).
	Blob(p []byte)
}

// Walk streams v, a value of the Go type of sh (a pointer to it is fine),
// into enc. Nil members are left out; empty but non-nil lists and maps are
// written as empty. Map keys are written in sorted order so that output is
// deterministic. Walk returns an *Error when v does not match sh (a bug in
// the caller or the generated tables).
func Walk(enc Encoder, sh *schema.Shape, v reflect.Value) error {
	return walk(enc, sh, v, 0)
}

// IsSet reports whether a member field holds a value that is encoded: a
// non-nil pointer, slice, map or interface, or any other kind of value.
func IsSet(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Pointer, reflect.Slice, reflect.Map, reflect.Interface:
		return !v.IsNil()
	case reflect.Invalid:
		return false
	}
	return true
}

// CountSet returns how many members of the structure value v (a struct or a
// pointer to one) are set.
func CountSet(sh *schema.Shape, v reflect.Value) int {
	v = reflect.Indirect(v)
	if v.Kind() != reflect.Struct {
		return 0
	}
	n := 0
	for i := range sh.Members {
		if i < v.NumField() && IsSet(v.Field(i)) {
			n++
		}
	}
	return n
}

func walk(enc Encoder, sh *schema.Shape, v reflect.Value, depth int) error {
	for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
		if v.IsNil() {
			return errorf("nil value for shape " + sh.Name)
		}
		v = v.Elem()
	}
	if depth > DefaultMaxDepth {
		return errorf("nesting exceeds the limit")
	}
	switch sh.Type {
	case schema.Structure:
		if v.Kind() != reflect.Struct || v.NumField() < len(sh.Members) {
			return goTypeMismatch(sh, v)
		}
		enc.BeginStruct(CountSet(sh, v))
		n := 0
		for i, m := range sh.Members {
			f := v.Field(i)
			if !IsSet(f) {
				continue
			}
			enc.Member(n, m.Name)
			n++
			if err := walk(enc, m.Shape, f, depth+1); err != nil {
				return inMember(err, m.Name)
			}
		}
		enc.EndStruct()
	case schema.List:
		if v.Kind() != reflect.Slice || sh.Member == nil {
			return goTypeMismatch(sh, v)
		}
		enc.BeginList(v.Len())
		for i := range v.Len() {
			enc.Element(i)
			if err := walk(enc, sh.Member.Shape, v.Index(i), depth+1); err != nil {
				return inElement(err, i)
			}
		}
		enc.EndList()
	case schema.Map:
		if v.Kind() != reflect.Map || v.Type().Key().Kind() != reflect.String || sh.Value == nil {
			return goTypeMismatch(sh, v)
		}
		keys := v.MapKeys()
		slices.SortFunc(keys, func(a, b reflect.Value) int {
			switch x, y := a.String(), b.String(); {
			case x < y:
				return -1
			case x > y:
				return 1
			}
			return 0
		})
		enc.BeginMap(len(keys))
		for i, k := range keys {
			enc.MapKey(i, k.String())
			if err := walk(enc, sh.Value.Shape, v.MapIndex(k), depth+1); err != nil {
				return inMember(err, k.String())
			}
		}
		enc.EndMap()
	default:
		return scalar(enc, sh, v)
	}
	return nil
}

func scalar(enc Encoder, sh *schema.Shape, v reflect.Value) error {
	switch sh.Type {
	case schema.String:
		if v.Kind() != reflect.String {
			return goTypeMismatch(sh, v)
		}
		enc.String(v.String())
	case schema.Boolean:
		if v.Kind() != reflect.Bool {
			return goTypeMismatch(sh, v)
		}
		enc.Bool(v.Bool())
	case schema.Integer, schema.Long:
		if !v.CanInt() {
			return goTypeMismatch(sh, v)
		}
		enc.Int(v.Int())
	case schema.Double:
		if !v.CanFloat() {
			return goTypeMismatch(sh, v)
		}
		enc.Double(v.Float())
	case schema.Float:
		if !v.CanFloat() {
			return goTypeMismatch(sh, v)
		}
		enc.Float(float32(v.Float()))
	case schema.Timestamp:
		if v.Type() != timeType {
			return goTypeMismatch(sh, v)
		}
		if v.CanAddr() {
			// Reading through the address avoids boxing the time.
			enc.Timestamp(*(*time.Time)(v.Addr().UnsafePointer()))
		} else {
			enc.Timestamp(v.Interface().(time.Time))
		}
	case schema.Blob:
		if v.Kind() != reflect.Slice || v.Type().Elem().Kind() != reflect.Uint8 {
			return goTypeMismatch(sh, v)
		}
		enc.Blob(v.Bytes())
	default:
		return errorf("shape " + sh.Name + " has an unsupported type")
	}
	return nil
}
