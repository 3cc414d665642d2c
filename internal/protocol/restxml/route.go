package restxml

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/jobplane/jobplane/internal/protocol"
	"github.com/jobplane/jobplane/internal/schema"
)

// route is an operation's requestUri template, parsed once at New.
type route struct {
	op    *schema.Operation
	segs  []segment
	query []queryLiteral
	// greedy is the index in segs of the {Label+} segment, or -1.
	greedy int
	// literals counts literal path segments: a more specific path wins.
	literals int
	// reqHeader and reqQuery are the required header and query members of
	// the input; ties between routes are broken by which are present.
	reqHeader []string
	reqQuery  []string
	// boundQuery holds every query key the input binds, so a subresource
	// key the operation binds as a member does not disqualify it.
	boundQuery map[string]bool
}

type segment struct {
	literal string // when label == ""
	label   string
}

type queryLiteral struct {
	key, value string
	hasValue   bool
}

func parseRoute(op *schema.Operation, in *ioInfo) *route {
	rt := &route{op: op, greedy: -1, boundQuery: map[string]bool{}}
	path, query, _ := strings.Cut(op.RequestURI, "?")
	for _, s := range splitPath(path) {
		if strings.HasPrefix(s, "{") && strings.HasSuffix(s, "}") {
			name := s[1 : len(s)-1]
			if strings.HasSuffix(name, "+") {
				name = strings.TrimSuffix(name, "+")
				rt.greedy = len(rt.segs)
			}
			rt.segs = append(rt.segs, segment{label: name})
			continue
		}
		rt.segs = append(rt.segs, segment{literal: s})
		rt.literals++
	}
	if query != "" {
		for _, kv := range strings.Split(query, "&") {
			k, v, hasValue := strings.Cut(kv, "=")
			rt.query = append(rt.query, queryLiteral{key: k, value: v, hasValue: hasValue})
		}
	}
	if in != nil {
		rt.reqHeader, rt.reqQuery = in.reqHeader, in.reqQuery
		for _, i := range in.query {
			rt.boundQuery[in.shape.Members[i].LocationName] = true
		}
	}
	return rt
}

// splitPath splits a path into segments; "/" has none.
func splitPath(p string) []string {
	p = strings.TrimPrefix(p, "/")
	if p == "" {
		return nil
	}
	return strings.Split(p, "/")
}

// fits reports whether the request path segments (still escaped) fit the
// template. raw is the escaped path without its leading slash. It allocates
// nothing: labels are only decoded for the route that wins.
func (rt *route) fits(segs []string, raw string) bool {
	if rt.greedy < 0 {
		segs = trimTrailing(segs, len(rt.segs))
		return len(segs) == len(rt.segs) && literalsFit(segs, rt.segs)
	}
	before, after := rt.segs[:rt.greedy], rt.segs[rt.greedy+1:]
	if len(segs) < len(before)+len(after)+1 {
		return false
	}
	if !literalsFit(segs[:len(before)], before) || !literalsFit(segs[len(segs)-len(after):], after) {
		return false
	}
	start, end := rt.greedySpan(raw)
	return start < end
}

// trimTrailing drops the empty segment of a trailing slash when the template
// has one segment fewer: S3's "/bucket/" is "/bucket".
func trimTrailing(segs []string, n int) []string {
	if len(segs) == n+1 && segs[n] == "" {
		return segs[:n]
	}
	return segs
}

func literalsFit(segs []string, tmpl []segment) bool {
	for i, t := range tmpl {
		if t.label == "" && segs[i] != t.literal || t.label != "" && segs[i] == "" {
			return false
		}
	}
	return true
}

// greedySpan returns the byte range of raw that the greedy label takes: the
// path between the fixed prefix and suffix segments, so "a//b/" keeps its
// empty and trailing segments.
func (rt *route) greedySpan(raw string) (start, end int) {
	for range rt.greedy {
		start += strings.IndexByte(raw[start:], '/') + 1
	}
	end = len(raw)
	for range len(rt.segs) - rt.greedy - 1 {
		end = strings.LastIndexByte(raw[:end], '/')
	}
	return start, end
}

// params decodes the label values of a path that fits the template.
func (rt *route) params(segs []string, raw string) (protocol.Params, error) {
	p := make(protocol.Params, 2)
	bind := func(segs []string, tmpl []segment) error {
		for i, t := range tmpl {
			if t.label == "" {
				continue
			}
			v, err := url.PathUnescape(segs[i])
			if err != nil {
				return err
			}
			p[t.label] = v
		}
		return nil
	}
	if rt.greedy < 0 {
		return p, bind(trimTrailing(segs, len(rt.segs)), rt.segs)
	}
	after := rt.segs[rt.greedy+1:]
	if err := bind(segs[:rt.greedy], rt.segs[:rt.greedy]); err != nil {
		return nil, err
	}
	if err := bind(segs[len(segs)-len(after):], after); err != nil {
		return nil, err
	}
	start, end := rt.greedySpan(raw)
	v, err := url.PathUnescape(raw[start:end])
	if err != nil {
		return nil, err
	}
	p[rt.segs[rt.greedy].label] = v
	return p, nil
}

