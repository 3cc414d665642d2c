// Package document is the schema walk that the awsJson 1.1 and Smithy RPC v2
// CBOR codecs share. Both protocols carry an operation's input and output as
// one document keyed by member names, so reading and writing differ only in
// the syntax: each codec parses its bytes into a generic tree that Decode
// binds to the generated Go types, and each implements Encoder so that Walk
// can stream a Go value into its format without building maps.
//
// The rules follow the protocols' common ground (spec sheet snowball.md §1.2
// and §1.3): null means absent, unknown keys are ignored, integers are range
// checked against their Go type, timestamps are epoch seconds with
// millisecond precision.
package document

import (
	"encoding/base64"
	"encoding/json"
	"math/big"
	"reflect"
	"time"

	"github.com/jobplane/jobplane/internal/schema"
)

// DefaultMaxDepth is the nesting limit Decode applies when Options.MaxDepth
// is zero. Snowball's deepest input is six levels; the limit only has to stop
// a hostile document from recursing without bound.
const DefaultMaxDepth = 64

// Options tune Decode for one wire format.
type Options struct {
	// MaxDepth bounds how deep structures, lists and maps may nest; zero
	// means DefaultMaxDepth.
	MaxDepth int
	// Base64Blobs says that blob members arrive as base64 text (JSON).
	// Without it they must arrive as byte strings (CBOR).
	Base64Blobs bool
}

// Decode binds a decoded tree to a new value of the structure shape sh and
// returns a pointer to it (a *T for sh.GoType T). A nil tree yields the empty
// structure, so an empty request body still gives the operation a non-nil
// input.
//
// The tree holds what a JSON or CBOR parser produces: map[string]any, []any,
// string, bool, json.Number, int64, uint64, float64, *big.Int, time.Time,
// []byte and nil. Decode returns an *Error for a value that does not fit its
// member's shape.
func Decode(sh *schema.Shape, tree any, opts Options) (any, error) {
	if sh == nil || sh.GoType == nil {
		return nil, errorf("shape has no Go type")
	}
	v := reflect.New(sh.GoType)
	if tree != nil {
		if err := DecodeInto(sh, v.Elem(), tree, opts); err != nil {
			return nil, err
		}
	}
	return v.Interface(), nil
}

// DecodeInto binds tree into dst, a settable value of the Go type that holds
// sh (a struct, a pointer to one, a slice, a map, or a scalar or pointer to
// one).
func DecodeInto(sh *schema.Shape, dst reflect.Value, tree any, opts Options) error {
	if opts.MaxDepth <= 0 {
		opts.MaxDepth = DefaultMaxDepth
	}
	b := binder{opts: opts}
	return b.bind(sh, dst, tree, 0)
}

type binder struct {
	opts Options
}

var timeType = reflect.TypeFor[time.Time]()

// alloc makes dst hold a value and returns the value itself: a pointer field
// gets a fresh target, anything else is returned as is.
func alloc(dst reflect.Value) reflect.Value {
	if dst.Kind() == reflect.Pointer {
		if dst.IsNil() {
			dst.Set(reflect.New(dst.Type().Elem()))
		}
		return dst.Elem()
	}
	return dst
}

func (b *binder) bind(sh *schema.Shape, dst reflect.Value, tree any, depth int) error {
	switch sh.Type {
	case schema.Structure:
		return b.structure(sh, dst, tree, depth)
	case schema.List:
		return b.list(sh, dst, tree, depth)
	case schema.Map:
		return b.mapping(sh, dst, tree, depth)
	}
	v := alloc(dst)
	switch sh.Type {
	case schema.String:
		s, ok := tree.(string)
		if !ok {
			return mismatch("a string", tree)
		}
		if v.Kind() != reflect.String {
			return goTypeMismatch(sh, v)
		}
		v.SetString(s)
	case schema.Boolean:
		x, ok := tree.(bool)
		if !ok {
			return mismatch("a boolean", tree)
		}
		if v.Kind() != reflect.Bool {
			return goTypeMismatch(sh, v)
		}
		v.SetBool(x)
	case schema.Integer, schema.Long:
		if !v.CanInt() {
			return goTypeMismatch(sh, v)
		}
		i, err := toInt(tree, v.Type().Bits())
		if err != nil {
			return err
		}
		v.SetInt(i)
	case schema.Double, schema.Float:
		if !v.CanFloat() {
			return goTypeMismatch(sh, v)
		}
		f, err := toFloat(tree, v.Type().Bits())
		if err != nil {
			return err
		}
		v.SetFloat(f)
	case schema.Timestamp:
		if v.Type() != timeType {
			return goTypeMismatch(sh, v)
		}
		t, err := toTime(tree)
		if err != nil {
			return err
		}
		v.Set(reflect.ValueOf(t))
	case schema.Blob:
		if v.Kind() != reflect.Slice || v.Type().Elem().Kind() != reflect.Uint8 {
			return goTypeMismatch(sh, v)
		}
		p, err := b.toBytes(tree)
		if err != nil {
			return err
		}
		v.SetBytes(p)
	default:
		return errorf("shape " + sh.Name + " has an unsupported type")
	}
	return nil
}

func (b *binder) structure(sh *schema.Shape, dst reflect.Value, tree any, depth int) error {
	m, ok := tree.(map[string]any)
	if !ok {
		return mismatch("an object", tree)
	}
	if depth >= b.opts.MaxDepth {
		return errorf("nesting exceeds the limit")
	}
	v := alloc(dst)
	if v.Kind() != reflect.Struct || v.NumField() < len(sh.Members) {
		return goTypeMismatch(sh, v)
	}
	// Walking the members rather than the keys ignores unknown keys for free
	// and costs one map lookup per member.
	for i, mem := range sh.Members {
		val, ok := m[mem.Name]
		if !ok || val == nil {
			continue
		}
		if err := b.bind(mem.Shape, v.Field(i), val, depth+1); err != nil {
			return inMember(err, mem.Name)
		}
	}
	return nil
}

func (b *binder) list(sh *schema.Shape, dst reflect.Value, tree any, depth int) error {
	items, ok := tree.([]any)
	if !ok {
		return mismatch("an array", tree)
	}
	if depth >= b.opts.MaxDepth {
		return errorf("nesting exceeds the limit")
	}
	v := alloc(dst)
	if v.Kind() != reflect.Slice || sh.Member == nil {
		return goTypeMismatch(sh, v)
	}
	s := reflect.MakeSlice(v.Type(), 0, len(items))
	n := 0
	for i, item := range items {
		// Snowball's lists are dense: a null element carries nothing, and
		// the SDKs drop them too.
		if item == nil {
			continue
		}
		s = s.Slice(0, n+1)
		if err := b.bind(sh.Member.Shape, s.Index(n), item, depth+1); err != nil {
			return inElement(err, i)
		}
		n++
	}
	v.Set(s)
	return nil
}

func (b *binder) mapping(sh *schema.Shape, dst reflect.Value, tree any, depth int) error {
	m, ok := tree.(map[string]any)
	if !ok {
		return mismatch("an object", tree)
	}
	if depth >= b.opts.MaxDepth {
		return errorf("nesting exceeds the limit")
	}
	v := alloc(dst)
	if v.Kind() != reflect.Map || v.Type().Key().Kind() != reflect.String || sh.Value == nil {
		return goTypeMismatch(sh, v)
	}
	out := reflect.MakeMapWithSize(v.Type(), len(m))
	kt, vt := v.Type().Key(), v.Type().Elem()
	for k, item := range m {
		if item == nil {
			continue
		}
		ev := reflect.New(vt).Elem()
		if err := b.bind(sh.Value.Shape, ev, item, depth+1); err != nil {
			return inMember(err, k)
		}
		out.SetMapIndex(reflect.ValueOf(k).Convert(kt), ev)
	}
	v.Set(out)
	return nil
}

func (b *binder) toBytes(tree any) ([]byte, error) {
	switch x := tree.(type) {
	case []byte:
		return x, nil
	case string:
		if !b.opts.Base64Blobs {
			break
		}
		p, err := base64.StdEncoding.DecodeString(x)
		if err != nil {
			return nil, errorf("expected base64-encoded data")
		}
		return p, nil
	}
	return nil, mismatch("binary data", tree)
}

func mismatch(want string, got any) error {
	return errorf("expected " + want + ", got " + describe(got))
}

func goTypeMismatch(sh *schema.Shape, v reflect.Value) error {
	return errorf("shape " + sh.Name + " does not match Go type " + v.Type().String())
}

// describe names the kind of a tree value in the words of a client's error
// message, not Go's.
func describe(v any) string {
	switch v.(type) {
	case map[string]any:
		return "an object"
	case []any:
		return "an array"
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case json.Number, int64, uint64, float64, *big.Int:
		return "a number"
	case time.Time:
		return "a timestamp"
	case []byte:
		return "binary data"
	case nil:
		return "null"
	}
	return "an unsupported value"
}
