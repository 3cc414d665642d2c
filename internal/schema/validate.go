package schema

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// ViolationKind is the constraint a value failed.
type ViolationKind uint8

// The constraint kinds Validate checks.
const (
	MissingRequired ViolationKind = iota + 1
	NotInEnum
	TooShort
	TooLong
	BelowMin
	AboveMax
	PatternMismatch
	UnionNotOne
)

// Violation is one failed constraint.
type Violation struct {
	Kind ViolationKind
	// Path is the member path in lower camel case, as AWS's validation
	// messages write it ("report.prefix", "tags.1.member.key").
	Path string
	// Member is the model name of the member that failed ("Prefix").
	Member *Member
	// Location is where the member travels (header, query, uri, body).
	Location Location
	Message  string
}

// ValidationError lists every constraint a request failed.
type ValidationError struct {
	Violations []Violation
}

// Error renders the violations the way AWS's Coral services do:
// "2 validation errors detected: Value ... ; Value ...".
func (e *ValidationError) Error() string {
	var b strings.Builder
	n := len(e.Violations)
	if n == 1 {
		b.WriteString("1 validation error detected: ")
	} else {
		fmt.Fprintf(&b, "%d validation errors detected: ", n)
	}
	for i, v := range e.Violations {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(v.Message)
	}
	return b.String()
}

// maxViolations bounds the work and the message size for hostile inputs.
const maxViolations = 10

