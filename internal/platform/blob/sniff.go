package blob

import (
	"archive/zip"
	"io"
	"net/http"
	"path/filepath"
	"strings"
)

// Sniff returns the content type of the size bytes readable from ra. It uses
// http.DetectContentType (which requires the real magic numbers, e.g. a PDF
// must begin with "%PDF-") and looks inside ZIP containers for the parts
// that make a Word or Excel OOXML document. Only the ZIP directory is read,
// nothing is decompressed, so a ZIP bomb costs nothing here.
func Sniff(ra io.ReaderAt, size int64) string {
	head := make([]byte, min(size, 512))
	n, _ := ra.ReadAt(head, 0)
	ct := http.DetectContentType(head[:n])
	ct, _, _ = strings.Cut(ct, ";")
	if ct != "application/zip" {
		return ct
	}
	zr, err := zip.NewReader(ra, size)
	if err != nil {
		return ct
	}
	var types, word, excel bool
	for _, f := range zr.File {
		switch f.Name {
		case "[Content_Types].xml":
			types = true
		case "word/document.xml":
			word = true
		case "xl/workbook.xml":
			excel = true
		}
	}
	switch {
	case types && word && !excel:
		return DOCX
	case types && excel && !word:
		return XLSX
	}
	return ct
}

// checkType sniffs the content and checks it against the allow-list and the
// declared extension: a ".pdf" must really be a PDF, and an unknown
// extension is refused even when the content would pass.
func checkType(ra io.ReaderAt, size int64, declaredName string, allowed []string) (string, error) {
	ct := Sniff(ra, size)
	ok := false
	for _, a := range allowed {
		ok = ok || a == ct
	}
	if !ok {
		return "", badType(allowed, "文件内容不是允许的类型")
	}
	ext := strings.ToLower(filepath.Ext(declaredName))
	if ext == "" {
		return ct, nil
	}
	want, known := extTypes[ext]
	if !known {
		return "", badType(allowed, "不支持扩展名为 "+ext+" 的文件")
	}
	if want != ct {
		return "", badType(allowed, "文件内容与扩展名 "+ext+" 不符")
	}
	return ct, nil
}
