package web

import (
	"net/http"
	"regexp"

	"banhao.dev/banhao/internal/platform/blob"
)

// uploadRe names the editor's file inputs: a material's template or sample.
var uploadRe = regexp.MustCompile(`^(materials\[\d+\]\.(?:template|sample))_file$`)

// storeUploads keeps the template and sample files uploaded with the
// editor form in the blob store and puts their references into the form,
// where parseItemForm reads them like any kept file.
func (s *Server) storeUploads(r *http.Request) error {
	if r.MultipartForm == nil || s.Blobs == nil {
		return nil
	}
	for key, files := range r.MultipartForm.File {
		m := uploadRe.FindStringSubmatch(key)
		if m == nil || len(files) == 0 || files[0].Size == 0 {
			continue
		}
		f, err := files[0].Open()
		if err != nil {
			return err
		}
		ref, err := s.Blobs.Put(r.Context(), f, files[0].Filename)
		f.Close()
		if err != nil {
			return err
		}
		if err := blob.RecordMeta(r.Context(), s.DB.W, ref, s.Clock.Now()); err != nil {
			return err
		}
		r.PostForm.Set(m[1]+".name", ref.Name)
		r.PostForm.Set(m[1]+".hash", ref.Hash)
		r.PostForm.Set(m[1]+".content_type", ref.ContentType)
	}
	return nil
}
