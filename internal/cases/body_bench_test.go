package cases

import (
	"context"
	"testing"

	"banhao.dev/banhao/internal/platform/dbtest"
)

// BenchmarkBody measures what every action pays for a typical accepted
// case's body: one encode and one decode.
func BenchmarkBody(b *testing.B) {
	d := dbtest.SQLite(b)
	e := newEnv(b, d, bj(2026, 3, 2, 9, 0))
	c := e.mustSubmitWindow(b, itemPromised)
	c, err := e.svc.Accept(context.Background(), e.who.clerk, c.No, AcceptRequest{})
	if err != nil {
		b.Fatal(err)
	}
	raw, err := encodeBody(c)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		raw, err := encodeBody(c)
		if err != nil {
			b.Fatal(err)
		}
		var got Case
		if err := decodeBody(raw, &got); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(raw)), "body-bytes")
}
