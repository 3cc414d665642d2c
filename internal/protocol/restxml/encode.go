package restxml

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"sync"

	"github.com/jobplane/jobplane/internal/schema"
)

var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// EncodeOutput writes a successful response for op: header members as
// headers, the StatusCode member or op.ResponseCode as status, and the body:
// the payload member (an XML document, a stream copied and closed, or raw
// bytes/text), or else the body members under the output's root element.
// An output without body members gets no body; HEAD responses never do.
//
// The document is serialized into a buffer before any header is set, so a
// serialization failure is returned with w untouched and can still become
// an error response.
func (c *Codec) EncodeOutput(w http.ResponseWriter, r *http.Request, op *schema.Operation, out any) error {
	info := c.ops[op]
	if info == nil {
		return fmt.Errorf("restxml: operation %s is not part of %s", op.Name, c.model.ServiceID)
	}
	status := op.ResponseCode
	if status == 0 {
		status = http.StatusOK
	}
	v := reflect.ValueOf(out)
	if out == nil || info.out == nil || (v.Kind() == reflect.Pointer && v.IsNil()) {
		w.WriteHeader(status)
		return nil
	}
	v = deref(v)
	if v.Type() != info.out.shape.GoType {
		return fmt.Errorf("restxml: %s output is %s, want %s", op.Name, v.Type(), info.out.shape.GoType)
	}
	o := info.out

	var (
		buf         *bytes.Buffer
		stream      io.ReadCloser
		contentType string
	)
	if allowBody(r) {
		buf = bufPool.Get().(*bytes.Buffer)
		buf.Reset()
		defer bufPool.Put(buf)
	}
	switch {
	case o.payload >= 0:
		m := o.shape.Members[o.payload]
		f := v.Field(o.payload)
		switch {
		case isStreaming(m):
			if rc, ok := f.Interface().(io.ReadCloser); ok && rc != nil {
				stream = rc
			}
		case buf == nil || isAbsent(f):
		case m.Shape.Type == schema.Structure:
			root := m.WireName()
			ns := m.XMLNamespace
			if ns == nil {
				ns = m.Shape.XMLNamespace
			}
			if ns == nil || ns.Prefix != "" {
				ns = &schema.XMLNamespace{URI: c.model.XMLNamespace}
			}
			xw := &xmlWriter{c: c, buf: buf}
			buf.WriteString(xmlHeader)
			if err := xw.element(root, ns, f, m.Shape, m); err != nil {
				return fmt.Errorf("restxml: %s: %w", op.Name, err)
			}
			contentType = "application/xml"
		default:
			s, ok := formatRaw(deref(f))
			if !ok {
				return fmt.Errorf("restxml: %s: cannot write payload %s", op.Name, m.Name)
			}
			buf.WriteString(s)
		}
	case len(o.body) > 0 && buf != nil:
		if err := c.writeDocument(buf, v, o); err != nil {
			return fmt.Errorf("restxml: %s: %w", op.Name, err)
		}
		contentType = "application/xml"
	}

	h := w.Header()
	for _, i := range o.header {
		m := o.shape.Members[i]
		if s, ok := headerValue(v.Field(i), m); ok {
			h.Set(m.LocationName, s)
		}
	}
	for _, i := range o.prefixed {
		m := o.shape.Members[i]
		iter := v.Field(i).MapRange()
		for iter.Next() {
			// S3 sends x-amz-meta-* names in lower case and SDKs keep the
			// rest of the name as the metadata key: Set would capitalise it.
			h[strings.ToLower(m.LocationName+iter.Key().String())] = []string{iter.Value().String()}
		}
	}
	if o.statusCode >= 0 {
		if f := deref(v.Field(o.statusCode)); f.IsValid() && f.Int() > 0 {
			status = int(f.Int())
		}
	}
	if contentType != "" && h.Get("Content-Type") == "" {
		h.Set("Content-Type", contentType)
	}
	if buf != nil && buf.Len() > 0 && h.Get("Content-Length") == "" {
		h.Set("Content-Length", strconv.Itoa(buf.Len()))
	}
	w.WriteHeader(status)
	if stream != nil {
		defer stream.Close()
		if !allowBody(r) {
			return nil
		}
		_, err := io.Copy(w, stream)
		return err
	}
	if buf != nil && buf.Len() > 0 {
		_, err := w.Write(buf.Bytes())
		return err
	}
	return nil
}

// writeDocument writes an output's body members under its root element:
// the shape's locationName (S3's ListBucketResult) or its name (S3
// Control's CreateJobResult), in the service namespace.
func (c *Codec) writeDocument(buf *bytes.Buffer, v reflect.Value, o *ioInfo) error {
	root := o.shape.LocationName
	if root == "" {
		root = o.shape.Name
	}
	ns := &schema.XMLNamespace{URI: c.model.XMLNamespace}
	xw := &xmlWriter{c: c, buf: buf}
	buf.WriteString(xmlHeader)

	// GetBucketLocation's root element is its only member, a scalar, whose
	// value is the root's text: <LocationConstraint>eu-west-1</...>.
	if len(o.body) == 1 {
		m := o.shape.Members[o.body[0]]
		if m.WireName() == root && m.Shape.Type != schema.Structure && m.Shape.Type != schema.List && m.Shape.Type != schema.Map {
			if err := xw.open(root, ns, reflect.Value{}, nil); err != nil {
				return err
			}
			if f := deref(v.Field(o.body[0])); f.IsValid() {
				s, ok := formatScalar(f, timestampFormat(m, schema.ISO8601))
				if !ok {
					return fmt.Errorf("cannot write %s", m.Name)
				}
				xw.text(s)
			}
			xw.close(root)
			return nil
		}
	}
	if err := xw.open(root, ns, v, o.shape); err != nil {
		return err
	}
	if err := xw.members(v, o.shape, o.body); err != nil {
		return err
	}
	xw.close(root)
	return nil
}

// formatRaw renders a string or blob payload as the raw body.
func formatRaw(v reflect.Value) (string, bool) {
	if !v.IsValid() {
		return "", true
	}
	switch {
	case v.Kind() == reflect.String:
		return v.String(), true
	case v.Kind() == reflect.Slice && v.Type().Elem().Kind() == reflect.Uint8:
		return string(v.Bytes()), true
	}
	return "", false
}

// headerValue renders a header member: scalars as text (timestamps as HTTP
// dates unless the model says otherwise), lists comma-joined. ok is false
// when the member is absent.
func headerValue(f reflect.Value, m *schema.Member) (string, bool) {
	if isAbsent(f) {
		return "", false
	}
	tf := timestampFormat(m, schema.RFC822)
	if m.Shape.Type == schema.List {
		items := make([]string, 0, f.Len())
		for j := 0; j < f.Len(); j++ {
			it := deref(f.Index(j))
			if !it.IsValid() {
				continue
			}
			s, ok := formatScalar(it, timestampFormat(m.Shape.Member, tf))
			if !ok {
				return "", false
			}
			if strings.ContainsAny(s, `,"`) {
				s = strconv.Quote(s)
			}
			items = append(items, s)
		}
		return strings.Join(items, ","), true
	}
	v := deref(f)
	if !v.IsValid() {
		return "", false
	}
	s, ok := formatScalar(v, tf)
	if ok && m.JSONValue {
		s = base64.StdEncoding.EncodeToString([]byte(s))
	}
	return s, ok
}
