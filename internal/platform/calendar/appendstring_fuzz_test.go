package calendar

import (
	"encoding/json"
	"testing"
)

// appendString writes a JSON string exactly as json.Marshal does.
func FuzzAppendString(f *testing.F) {
	for _, s := range []string{"a", "<", "\u2028", "\xe2\x80", "\xe2\x80\xa8x", "春节", "\x7f", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want, _ := json.Marshal(s)
		if got := appendString(nil, s); string(got) != string(want) {
			t.Fatalf("%q: got %s want %s", s, got, want)
		}
	})
}
