package document

import (
	"errors"
	"reflect"
	"strings"

	"github.com/jobplane/jobplane/internal/apierror"
	"github.com/jobplane/jobplane/internal/schema"
)

// Modeled is implemented by the generated error types: their model shape
// lists the members that travel next to the message.
type Modeled interface {
	ErrorShape() *schema.Shape
}

// WriteError streams the body both JSON protocols give an error: a structure
// with __type set to typ, Message, the other set members of a modeled error
// (InvalidResourceException.ResourceType, ConflictException.ConflictResource;
// spec sheet §4), and the Fields of an *apierror.Error as string members.
// Message is written under its modeled name "Message", which botocore and
// the Go SDK both read (spec sheet §1.2).
func WriteError(enc Encoder, typ string, err apierror.Coded) error {
	var (
		sh     *schema.Shape
		v      reflect.Value
		fields []apierror.Field
	)
	if m, ok := err.(Modeled); ok {
		sh = m.ErrorShape()
		v = reflect.Indirect(reflect.ValueOf(err))
		if sh == nil || v.Kind() != reflect.Struct || v.NumField() < len(sh.Members) {
			sh = nil
		}
	}
	var ae *apierror.Error
	if errors.As(err, &ae) {
		fields = ae.Fields
	}
	msg := err.ErrorMessage()

	n := 1
	if msg != "" {
		n++
	}
	if sh != nil {
		for i, m := range sh.Members {
			if !isMessage(m.Name) && IsSet(v.Field(i)) {
				n++
			}
		}
	}
	for _, f := range fields {
		if !reserved(f.Name) {
			n++
		}
	}

	enc.BeginStruct(n)
	enc.Member(0, "__type")
	enc.String(typ)
	i := 1
	if msg != "" {
		enc.Member(i, "Message")
		enc.String(msg)
		i++
	}
	if sh != nil {
		for j, m := range sh.Members {
			f := v.Field(j)
			if isMessage(m.Name) || !IsSet(f) {
				continue
			}
			enc.Member(i, m.Name)
			i++
			if err := Walk(enc, m.Shape, f); err != nil {
				return inMember(err, m.Name)
			}
		}
	}
	for _, f := range fields {
		if reserved(f.Name) {
			continue
		}
		enc.Member(i, f.Name)
		enc.String(f.Value)
		i++
	}
	enc.EndStruct()
	return nil
}

func isMessage(name string) bool { return strings.EqualFold(name, "message") }

func reserved(name string) bool { return name == "__type" || isMessage(name) }
