// Package schema is the runtime form of an AWS service model: shapes, members,
// operations and their wire bindings. The packages under internal/api are
// generated from the checked-in models and fill these tables; the protocol
// codecs walk them to read requests and write responses, and Validate checks
// decoded input against the model's constraints.
package schema

import (
	"context"
	"reflect"
	"regexp"
	"sync"
)

// Type is the kind of a shape as the model names it.
type Type uint8

// The shape types that occur in the botocore models jobplane serves.
const (
	Structure Type = iota + 1
	List
	Map
	String
	Integer
	Long
	Boolean
	Timestamp
	Blob
	Double
	Float
)

var typeNames = map[Type]string{
	Structure: "structure", List: "list", Map: "map", String: "string",
	Integer: "integer", Long: "long", Boolean: "boolean", Timestamp: "timestamp",
	Blob: "blob", Double: "double", Float: "float",
}

// String returns the model's name for the type.
func (t Type) String() string { return typeNames[t] }

// ParseType maps a model type name to a Type; it returns 0 for unknown names.
func ParseType(s string) Type {
	for t, n := range typeNames {
		if n == s {
			return t
		}
	}
	return 0
}

// Location says where in an HTTP message a member travels.
type Location uint8

// Member locations. Body is the default: the member is part of the document
// (the XML payload, the JSON object, the CBOR map).
const (
	Body Location = iota
	Header
	Headers // a map member bound to all headers with a prefix (LocationName)
	Query
	URI
	StatusCode
)

// TimestampFormat names how a timestamp is written on the wire.
type TimestampFormat uint8

// Timestamp formats. DefaultFormat means "whatever the protocol and the
// location default to".
const (
	DefaultFormat TimestampFormat = iota
	ISO8601
	RFC822
	UnixTimestamp
)

// ParseTimestampFormat maps a model timestampFormat value to a TimestampFormat.
func ParseTimestampFormat(s string) TimestampFormat {
	switch s {
	case "iso8601":
		return ISO8601
	case "rfc822":
		return RFC822
	case "unixTimestamp":
		return UnixTimestamp
	}
	return DefaultFormat
}

// XMLNamespace is an xmlns declaration attached to a shape or member.
type XMLNamespace struct {
	Prefix string
	URI    string
}

// Shape is one named shape of a service model.
type Shape struct {
	Name string
	Type Type

	// GoType is the Go type that holds a value of this shape: the struct type
	// for structures, the named string type for enums, and the element's
	// natural type otherwise. Codecs allocate values through it.
	GoType reflect.Type

	// Members of a structure, in model order. Member i is Go struct field i.
	Members []*Member
	// Member is the element of a list.
	Member *Member
	// Key and Value are the key and value of a map.
	Key, Value *Member

	Flattened       bool
	LocationName    string
	XMLNamespace    *XMLNamespace
	TimestampFormat TimestampFormat
	Union           bool
	Sensitive       bool
	Payload         string // name of the payload member of an input or output structure
	Streaming       bool   // blob shapes that carry a stream

	// Constraints, as modeled.
	Enum       []string
	Min, Max   *float64
	Pattern    string
	Required   []string
	enumSet    map[string]struct{}
	patternRe  *regexp.Regexp
	patternErr error
	once       sync.Once

	// Errors.
	Exception  bool
	ErrorCode  string // the code on the wire; defaults to Name
	HTTPStatus int
	Fault      Fault
}

// Fault says who is to blame for an error.
type Fault uint8

// Error faults.
const (
	ClientFault Fault = iota
	ServerFault
)

// Member is one member of a structure, or the element/key/value of a list or map.
type Member struct {
	Name  string
	Shape *Shape

	Location        Location
	LocationName    string
	XMLAttribute    bool
	XMLNamespace    *XMLNamespace
	Flattened       bool
	Streaming       bool
	HostLabel       bool
	IdempotencyTok  bool
	TimestampFormat TimestampFormat
	Required        bool
	Deprecated      bool
	JSONValue       bool // header value that is base64-encoded JSON
}

