package restxml

import (
	"strings"

	"github.com/jobplane/jobplane/internal/schema"
)

// shapeInfo is the XML view of a structure shape, computed once at New.
type shapeInfo struct {
	// elems maps the local XML name of each body member to its index.
	elems map[string]int
	// attrs maps the local name of each xmlAttribute member ("type" for
	// Grantee's xsi:type) to its index.
	attrs map[string]int
	// hasAttrs is true when the structure has attribute members, so the
	// encoder knows to look for them.
	hasAttrs bool
	// tags holds, by member index, the start and end tags of each scalar
	// body member written without a namespace declaration ("" for the
	// others), so that the encoder writes them whole.
	tags []tagPair
}

type tagPair struct{ open, close string }

// tag returns member i's tags, if it has them.
func (info *shapeInfo) tag(i int) tagPair {
	if info == nil || i >= len(info.tags) {
		return tagPair{}
	}
	return info.tags[i]
}

// shape registers sh and every shape reachable from it. It is called only
// from New, so it needs no locking.
func (c *Codec) shape(sh *schema.Shape) {
	if sh == nil {
		return
	}
	if _, seen := c.shapes[sh]; seen {
		return
	}
	info := &shapeInfo{}
	c.shapes[sh] = info
	switch sh.Type {
	case schema.Structure:
		info.elems = make(map[string]int, len(sh.Members))
		info.tags = make([]tagPair, len(sh.Members))
		for i, m := range sh.Members {
			if m.Location != schema.Body {
				continue
			}
			if isScalar(m.Shape) && !m.XMLAttribute && m.XMLNamespace == nil && m.Shape.XMLNamespace == nil {
				info.tags[i] = tagPair{"<" + m.WireName() + ">", "</" + m.WireName() + ">"}
			}
			if m.XMLAttribute {
				if info.attrs == nil {
					info.attrs = make(map[string]int)
				}
				info.attrs[localName(m.WireName())] = i
				info.hasAttrs = true
			} else {
				info.elems[localName(m.WireName())] = i
			}
		}
		for _, m := range sh.Members {
			c.shape(m.Shape)
		}
	case schema.List:
		if sh.Member != nil {
			c.shape(sh.Member.Shape)
		}
	case schema.Map:
		if sh.Key != nil {
			c.shape(sh.Key.Shape)
		}
		if sh.Value != nil {
			c.shape(sh.Value.Shape)
		}
	}
}

// isScalar reports whether values of sh are written as text.
func isScalar(sh *schema.Shape) bool {
	switch sh.Type {
	case schema.Structure, schema.List, schema.Map:
		return false
	}
	return true
}

// localName strips a namespace prefix: "xsi:type" → "type". Documents are
// matched on local names only, since clients differ in how they declare
// namespaces and none of our models has two members differing by prefix.
func localName(n string) string {
	if i := strings.IndexByte(n, ':'); i >= 0 {
		return n[i+1:]
	}
	return n
}

// flattened reports whether a list or map member repeats its elements
// directly inside the parent instead of wrapping them.
func flattened(m *schema.Member) bool { return m.Flattened || m.Shape.Flattened }

// itemName is the element name of a non-flattened list's items. The Go v2
// S3 Control deserializer accepts only "member" for unnamed list members
// (spec sheet §1.1), which is also what the SDKs send.
func itemName(list *schema.Shape) string {
	if list.Member != nil && list.Member.LocationName != "" {
		return list.Member.LocationName
	}
	return "member"
}

// mapNames returns the element names of a map's entries, keys and values.
func mapNames(m *schema.Shape) (key, value string) {
	key, value = "key", "value"
	if m.Key != nil && m.Key.LocationName != "" {
		key = m.Key.LocationName
	}
	if m.Value != nil && m.Value.LocationName != "" {
		value = m.Value.LocationName
	}
	return key, value
}

// timestampFormat resolves a member's timestamp format: the member's own,
// then its shape's, then the location's default.
func timestampFormat(m *schema.Member, def schema.TimestampFormat) schema.TimestampFormat {
	if m != nil && m.TimestampFormat != schema.DefaultFormat {
		return m.TimestampFormat
	}
	if m != nil && m.Shape != nil && m.Shape.TimestampFormat != schema.DefaultFormat {
		return m.Shape.TimestampFormat
	}
	return def
}

// isStreaming reports whether a blob member carries a stream.
func isStreaming(m *schema.Member) bool {
	return m.Streaming || (m.Shape != nil && m.Shape.Streaming)
}
