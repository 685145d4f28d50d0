package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"reflect"
	"sort"
	"strings"

	"banhao.dev/banhao/internal/platform/errs"
)

// writeJSON writes v as JSON with status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

// Problem is an RFC 9457 problem document with banhao's stable code.
type Problem struct {
	Type     string            `json:"type"`
	Title    string            `json:"title"`
	Status   int               `json:"status"`
	Detail   string            `json:"detail"`
	Code     string            `json:"code"`
	Kind     string            `json:"kind"`
	Instance string            `json:"instance,omitempty"`
	Errors   []errs.FieldError `json:"errors,omitempty"`
	Extra    map[string]any    `json:"extra,omitempty"`
}

// fail is the one place errors become responses: problem+json under /api/,
// a Chinese error page elsewhere. Unexpected errors are logged here, once.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	e, ok := errs.As(err)
	if !ok {
		s.Log.Error("internal error", "method", r.Method, "path", logPath(r), "err", err)
		e = errs.E(errs.Internal, "internal", "系统内部错误，请稍后重试；如持续出现请联系管理员")
	}
	status := e.Kind.Status()
	if isAPI(r) {
		p := Problem{Type: "https://banhao.dev/problems/" + e.Code, Title: e.Kind.Title(), Status: status,
			Detail: e.Message, Code: e.Code, Kind: string(e.Kind), Instance: r.URL.Path, Errors: e.Fields, Extra: e.Extra}
		w.Header().Set("Content-Type", "application/problem+json; charset=utf-8")
		if status == http.StatusUnauthorized {
			w.Header().Set("WWW-Authenticate", `Bearer realm="banhao"`)
		}
		w.WriteHeader(status)
		enc := json.NewEncoder(w)
		enc.SetEscapeHTML(false)
		_ = enc.Encode(p)
		return
	}
	pg := s.newPage(w, r, e.Kind.Title(), e)
	pg.Error = e.Message
	s.render(w, r, status, "error", pg)
}

func isAPI(r *http.Request) bool { return strings.HasPrefix(r.URL.Path, "/api/") }

// ErrBadJSON is returned for a body that is not the expected JSON.
var ErrBadJSON = errs.E(errs.Invalid, "bad_json", "请求体不是有效的 JSON，或包含未知字段")

// maxBody bounds a JSON request body; a larger one is rejected, not cut.
const maxBody = 4 << 20

// decode reads a JSON object body into v, rejecting unknown fields, wrong
// types and trailing data. Every rejection is a Chinese message that names
// the failing field when there is one.
func decode(r *http.Request, v any) error {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, _ := mime.ParseMediaType(ct)
		if mt != "application/json" {
			return errs.E(errs.Invalid, "content_type", "请求体须为 application/json")
		}
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil {
		return ErrBadJSON
	}
	if len(body) > maxBody {
		return errs.E(errs.Invalid, "body_too_large", "请求体过大（不超过 4 MB）")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			if te.Field == "" {
				return errs.E(errs.Invalid, "bad_json", "请求体须为 JSON 对象")
			}
			return errs.Field(te.Field, "bad_json", "字段 "+te.Field+" 的类型不正确，应为"+jsonKindName(te.Type))
		}
		if f := unknownField(body, v); f != "" {
			return errs.Field(f, "unknown_field", "不认识的字段 "+f+"，请对照接口文档")
		}
		return ErrBadJSON
	}
	if dec.More() {
		return ErrBadJSON
	}
	return nil
}

// jsonKindName is the Chinese name of the JSON type a Go type expects.
func jsonKindName(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "字符串"
	case reflect.Bool:
		return "布尔值（true/false）"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Float32, reflect.Float64:
		return "数字（且在允许范围内）"
	case reflect.Slice, reflect.Array:
		return "数组"
	default:
		return "对象"
	}
}

// unknownField names the first top-level key of the JSON object body that v
// (a pointer to a struct) does not declare; "" when none is found. The
// decoder reports unknown fields only as text, which we do not parse.
func unknownField(body []byte, v any) string {
	var obj map[string]json.RawMessage
	if json.Unmarshal(body, &obj) != nil {
		return ""
	}
	t := reflect.TypeOf(v)
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == nil || t.Kind() != reflect.Struct {
		return ""
	}
	known := map[string]bool{}
	collectJSONNames(t, known)
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if !known[strings.ToLower(k)] {
			return k
		}
	}
	return ""
}

func collectJSONNames(t reflect.Type, known map[string]bool) {
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" {
			ft := f.Type
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				collectJSONNames(ft, known)
				continue
			}
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		known[strings.ToLower(name)] = true
	}
}

// list is the JSON shape of every list response.
type list[T any] struct {
	Items []T `json:"items"`
	Total int `json:"total"`
}

func listOf[T any](items []T) list[T] {
	if items == nil {
		items = []T{}
	}
	return list[T]{Items: items, Total: len(items)}
}

// reply writes v as JSON with status, nothing for 204, or the error through
// fail: the common ending of an API handler.
func (s *Server) reply(w http.ResponseWriter, r *http.Request, status int, v any, err error) {
	switch {
	case err != nil:
		s.fail(w, r, err)
	case status == http.StatusNoContent:
		w.WriteHeader(status)
	default:
		writeJSON(w, status, v)
	}
}