// WireName is the name the member has in the document: its locationName when
// the model gives one, else its member name.
func (m *Member) WireName() string {
	if m.LocationName != "" {
		return m.LocationName
	}
	return m.Name
}

// Operation is one operation of a service.
type Operation struct {
	Name       string
	Method     string
	RequestURI string // the model's requestUri, query literals included

	Input  *Shape
	Output *Shape
	Errors []*Shape

	// InputLocationName and InputXMLNamespace give the root element of a
	// restXml request document when the input has no payload member.
	InputLocationName string
	InputXMLNamespace *XMLNamespace

	ResponseCode         int // success status; 200 when the model says nothing
	HTTPChecksumRequired bool
	Deprecated           bool
	// Unroutable operations share their route with another operation that
	// must win (a model patch marks them); they are never chosen by a router.
	Unroutable bool

	// Invoke calls the operation's method of a service implementation with a
	// decoded input (a pointer to Input's Go type, or nil when the operation
	// has no input) and returns the output (a pointer to Output's Go type).
	Invoke func(ctx context.Context, svc any, in any) (any, error)
}

// Service is one service model: its identity, protocols and operations.
type Service struct {
	Name           string // the package name, e.g. "s3control"
	ServiceID      string
	APIVersion     string
	Protocol       string   // the model's protocol
	Protocols      []string // every protocol the model lists
	TargetPrefix   string
	JSONVersion    string
	SigningName    string
	EndpointPrefix string
	XMLNamespace   string

	Operations []*Operation
	Shapes     map[string]*Shape
	byName     map[string]*Operation
	once       sync.Once
}

// Operation returns the named operation, or nil.
func (s *Service) Operation(name string) *Operation {
	s.once.Do(func() {
		s.byName = make(map[string]*Operation, len(s.Operations))
		for _, op := range s.Operations {
			s.byName[op.Name] = op
		}
	})
	return s.byName[name]
}

// IsEnum reports whether the shape is a string with an enum constraint.
func (s *Shape) IsEnum() bool { return s.Type == String && len(s.Enum) > 0 }

// MemberByName returns the structure member with the given name, or nil.
func (s *Shape) MemberByName(name string) *Member {
	for _, m := range s.Members {
		if m.Name == name {
			return m
		}
	}
	return nil
}

// PayloadMember returns the structure's payload member, or nil when the
// structure has none.
func (s *Shape) PayloadMember() *Member {
	if s == nil || s.Payload == "" {
		return nil
	}
	return s.MemberByName(s.Payload)
}

func (s *Shape) inEnum(v string) bool {
	s.once.Do(s.compile)
	_, ok := s.enumSet[v]
	return ok
}

func (s *Shape) pattern() (*regexp.Regexp, error) {
	s.once.Do(s.compile)
	return s.patternRe, s.patternErr
}

func (s *Shape) compile() {
	if len(s.Enum) > 0 {
		s.enumSet = make(map[string]struct{}, len(s.Enum))
		for _, e := range s.Enum {
			s.enumSet[e] = struct{}{}
		}
	}
	if s.Pattern != "" {
		s.patternRe, s.patternErr = regexp.Compile(s.Pattern)
	}
}

// CheckPatterns compiles every pattern of the service and returns the first
// that Go's regexp cannot compile. The generator and a test call it so that a
// pattern the model writes in a dialect RE2 lacks is corrected by a model patch
// instead of failing at request time.
func (s *Service) CheckPatterns() error {
	for _, sh := range s.Shapes {
		if _, err := sh.pattern(); err != nil {
			return &PatternError{Shape: sh.Name, Pattern: sh.Pattern, Err: err}
		}
	}
	return nil
}

// PatternError reports a model pattern that does not compile.
type PatternError struct {
	Shape, Pattern string
	Err            error
}

func (e *PatternError) Error() string {
	return "shape " + e.Shape + ": pattern " + e.Pattern + ": " + e.Err.Error()
}

// Bound returns a pointer to a constraint bound; generated tables use it.
func Bound(f float64) *float64 { return &f }
