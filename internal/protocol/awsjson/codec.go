// Package awsjson is the AWS JSON 1.1 protocol (awsJson1_1): every operation
// is a POST to / naming the operation in X-Amz-Target, with the input and
// output as JSON objects keyed by member names. botocore, the AWS CLI and the
// older aws-sdk-go-v2 Snowball clients speak it (spec sheet snowball.md §1.2,
// §1.4).
package awsjson

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"

	"github.com/jobplane/jobplane/internal/protocol"
	"github.com/jobplane/jobplane/internal/protocol/document"
	"github.com/jobplane/jobplane/internal/schema"
)

// ContentType is the media type of awsJson 1.1 requests and responses.
const ContentType = "application/x-amz-json-1.1"

// Codec reads and writes awsJson 1.1 for one service model. It implements
// protocol.Codec and is safe for concurrent use.
type Codec struct {
	model *schema.Service
	// byTarget maps a whole X-Amz-Target value ("Prefix.Operation") to its
	// operation, so routing is one map lookup with no string building.
	byTarget map[string]*schema.Operation
}

var _ protocol.Codec = (*Codec)(nil)

// New returns a codec for model, whose TargetPrefix names the X-Amz-Target
// prefix of its operations.
func New(model *schema.Service) *Codec {
	c := &Codec{model: model, byTarget: make(map[string]*schema.Operation, len(model.Operations))}
	for _, op := range model.Operations {
		c.byTarget[model.TargetPrefix+"."+op.Name] = op
	}
	return c
}

// Route finds the operation named by X-Amz-Target. It returns a DecodeError
// of kind MethodNotAllowed for a method other than POST and of kind
// UnknownOperation when the header is absent or names no operation.
func (c *Codec) Route(r *http.Request) (*schema.Operation, protocol.Params, error) {
	if r.Method != http.MethodPost {
		return nil, nil, protocol.Errorf(protocol.MethodNotAllowed,
			"awsJson operations are called with POST, not %s", r.Method)
	}
	target := r.Header.Get("X-Amz-Target")
	if target == "" {
		return nil, nil, protocol.Errorf(protocol.UnknownOperation, "missing X-Amz-Target header")
	}
	op, ok := c.byTarget[target]
	if !ok {
		return nil, nil, protocol.Errorf(protocol.UnknownOperation, "unknown operation %s", target)
	}
	return op, nil, nil
}

// DecodeInput reads the JSON object of the request into a new input value.
// An empty body is the empty input (the Smithy awsJson spec lets clients omit
// {}), never nil for an operation with input. A body that is not one JSON
// object, or whose values do not fit their members, yields a DecodeError of
// kind Malformed; a body over protocol.MaxDocumentBytes one of kind TooLarge.
func (c *Codec) DecodeInput(r *http.Request, op *schema.Operation, _ protocol.Params) (any, error) {
	if op.Input == nil {
		return nil, nil
	}
	body, err := protocol.ReadDocument(r)
	if err != nil {
		return nil, err
	}
	tree, err := parse(body)
	if err != nil {
		return nil, err
	}
	in, err := document.Decode(op.Input, tree, document.Options{Base64Blobs: true})
	if err != nil {
		return nil, malformed(err)
	}
	return in, nil
}

// parse returns the top-level object of body, or nil for an empty body.
func parse(body []byte) (map[string]any, error) {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, nil
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var tree any
	if err := dec.Decode(&tree); err != nil {
		return nil, &protocol.DecodeError{Kind: protocol.Malformed, Message: "request body is not valid JSON", Err: err}
	}
	obj, ok := tree.(map[string]any)
	if !ok {
		return nil, protocol.Errorf(protocol.Malformed, "request body is not a JSON object")
	}
	// json.Decoder stops after the first value; anything but whitespace
	// after it makes the body something other than one JSON document.
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, protocol.Errorf(protocol.Malformed, "request body has data after the JSON object")
	}
	return obj, nil
}

func malformed(err error) error {
	de := &protocol.DecodeError{Kind: protocol.Malformed, Message: "request body does not match the operation's input", Err: err}
	var derr *document.Error
	if errors.As(err, &derr) {
		de.Member = derr.Path
	}
	return de
}
