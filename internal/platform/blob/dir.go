package blob

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// Dir is a Store in a local directory: root/ab/cd/<hash>, with uploads
// staged in root/tmp so the final rename is atomic (same file system).
type Dir struct {
	root    string
	max     int64
	allowed []string
}

var _ Store = (*Dir)(nil)

// NewDir opens (creating) a directory store. maxBytes <= 0 means
// DefaultMaxBytes; an empty allowed list means DefaultAllowed.
func NewDir(dir string, maxBytes int64, allowed []string) (*Dir, error) {
	if maxBytes <= 0 {
		maxBytes = DefaultMaxBytes
	}
	if len(allowed) == 0 {
		allowed = DefaultAllowed
	}
	if err := os.MkdirAll(filepath.Join(dir, "tmp"), 0o750); err != nil {
		return nil, fmt.Errorf("blob dir %s: %w", dir, err)
	}
	return &Dir{root: dir, max: maxBytes, allowed: append([]string(nil), allowed...)}, nil
}

// MaxBytes is the size limit, for upload forms.
func (s *Dir) MaxBytes() int64 { return s.max }

// Allowed lists the accepted content types.
func (s *Dir) Allowed() []string { return append([]string(nil), s.allowed...) }

func (s *Dir) path(hash string) string {
	return filepath.Join(s.root, hash[:2], hash[2:4], hash)
}

// Put streams r to a temp file while hashing it, refuses it when too large,
// empty or of a type not allowed, and moves it into place unless the same
// content is already stored.
func (s *Dir) Put(ctx context.Context, r io.Reader, declaredName string) (ref Ref, err error) {
	tmp, err := os.CreateTemp(filepath.Join(s.root, "tmp"), "upload-*")
	if err != nil {
		return Ref{}, fmt.Errorf("blob put: %w", err)
	}
	defer func() {
		tmp.Close()
		if err != nil {
			os.Remove(tmp.Name())
		}
	}()
	h := sha256.New()
	// Reading one byte past the limit tells "exactly max" from "too large"
	// without trusting a declared Content-Length.
	n, err := io.Copy(io.MultiWriter(tmp, h), io.LimitReader(ctxReader{ctx, r}, s.max+1))
	if err != nil {
		return Ref{}, fmt.Errorf("blob put: read upload: %w", err)
	}
	if n > s.max {
		return Ref{}, tooLarge(s.max)
	}
	if n == 0 {
		return Ref{}, ErrEmpty
	}
	ct, err := checkType(tmp, n, declaredName, s.allowed)
	if err != nil {
		return Ref{}, err
	}
	ref = Ref{Hash: hex.EncodeToString(h.Sum(nil)), Size: n, ContentType: ct, Name: cleanName(declaredName)}
	final := s.path(ref.Hash)
	if _, err := os.Stat(final); err == nil {
		os.Remove(tmp.Name())
		return ref, nil // dedupe: the same content is already stored
	}
	if err := tmp.Sync(); err != nil {
		return Ref{}, fmt.Errorf("blob put: sync: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(final), 0o750); err != nil {
		return Ref{}, fmt.Errorf("blob put: %w", err)
	}
	// Rename is atomic: readers see the whole file or none. A concurrent
	// Put of the same content renames identical bytes over it, harmlessly.
	if err := os.Rename(tmp.Name(), final); err != nil {
		return Ref{}, fmt.Errorf("blob put: %w", err)
	}
	return ref, nil
}

// Open returns the stored content of hash with its size and sniffed type.
func (s *Dir) Open(ctx context.Context, hash string) (io.ReadCloser, Ref, error) {
	if !ValidHash(hash) {
		return nil, Ref{}, ErrHash
	}
	f, err := os.Open(s.path(hash))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, Ref{}, ErrNotFound
	}
	if err != nil {
		return nil, Ref{}, fmt.Errorf("blob open %s: %w", hash, err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, Ref{}, fmt.Errorf("blob open %s: %w", hash, err)
	}
	return f, Ref{Hash: hash, Size: st.Size(), ContentType: Sniff(f, st.Size())}, nil
}

// Exists reports whether hash is stored.
func (s *Dir) Exists(ctx context.Context, hash string) (bool, error) {
	if !ValidHash(hash) {
		return false, ErrHash
	}
	_, err := os.Stat(s.path(hash))
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("blob exists %s: %w", hash, err)
	}
	return true, nil
}

// ctxReader stops a long upload when the request is cancelled.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