// Validate checks a decoded value against the constraints of its shape:
// required members, enums, lengths, ranges, patterns and unions. v is a
// pointer to the shape's Go struct (or nil). It returns nil or a
// *ValidationError.
func Validate(sh *Shape, v any) error {
	if sh == nil || v == nil {
		return nil
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() == reflect.Pointer {
		if rv.IsNil() {
			return nil
		}
		rv = rv.Elem()
	}
	w := &walker{}
	w.structure("", sh, rv)
	if len(w.out) == 0 {
		return nil
	}
	return &ValidationError{Violations: w.out}
}

type walker struct {
	out []Violation
}

func (w *walker) add(kind ViolationKind, path string, m *Member, msg string) {
	if len(w.out) >= maxViolations {
		return
	}
	loc := Body
	if m != nil {
		loc = m.Location
	}
	w.out = append(w.out, Violation{Kind: kind, Path: path, Member: m, Location: loc, Message: msg})
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	r, n := utf8.DecodeRuneInString(s)
	return strings.ToLower(string(r)) + s[n:]
}

func join(prefix, name string) string {
	if prefix == "" {
		return name
	}
	return prefix + "." + name
}

func (w *walker) structure(path string, sh *Shape, rv reflect.Value) {
	set := 0
	for i, m := range sh.Members {
		f := rv.Field(i)
		p := join(path, lowerFirst(m.Name))
		val, present := deref(f)
		if present {
			set++
		}
		if !present {
			if m.Required || contains(sh.Required, m.Name) {
				w.add(MissingRequired, p, m, fmt.Sprintf("Value null at '%s' failed to satisfy constraint: Member must not be null", p))
			}
			continue
		}
		w.value(p, m, val)
	}
	if sh.Union && set != 1 {
		w.add(UnionNotOne, path, nil, fmt.Sprintf("Value at '%s' failed to satisfy constraint: Member must have exactly one member set", path))
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// deref turns a struct field into the value it holds, reporting whether the
// member is present (non-nil pointer, slice or map).
func deref(f reflect.Value) (reflect.Value, bool) {
	switch f.Kind() {
	case reflect.Pointer, reflect.Interface:
		if f.IsNil() {
			return f, false
		}
		if f.Kind() == reflect.Interface {
			return f, true
		}
		return f.Elem(), true
	case reflect.Slice, reflect.Map:
		return f, !f.IsNil()
	}
	return f, true
}

func (w *walker) value(path string, m *Member, rv reflect.Value) {
	sh := m.Shape
	switch sh.Type {
	case Structure:
		w.structure(path, sh, rv)
	case List:
		n := rv.Len()
		w.count(path, m, n)
		for i := 0; i < n && len(w.out) < maxViolations; i++ {
			w.element(fmt.Sprintf("%s.%d.member", path, i+1), sh.Member, rv.Index(i))
		}
	case Map:
		w.count(path, m, rv.Len())
		iter := rv.MapRange()
		for iter.Next() && len(w.out) < maxViolations {
			k := iter.Key()
			w.element(path+".key", sh.Key, k)
			w.element(path+"."+k.String(), sh.Value, iter.Value())
		}
	case String:
		w.str(path, m, rv.String())
	case Integer, Long:
		w.rangeCheck(path, m, float64(rv.Int()), strconv.FormatInt(rv.Int(), 10))
	case Double, Float:
		w.rangeCheck(path, m, rv.Float(), strconv.FormatFloat(rv.Float(), 'g', -1, 64))
	case Blob:
		if rv.Kind() == reflect.Slice {
			w.count(path, m, rv.Len())
		}
	case Boolean, Timestamp:
	}
}

// element validates a list element or map key/value: these are held by value
// (not by pointer) in the generated types.
func (w *walker) element(path string, m *Member, rv reflect.Value) {
	if m == nil {
		return
	}
	if rv.Kind() == reflect.Pointer {
		if rv.IsNil() {
			return
		}
		rv = rv.Elem()
	}
	if _, ok := rv.Interface().(time.Time); ok {
		return
	}
	w.value(path, m, rv)
}

func (w *walker) count(path string, m *Member, n int) {
	sh := m.Shape
	if sh.Min != nil && float64(n) < *sh.Min {
		w.add(TooShort, path, m, fmt.Sprintf("Value at '%s' failed to satisfy constraint: Member must have length greater than or equal to %d", path, int64(*sh.Min)))
	}
	if sh.Max != nil && float64(n) > *sh.Max {
		w.add(TooLong, path, m, fmt.Sprintf("Value at '%s' failed to satisfy constraint: Member must have length less than or equal to %d", path, int64(*sh.Max)))
	}
}

func (w *walker) str(path string, m *Member, s string) {
	sh := m.Shape
	shown := s
	if sh.Sensitive {
		shown = "***"
	}
	if len(shown) > 256 {
		shown = shown[:256] + "..."
	}
	if len(sh.Enum) > 0 {
		if !sh.inEnum(s) {
			w.add(NotInEnum, path, m, fmt.Sprintf("Value '%s' at '%s' failed to satisfy constraint: Member must satisfy enum value set: [%s]", shown, path, strings.Join(sh.Enum, ", ")))
		}
		return
	}
	n := utf8.RuneCountInString(s)
	if sh.Min != nil && float64(n) < *sh.Min {
		w.add(TooShort, path, m, fmt.Sprintf("Value '%s' at '%s' failed to satisfy constraint: Member must have length greater than or equal to %d", shown, path, int64(*sh.Min)))
	}
	if sh.Max != nil && float64(n) > *sh.Max {
		w.add(TooLong, path, m, fmt.Sprintf("Value '%s' at '%s' failed to satisfy constraint: Member must have length less than or equal to %d", shown, path, int64(*sh.Max)))
	}
	if sh.Pattern != "" {
		if re, err := sh.pattern(); err == nil && !re.MatchString(s) {
			w.add(PatternMismatch, path, m, fmt.Sprintf("Value '%s' at '%s' failed to satisfy constraint: Member must satisfy regular expression pattern: %s", shown, path, sh.Pattern))
		}
	}
}

func (w *walker) rangeCheck(path string, m *Member, x float64, shown string) {
	sh := m.Shape
	if sh.Min != nil && x < *sh.Min {
		w.add(BelowMin, path, m, fmt.Sprintf("Value '%s' at '%s' failed to satisfy constraint: Member must have value greater than or equal to %s", shown, path, fmtNum(*sh.Min)))
	}
	if sh.Max != nil && x > *sh.Max {
		w.add(AboveMax, path, m, fmt.Sprintf("Value '%s' at '%s' failed to satisfy constraint: Member must have value less than or equal to %s", shown, path, fmtNum(*sh.Max)))
	}
}

func fmtNum(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }
