package restxml

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"reflect"

	"github.com/jobplane/jobplane/internal/protocol"
	"github.com/jobplane/jobplane/internal/schema"
)

// maxDepth bounds element nesting in request documents. The deepest
// legitimate S3 Control document (CreateJob with a ManifestGenerator filter)
// nests about eight levels; the bound keeps recursion in the decoder small
// whatever a client sends.
const maxDepth = 64

// xmlReader decodes one request document into generated Go values. Element
// names are matched on their local part: namespaces and prefixes are
// ignored, since clients differ in which they declare (spec sheet §1).
// Unknown elements are skipped, as the SDKs themselves do.
type xmlReader struct {
	c *Codec
	d *xml.Decoder
}

// decodeDocument decodes doc into v, a struct value of shape sh, taking the
// root element whatever its name. found is false when the document is empty
// or blank, which leaves v untouched.
func (c *Codec) decodeDocument(doc []byte, v reflect.Value, sh *schema.Shape) (found bool, err error) {
	x := &xmlReader{c: c, d: xml.NewDecoder(bytes.NewReader(doc))}
	for {
		tok, err := x.d.Token()
		if err == io.EOF {
			return false, nil
		}
		if err != nil {
			return false, malformed(err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if err := x.structure(t, v, sh, 1); err != nil {
				return false, err
			}
			return true, x.trailer()
		case xml.CharData:
			if len(bytes.TrimSpace(t)) > 0 {
				return false, protocol.Errorf(protocol.Malformed, "the request body is not XML")
			}
		}
	}
}

// trailer checks that nothing but whitespace, comments and processing
// instructions follows the root element.
func (x *xmlReader) trailer() error {
	for {
		tok, err := x.d.Token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return malformed(err)
		}
		switch t := tok.(type) {
		case xml.CharData:
			if len(bytes.TrimSpace(t)) > 0 {
				return protocol.Errorf(protocol.Malformed, "text after the root element")
			}
		case xml.StartElement, xml.EndElement:
			return protocol.Errorf(protocol.Malformed, "more than one root element")
		}
	}
}

func malformed(err error) *protocol.DecodeError {
	if errors.Is(err, io.EOF) {
		err = io.ErrUnexpectedEOF
	}
	return &protocol.DecodeError{Kind: protocol.Malformed, Message: "the XML you provided was not well-formed", Err: err}
}

func tooDeep() *protocol.DecodeError {
	return protocol.Errorf(protocol.Malformed, "the XML document nests deeper than %d elements", maxDepth)
}

// token returns the next token, turning a premature end into an error.
func (x *xmlReader) token() (xml.Token, error) {
	tok, err := x.d.Token()
	if err != nil {
		return nil, malformed(err)
	}
	return tok, nil
}

// structure decodes the children of start into v, a struct value.
func (x *xmlReader) structure(start xml.StartElement, v reflect.Value, sh *schema.Shape, depth int) error {
	if depth > maxDepth {
		return tooDeep()
	}
	info := x.c.shapes[sh]
	if info == nil {
		return x.skip(depth)
	}
	if info.hasAttrs {
		for _, a := range start.Attr {
			if a.Name.Space == "xmlns" || a.Name.Local == "xmlns" {
				continue
			}
			if i, ok := info.attrs[a.Name.Local]; ok {
				m := sh.Members[i]
				if err := setScalar(v.Field(i), m.Shape, a.Value, timestampFormat(m, schema.ISO8601)); err != nil {
					return valueError(m, err)
				}
			}
		}
	}
	for {
		tok, err := x.token()
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			i, ok := info.elems[t.Name.Local]
			if !ok {
				if err := x.skip(depth + 1); err != nil {
					return err
				}
				continue
			}
			if err := x.member(t, v.Field(i), sh.Members[i], depth+1); err != nil {
				return err
			}
		case xml.EndElement:
			return nil
		}
	}
}

// member decodes one element of a structure into its field.
func (x *xmlReader) member(start xml.StartElement, f reflect.Value, m *schema.Member, depth int) error {
	if depth > maxDepth {
		return tooDeep()
	}
	if flattened(m) {
		switch m.Shape.Type {
		case schema.List:
			// Each occurrence of a flattened list's element is one item.
			item := reflect.New(f.Type().Elem()).Elem()
			if err := x.value(start, item, m.Shape.Member.Shape, m.Shape.Member, depth); err != nil {
				return err
			}
			f.Set(reflect.Append(f, item))
			return nil
		case schema.Map:
			if f.IsNil() {
				f.Set(reflect.MakeMap(f.Type()))
			}
			return x.entry(f, m.Shape, depth)
		}
	}
	return x.value(start, f, m.Shape, m, depth)
}

