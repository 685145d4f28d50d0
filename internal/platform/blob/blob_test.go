package blob_test

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"banhao.dev/banhao/internal/platform/blob"
	"banhao.dev/banhao/internal/platform/db"
	"banhao.dev/banhao/internal/platform/dbtest"
	"banhao.dev/banhao/internal/platform/errs"
)

var (
	pdfBytes  = []byte("%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n")
	pngBytes  = append([]byte("\x89PNG\r\n\x1a\n"), make([]byte, 32)...)
	jpegBytes = append([]byte("\xff\xd8\xff\xe0\x00\x10JFIF\x00"), make([]byte, 32)...)
)

// ooxml builds a minimal ZIP with the given part names.
func ooxml(t testing.TB, parts ...string) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for _, p := range parts {
		w, err := zw.Create(p)
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(w, "<x/>")
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func mustDir(t *testing.T, max int64, allowed []string) (*blob.Dir, string) {
	t.Helper()
	root := t.TempDir()
	s, err := blob.NewDir(root, max, allowed)
	if err != nil {
		t.Fatal(err)
	}
	return s, root
}

// storedFiles lists regular files under root (including tmp).
func storedFiles(t *testing.T, root string) []string {
	t.Helper()
	var out []string
	filepath.WalkDir(root, func(p string, e fs.DirEntry, err error) error {
		if err == nil && !e.IsDir() {
			rel, _ := filepath.Rel(root, p)
			out = append(out, rel)
		}
		return err
	})
	return out
}

func TestPutStoresByHashAndDedupes(t *testing.T) {
	ctx := context.Background()
	s, root := mustDir(t, 0, nil)
	sum := sha256.Sum256(pdfBytes)
	want := hex.EncodeToString(sum[:])
	ref, err := s.Put(ctx, bytes.NewReader(pdfBytes), `C:\Users\张三\营业执照.PDF`)
	if err != nil {
		t.Fatal(err)
	}
	if ref != (blob.Ref{Hash: want, Size: int64(len(pdfBytes)), ContentType: blob.PDF, Name: "营业执照.PDF"}) {
		t.Fatalf("ref: got %+v, want hash %s, pdf, name 营业执照.PDF", ref, want)
	}
	again, err := s.Put(ctx, bytes.NewReader(pdfBytes), "copy.pdf")
	if err != nil || again.Hash != ref.Hash {
		t.Fatalf("second put: got %+v err %v, want same hash", again, err)
	}
	files := storedFiles(t, root)
	if wantPath := filepath.Join(want[:2], want[2:4], want); len(files) != 1 || files[0] != wantPath {
		t.Fatalf("files: got %v, want only %s (deduped, no temp files)", files, wantPath)
	}
	rc, got, err := s.Open(ctx, want)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	body, _ := io.ReadAll(rc)
	if !bytes.Equal(body, pdfBytes) || got.ContentType != blob.PDF || got.Size != int64(len(pdfBytes)) {
		t.Fatalf("open: got %q %+v, want the PDF back", body, got)
	}
	if ok, err := s.Exists(ctx, want); !ok || err != nil {
		t.Fatalf("exists: got %v %v, want true", ok, err)
	}
	missing := strings.Repeat("0", 64)
	if ok, err := s.Exists(ctx, missing); ok || err != nil {
		t.Fatalf("exists missing: got %v %v, want false", ok, err)
	}
	if _, _, err := s.Open(ctx, missing); !errors.Is(err, blob.ErrNotFound) {
		t.Fatalf("open missing: got %v, want ErrNotFound", err)
	}
}

func TestPutEnforcesSizeLimit(t *testing.T) {
	ctx := context.Background()
	const max = 512 << 10
	s, root := mustDir(t, max, nil)
	exact := append(append([]byte{}, pdfBytes...), make([]byte, max-len(pdfBytes))...)
	if _, err := s.Put(ctx, bytes.NewReader(exact), "a.pdf"); err != nil {
		t.Fatalf("exactly the limit: got %v, want success", err)
	}
	_, err := s.Put(ctx, bytes.NewReader(append(exact, 0)), "a.pdf")
	e, ok := errs.As(err)
	if !errors.Is(err, blob.ErrTooLarge) || !ok || e.Kind != errs.Invalid || !strings.Contains(e.Message, "最大 0.5 MB") {
		t.Fatalf("one byte over: got %v, want invalid/file_too_large naming 0.5 MB", err)
	}
	if _, err := s.Put(ctx, bytes.NewReader(nil), "a.pdf"); !errors.Is(err, blob.ErrEmpty) {
		t.Fatalf("empty: got %v, want ErrEmpty", err)
	}
	if files := storedFiles(t, root); len(files) != 1 {
		t.Fatalf("files after refusals: got %v, want only the accepted one", files)
	}
}

func TestPutSniffsContentType(t *testing.T) {
	docx := ooxml(t, "[Content_Types].xml", "_rels/.rels", "word/document.xml")
	xlsx := ooxml(t, "[Content_Types].xml", "xl/workbook.xml", "xl/worksheets/sheet1.xml")
	plainZip := ooxml(t, "readme.txt")
	cases := []struct {
		name, file string
		data       []byte
		allowed    []string
		want       string // content type, or "" for ErrType
	}{
		{"pdf is accepted", "a.pdf", pdfBytes, nil, blob.PDF},
		{"png is accepted", "a.png", pngBytes, nil, blob.PNG},
		{"jpeg with .jpg is accepted", "a.jpg", jpegBytes, nil, blob.JPEG},
		{"jpeg with .JPEG is accepted", "a.JPEG", jpegBytes, nil, blob.JPEG},
		{"docx is recognised inside the zip", "a.docx", docx, nil, blob.DOCX},
		{"xlsx is recognised inside the zip", "a.xlsx", xlsx, nil, blob.XLSX},
		{"no extension is judged by content", "", pdfBytes, nil, blob.PDF},
		{"text named .pdf is refused", "a.pdf", []byte("just text, not a PDF"), nil, ""},
		{"png named .pdf is refused", "a.pdf", pngBytes, nil, ""},
		{"docx named .xlsx is refused", "a.xlsx", docx, nil, ""},
		{"plain zip named .docx is refused", "a.docx", plainZip, nil, ""},
		{"plain zip is refused", "a.zip", plainZip, nil, ""},
		{"pdf named .exe is refused", "a.exe", pdfBytes, nil, ""},
		{"html is refused", "a.html", []byte("<html><script>alert(1)</script>"), nil, ""},
		{"pdf is refused when only png is allowed", "a.pdf", pdfBytes, []string{blob.PNG}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, _ := mustDir(t, 0, c.allowed)
			ref, err := s.Put(context.Background(), bytes.NewReader(c.data), c.file)
			if c.want == "" {
				if !errors.Is(err, blob.ErrType) {
					t.Fatalf("got %+v %v, want ErrType", ref, err)
				}
				e, _ := errs.As(err)
				wantList := "PDF、JPG、PNG、Word（.docx）、Excel（.xlsx）"
				if c.allowed != nil {
					wantList = "仅支持 PNG 格式"
				}
				if !strings.Contains(e.Message, wantList) {
					t.Fatalf("message: got %q, want it to list %q", e.Message, wantList)
				}
				return
			}
			if err != nil || ref.ContentType != c.want {
				t.Fatalf("got %+v %v, want type %s", ref, err, c.want)
			}
		})
	}
}

