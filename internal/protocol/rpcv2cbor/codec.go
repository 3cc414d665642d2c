// Package rpcv2cbor is the Smithy RPC v2 CBOR protocol: every operation is a
// POST to .../service/<Service>/operation/<Operation> with the
// Smithy-Protocol: rpc-v2-cbor header, and the input and output travel as
// CBOR maps keyed by member names. The current aws-sdk-go-v2, .NET v4, Java
// 2.x and other SDKs speak it to Snowball (spec sheet snowball.md §1.3,
// §1.4).
package rpcv2cbor

import (
	"errors"
	"net/http"
	"strings"

	"github.com/jobplane/jobplane/internal/protocol"
	"github.com/jobplane/jobplane/internal/protocol/document"
	"github.com/jobplane/jobplane/internal/schema"
)

// ProtocolID is the value of the Smithy-Protocol header on every request and
// response.
const ProtocolID = "rpc-v2-cbor"

// ContentType is the media type of request and response bodies.
const ContentType = "application/cbor"

// Codec reads and writes Smithy RPC v2 CBOR for one service model. It
// implements protocol.Codec and is safe for concurrent use.
type Codec struct {
	model     *schema.Service
	namespace string
	// services holds the names the service segment of the path may take: the
	// shape name, and the absolute shape ID with '#' written as '.'.
	services map[string]bool
	ops      map[string]*schema.Operation
}

var _ protocol.Codec = (*Codec)(nil)

// New returns a codec for model. namespace is the Smithy namespace of the
// service ("com.amazonaws.snowball"); it qualifies the service segment of the
// path and the __type of errors.
func New(model *schema.Service, namespace string) *Codec {
	c := &Codec{
		model:     model,
		namespace: namespace,
		services: map[string]bool{
			model.TargetPrefix:                   true,
			namespace + "." + model.TargetPrefix: true,
		},
		ops: make(map[string]*schema.Operation, len(model.Operations)),
	}
	for _, op := range model.Operations {
		c.ops[op.Name] = op
	}
	return c
}

// Route finds the operation from the last four segments of the path,
// "service/<Service>/operation/<Operation>", any prefix before them being
// ignored (Smithy RPC v2 CBOR spec, "Requests"). It returns a DecodeError of
// kind UnknownOperation when the path names no operation of the service,
// MethodNotAllowed for a method other than POST, and Malformed when the
// Smithy-Protocol header is missing or wrong or when an X-Amz-Target or
// X-Amzn-Target header is present: the spec requires servers to reject such
// requests so that an awsJson request cannot be misread as CBOR.
func (c *Codec) Route(r *http.Request) (*schema.Operation, protocol.Params, error) {
	service, operation, ok := splitPath(r.URL.Path)
	if !ok {
		return nil, nil, protocol.Errorf(protocol.UnknownOperation,
			"path %q is not /service/<Service>/operation/<Operation>", r.URL.Path)
	}
	if !c.services[service] {
		return nil, nil, protocol.Errorf(protocol.UnknownOperation, "unknown service %s", service)
	}
	op, ok := c.ops[operation]
	if !ok {
		return nil, nil, protocol.Errorf(protocol.UnknownOperation, "unknown operation %s", operation)
	}
	if r.Method != http.MethodPost {
		return nil, nil, protocol.Errorf(protocol.MethodNotAllowed,
			"RPC v2 CBOR operations are called with POST, not %s", r.Method)
	}
	if got := r.Header.Get("Smithy-Protocol"); got != ProtocolID {
		if got == "" {
			return nil, nil, protocol.Errorf(protocol.Malformed, "missing Smithy-Protocol header; expected %s", ProtocolID)
		}
		return nil, nil, protocol.Errorf(protocol.Malformed, "Smithy-Protocol header is %q; expected %s", got, ProtocolID)
	}
	for _, h := range []string{"X-Amz-Target", "X-Amzn-Target"} {
		if _, present := r.Header[h]; present {
			return nil, nil, protocol.Errorf(protocol.Malformed, "an RPC v2 CBOR request must not carry %s", h)
		}
	}
	return op, nil, nil
}

// splitPath returns the service and operation segments of a path ending in
// /service/<Service>/operation/<Operation>.
func splitPath(path string) (service, operation string, ok bool) {
	var seg [4]string
	rest := path
	for i := 3; i >= 0; i-- {
		j := strings.LastIndexByte(rest, '/')
		if j < 0 {
			return "", "", false
		}
		seg[i], rest = rest[j+1:], rest[:j]
	}
	if seg[0] != "service" || seg[2] != "operation" || seg[1] == "" || seg[3] == "" {
		return "", "", false
	}
	return seg[1], seg[3], true
}

// DecodeInput reads the CBOR map of the request into a new input value. An
// empty body is the empty input. A body that is not exactly one well-formed
// CBOR map, or whose values do not fit their members, yields a DecodeError of
// kind Malformed; a body over protocol.MaxDocumentBytes one of kind TooLarge.
func (c *Codec) DecodeInput(r *http.Request, op *schema.Operation, _ protocol.Params) (any, error) {
	if op.Input == nil {
		return nil, nil
	}
	body, err := protocol.ReadDocument(r)
	if err != nil {
		return nil, err
	}
	var tree any
	if len(body) > 0 {
		v, err := decodeCBOR(body)
		if err != nil {
			return nil, &protocol.DecodeError{Kind: protocol.Malformed, Message: "request body is not valid CBOR", Err: err}
		}
		m, ok := v.(map[string]any)
		if !ok {
			return nil, protocol.Errorf(protocol.Malformed, "request body is not a CBOR map")
		}
		tree = m
	}
	in, err := document.Decode(op.Input, tree, document.Options{})
	if err != nil {
		de := &protocol.DecodeError{Kind: protocol.Malformed, Message: "request body does not match the operation's input", Err: err}
		var derr *document.Error
		if errors.As(err, &derr) {
			de.Member = derr.Path
		}
		return nil, de
	}
	return in, nil
}
