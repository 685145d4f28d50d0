package calendar

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"banhao.dev/banhao/internal/platform/errs"
)

// parseJSON walks the document token by token so that each day can be named
// by the line it starts on.
func parseJSON(data []byte) (Schedule, []entry, errs.Fields) {
	var (
		s  Schedule
		es []entry
		fe errs.Fields
	)
	dec := json.NewDecoder(bytes.NewReader(data))
	syntax := func(err error) (Schedule, []entry, errs.Fields) {
		line := lineAt(data, dec.InputOffset())
		var se *json.SyntaxError
		if errors.As(err, &se) {
			line = lineAt(data, se.Offset)
		}
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			line = lineAt(data, int64(len(data)))
		}
		fe.Addf(fmt.Sprintf("line %d", line), "第%d行：JSON格式错误，应为 {\"year\":2027,\"days\":[{\"date\":…,\"kind\":…,\"name\":…}]}", line)
		return Schedule{}, es, fe
	}
	if err := expectDelim(dec, '{'); err != nil {
		return syntax(err)
	}
	sawDays := false
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return syntax(err)
		}
		key, _ := tok.(string)
		switch key {
		case "year":
			if err := dec.Decode(&s.Year); err != nil {
				if !isTypeError(err) {
					return syntax(err)
				}
				fe.Add("year", "年份（year）应为数字，如2027")
			}
		case "source":
			if err := dec.Decode(&s.Source); err != nil {
				if !isTypeError(err) {
					return syntax(err)
				}
				fe.Add("source", "来源（source）应为文字")
			}
			s.Source = strings.TrimSpace(s.Source)
			if len([]rune(s.Source)) > 200 {
				fe.Add("source", "来源（source）不能超过200字")
			}
		case "days":
			sawDays = true
			if err := expectDelim(dec, '['); err != nil {
				return syntax(err)
			}
			for dec.More() {
				line := lineAt(data, skipSep(data, dec.InputOffset()))
				var raw map[string]json.RawMessage
				if err := dec.Decode(&raw); err != nil && !isTypeError(err) {
					return syntax(err)
				}
				es = append(es, jsonEntry(line, raw))
			}
			if err := expectDelim(dec, ']'); err != nil {
				return syntax(err)
			}
		default:
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return syntax(err)
			}
			fe.Addf(fmt.Sprintf("field %s", clip(key, 20)), "未知字段“%s”，只允许 year、source、days", clip(key, 20))
		}
	}
	if err := expectDelim(dec, '}'); err != nil {
		return syntax(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return syntax(fmt.Errorf("trailing data"))
	}
	if !sawDays {
		fe.Add("days", "缺少日期列表（days）")
	}
	return s, es, fe
}

// isTypeError reports errors after which the decoder has consumed the whole
// value and can go on: a value of the wrong JSON type.
func isTypeError(err error) bool {
	var te *json.UnmarshalTypeError
	return errors.As(err, &te)
}

// jsonEntry turns one element of "days" into an entry; raw is nil when the
// element was not an object.
func jsonEntry(line int, raw map[string]json.RawMessage) entry {
	e := entry{field: fmt.Sprintf("line %d", line), line: line}
	const shape = "每一项应为 {\"date\":\"YYYY-MM-DD\",\"kind\":\"off|work\",\"name\":\"…\"}，且只含这三个字段"
	if raw == nil {
		e.broken = shape
		return e
	}
	for k, v := range raw {
		var dst *string
		switch k {
		case "date":
			dst = &e.date
		case "kind":
			dst = &e.kind
		case "name":
			dst = &e.name
		default:
			e.broken = shape
			return e
		}
		if err := json.Unmarshal(v, dst); err != nil {
			e.broken = fmt.Sprintf("字段%s应为文字", k)
			return e
		}
	}
	return e
}

func expectDelim(dec *json.Decoder, want json.Delim) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if d, ok := tok.(json.Delim); !ok || d != want {
		return fmt.Errorf("want %q, got %v", want, tok)
	}
	return nil
}

// skipSep moves past whitespace and the comma before the next value.
func skipSep(data []byte, off int64) int64 {
	for off < int64(len(data)) {
		switch data[off] {
		case ' ', '\t', '\r', '\n', ',':
			off++
		default:
			return off
		}
	}
	return off
}

func lineAt(data []byte, off int64) int {
	if off > int64(len(data)) {
		off = int64(len(data))
	}
	if off < 0 {
		off = 0
	}
	return 1 + bytes.Count(data[:off], []byte{'\n'})
}

// EncodeJSON writes s in the import format, one day per line.
func EncodeJSON(w io.Writer, s Schedule) error {
	var b bytes.Buffer
	head, _ := json.Marshal(struct {
		Year   int    `json:"year"`
		Source string `json:"source,omitempty"`
	}{s.Year, s.Source})
	b.Write(head[:len(head)-1])
	b.WriteString(`, "days": [`)
	for i, d := range s.Days {
		line, err := json.Marshal(d)
		if err != nil {
			return fmt.Errorf("encode calendar day: %w", err)
		}
		b.WriteString("\n  ")
		b.Write(line)
		if i < len(s.Days)-1 {
			b.WriteByte(',')
		}
	}
	b.WriteString("\n]}\n")
	_, err := w.Write(b.Bytes())
	return err
}

// EncodeCSV writes s in the CSV import format (the source is not kept).
func EncodeCSV(w io.Writer, s Schedule) error {
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"date", "kind", "name"})
	for _, d := range s.Days {
		_ = cw.Write([]string{d.Date.String(), d.Kind, d.Name})
	}
	cw.Flush()
	return cw.Error()
}
