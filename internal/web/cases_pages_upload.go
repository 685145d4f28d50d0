package web

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"banhao.dev/banhao/internal/cases"
	"banhao.dev/banhao/internal/platform/blob"
	"banhao.dev/banhao/internal/platform/errs"
)

// matRef is one material a form asks for: the checklist line and how it may
// be provided.
type matRef struct {
	ID                string
	Name              string
	Required          bool
	PendingAllowed    bool
	CommitmentAllowed bool
	ELicenseType      string // "" when no e-license replaces it
	Notes             string
	Reason            string // the correction reason, on a resubmission
}

// Form field names of a material (the material id is a catalog identifier:
// letters, digits and underscores).
func fileField(id string) string  { return "file_" + id }
func hashField(id string) string  { return "hash_" + id }
func paperField(id string) string { return "paper_" + id }
func licField(id string) string   { return "license_" + id }
func commField(id string) string  { return "commitment_" + id }
func matField(id string) string   { return "materials." + id }

// parseCaseForm parses a urlencoded or multipart form within the upload limit.
func (s *Server) parseCaseForm(r *http.Request) error {
	max := int64(s.Config.MaxUploadMB) << 20
	if max <= 0 {
		max = 20 << 20
	}
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		if r.MultipartForm != nil { // parsed already by the CSRF check
			return nil
		}
		if err := r.ParseMultipartForm(max); err != nil {
			return errs.E(errs.Invalid, "upload_too_large", "上传的文件总量过大，请分次提交或压缩后重试")
		}
		return nil
	}
	if err := r.ParseForm(); err != nil {
		return errs.E(errs.Invalid, "bad_form", "表单内容无法读取，请刷新页面后重试")
	}
	return nil
}

// materialInputs reads each material's choice from the form: an uploaded
// file (stored in the blob store with its size and type checked, and
// recorded), an earlier upload kept across a re-render, a paper original to
// bring, an e-license or a commitment. A material with no choice is left
// out; the service decides whether that is acceptable. Upload failures are
// collected per material. ids[i] is the material of inputs[i].
func (s *Server) materialInputs(r *http.Request, ms []matRef, idNumber string) (inputs []cases.MaterialInput, ids []string, err error) {
	var fe errs.Fields
	for _, m := range ms {
		in := cases.MaterialInput{MaterialID: m.ID}
		hash, uerr := s.upload(r, m)
		if uerr != nil {
			fe.Add(matField(m.ID), m.Name+"："+uerr.Error())
			continue
		}
		if hash == "" {
			if h := strings.ToLower(r.PostFormValue(hashField(m.ID))); blob.ValidHash(h) {
				hash = h
			}
		}
		in.File = hash
		if hash != "" && r.PostForm != nil {
			r.PostForm.Set(hashField(m.ID), hash) // kept when the form is shown again
		}
		if r.PostFormValue(licField(m.ID)) == "1" && m.ELicenseType != "" {
			in.License = "elicense:" + m.ELicenseType + ":" + idNumber
		}
		in.Paper = r.PostFormValue(paperField(m.ID)) == "1"
		in.Commitment = r.PostFormValue(commField(m.ID)) == "1"
		if in.File == "" && in.License == "" && !in.Paper && !in.Commitment {
			continue
		}
		inputs, ids = append(inputs, in), append(ids, m.ID)
	}
	return inputs, ids, fe.Err()
}

// upload stores the file uploaded for m, if any, and returns its hash.
func (s *Server) upload(r *http.Request, m matRef) (string, error) {
	if r.MultipartForm == nil {
		return "", nil
	}
	f, h, err := r.FormFile(fileField(m.ID))
	if errors.Is(err, http.ErrMissingFile) {
		return "", nil
	}
	if err != nil {
		return "", errors.New("文件读取失败，请重新选择")
	}
	defer f.Close()
	if h.Size == 0 && h.Filename == "" {
		return "", nil
	}
	ref, err := s.Blobs.Put(r.Context(), f, h.Filename)
	if err != nil {
		if e, ok := errs.As(err); ok {
			return "", errors.New(e.Message)
		}
		return "", fmt.Errorf("文件保存失败，请稍后重试")
	}
	if err := blob.RecordMeta(r.Context(), s.DB.W, ref, s.Clock.Now()); err != nil {
		return "", fmt.Errorf("文件登记失败，请稍后重试")
	}
	return ref.Hash, nil
}

// materialFields renames the service's "materials[i]" fields to the form's
// "materials.<id>" so each message shows next to its material.
func materialFields(err error, ids []string) error {
	e, ok := errs.As(err)
	if !ok || len(e.Fields) == 0 {
		return err
	}
	c := *e
	c.Fields = make([]errs.FieldError, len(e.Fields))
	for i, f := range e.Fields {
		c.Fields[i] = f
		rest, found := strings.CutPrefix(f.Field, "materials[")
		if !found {
			continue
		}
		n, _, _ := strings.Cut(rest, "]")
		if k, err := strconv.Atoi(n); err == nil && k >= 0 && k < len(ids) {
			c.Fields[i].Field = matField(ids[k])
		}
	}
	return &c
}
