package calendar

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"banhao.dev/banhao/internal/platform/db"
	"banhao.dev/banhao/internal/platform/dbtest"
)

// plainDerivation is Derivation without its methods: json.Marshal's own
// encoding, which AppendJSON must reproduce byte for byte.
type plainDerivation Derivation

func TestDerivationAppendJSON_isWhatJSONMarshalWrites(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		c, clk := mustSeeded(t, d)
		clk.Set(bj(t, "2026-03-05 12:00"))
		ctx := context.Background()
		computed := func(accept string, days int, stops []Interval) Derivation {
			dl, err := c.Deadline(ctx, bj(t, accept).Add(123456789), days, stops) // nanoseconds in start

			if err != nil {
				t.Fatal(err)
			}
			return dl.Derivation
		}
		tricky := computed("2026-02-13 10:00", 10, []Interval{{From: bj(t, "2026-02-24 09:00"), To: bj(t, "2026-02-24 10:30").Add(7), Reason: "补正\"材料\"<a>&\u2028"}})
		for i, name := range []string{"<", ">", "&", `"`, `\\`, "\n", "\x01", "\u2028", "\u2029", "\xff", "\xe2\x80", "春节"} {
			tricky.Holidays = append(tricky.Holidays, NamedDate{D(2026, 3, i+1), "名" + name + "称"})
		}
		tricky.Stops = append(tricky.Stops, StopExtension{WorkingTime: 1e-7}, StopExtension{WorkingTime: 2.0 / 3})
		for _, tc := range []struct {
			name string
			der  Derivation
		}{
			{"plain working days", computed("2026-03-03 10:00", 3, nil)},
			{"春节 with its 调休 working days", computed("2026-02-13 10:00", 10, nil)},
			{"国庆 with its 调休 working days", computed("2026-09-28 16:30", 8, nil)},
			{"an open stop", computed("2026-03-02 09:00", 5, []Interval{{From: bj(t, "2026-03-05 09:00"), Reason: "专家评审"}})},
			{"zero days", computed("2026-03-06 10:00", 0, nil)},
			{"escaped strings, small floats, nanoseconds", tricky},
			{"nil lists and zero times", Derivation{Start: time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC)}},
		} {
			t.Run(tc.name+" encodes as json.Marshal does", func(t *testing.T) {
				want, err := json.Marshal(plainDerivation(tc.der))
				if err != nil {
					t.Fatal(err)
				}
				got, err := tc.der.AppendJSON(nil)
				if err != nil || string(got) != string(want) {
					t.Errorf("got  %s (%v)\nwant %s", got, err, want)
				}
			})
		}
	})
}
