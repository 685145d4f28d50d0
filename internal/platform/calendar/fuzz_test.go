package calendar

import (
	"bytes"
	"slices"
	"testing"
	"time"

	"banhao.dev/banhao/internal/platform/errs"
)

// FuzzParseImport feeds arbitrary bytes to the schedule parser: it never
// panics, rejects with an Invalid error naming at least one field, and
// whatever it accepts re-validates and survives an encode/parse round trip.
// Seeds live in testdata/fuzz/FuzzParseImport.
func FuzzParseImport(f *testing.F) {
	f.Add(false, []byte(valid2027JSON))
	f.Add(true, []byte(valid2027CSV))
	f.Fuzz(func(t *testing.T, useCSV bool, data []byte) {
		format := FormatJSON
		if useCSV {
			format = FormatCSV
		}
		s, err := ParseImport(bytes.NewReader(data), format)
		if err != nil {
			e, ok := errs.As(err)
			if !ok || e.Kind != errs.Invalid || len(e.Fields) == 0 {
				t.Fatalf("rejection is not an Invalid error with fields: %v", err)
			}
			return
		}
		if err := s.Validate(); err != nil {
			t.Fatalf("accepted schedule does not re-validate: %v\n%+v", err, s)
		}
		var buf bytes.Buffer
		if useCSV {
			err = EncodeCSV(&buf, s)
			s.Source = ""
		} else {
			err = EncodeJSON(&buf, s)
		}
		if err != nil {
			t.Fatalf("encode: %v", err)
		}
		back, err := ParseImport(&buf, format)
		if err != nil {
			t.Fatalf("re-parse of encoded schedule: %v\n%s", err, buf.String())
		}
		if back.Year != s.Year || back.Source != s.Source || !slices.Equal(back.Days, s.Days) {
			t.Fatalf("round trip changed the schedule:\n got %+v\nwant %+v", back, s)
		}
	})
}

// FuzzParseDate checks ParseDate against time.Parse with time.DateOnly:
// the same strings accepted, as the same dates, and accepted dates print
// back as they were written. Seeds live in testdata/fuzz/FuzzParseDate.
func FuzzParseDate(f *testing.F) {
	for _, s := range []string{"2026-02-28", "2026-02-29", "2024-02-29", "0000-01-01", "9999-12-31", "2026-1-01", "2026-13-01", "2026-00-10", "２０２６-01-01"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := ParseDate(s)
		want, werr := time.Parse(time.DateOnly, s)
		if (err == nil) != (werr == nil && len(s) == 10) {
			t.Fatalf("ParseDate(%q): error %v, time.Parse error %v", s, err, werr)
		}
		if err == nil && (got != dateOfUTC(want) || got.String() != s) {
			t.Fatalf("ParseDate(%q) = %v, want %v printing as %q", s, got, dateOfUTC(want), s)
		}
	})
}
