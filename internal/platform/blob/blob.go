// Package blob stores uploaded materials by content: a file's name is the
// SHA-256 of its bytes, so identical uploads are stored once and a stored
// file can never change under its name. Size limits and content-type
// sniffing are enforced on the way in; the database keeps metadata (RecordMeta)
// and the owning record (e.g. a case material) keeps the declared file name.
// Who may download a blob is decided by the owning area (per case), never here.
//
// Store is deliberately small (Put, Open, Exists) so an S3-compatible
// implementation for multi-node deployments can be added beside Dir, the
// local-directory store used by default.
package blob

import (
	"context"
	"io"
	"path/filepath"
	"strconv"
	"strings"

	"banhao.dev/banhao/internal/platform/errs"
)

// Ref identifies a stored blob.
type Ref struct {
	Hash        string // lowercase hex SHA-256 of the content
	Size        int64
	ContentType string // sniffed from the content, never taken from the client
	Name        string // the declared file name (base name only); empty from Open
}

// Store keeps blobs by content hash.
type Store interface {
	// Put stores r and returns its reference; storing existing content again
	// is cheap and returns the same hash.
	Put(ctx context.Context, r io.Reader, declaredName string) (Ref, error)
	// Open returns the content of hash; the caller closes it.
	Open(ctx context.Context, hash string) (io.ReadCloser, Ref, error)
	// Exists reports whether hash is stored.
	Exists(ctx context.Context, hash string) (bool, error)
}

// Content types accepted by default.
const (
	PDF  = "application/pdf"
	JPEG = "image/jpeg"
	PNG  = "image/png"
	DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
	XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
)

// DefaultAllowed is the allow-list used when NewDir gets none.
var DefaultAllowed = []string{PDF, JPEG, PNG, DOCX, XLSX}

// DefaultMaxBytes is the size limit used when NewDir gets none.
const DefaultMaxBytes = 20 << 20

var (
	ErrTooLarge = errs.E(errs.Invalid, "file_too_large", "文件过大")
	ErrType     = errs.E(errs.Invalid, "file_type", "不支持的文件类型")
	ErrEmpty    = errs.E(errs.Invalid, "file_empty", "文件为空，请重新选择")
	ErrHash     = errs.E(errs.Invalid, "blob_hash", "文件标识无效")
	ErrNotFound = errs.E(errs.NotFound, "blob_not_found", "文件不存在或已被删除")
)

// extTypes maps the extensions we accept to the type their content must have.
var extTypes = map[string]string{
	".pdf": PDF, ".jpg": JPEG, ".jpeg": JPEG, ".png": PNG, ".docx": DOCX, ".xlsx": XLSX,
}

// Label is the Chinese-facing name of a content type.
func Label(contentType string) string {
	switch contentType {
	case PDF:
		return "PDF"
	case JPEG:
		return "JPG"
	case PNG:
		return "PNG"
	case DOCX:
		return "Word（.docx）"
	case XLSX:
		return "Excel（.xlsx）"
	}
	return contentType
}

// ValidHash reports whether h is a lowercase hex SHA-256. Only such strings
// ever reach the file system, which rules out path traversal.
func ValidHash(h string) bool {
	if len(h) != 64 {
		return false
	}
	for i := 0; i < len(h); i++ {
		c := h[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

func tooLarge(max int64) error {
	mb := strconv.FormatFloat(float64(max)/(1<<20), 'f', -1, 64)
	e := ErrTooLarge.With("max_bytes", max)
	e.Message = "文件大小超过限制，单个文件最大 " + mb + " MB"
	return e
}

func badType(allowed []string, detail string) error {
	labels := make([]string, len(allowed))
	for i, a := range allowed {
		labels[i] = Label(a)
	}
	e := ErrType.With("allowed", allowed)
	e.Message = detail + "，仅支持 " + strings.Join(labels, "、") + " 格式"
	return e
}

// cleanName keeps the base name of a client-declared path (either slash).
func cleanName(name string) string {
	name = strings.ReplaceAll(name, "\\", "/")
	name = strings.TrimSpace(filepath.Base("/" + name))
	if name == "/" || name == "." {
		return ""
	}
	if len(name) > 255 {
		ext := filepath.Ext(name)
		if len(ext) > 16 {
			ext = ""
		}
		name = strings.ToValidUTF8(name[:255-len(ext)], "") + ext
	}
	return name
}