// value decodes the element start into f according to sh. m is the member
// that holds the value (for its timestamp format), or the list's member.
func (x *xmlReader) value(start xml.StartElement, f reflect.Value, sh *schema.Shape, m *schema.Member, depth int) error {
	if depth > maxDepth {
		return tooDeep()
	}
	switch sh.Type {
	case schema.Structure:
		if f.Kind() == reflect.Pointer {
			p := reflect.New(f.Type().Elem())
			if err := x.structure(start, p.Elem(), sh, depth); err != nil {
				return err
			}
			f.Set(p)
			return nil
		}
		return x.structure(start, f, sh, depth)
	case schema.List:
		// An empty wrapper (<Tags/>) is an empty, non-nil list: PutJobTagging
		// with no tags means "remove every tag".
		s := reflect.MakeSlice(f.Type(), 0, 0)
		for {
			tok, err := x.token()
			if err != nil {
				return err
			}
			switch t := tok.(type) {
			case xml.StartElement:
				// Items may be named anything: the SDKs send "member" or
				// the list member's locationName.
				item := reflect.New(f.Type().Elem()).Elem()
				if err := x.value(t, item, sh.Member.Shape, sh.Member, depth+1); err != nil {
					return err
				}
				s = reflect.Append(s, item)
			case xml.EndElement:
				f.Set(s)
				return nil
			}
		}
	case schema.Map:
		mv := reflect.MakeMap(f.Type())
		for {
			tok, err := x.token()
			if err != nil {
				return err
			}
			switch tok.(type) {
			case xml.StartElement:
				if err := x.entry(mv, sh, depth+1); err != nil {
					return err
				}
			case xml.EndElement:
				f.Set(mv)
				return nil
			}
		}
	default:
		text, err := x.text(depth)
		if err != nil {
			return err
		}
		if err := setScalar(f, sh, text, timestampFormat(m, schema.ISO8601)); err != nil {
			return valueError(m, err)
		}
		return nil
	}
}

// entry decodes one <entry><key/><value/></entry> into the map mv. The
// entry's own start element has been read.
func (x *xmlReader) entry(mv reflect.Value, sh *schema.Shape, depth int) error {
	if depth > maxDepth {
		return tooDeep()
	}
	keyName, valueName := mapNames(sh)
	key := reflect.New(mv.Type().Key()).Elem()
	val := reflect.New(mv.Type().Elem()).Elem()
	hasKey := false
	for {
		tok, err := x.token()
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case keyName:
				if err := x.value(t, key, sh.Key.Shape, sh.Key, depth+1); err != nil {
					return err
				}
				hasKey = true
			case valueName:
				if err := x.value(t, val, sh.Value.Shape, sh.Value, depth+1); err != nil {
					return err
				}
			default:
				if err := x.skip(depth + 1); err != nil {
					return err
				}
			}
		case xml.EndElement:
			if hasKey {
				mv.SetMapIndex(key, val)
			}
			return nil
		}
	}
}

// text reads the character data of a scalar element up to its end.
func (x *xmlReader) text(depth int) (string, error) {
	var buf []byte
	for {
		tok, err := x.token()
		if err != nil {
			return "", err
		}
		switch t := tok.(type) {
		case xml.CharData:
			buf = append(buf, t...)
		case xml.StartElement:
			return "", protocol.Errorf(protocol.Malformed, "element <%s> inside a scalar value", t.Name.Local)
		case xml.EndElement:
			return string(buf), nil
		}
	}
}

// skip consumes an unknown element, enforcing the depth limit inside it too.
func (x *xmlReader) skip(depth int) error {
	for n := 1; n > 0; {
		if depth+n-1 > maxDepth {
			return tooDeep()
		}
		tok, err := x.token()
		if err != nil {
			return err
		}
		switch tok.(type) {
		case xml.StartElement:
			n++
		case xml.EndElement:
			n--
		}
	}
	return nil
}

func valueError(m *schema.Member, err error) *protocol.DecodeError {
	name := ""
	if m != nil {
		name = m.Name
	}
	return &protocol.DecodeError{Kind: protocol.Malformed, Member: name, Message: "invalid value for " + name, Err: err}
}
