package cases

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"testing"
	"time"

	"banhao.dev/banhao/internal/platform/clock"
	"banhao.dev/banhao/internal/platform/dbtest"
	"banhao.dev/banhao/internal/platform/ids"
)

func TestCheckChar_matchesGB11643OnCitizenIDBodies(t *testing.T) {
	for _, body := range []string{"11010519491231002", "11010119900307001", "44052418800101001", "99012120260101123"} {
		if got, want := checkChar(body), ids.CitizenIDCheck(body); got != want {
			t.Errorf("checkChar(%s) got %c, want %c (GB 11643)", body, got, want)
		}
	}
}

func TestNumber_roundTripsAndRejectsEverySingleDigitErrorAndAdjacentSwap(t *testing.T) {
	day := time.Date(2026, 2, 14, 0, 0, 0, 0, clock.Shanghai)
	no, err := FormatNumber("990121", day, 42)
	if err != nil {
		t.Fatal(err)
	}
	n, err := ParseNumber(no)
	if err != nil || n.Region != "990121" || n.Date != "20260214" || n.Serial != 42 || n.String() != no {
		t.Fatalf("ParseNumber(%s) got %+v, %v", no, n, err)
	}
	digitsAt := []int{}
	for i := 0; i < 22; i++ {
		if no[i] != '-' {
			digitsAt = append(digitsAt, i)
		}
	}
	for _, i := range digitsAt {
		for d := byte('0'); d <= '9'; d++ {
			if d == no[i] {
				continue
			}
			bad := []byte(no)
			bad[i] = d
			if ValidNumber(string(bad)) {
				t.Errorf("single-digit error %s accepted", bad)
			}
		}
	}
	for k := 0; k+1 < len(digitsAt); k++ {
		i, j := digitsAt[k], digitsAt[k+1]
		if j != i+1 || no[i] == no[j] {
			continue
		}
		bad := []byte(no)
		bad[i], bad[j] = bad[j], bad[i]
		if ValidNumber(string(bad)) {
			t.Errorf("adjacent swap %s accepted", bad)
		}
	}
}

func TestParseNumber_rejectsMalformedInput(t *testing.T) {
	good, _ := FormatNumber("990121", time.Date(2026, 10, 8, 0, 0, 0, 0, clock.Shanghai), 1)
	tests := map[string]string{
		"empty":         "",
		"short":         good[:23],
		"no dashes":     "990121202610080000011",
		"letters":       "99O121-20261008-000001-" + good[23:],
		"bad date":      "990121-20261308-000001-0",
		"serial zero":   "990121-20261008-000000-" + string(checkChar("99012120261008000000")),
		"trailing junk": good + " ",
	}
	for name, in := range tests {
		t.Run(name+" is rejected", func(t *testing.T) {
			if _, err := ParseNumber(in); err == nil {
				t.Errorf("ParseNumber(%q) succeeded", in)
			}
		})
	}
}

func FuzzParseNumber(f *testing.F) {
	f.Add("990121-20260214-000042-7")
	f.Add("990121-20261008-000001-X")
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) {
		n, err := ParseNumber(s)
		if err != nil {
			return
		}
		// Whatever parses must print back to itself (up to the case of x)
		// and carry a correct check character.
		if got := n.String(); got != s && got != string(append([]byte(s[:23]), 'X')) {
			t.Fatalf("ParseNumber(%q).String() = %q", s, got)
		}
		if checkChar(n.Region+n.Date+fmt.Sprintf("%06d", n.Serial)) != n.Check {
			t.Fatalf("parsed %q with a wrong check character", s)
		}
	})
}

func TestNextSerial_isUniqueUnderConcurrencyOnPostgres(t *testing.T) {
	d := dbtest.Postgres(t)
	ctx := context.Background()
	const n = 40
	var mu sync.Mutex
	seen := map[int]bool{}
	var wg sync.WaitGroup
	errc := make(chan error, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := d.Tx(ctx, func(tx *sql.Tx) error {
				s, err := nextSerial(ctx, tx, "990121", "20260214")
				if err != nil {
					return err
				}
				mu.Lock()
				defer mu.Unlock()
				if seen[s] {
					return fmt.Errorf("serial %d handed out twice", s)
				}
				seen[s] = true
				return nil
			})
			if err != nil {
				errc <- err
			}
		}()
	}
	wg.Wait()
	close(errc)
	for err := range errc {
		t.Fatal(err)
	}
	for i := 1; i <= n; i++ {
		if !seen[i] {
			t.Errorf("serial %d missing: got %d serials, want 1..%d", i, len(seen), n)
		}
	}
}

func TestSubmit_concurrentSubmissionsGetUniqueNumbersOnPostgres(t *testing.T) {
	d := dbtest.Postgres(t)
	e := newEnv(t, d, bj(2026, 3, 2, 9, 0))
	const n = 20
	nos := make(chan string, n)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r, err := e.svc.Submit(context.Background(), e.who.applicant, SubmitRequest{Item: itemPromised, Channel: Online, Materials: fullMaterials()})
			if err != nil {
				t.Errorf("submit: %v", err)
				return
			}
			nos <- r.Case.No
		}()
	}
	wg.Wait()
	close(nos)
	seen := map[string]bool{}
	for no := range nos {
		if seen[no] || !ValidNumber(no) {
			t.Errorf("number %s duplicated or invalid", no)
		}
		seen[no] = true
	}
	if len(seen) != n {
		t.Errorf("got %d distinct numbers, want %d", len(seen), n)
	}
}
