// Package restxml is the wire codec of AWS's restXml protocol, the protocol of
// S3 and S3 Control: operations are chosen by method, path and query literals,
// input members travel in the URI, query string, headers and an XML document,
// and errors are XML bodies (wrapped in <ErrorResponse> for S3 Control, bare
// <Error> for S3).
//
// The codec is driven entirely by a schema.Service table: New walks the model
// once and precomputes route templates and per-shape member lookups, so a
// request costs a template scan and reflection over the generated Go types.
package restxml

import (
	"net/http"

	"github.com/jobplane/jobplane/internal/protocol"
	"github.com/jobplane/jobplane/internal/schema"
)

// Options are the per-service differences of the restXml protocol.
type Options struct {
	// WrappedErrors selects the error body shape. S3 Control wraps its errors
	// as <ErrorResponse><Error>...</Error><RequestId/></ErrorResponse>, and
	// aws-sdk-go-v2 reads only that form for it (spec sheet §3.2); S3 sends a
	// bare <Error> root with RequestId inside.
	WrappedErrors bool
}

// Codec reads and writes restXml requests and responses for one service
// model. It implements protocol.Codec and is safe for concurrent use: after
// New returns, its tables are only read.
type Codec struct {
	model  *schema.Service
	opts   Options
	routes []*route
	ops    map[*schema.Operation]*opInfo
	shapes map[*schema.Shape]*shapeInfo
	// subresources are the valueless query literals of the model ("tagging",
	// "acl", "versioning"); see route.go for why they matter.
	subresources map[string]struct{}
}

var _ protocol.Codec = (*Codec)(nil)

// New builds a codec for model. It precomputes everything a request needs
// (route templates, member indexes by location and by XML name) so that
// request handling does no model walking of its own.
func New(model *schema.Service, opts Options) *Codec {
	c := &Codec{
		model:        model,
		opts:         opts,
		ops:          make(map[*schema.Operation]*opInfo, len(model.Operations)),
		shapes:       make(map[*schema.Shape]*shapeInfo),
		subresources: make(map[string]struct{}),
	}
	for _, op := range model.Operations {
		info := &opInfo{op: op}
		if op.Input != nil {
			info.in = c.ioInfo(op.Input)
		}
		if op.Output != nil {
			info.out = c.ioInfo(op.Output)
		}
		c.ops[op] = info
		rt := parseRoute(op, info.in)
		info.route = rt
		c.routes = append(c.routes, rt)
		for _, q := range rt.query {
			if !q.hasValue {
				c.subresources[q.key] = struct{}{}
			}
		}
	}
	for _, sh := range model.Shapes {
		if sh.Exception {
			c.shape(sh)
		}
	}
	return c
}

// opInfo is what the codec precomputes for one operation.
type opInfo struct {
	op    *schema.Operation
	route *route
	in    *ioInfo
	out   *ioInfo
}

// ioInfo sorts the members of an operation's input or output structure by
// where they travel on the wire.
type ioInfo struct {
	shape      *schema.Shape
	uri        []int
	query      []int
	queryMap   int // index of a map member bound to the whole query string, or -1
	header     []int
	prefixed   []int // Location Headers: map members bound to a header prefix
	statusCode int   // index of the StatusCode member, or -1
	payload    int   // index of the payload member, or -1
	body       []int // body members when there is no payload member
	// required header and query members, for routing tie-breaks.
	reqHeader []string
	reqQuery  []string
}

func (c *Codec) ioInfo(sh *schema.Shape) *ioInfo {
	info := &ioInfo{shape: sh, queryMap: -1, statusCode: -1, payload: -1}
	c.shape(sh)
	required := make(map[string]bool, len(sh.Required))
	for _, n := range sh.Required {
		required[n] = true
	}
	for i, m := range sh.Members {
		switch m.Location {
		case schema.URI:
			info.uri = append(info.uri, i)
		case schema.Query:
			if m.Shape.Type == schema.Map {
				info.queryMap = i
				continue
			}
			info.query = append(info.query, i)
			if required[m.Name] || m.Required {
				info.reqQuery = append(info.reqQuery, m.LocationName)
			}
		case schema.Header:
			info.header = append(info.header, i)
			if required[m.Name] || m.Required {
				info.reqHeader = append(info.reqHeader, m.LocationName)
			}
		case schema.Headers:
			info.prefixed = append(info.prefixed, i)
		case schema.StatusCode:
			info.statusCode = i
		default:
			if sh.Payload == m.Name {
				info.payload = i
			} else {
				info.body = append(info.body, i)
			}
		}
		c.shape(m.Shape)
	}
	if info.payload >= 0 {
		// With a payload member, no other member is part of the document.
		info.body = nil
	}
	return info
}

// allowBody reports whether a response to r may carry a body.
func allowBody(r *http.Request) bool { return r == nil || r.Method != http.MethodHead }
