package restxml

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"time"

	"github.com/jobplane/jobplane/internal/schema"
)

const xmlHeader = `<?xml version="1.0" encoding="UTF-8"?>` + "\n"

// xmlWriter serializes generated Go values as restXml. It writes by hand
// rather than through encoding/xml so that element names, namespace
// declarations and empty elements come out exactly as AWS writes them.
type xmlWriter struct {
	c   *Codec
	buf *bytes.Buffer
}

// text writes s escaped as character data. Most values (ids, ARNs,
// statuses, keys) need no escaping: they are written as they are, and only
// the others go through encoding/xml's escaper.
func (w *xmlWriter) text(s string) {
	if plainText(s) {
		w.buf.WriteString(s)
		return
	}
	// EscapeText only fails when the writer does; bytes.Buffer never does.
	_ = xml.EscapeText(w.buf, []byte(s))
}

// scalar writes a scalar value as escaped text; ok is false for values
// that are not scalars. Strings, integers and timestamps, nearly every
// value of a response, are appended to the buffer without an intermediate
// string.
func (w *xmlWriter) scalar(v reflect.Value, tf schema.TimestampFormat) (ok bool) {
	switch {
	case v.Type() == timeType && tf == schema.ISO8601:
		w.buf.Write(appendISOMillis(w.buf.AvailableBuffer(), v.Interface().(time.Time)))
	case v.Kind() == reflect.String:
		w.text(v.String())
	case v.CanInt():
		w.buf.Write(strconv.AppendInt(w.buf.AvailableBuffer(), v.Int(), 10))
	default:
		s, ok := formatScalar(v, tf)
		if !ok {
			return false
		}
		w.text(s)
	}
	return true
}

// plainText reports whether s is printable ASCII without a character XML
// escapes (& < > ' "), so that it is its own escaped form.
func plainText(s string) bool {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c < 0x20 || c >= 0x7f, c == '&', c == '<', c == '>', c == '\'', c == '"':
			return false
		}
	}
	return true
}

// open writes a start tag with an optional namespace declaration and the
// attribute members of v (a struct value, or invalid for none).
func (w *xmlWriter) open(name string, ns *schema.XMLNamespace, v reflect.Value, sh *schema.Shape) error {
	w.buf.WriteByte('<')
	w.buf.WriteString(name)
	if ns != nil && ns.URI != "" {
		if ns.Prefix != "" {
			w.buf.WriteString(` xmlns:`)
			w.buf.WriteString(ns.Prefix)
		} else {
			w.buf.WriteString(` xmlns`)
		}
		w.buf.WriteString(`="`)
		w.text(ns.URI)
		w.buf.WriteByte('"')
	}
	if v.IsValid() && sh != nil {
		if info := w.c.shapes[sh]; info != nil && info.hasAttrs {
			for i, m := range sh.Members {
				if !m.XMLAttribute {
					continue
				}
				f := deref(v.Field(i))
				if !f.IsValid() {
					continue
				}
				s, ok := formatScalar(f, timestampFormat(m, schema.ISO8601))
				if !ok {
					return fmt.Errorf("attribute %s of %s is not a scalar", m.Name, sh.Name)
				}
				w.buf.WriteByte(' ')
				w.buf.WriteString(m.WireName())
				w.buf.WriteString(`="`)
				w.text(s)
				w.buf.WriteByte('"')
			}
		}
	}
	w.buf.WriteByte('>')
	return nil
}

func (w *xmlWriter) close(name string) {
	w.buf.WriteString("</")
	w.buf.WriteString(name)
	w.buf.WriteByte('>')
}

// deref follows pointers and interfaces; it returns the invalid Value for
// nil.
func deref(v reflect.Value) reflect.Value {
	for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
		if v.IsNil() {
			return reflect.Value{}
		}
		v = v.Elem()
	}
	return v
}

// isAbsent reports whether a member value is left out of the document: nil
// pointers, slices and maps. Empty but non-nil lists are written.
func isAbsent(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface, reflect.Map, reflect.Slice:
		return v.IsNil()
	}
	return false
}

