package web

import (
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"banhao.dev/banhao/internal/platform/auth"
	"banhao.dev/banhao/internal/platform/blob"
	"banhao.dev/banhao/internal/platform/errs"
)

// ErrFileRequired is a multipart upload without its "file" part.
var ErrFileRequired = errs.E(errs.Invalid, "file_required", "请选择要上传的文件")

// uploadLimit is the blob store's size limit (the config's default when the
// store does not say).
func (s *Server) uploadLimit() int64 {
	if m, ok := s.Blobs.(interface{ MaxBytes() int64 }); ok && m.MaxBytes() > 0 {
		return m.MaxBytes()
	}
	if s.Config.MaxUploadMB > 0 {
		return int64(s.Config.MaxUploadMB) << 20
	}
	return blob.DefaultMaxBytes
}

// apiFileUpload stores a material file: multipart/form-data with a "file"
// part, or the raw bytes as the body (name from ?name= or
// Content-Disposition). Size and type are checked by the blob store (the
// type is sniffed, never trusted). Only authenticated users upload; who may
// download is decided per case.
func (s *Server) apiFileUpload(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	if err := auth.Require(p); err != nil {
		s.fail(w, r, err)
		return
	}
	limit := s.uploadLimit()
	if r.ContentLength > limit+64<<10 {
		s.fail(w, r, blob.ErrTooLarge.With("max_bytes", limit).OnField("file"))
		return
	}
	// The store enforces the limit on the file itself; this caps the request
	// (multipart headers included) so nobody streams gigabytes at us.
	r.Body = http.MaxBytesReader(w, r.Body, limit+64<<10)
	body, name, err := uploadPart(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	ref, err := s.Blobs.Put(r.Context(), body, name)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			err = blob.ErrTooLarge.With("max_bytes", limit)
		}
		if e, ok := errs.As(err); ok && e.Kind == errs.Invalid && len(e.Fields) == 0 {
			err = e.OnField("file")
		}
		s.fail(w, r, err)
		return
	}
	if err := blob.RecordMeta(r.Context(), s.DB.W, ref, s.Clock.Now()); err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]any{"hash": ref.Hash, "size": ref.Size, "content_type": ref.ContentType, "name": ref.Name})
}

// uploadPart returns the file's reader and declared name.
func uploadPart(r *http.Request) (io.Reader, string, error) {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt != "multipart/form-data" {
		name := r.URL.Query().Get("name")
		if name == "" {
			if _, ps, err := mime.ParseMediaType(r.Header.Get("Content-Disposition")); err == nil {
				name = ps["filename"]
			}
		}
		return r.Body, name, nil
	}
	mr, err := r.MultipartReader()
	if err != nil {
		return nil, "", ErrFileRequired.OnField("file")
	}
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			return nil, "", ErrFileRequired.OnField("file")
		}
		if err != nil {
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				return nil, "", blob.ErrTooLarge.OnField("file")
			}
			return nil, "", ErrFileRequired.OnField("file")
		}
		if part.FormName() == "file" {
			return part, part.FileName(), nil
		}
		part.Close()
	}
}

// apiCaseFile downloads a material file of a case: the service decides who
// may see the case (the applicant, staff in scope); the file must be one of
// the case's materials.
func (s *Server) apiCaseFile(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	if err := auth.Require(p); err != nil {
		s.fail(w, r, err)
		return
	}
	c, err := s.Cases.Get(r.Context(), p, r.PathValue("no"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	hash := strings.ToLower(r.PathValue("hash"))
	name := ""
	for _, m := range c.Materials {
		if m.BlobHash != "" && m.BlobHash == hash {
			name = m.Name
			break
		}
	}
	if name == "" || !blob.ValidHash(hash) {
		s.fail(w, r, ErrCaseFileUnknown)
		return
	}
	rc, ref, err := s.Blobs.Open(r.Context(), hash)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	defer rc.Close()
	h := w.Header()
	h.Set("Content-Type", ref.ContentType)
	h.Set("Content-Length", strconv.FormatInt(ref.Size, 10))
	h.Set("Cache-Control", "private, no-store")
	h.Set("Content-Disposition", "attachment; filename*=UTF-8''"+url.PathEscape(name+extOf(ref.ContentType)))
	w.WriteHeader(http.StatusOK)
	_, _ = io.Copy(w, rc)
}

func extOf(contentType string) string {
	switch contentType {
	case blob.PDF:
		return ".pdf"
	case blob.JPEG:
		return ".jpg"
	case blob.PNG:
		return ".png"
	case blob.DOCX:
		return ".docx"
	case blob.XLSX:
		return ".xlsx"
	}
	return ""
}
