package web

import (
	"errors"
	"net/http"
	"strings"

	"banhao.dev/banhao/internal/platform/errs"
)

// formFilesPerRequest is how many full-size files one page form may carry
// (an application form uploads several materials at once).
const formFilesPerRequest = 10

// limitForms bounds the body of every page form: a multipart body to
// formFilesPerRequest files of the per-file upload limit (plus 1 MB of
// fields), any other form body to 1 MB. Each file is then checked again,
// for size and sniffed type, by the blob store. API routes bound their own
// bodies (decode: 4 MB of JSON; uploads: the per-file limit).
func (s *Server) limitForms(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body != nil && r.Method != http.MethodGet && r.Method != http.MethodHead && !strings.HasPrefix(r.URL.Path, "/api/") {
			limit := int64(1 << 20)
			if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
				limit += int64(formFilesPerRequest) * int64(max(s.Config.MaxUploadMB, 1)) << 20
			}
			r.Body = http.MaxBytesReader(w, r.Body, limit)
		}
		next.ServeHTTP(w, r)
	})
}

// ErrFormTooLarge is returned when a form body passes limitForms' bound.
var ErrFormTooLarge = errs.E(errs.Invalid, "upload_too_large", "提交的内容过大：上传的文件总量过大，请分次提交或压缩后重试")

func isTooLarge(err error) bool {
	var mbe *http.MaxBytesError
	return errors.As(err, &mbe)
}