// score ranks a route that matched the path and method; higher wins. The
// order of the criteria is the tie-break order.
type score struct {
	allRequired bool // every required header/query member is present
	literals    int  // literal path segments
	queryLits   int  // query literals matched
	required    int  // required header/query members present
	current     bool // not deprecated
}

func (a score) better(b score) bool {
	if a.allRequired != b.allRequired {
		return a.allRequired
	}
	if a.literals != b.literals {
		return a.literals > b.literals
	}
	if a.queryLits != b.queryLits {
		return a.queryLits > b.queryLits
	}
	if a.required != b.required {
		return a.required > b.required
	}
	return a.current && !b.current
}

// Route finds the operation a request calls.
//
// Many restXml operations share a path and method (S3's PutObject,
// CopyObject, UploadPart and UploadPartCopy are all PUT /{Bucket}/{Key+}),
// so routes that fit are ranked by what the request carries: first whether
// all the operation's required header and query members are present, then
// path specificity, then matched query literals, then how many required
// members are present, then non-deprecated over deprecated. Unroutable
// operations are never chosen.
//
// A request that names a subresource (a valueless query literal of the
// model, such as ?versioning) is never routed to an operation that knows
// nothing of it: DELETE /bucket?versioning must not become DeleteBucket.
// Such a request gets MethodNotAllowed instead.
//
// It returns a *protocol.DecodeError of kind MethodNotAllowed when some
// operation has this path but not this method, and UnknownOperation when
// none has the path.
func (c *Codec) Route(r *http.Request) (*schema.Operation, protocol.Params, error) {
	raw := strings.TrimPrefix(r.URL.EscapedPath(), "/")
	var segs []string
	if raw != "" {
		segs = strings.Split(raw, "/")
	}
	query := r.URL.Query()

	var (
		best      *route
		bestScore score
		pathFits  bool
	)
	for _, rt := range c.routes {
		if rt.op.Unroutable || !rt.fits(segs, raw) || !rt.queryFits(query) {
			continue
		}
		if rt.op.Method != r.Method || !c.knowsSubresources(rt, query) {
			pathFits = true
			continue
		}
		s := rt.score(r.Header, query)
		if best == nil || s.better(bestScore) {
			best, bestScore = rt, s
		}
	}
	if best == nil {
		if pathFits {
			return nil, nil, &protocol.DecodeError{Kind: protocol.MethodNotAllowed,
				Message: "The specified method is not allowed against this resource."}
		}
		return nil, nil, protocol.Errorf(protocol.UnknownOperation,
			"no operation of %s matches %s %s", c.model.ServiceID, r.Method, r.URL.EscapedPath())
	}
	params, err := best.params(segs, raw)
	if err != nil {
		return nil, nil, &protocol.DecodeError{Kind: protocol.BadParameter, Message: "invalid escape in the request path", Err: err}
	}
	return best.op, params, nil
}

// queryFits reports whether every query literal of the template is present,
// with the template's value when it gives one.
func (rt *route) queryFits(q url.Values) bool {
	for _, l := range rt.query {
		vs, ok := q[l.key]
		if !ok {
			return false
		}
		if l.hasValue && (len(vs) == 0 || vs[0] != l.value) {
			return false
		}
	}
	return true
}

// knowsSubresources reports whether every subresource key of the request is
// a query literal or a query member of the route.
func (c *Codec) knowsSubresources(rt *route, q url.Values) bool {
	if len(c.subresources) == 0 {
		return true
	}
	for k := range q {
		if _, sub := c.subresources[k]; !sub || rt.boundQuery[k] {
			continue
		}
		known := false
		for _, l := range rt.query {
			if l.key == k {
				known = true
				break
			}
		}
		if !known {
			return false
		}
	}
	return true
}

func (rt *route) score(h http.Header, q url.Values) score {
	s := score{literals: rt.literals, queryLits: len(rt.query), current: !rt.op.Deprecated}
	for _, name := range rt.reqHeader {
		if len(h.Values(name)) > 0 {
			s.required++
		}
	}
	for _, name := range rt.reqQuery {
		if _, ok := q[name]; ok {
			s.required++
		}
	}
	s.allRequired = s.required == len(rt.reqHeader)+len(rt.reqQuery)
	return s
}
