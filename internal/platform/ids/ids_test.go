package ids

import (
	"errors"
	"testing"
	"time"
)

var now = time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC)

func TestValidateCitizenID(t *testing.T) {
	cases := []struct {
		name string
		id   string
		want error
	}{
		{"GB 11643 example with X check", "11010519491231002X", nil},
		{"lower-case x accepted", "11010519491231002x", nil},
		{"published sample 440524188001010014", "440524188001010014", nil},
		{"wrong check digit", "110105194912310021", ErrCitizenIDCheck},
		{"17 digits", "11010519491231002", ErrCitizenIDFormat},
		{"letter in body", "1101051949123100AX", ErrCitizenIDFormat},
		{"impossible date", "110105194902300025", ErrCitizenIDBirth},
		{"born in the future", "110105203001010012", ErrCitizenIDBirth},
		{"empty", "", ErrCitizenIDFormat},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := ValidateCitizenID(c.id, now); !errors.Is(got, c.want) && !(got == nil && c.want == nil) {
				t.Fatalf("ValidateCitizenID(%q) = %v, want %v", c.id, got, c.want)
			}
		})
	}
}

func TestValidateUSCC(t *testing.T) {
	cases := []struct {
		name string
		code string
		want error
	}{
		{"GB 32100 example", "91350100M000100Y43", nil},
		{"published: Huawei Technologies", "914403001922038216", nil},
		{"published: Tencent Computer Systems", "91440300708461136T", nil},
		{"lower case accepted", "91350100m000100y43", nil},
		{"wrong check char", "91350100M000100Y44", ErrUSCCCheck},
		{"forbidden letter I", "91350100I000100Y43", ErrUSCCFormat},
		{"region not digits", "91A50100M000100Y43", ErrUSCCFormat},
		{"too short", "91350100M000100Y4", ErrUSCCFormat},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := ValidateUSCC(c.code); !errors.Is(got, c.want) && !(got == nil && c.want == nil) {
				t.Fatalf("ValidateUSCC(%q) = %v, want %v", c.code, got, c.want)
			}
		})
	}
}

func TestRegionCodes(t *testing.T) {
	cases := []struct {
		code   string
		level  RegionLevel
		parent string
		prefix string
		bad    bool
	}{
		{code: "430000", level: Province, parent: "", prefix: "43"},
		{code: "430400", level: City, parent: "430000", prefix: "4304"},
		{code: "430421", level: County, parent: "430400", prefix: "430421"},
		{code: "430421101", level: Township, parent: "430421", prefix: "430421101"},
		{code: "430421101201", level: Village, parent: "430421101", prefix: "430421101201"},
		{code: "000000", bad: true},
		{code: "43042", bad: true},
		{code: "43042a", bad: true},
		{code: "430421000", bad: true},
	}
	for _, c := range cases {
		t.Run(c.code, func(t *testing.T) {
			lvl, err := RegionCodeLevel(c.code)
			if c.bad {
				if !errors.Is(err, ErrRegionCode) {
					t.Fatalf("got %v %v, want ErrRegionCode", lvl, err)
				}
				return
			}
			if err != nil || lvl != c.level || RegionParentCode(c.code) != c.parent || RegionPrefix(c.code) != c.prefix {
				t.Fatalf("got level %v parent %q prefix %q err %v", lvl, RegionParentCode(c.code), RegionPrefix(c.code), err)
			}
		})
	}
	if !InRegion("430421101", "430400") || InRegion("430521", "430400") {
		t.Fatal("InRegion scope by prefix is wrong")
	}
}

// The check functions must accept every valid code they produce and reject
// any single-character change of the check character.
func FuzzCitizenID(f *testing.F) {
	for _, s := range []string{"11010519491231002X", "440524188001010014", "", "x", "110105194902300025"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		err := ValidateCitizenID(s, now)
		if err == nil {
			n := NormalizeCitizenID(s)
			if CitizenIDCheck(n) != n[17] {
				t.Fatalf("accepted %q with a wrong check digit", s)
			}
			alt := []byte(n)
			alt[17] = "10X98765432"[(indexOf("10X98765432", n[17])+1)%11]
			if ValidateCitizenID(string(alt), now) == nil {
				t.Fatalf("accepted altered %q", alt)
			}
		}
	})
}

func FuzzUSCC(f *testing.F) {
	for _, s := range []string{"91350100M000100Y43", "914403001922038216", "", "91350100I000100Y43"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if ValidateUSCC(s) == nil {
			n := NormalizeUSCC(s)
			alt := []byte(n)
			alt[17] = usccChars[(indexOf(usccChars, n[17])+1)%31]
			if ValidateUSCC(string(alt)) == nil {
				t.Fatalf("accepted altered %q", alt)
			}
		}
	})
}

func FuzzRegionCode(f *testing.F) {
	for _, s := range []string{"430421", "430421101", "430421101201", "000000", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		lvl, err := RegionCodeLevel(s)
		if err != nil {
			return
		}
		if p := RegionParentCode(s); p != "" {
			if _, err := RegionCodeLevel(p); err != nil && lvl != City {
				t.Fatalf("parent %q of valid %q is invalid", p, s)
			}
		}
		if !InRegion(s, s) {
			t.Fatalf("%q not in its own region", s)
		}
	})
}

func indexOf(set string, c byte) int {
	for i := 0; i < len(set); i++ {
		if set[i] == c {
			return i
		}
	}
	return 0
}
