package restxml

import (
	"encoding/base64"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"strings"

	"github.com/jobplane/jobplane/internal/protocol"
	"github.com/jobplane/jobplane/internal/schema"
)

// DecodeInput reads the request into a new value of op.Input.GoType and
// returns a pointer to it, or nil when the operation has no input.
//
// URI labels come from p; query members from r.URL's query (lists from
// repeated keys); header members from r.Header (lists comma-separated,
// timestamps as HTTP dates unless the model says otherwise); the document
// from r.Body. A streaming payload member receives r.Body unread; any other
// body is read up to protocol.MaxDocumentBytes. An empty body leaves the
// body members absent. Constraints are not checked here.
//
// Errors are *protocol.DecodeError: BadParameter for a URI, query or header
// value that does not parse as its member's type, TooLarge for a document
// over the limit, Malformed for a body that is not the expected XML.
func (c *Codec) DecodeInput(r *http.Request, op *schema.Operation, p protocol.Params) (any, error) {
	info := c.ops[op]
	if info == nil {
		return nil, protocol.Errorf(protocol.UnknownOperation, "operation %s is not part of %s", op.Name, c.model.ServiceID)
	}
	if op.Input == nil || op.Input.GoType == nil {
		return nil, nil
	}
	ptr := reflect.New(op.Input.GoType)
	v := ptr.Elem()
	in := info.in

	for _, i := range in.uri {
		m := in.shape.Members[i]
		s, ok := p[m.LocationName]
		if !ok {
			continue
		}
		if err := setScalar(v.Field(i), m.Shape, s, timestampFormat(m, schema.ISO8601)); err != nil {
			return nil, badParam(m, err)
		}
	}
	if len(in.query) > 0 || in.queryMap >= 0 {
		if err := c.bindQuery(v, in, r.URL.Query()); err != nil {
			return nil, err
		}
	}
	for _, i := range in.header {
		if err := bindHeader(v.Field(i), in.shape.Members[i], r); err != nil {
			return nil, err
		}
	}
	for _, i := range in.prefixed {
		bindPrefixed(v.Field(i), in.shape.Members[i], r.Header)
	}

	switch {
	case in.payload >= 0:
		if err := c.decodePayload(v.Field(in.payload), in.shape.Members[in.payload], r); err != nil {
			return nil, err
		}
	case len(in.body) > 0:
		doc, err := protocol.ReadDocument(r)
		if err != nil {
			return nil, err
		}
		if _, err := c.decodeDocument(doc, v, in.shape); err != nil {
			return nil, err
		}
	}
	return ptr.Interface(), nil
}

func badParam(m *schema.Member, err error) *protocol.DecodeError {
	return &protocol.DecodeError{
		Kind:    protocol.BadParameter,
		Member:  m.Name,
		Message: "invalid value for parameter " + m.LocationName,
		Err:     err,
	}
}

func (c *Codec) bindQuery(v reflect.Value, in *ioInfo, q url.Values) error {
	bound := make(map[string]bool, len(in.query))
	for _, i := range in.query {
		m := in.shape.Members[i]
		bound[m.LocationName] = true
		vals, ok := q[m.LocationName]
		if !ok {
			continue
		}
		f := v.Field(i)
		tf := timestampFormat(m, schema.ISO8601)
		if m.Shape.Type == schema.List {
			s := reflect.MakeSlice(f.Type(), len(vals), len(vals))
			for j, val := range vals {
				if err := setScalar(s.Index(j), m.Shape.Member.Shape, val, timestampFormat(m.Shape.Member, tf)); err != nil {
					return badParam(m, err)
				}
			}
			f.Set(s)
			continue
		}
		if len(vals) == 0 {
			continue
		}
		if err := setScalar(f, m.Shape, vals[0], tf); err != nil {
			return badParam(m, err)
		}
	}
	if in.queryMap < 0 {
		return nil
	}
	// A map bound to the query string takes every parameter no other member
	// claims; its values are strings or lists of strings.
	f := v.Field(in.queryMap)
	mv := reflect.MakeMap(f.Type())
	for k, vals := range q {
		if bound[k] || len(vals) == 0 {
			continue
		}
		ev := reflect.New(f.Type().Elem()).Elem()
		if ev.Kind() == reflect.Slice && ev.Type() != bytesType {
			ev = reflect.MakeSlice(ev.Type(), len(vals), len(vals))
			for j, val := range vals {
				ev.Index(j).SetString(val)
			}
		} else {
			ev.SetString(vals[0])
		}
		mv.SetMapIndex(reflect.ValueOf(k).Convert(f.Type().Key()), ev)
	}
	if mv.Len() > 0 {
		f.Set(mv)
	}
	return nil
}

