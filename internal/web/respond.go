package web

import (
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
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
		s.Log.Error("internal error", "method", r.Method, "path", r.URL.Path, "err", err)
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

// decode reads a JSON body into v, rejecting unknown fields and trailing data.
func decode(r *http.Request, v any) error {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, _ := mime.ParseMediaType(ct)
		if mt != "application/json" {
			return errs.E(errs.Invalid, "content_type", "请求体须为 application/json")
		}
	}
	dec := json.NewDecoder(io.LimitReader(r.Body, 4<<20))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &te):
			return errs.Field(te.Field, "bad_json", "字段 "+te.Field+" 的类型不正确")
		case errors.As(err, &se), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
			return ErrBadJSON
		}
		return ErrBadJSON.Withf("%v", err)
	}
	if dec.More() {
		return ErrBadJSON
	}
	return nil
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
