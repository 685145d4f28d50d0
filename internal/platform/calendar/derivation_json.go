package calendar

import (
	"encoding/json"
	"strconv"
	"time"
	"unicode/utf8"
)

// AppendJSON appends d as json.Marshal writes it, without reflection and
// without an allocation per date: every read of a case writes the JSON of
// its deadlines' derivations again (cases store them without it).
func (d Derivation) AppendJSON(b []byte) ([]byte, error) {
	b = append(b, `{"rule":`...)
	b = appendString(b, d.Rule)
	b = appendTime(append(b, `,"start":`...), d.Start)
	b = appendDate(append(b, `,"acceptance_day":`...), d.AcceptanceDay)
	b = strconv.AppendInt(append(b, `,"working_days":`...), int64(d.WorkingDays), 10)
	b = strconv.AppendInt(append(b, `,"stop_days":`...), int64(d.StopDays), 10)
	b = appendDates(append(b, `,"counted":`...), d.Counted)
	b = appendDates(append(b, `,"skipped_weekends":`...), d.Weekends)
	b = appendNamed(append(b, `,"skipped_holidays":`...), d.Holidays)
	b = appendNamed(append(b, `,"adjusted_working_days":`...), d.Adjusted)
	b = append(b, `,"stops":`...)
	if len(d.Stops) == 0 && d.Stops != nil {
		b = append(b, "[]"...)
	} else { // rare: json.Marshal's float and null rules apply
		s, err := json.Marshal(d.Stops)
		if err != nil {
			return nil, err
		}
		b = append(b, s...)
	}
	b = appendDate(append(b, `,"last_day":`...), d.LastDay)
	b = appendTime(append(b, `,"at":`...), d.At)
	return append(b, '}'), nil
}

func appendDate(b []byte, d Date) []byte {
	return append(d.appendText(append(b, '"')), '"')
}

// appendTime writes t as time.Time.MarshalJSON does (RFC 3339, nanoseconds
// when there are any).
func appendTime(b []byte, t time.Time) []byte {
	return append(t.AppendFormat(append(b, '"'), time.RFC3339Nano), '"')
}

func appendDates(b []byte, ds []Date) []byte {
	if ds == nil {
		return append(b, "null"...)
	}
	b = append(b, '[')
	for i, d := range ds {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendDate(b, d)
	}
	return append(b, ']')
}

func appendNamed(b []byte, ns []NamedDate) []byte {
	if ns == nil {
		return append(b, "null"...)
	}
	b = append(b, '[')
	for i, n := range ns {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendDate(append(b, `{"date":`...), n.Date)
		b = append(appendString(append(b, `,"name":`...), n.Name), '}')
	}
	return append(b, ']')
}

// appendString writes s quoted; a string json.Marshal would escape (quotes,
// backslashes, control characters, <>&, U+2028/2029, invalid UTF-8) is left
// to it.
func appendString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' ||
			c == 0xE2 && i+2 < len(s) && s[i+1] == 0x80 && (s[i+2] == 0xA8 || s[i+2] == 0xA9) {
			q, _ := json.Marshal(s) // a string always encodes
			return append(b, q...)
		}
	}
	if !utf8.ValidString(s) {
		q, _ := json.Marshal(s)
		return append(b, q...)
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}
