package document

import "strconv"

// Error reports a value of a decoded document that does not fit its shape:
// a wrong type, an integer out of range, a bad timestamp, a nesting deeper
// than the limit. The codecs turn it into a protocol.DecodeError of kind
// Malformed whose Member is Path.
type Error struct {
	// Path is the member path from the operation input down to the bad
	// value, member names joined by dots and list indexes in brackets
	// ("Resources.S3Resources[0].BucketArn"). It is empty for the top level.
	Path string
	// Message says what is wrong with the value, in a sentence fragment that
	// reads after the path ("expected a string, got a number").
	Message string
}

// Error renders the path and the message.
func (e *Error) Error() string {
	if e.Path == "" {
		return e.Message
	}
	return e.Path + ": " + e.Message
}

// errorf returns an Error with no path; enclosing levels add theirs as the
// error unwinds, so the happy path never builds a path string.
func errorf(msg string) *Error { return &Error{Message: msg} }

// inMember prefixes the path of err with a structure member or map key.
func inMember(err error, name string) error {
	e, ok := err.(*Error)
	if !ok {
		return err
	}
	switch {
	case e.Path == "":
		e.Path = name
	case e.Path[0] == '[':
		e.Path = name + e.Path
	default:
		e.Path = name + "." + e.Path
	}
	return e
}

// inElement prefixes the path of err with a list index.
func inElement(err error, i int) error {
	e, ok := err.(*Error)
	if !ok {
		return err
	}
	idx := "[" + strconv.Itoa(i) + "]"
	if e.Path == "" || e.Path[0] == '[' {
		e.Path = idx + e.Path
	} else {
		e.Path = idx + "." + e.Path
	}
	return e
}
