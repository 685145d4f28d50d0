package web

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/yeqown/go-qrcode/v2"
	"github.com/yeqown/go-qrcode/writer/standard"

	"banhao.dev/banhao/internal/cases"
	"banhao.dev/banhao/internal/platform/errs"
)

// ErrDocumentNotFound is a document number the case did not produce.
var ErrDocumentNotFound = errs.E(errs.NotFound, "document_not_found", "该办件没有这份文书")

// docContents is the union of the contents the case service records with
// each kind of document (see cases.Service.document).
type docContents struct {
	AcceptedAt   *time.Time             `json:"accepted_at"`
	Promised     *cases.Deadline        `json:"promised"`
	Legal        *cases.Deadline        `json:"legal"`
	Auto         bool                   `json:"auto"`
	Items        []cases.CorrectionItem `json:"items"`
	Round        int                    `json:"round"`
	Second       bool                   `json:"second"`
	Reason       string                 `json:"reason"`
	LegalBasis   string                 `json:"legal_basis"`
	WhereToGo    string                 `json:"where_to_go"`
	Remedies     string                 `json:"remedies"`
	Decision     *cases.Decision        `json:"decision"`
	Delivery     *cases.Delivery        `json:"delivery"`
	Kind         string                 `json:"kind"`
	ExpectedDays int                    `json:"expected_days"`
	Days         int                    `json:"days"`
	From         *time.Time             `json:"from"`
}

// docView is a printable document.
type docView struct {
	C        *cases.Case
	Doc      cases.Document
	Organ    string
	Date     string
	X        docContents
	TrackURL string
}

// caseDocument renders one written document of a case for printing, with
// the organ, date, case number, contents and a QR code to the tracking page.
func (s *Server) caseDocument(w http.ResponseWriter, r *http.Request) {
	p, ok := s.requirePage(w, r)
	if !ok {
		return
	}
	c, err := s.Cases.Get(r.Context(), p, r.PathValue("no"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var doc *cases.Document
	for i := range c.Documents {
		if c.Documents[i].Number == r.PathValue("doc") {
			doc = &c.Documents[i]
		}
	}
	if doc == nil {
		s.fail(w, r, ErrDocumentNotFound)
		return
	}
	v := &docView{C: c, Doc: *doc, TrackURL: s.trackURL(r, c.No)}
	fields, err := doc.Fields()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v.Organ, _ = fields["organ"].(string)
	v.Date, _ = fields["date"].(string)
	if raw, err := json.Marshal(fields["contents"]); err == nil {
		_ = json.Unmarshal(raw, &v.X)
	}
	s.render(w, r, http.StatusOK, "cases_document", s.newPage(w, r, doc.Title+" "+doc.Number, v))
}

// trackURL is the public tracking address of a case, absolute so that a
// phone scanning the printed QR code can open it.
func (s *Server) trackURL(r *http.Request, no string) string {
	base := strings.TrimRight(s.Config.BaseURL, "/")
	if base == "" {
		scheme := "http"
		if r.TLS != nil {
			scheme = "https"
		}
		base = scheme + "://" + r.Host
	}
	return base + "/track?no=" + url.QueryEscape(no)
}

// caseQR serves the QR code of the case's tracking URL as PNG.
func (s *Server) caseQR(w http.ResponseWriter, r *http.Request) {
	p, ok := s.requirePage(w, r)
	if !ok {
		return
	}
	c, err := s.Cases.Get(r.Context(), p, r.PathValue("no"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	png, err := qrPNG(s.trackURL(r, c.No))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "image/png")
	w.Header().Set("Cache-Control", "private, max-age=3600")
	_, _ = w.Write(png)
}

// qrPNG encodes text as a PNG QR code.
func qrPNG(text string) ([]byte, error) {
	qr, err := qrcode.NewWith(text, qrcode.WithErrorCorrectionLevel(qrcode.ErrorCorrectionMedium))
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	wr := standard.NewWithWriter(nopCloser{&buf}, standard.WithBuiltinImageEncoder(standard.PNG_FORMAT), standard.WithQRWidth(6), standard.WithBorderWidth(12))
	if err := qr.Save(wr); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

type nopCloser struct{ *bytes.Buffer }

func (nopCloser) Close() error { return nil }
