// Package ids validates the identifiers people type: the citizen ID
// (公民身份号码, GB 11643-1999), the unified social credit code (统一社会信用代码,
// GB 32100-2015) and administrative region codes (GB/T 2260, extended to 9
// and 12 digits for townships and villages). Every validator lives here so
// the same rule applies in forms, the API, Excel imports and the CLI.
package ids

import (
	"strings"
	"time"

	"banhao.dev/banhao/internal/platform/errs"
)

var (
	ErrCitizenIDFormat = errs.E(errs.Invalid, "citizen_id_format", "公民身份号码应为 18 位：前 17 位为数字，最后一位为数字或 X")
	ErrCitizenIDBirth  = errs.E(errs.Invalid, "citizen_id_birth", "公民身份号码中的出生日期无效")
	ErrCitizenIDCheck  = errs.E(errs.Invalid, "citizen_id_check", "公民身份号码校验码不正确，请核对后重新输入")
	ErrUSCCFormat      = errs.E(errs.Invalid, "uscc_format", "统一社会信用代码应为 18 位数字或大写字母（不含 I、O、Z、S、V）")
	ErrUSCCCheck       = errs.E(errs.Invalid, "uscc_check", "统一社会信用代码校验码不正确，请核对后重新输入")
	ErrRegionCode      = errs.E(errs.Invalid, "region_code_format", "行政区划代码应为 6 位（省、市、县）、9 位（乡镇）或 12 位（村、社区）数字")
)

// citizenWeights are the GB 11643 weights W_i = 2^(17-i) mod 11.
var citizenWeights = [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}

const citizenChecks = "10X98765432"

// NormalizeCitizenID trims spaces and upper-cases a trailing x.
func NormalizeCitizenID(s string) string { return strings.ToUpper(strings.TrimSpace(s)) }

// CitizenIDCheck returns the check character for the first 17 digits.
func CitizenIDCheck(body string) byte {
	if len(body) < 17 {
		return 0
	}
	sum := 0
	for i := 0; i < 17; i++ {
		sum += int(body[i]-'0') * citizenWeights[i]
	}
	return citizenChecks[sum%11]
}

// ValidateCitizenID checks an 18-character citizen ID: digits, a real birth
// date (not in the future of now), and the ISO 7064 MOD 11-2 check character.
func ValidateCitizenID(s string, now time.Time) error {
	s = NormalizeCitizenID(s)
	if len(s) != 18 {
		return ErrCitizenIDFormat
	}
	for i := 0; i < 17; i++ {
		if s[i] < '0' || s[i] > '9' {
			return ErrCitizenIDFormat
		}
	}
	if c := s[17]; !(c >= '0' && c <= '9' || c == 'X') {
		return ErrCitizenIDFormat
	}
	birth, err := time.Parse("20060102", s[6:14])
	if err != nil || birth.Year() < 1850 || (!now.IsZero() && birth.After(now)) {
		return ErrCitizenIDBirth
	}
	if CitizenIDCheck(s) != s[17] {
		return ErrCitizenIDCheck
	}
	return nil
}

// usccChars is the GB 32100 code set: digits and capitals without I, O, Z, S, V.
const usccChars = "0123456789ABCDEFGHJKLMNPQRTUWXY"

var usccWeights = [17]int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}

// NormalizeUSCC trims spaces and upper-cases.
func NormalizeUSCC(s string) string { return strings.ToUpper(strings.TrimSpace(s)) }

// USCCCheck returns the check character for the first 17 characters, or 0
// when one of them is outside the code set.
func USCCCheck(body string) byte {
	if len(body) < 17 {
		return 0
	}
	sum := 0
	for i := 0; i < 17; i++ {
		v := strings.IndexByte(usccChars, body[i])
		if v < 0 {
			return 0
		}
		sum += v * usccWeights[i]
	}
	return usccChars[(31-sum%31)%31]
}

// ValidateUSCC checks an 18-character unified social credit code: the code
// set, six region digits in positions 3–8, and the MOD 31 check character.
func ValidateUSCC(s string) error {
	s = NormalizeUSCC(s)
	if len(s) != 18 {
		return ErrUSCCFormat
	}
	for i := 0; i < 18; i++ {
		if strings.IndexByte(usccChars, s[i]) < 0 {
			return ErrUSCCFormat
		}
	}
	for i := 2; i < 8; i++ {
		if s[i] < '0' || s[i] > '9' {
			return ErrUSCCFormat
		}
	}
	if USCCCheck(s) != s[17] {
		return ErrUSCCCheck
	}
	return nil
}

// RegionLevel is the level implied by a region code.
type RegionLevel string

const (
	Province RegionLevel = "province"
	City     RegionLevel = "city"
	County   RegionLevel = "county"
	Township RegionLevel = "township"
	Village  RegionLevel = "village"
)

// Levels lists region levels from the top.
var Levels = []RegionLevel{Province, City, County, Township, Village}

// LevelName is the Chinese name of a level.
func (l RegionLevel) Name() string {
	switch l {
	case Province:
		return "省级"
	case City:
		return "市级"
	case County:
		return "县级"
	case Township:
		return "乡镇（街道）"
	case Village:
		return "村（社区）"
	}
	return string(l)
}

// RegionCodeLevel validates a region code and returns the level it implies:
// XX0000 province, XXXX00 city, XXXXXX county, 9 digits township, 12 village.
func RegionCodeLevel(code string) (RegionLevel, error) {
	for i := 0; i < len(code); i++ {
		if code[i] < '0' || code[i] > '9' {
			return "", ErrRegionCode
		}
	}
	if len(code) >= 2 && code[:2] == "00" {
		return "", ErrRegionCode
	}
	switch len(code) {
	case 6:
		switch {
		case code[2:] == "0000":
			return Province, nil
		case code[4:] == "00":
			return City, nil
		default:
			return County, nil
		}
	case 9:
		if _, err := RegionCodeLevel(code[:6]); err != nil || code[6:] == "000" {
			return "", ErrRegionCode
		}
		return Township, nil
	case 12:
		if _, err := RegionCodeLevel(code[:9]); err != nil || code[9:] == "000" {
			return "", ErrRegionCode
		}
		return Village, nil
	}
	return "", ErrRegionCode
}

// RegionPrefix is the part of a code shared by every region inside it, so
// "inside region R" is "code LIKE RegionPrefix(R) || '%'".
func RegionPrefix(code string) string {
	lvl, err := RegionCodeLevel(code)
	if err != nil {
		return code
	}
	switch lvl {
	case Province:
		return code[:2]
	case City:
		return code[:4]
	}
	return code
}

// RegionParentCode returns the code of the region directly above, following
// the code structure ("" for a province). A county directly under a province
// (e.g. a province-administered county) may need an explicit parent instead.
func RegionParentCode(code string) string {
	lvl, err := RegionCodeLevel(code)
	if err != nil {
		return ""
	}
	switch lvl {
	case City:
		return code[:2] + "0000"
	case County:
		return code[:4] + "00"
	case Township:
		return code[:6]
	case Village:
		return code[:9]
	}
	return ""
}

// InRegion reports whether code lies inside (or is) the region scope.
func InRegion(code, scope string) bool { return strings.HasPrefix(code, RegionPrefix(scope)) }