// members writes the body members of v (a struct value of shape sh) in model
// order, leaving out absent ones. only, when non-nil, restricts the members
// to those indexes (an operation output's body members).
func (w *xmlWriter) members(v reflect.Value, sh *schema.Shape, only []int) error {
	info := w.c.shapes[sh]
	write := func(i int) error {
		m := sh.Members[i]
		if m.Location != schema.Body || m.XMLAttribute {
			return nil
		}
		f := v.Field(i)
		if isAbsent(f) {
			return nil
		}
		// Most members are scalars: their tags are written whole.
		if t := info.tag(i); t.open != "" {
			if s := deref(f); s.IsValid() {
				w.buf.WriteString(t.open)
				if !w.scalar(s, timestampFormat(m, schema.ISO8601)) {
					return fmt.Errorf("member %s: cannot write %s as %s", m.Name, s.Type(), m.Shape.Type)
				}
				w.buf.WriteString(t.close)
				return nil
			}
		}
		return w.member(f, m)
	}
	if only != nil {
		for _, i := range only {
			if err := write(i); err != nil {
				return err
			}
		}
		return nil
	}
	for i := range sh.Members {
		if err := write(i); err != nil {
			return err
		}
	}
	return nil
}

// member writes one present member as its element(s).
func (w *xmlWriter) member(f reflect.Value, m *schema.Member) error {
	name := m.WireName()
	if flattened(m) {
		switch m.Shape.Type {
		case schema.List:
			for j := 0; j < f.Len(); j++ {
				if err := w.element(name, m.XMLNamespace, f.Index(j), m.Shape.Member.Shape, m.Shape.Member); err != nil {
					return err
				}
			}
			return nil
		case schema.Map:
			return w.entries(name, f, m.Shape)
		}
	}
	return w.element(name, m.XMLNamespace, f, m.Shape, m)
}

// element writes <name>value</name> for a value of shape sh.
func (w *xmlWriter) element(name string, ns *schema.XMLNamespace, f reflect.Value, sh *schema.Shape, m *schema.Member) error {
	v := deref(f)
	if !v.IsValid() {
		// A nil list item or map value: an empty element keeps positions.
		w.buf.WriteByte('<')
		w.buf.WriteString(name)
		w.buf.WriteString("/>")
		return nil
	}
	if ns == nil {
		ns = sh.XMLNamespace
	}
	switch sh.Type {
	case schema.Structure:
		if err := w.open(name, ns, v, sh); err != nil {
			return err
		}
		if err := w.members(v, sh, nil); err != nil {
			return err
		}
	case schema.List:
		if err := w.open(name, ns, reflect.Value{}, nil); err != nil {
			return err
		}
		item := itemName(sh)
		for j := 0; j < v.Len(); j++ {
			if err := w.element(item, sh.Member.XMLNamespace, v.Index(j), sh.Member.Shape, sh.Member); err != nil {
				return err
			}
		}
	case schema.Map:
		if err := w.open(name, ns, reflect.Value{}, nil); err != nil {
			return err
		}
		if err := w.entries("entry", v, sh); err != nil {
			return err
		}
	default:
		if err := w.open(name, ns, reflect.Value{}, nil); err != nil {
			return err
		}
		if !w.scalar(v, timestampFormat(m, schema.ISO8601)) {
			return fmt.Errorf("member %s: cannot write %s as %s", name, v.Type(), sh.Type)
		}
	}
	w.close(name)
	return nil
}

// entries writes a map as <entry><key/><value/></entry> elements, sorted by
// key so responses are deterministic.
func (w *xmlWriter) entries(entry string, mv reflect.Value, sh *schema.Shape) error {
	keyName, valueName := mapNames(sh)
	keys := mv.MapKeys()
	slices.SortFunc(keys, func(a, b reflect.Value) int {
		switch {
		case a.String() < b.String():
			return -1
		case a.String() > b.String():
			return 1
		}
		return 0
	})
	for _, k := range keys {
		w.buf.WriteByte('<')
		w.buf.WriteString(entry)
		w.buf.WriteByte('>')
		if err := w.element(keyName, nil, k, sh.Key.Shape, sh.Key); err != nil {
			return err
		}
		if err := w.element(valueName, nil, mv.MapIndex(k), sh.Value.Shape, sh.Value); err != nil {
			return err
		}
		w.close(entry)
	}
	return nil
}