func bindHeader(f reflect.Value, m *schema.Member, r *http.Request) error {
	vals := r.Header.Values(m.LocationName)
	if len(vals) == 0 {
		// Go moves Content-Length out of the header map of client requests.
		if strings.EqualFold(m.LocationName, "Content-Length") && r.ContentLength > 0 {
			vals = []string{strconv.FormatInt(r.ContentLength, 10)}
		} else {
			return nil
		}
	}
	tf := timestampFormat(m, schema.RFC822)
	if m.Shape.Type == schema.List {
		var items []string
		for _, v := range vals {
			items = append(items, splitHeaderList(v)...)
		}
		s := reflect.MakeSlice(f.Type(), len(items), len(items))
		for j, item := range items {
			if err := setScalar(s.Index(j), m.Shape.Member.Shape, item, timestampFormat(m.Shape.Member, tf)); err != nil {
				return badParam(m, err)
			}
		}
		f.Set(s)
		return nil
	}
	text := strings.Join(vals, ",")
	if m.JSONValue {
		// JSON values travel base64-encoded in headers.
		b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(text))
		if err != nil {
			return badParam(m, err)
		}
		text = string(b)
	}
	if m.Shape.Type != schema.String && m.Shape.Type != schema.Blob {
		text = strings.TrimSpace(text)
	}
	if err := setScalar(f, m.Shape, text, tf); err != nil {
		return badParam(m, err)
	}
	return nil
}

// splitHeaderList splits a comma-separated header list. Items the SDKs
// quote (because they hold a comma or a quote) are unquoted.
func splitHeaderList(h string) []string {
	var out []string
	for h != "" {
		h = strings.TrimLeft(h, " \t")
		if strings.HasPrefix(h, `"`) {
			var b strings.Builder
			i := 1
			for ; i < len(h) && h[i] != '"'; i++ {
				if h[i] == '\\' && i+1 < len(h) {
					i++
				}
				b.WriteByte(h[i])
			}
			out = append(out, b.String())
			h = h[min(i+1, len(h)):]
			if j := strings.IndexByte(h, ','); j >= 0 {
				h = h[j+1:]
			} else {
				h = ""
			}
			continue
		}
		item, rest, found := strings.Cut(h, ",")
		out = append(out, strings.TrimSpace(item))
		if !found {
			break
		}
		h = rest
	}
	return out
}

// bindPrefixed fills a map member from every header that starts with the
// member's prefix (x-amz-meta-), keyed by the lowercased rest of the name.
func bindPrefixed(f reflect.Value, m *schema.Member, h http.Header) {
	prefix := strings.ToLower(m.LocationName)
	var mv reflect.Value
	for name, vals := range h {
		lower := strings.ToLower(name)
		if len(lower) <= len(prefix) || !strings.HasPrefix(lower, prefix) || len(vals) == 0 {
			continue
		}
		if !mv.IsValid() {
			mv = reflect.MakeMap(f.Type())
		}
		key := reflect.ValueOf(lower[len(prefix):]).Convert(f.Type().Key())
		val := reflect.ValueOf(strings.Join(vals, ",")).Convert(f.Type().Elem())
		mv.SetMapIndex(key, val)
	}
	if mv.IsValid() {
		f.Set(mv)
	}
}

// decodePayload binds the body to the input's payload member.
func (c *Codec) decodePayload(f reflect.Value, m *schema.Member, r *http.Request) error {
	if isStreaming(m) {
		body := r.Body
		if body == nil {
			body = http.NoBody
		}
		bv := reflect.ValueOf(body)
		if !bv.Type().AssignableTo(f.Type()) {
			return protocol.Errorf(protocol.Malformed, "cannot bind the request body to %s", m.Name)
		}
		f.Set(bv)
		return nil
	}
	doc, err := protocol.ReadDocument(r)
	if err != nil || len(doc) == 0 {
		return err
	}
	switch m.Shape.Type {
	case schema.Structure:
		p := reflect.New(f.Type().Elem())
		found, err := c.decodeDocument(doc, p.Elem(), m.Shape)
		if err != nil {
			return err
		}
		if found {
			f.Set(p)
		}
	case schema.Blob:
		f.SetBytes(doc)
	case schema.String:
		if err := setScalar(f, m.Shape, string(doc), schema.DefaultFormat); err != nil {
			return &protocol.DecodeError{Kind: protocol.Malformed, Member: m.Name, Message: "invalid payload", Err: err}
		}
	default:
		return protocol.Errorf(protocol.Malformed, "unsupported payload type %s", m.Shape.Type)
	}
	return nil
}
