package blob_test

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"banhao.dev/banhao/internal/platform/blob"
)

// FuzzPut feeds arbitrary uploads and names through the checks: Put must
// never panic, and anything accepted must be of an allowed, consistent type.
func FuzzPut(f *testing.F) {
	f.Add(pdfBytes, "a.pdf")
	f.Add(pngBytes, "b.png")
	f.Add(ooxml(f, "[Content_Types].xml", "word/document.xml"), "c.docx")
	s, err := blob.NewDir(f.TempDir(), 1<<20, nil)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte, name string) {
		ref, err := s.Put(context.Background(), bytes.NewReader(data), name)
		if err != nil {
			if !errors.Is(err, blob.ErrType) && !errors.Is(err, blob.ErrEmpty) {
				t.Fatalf("unexpected error %v", err)
			}
			return
		}
		if ref.ContentType == blob.PDF && !bytes.HasPrefix(data, []byte("%PDF-")) {
			t.Fatalf("accepted %q as PDF", data)
		}
		allowed := false
		for _, a := range blob.DefaultAllowed {
			allowed = allowed || a == ref.ContentType
		}
		if !allowed {
			t.Fatalf("accepted type %s", ref.ContentType)
		}
	})
}
