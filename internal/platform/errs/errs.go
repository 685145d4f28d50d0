// Package errs is banhao's one error vocabulary: a small fixed set of kinds,
// a stable machine code, a Chinese message for people and per-field errors.
// Errors are mapped once at the edge (web) to problem+json or a Chinese page,
// so no business error ever becomes a 500.
package errs

import (
	"errors"
	"fmt"
	"strings"
)

// Kind is the class of an error; it decides the HTTP status at the edge.
type Kind string

const (
	Invalid            Kind = "invalid"             // 422: input fails validation
	NotFound           Kind = "not_found"           // 404
	Conflict           Kind = "conflict"            // 409: state does not allow it / duplicate
	Forbidden          Kind = "forbidden"           // 403
	Unauthenticated    Kind = "unauthenticated"     // 401
	FailedPrecondition Kind = "failed_precondition" // 412/422: system data missing (e.g. calendar year)
	TooMany            Kind = "too_many_requests"   // 429: throttled
	Internal           Kind = "internal"            // 500
)

// FieldError names one failing input field.
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// Error is the error type every area returns for expected failures.
type Error struct {
	Kind    Kind
	Code    string // stable, specific, snake_case (e.g. "citizen_id_check")
	Message string // Chinese, for people
	Fields  []FieldError
	Extra   map[string]any // machine-readable extras (e.g. allowed transitions)
	Err     error          // wrapped cause, never shown
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(string(e.Kind))
	if e.Code != "" && e.Code != string(e.Kind) {
		b.WriteString("/" + e.Code)
	}
	b.WriteString(": " + e.Message)
	for _, f := range e.Fields {
		fmt.Fprintf(&b, "; %s: %s", f.Field, f.Message)
	}
	if e.Err != nil {
		b.WriteString(": " + e.Err.Error())
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// Is makes sentinel comparison work by kind+code, so a sentinel with added
// fields or a wrapped copy still matches errors.Is(err, Sentinel).
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Kind == e.Kind && t.Code == e.Code
}

// E builds an error of a kind with a code and a Chinese message.
func E(kind Kind, code, msg string) *Error {
	if code == "" {
		code = string(kind)
	}
	return &Error{Kind: kind, Code: code, Message: msg}
}

// Field returns a validation error for one field.
func Field(field, code, msg string) *Error {
	return &Error{Kind: Invalid, Code: code, Message: msg, Fields: []FieldError{{Field: field, Message: msg}}}
}

// With returns a copy of e carrying extra data.
func (e *Error) With(key string, v any) *Error {
	c := *e
	c.Extra = map[string]any{}
	for k, v := range e.Extra {
		c.Extra[k] = v
	}
	c.Extra[key] = v
	return &c
}

// Wrapf returns a copy of e with a formatted message appended detail.
func (e *Error) Withf(format string, args ...any) *Error {
	c := *e
	c.Message = e.Message + "：" + fmt.Sprintf(format, args...)
	return &c
}

// Fields collects per-field validation errors; Err returns nil when empty.
type Fields []FieldError

// Add records a failing field.
func (f *Fields) Add(field, msg string) { *f = append(*f, FieldError{Field: field, Message: msg}) }

// Addf records a failing field with a formatted message.
func (f *Fields) Addf(field, format string, args ...any) { f.Add(field, fmt.Sprintf(format, args...)) }

// Has reports whether field already failed.
func (f Fields) Has(field string) bool {
	for _, e := range f {
		if e.Field == field {
			return true
		}
	}
	return false
}

// Err returns an Invalid error listing every field, or nil.
func (f Fields) Err() error {
	if len(f) == 0 {
		return nil
	}
	msg := "提交的内容有误，请按提示修改"
	if len(f) == 1 {
		msg = f[0].Message
	}
	return &Error{Kind: Invalid, Code: "validation", Message: msg, Fields: append([]FieldError(nil), f...)}
}

// As extracts *Error from err; ok is false for unexpected errors.
func As(err error) (*Error, bool) {
	var e *Error
	if errors.As(err, &e) {
		return e, true
	}
	return nil, false
}

// KindOf returns the kind of err, Internal for unknown errors.
func KindOf(err error) Kind {
	if e, ok := As(err); ok {
		return e.Kind
	}
	return Internal
}

// Status maps a kind to its HTTP status.
func (k Kind) Status() int {
	switch k {
	case Invalid, FailedPrecondition:
		return 422
	case NotFound:
		return 404
	case Conflict:
		return 409
	case Forbidden:
		return 403
	case Unauthenticated:
		return 401
	case TooMany:
		return 429
	default:
		return 500
	}
}

// Title is the Chinese title of a kind, used on error pages.
func (k Kind) Title() string {
	switch k {
	case Invalid:
		return "提交的内容有误"
	case NotFound:
		return "未找到"
	case Conflict:
		return "当前状态不允许该操作"
	case Forbidden:
		return "无权访问"
	case Unauthenticated:
		return "请先登录"
	case FailedPrecondition:
		return "系统数据不完整"
	case TooMany:
		return "操作过于频繁"
	default:
		return "系统内部错误"
	}
}

// OnField returns a copy of e that names the failing input field, keeping
// its kind (e.g. a conflict on "id_number").
func (e *Error) OnField(field string) *Error {
	c := *e
	c.Fields = []FieldError{{Field: field, Message: e.Message}}
	return &c
}
