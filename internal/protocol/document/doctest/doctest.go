// Package doctest builds values for the protocol codecs' tests from a
// service model: Fill makes a value of an operation's input or output with
// every member set, and Tree turns such a value into the generic map a
// JSON or CBOR library would encode, independently of package document.
package doctest

import (
	"fmt"
	"reflect"
	"time"

	"github.com/jobplane/jobplane/internal/schema"
)

// Epoch is the timestamp Fill puts in every timestamp member: it has
// milliseconds, so that both protocols' fractional forms are exercised.
var Epoch = time.UnixMilli(1735787045123).UTC()

// Fill returns a pointer to a new value of the structure shape sh with every
// member set: strings derived from the member name, the last enum value,
// integers past the int8 range, longs past the int32 range, a double with a
// fraction, true, Epoch, two-element lists and maps.
func Fill(sh *schema.Shape) any {
	v := reflect.New(sh.GoType)
	fill(sh, v.Elem(), sh.Name, 0)
	return v.Interface()
}

func fill(sh *schema.Shape, v reflect.Value, name string, depth int) {
	if depth > 12 {
		return
	}
	if v.Kind() == reflect.Pointer {
		v.Set(reflect.New(v.Type().Elem()))
		v = v.Elem()
	}
	switch sh.Type {
	case schema.Structure:
		for i, m := range sh.Members {
			fill(m.Shape, v.Field(i), m.Name, depth+1)
		}
	case schema.List:
		s := reflect.MakeSlice(v.Type(), 2, 2)
		for i := range 2 {
			fill(sh.Member.Shape, s.Index(i), fmt.Sprintf("%s%d", name, i), depth+1)
		}
		v.Set(s)
	case schema.Map:
		m := reflect.MakeMap(v.Type())
		for i := range 2 {
			ev := reflect.New(v.Type().Elem()).Elem()
			fill(sh.Value.Shape, ev, fmt.Sprintf("%s%d", name, i), depth+1)
			m.SetMapIndex(reflect.ValueOf(fmt.Sprintf("key%d", i)).Convert(v.Type().Key()), ev)
		}
		v.Set(m)
	case schema.String:
		if len(sh.Enum) > 0 {
			v.SetString(sh.Enum[len(sh.Enum)-1])
		} else {
			v.SetString(name + "-välue \"q\"")
		}
	case schema.Integer:
		v.SetInt(300)
	case schema.Long:
		v.SetInt(1 << 40)
	case schema.Double, schema.Float:
		v.SetFloat(2.5)
	case schema.Boolean:
		v.SetBool(true)
	case schema.Timestamp:
		v.Set(reflect.ValueOf(Epoch))
	case schema.Blob:
		v.SetBytes([]byte("blob:" + name))
	}
}

// Tree returns v, a value of the Go type of sh, as map[string]any keyed by
// member names, []any, and scalars (string, bool, int64, float64,
// time.Time, []byte). Nil members are left out.
func Tree(sh *schema.Shape, v reflect.Value) any {
	for v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return nil
		}
		v = v.Elem()
	}
	switch sh.Type {
	case schema.Structure:
		m := map[string]any{}
		for i, mem := range sh.Members {
			f := v.Field(i)
			if (f.Kind() == reflect.Pointer || f.Kind() == reflect.Slice || f.Kind() == reflect.Map) && f.IsNil() {
				continue
			}
			m[mem.Name] = Tree(mem.Shape, f)
		}
		return m
	case schema.List:
		out := make([]any, v.Len())
		for i := range out {
			out[i] = Tree(sh.Member.Shape, v.Index(i))
		}
		return out
	case schema.Map:
		out := map[string]any{}
		for _, k := range v.MapKeys() {
			out[k.String()] = Tree(sh.Value.Shape, v.MapIndex(k))
		}
		return out
	case schema.String:
		return v.String()
	case schema.Integer, schema.Long:
		return v.Int()
	case schema.Double, schema.Float:
		return v.Float()
	case schema.Boolean:
		return v.Bool()
	case schema.Timestamp:
		return v.Interface().(time.Time)
	case schema.Blob:
		return v.Bytes()
	}
	panic("doctest: unsupported shape " + sh.Name)
}