func TestBadHashIsRejected(t *testing.T) {
	s, root := mustDir(t, 0, nil)
	os.WriteFile(filepath.Join(root, "secret"), []byte("x"), 0o600)
	for _, h := range []string{"", "../secret", "../../../../etc/passwd", strings.Repeat("A", 64), strings.Repeat("0", 63),
		strings.Repeat("0", 62) + "/.", strings.Repeat("g", 64)} {
		if _, _, err := s.Open(context.Background(), h); !errors.Is(err, blob.ErrHash) {
			t.Errorf("Open(%q): got %v, want ErrHash", h, err)
		}
		if _, err := s.Exists(context.Background(), h); !errors.Is(err, blob.ErrHash) {
			t.Errorf("Exists(%q): got %v, want ErrHash", h, err)
		}
	}
}

func TestCancelledUploadLeavesNothing(t *testing.T) {
	s, root := mustDir(t, 0, nil)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := s.Put(ctx, bytes.NewReader(pdfBytes), "a.pdf"); !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
	if files := storedFiles(t, root); len(files) != 0 {
		t.Fatalf("files: got %v, want none", files)
	}
}

func TestRecordMeta(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		at := time.Date(2025, 3, 3, 1, 2, 3, 456000, time.UTC)
		ref := blob.Ref{Hash: strings.Repeat("ab", 32), Size: 42, ContentType: blob.PDF}
		if err := blob.RecordMeta(ctx, d.W, ref, at); err != nil {
			t.Fatal(err)
		}
		if err := blob.RecordMeta(ctx, d.W, ref, at.Add(time.Hour)); err != nil {
			t.Fatalf("recording again: got %v, want no error", err)
		}
		m, err := blob.LookupMeta(ctx, d.R, ref.Hash)
		if err != nil || m.Hash != ref.Hash || m.Size != 42 || m.ContentType != blob.PDF || !m.CreatedAt.Equal(at) {
			t.Fatalf("lookup: got %+v %v, want first record at %v", m, err, at)
		}
		if _, err := blob.LookupMeta(ctx, d.R, strings.Repeat("cd", 32)); !errors.Is(err, blob.ErrNotFound) {
			t.Fatalf("lookup missing: got %v, want ErrNotFound", err)
		}
		if err := blob.RecordMeta(ctx, d.W, blob.Ref{Hash: "x"}, at); !errors.Is(err, blob.ErrHash) {
			t.Fatalf("bad hash: got %v, want ErrHash", err)
		}
	})
}
