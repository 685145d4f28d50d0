package calendar

import (
	"encoding/json"
	"errors"
	"testing"
	"time"
)

func TestParseDate(t *testing.T) {
	tests := []struct {
		in   string
		want Date
		ok   bool
	}{
		{"2026-02-14", Date{2026, time.February, 14}, true},
		{"2024-02-29", Date{2024, time.February, 29}, true},
		{"2025-02-29", Date{}, false},
		{"2026-2-14", Date{}, false},
		{"2026/02/14", Date{}, false},
		{"2026-02-14 ", Date{}, false},
		{"", Date{}, false},
		{"二〇二六年", Date{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseDate(tt.in)
			if (err == nil) != tt.ok {
				t.Fatalf("ParseDate(%q) error = %v, want ok=%v", tt.in, err, tt.ok)
			}
			if err != nil && !errors.Is(err, ErrDateInvalid) {
				t.Errorf("error %v is not ErrDateInvalid", err)
			}
			if got != tt.want {
				t.Errorf("got %v want %v", got, tt.want)
			}
			if tt.ok && got.String() != tt.in {
				t.Errorf("String() = %q want %q", got.String(), tt.in)
			}
		})
	}
}

func TestDateOfUsesBeijingTime(t *testing.T) {
	// 2026-02-13 16:30 UTC is already 2026-02-14 00:30 in Beijing.
	got := DateOf(time.Date(2026, 2, 13, 16, 30, 0, 0, time.UTC))
	if want := (Date{2026, time.February, 14}); got != want {
		t.Errorf("got %v want %v", got, want)
	}
	if got, want := got.Start().UTC(), time.Date(2026, 2, 13, 16, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("Start() = %v want %v", got, want)
	}
	if got, want := (Date{2026, 12, 31}).End().UTC(), time.Date(2026, 12, 31, 16, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("End() = %v want %v", got, want)
	}
}

func TestDateArithmeticAndJSON(t *testing.T) {
	d := Date{2024, time.February, 28}
	if got := d.AddDays(1).String(); got != "2024-02-29" {
		t.Errorf("AddDays(1) = %s want 2024-02-29", got)
	}
	if got := d.AddDays(-59).String(); got != "2023-12-31" {
		t.Errorf("AddDays(-59) = %s want 2023-12-31", got)
	}
	if !d.Before(d.AddDays(1)) || d.After(d) || d.Compare(d) != 0 {
		t.Errorf("comparisons wrong around %v", d)
	}
	if got := (Date{2026, 2, 14}).WeekdayName(); got != "周六" {
		t.Errorf("WeekdayName = %s want 周六", got)
	}
	b, _ := json.Marshal(struct{ D Date }{d})
	if string(b) != `{"D":"2024-02-28"}` {
		t.Errorf("marshal = %s", b)
	}
	var back struct{ D Date }
	if err := json.Unmarshal(b, &back); err != nil || back.D != d {
		t.Errorf("unmarshal = %v, %v", back.D, err)
	}
	if err := json.Unmarshal([]byte(`{"D":"2024-2-28"}`), &back); err == nil {
		t.Errorf("unmarshal of a malformed date succeeded")
	}
}
