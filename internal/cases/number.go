package cases

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"strconv"
	"time"

	"banhao.dev/banhao/internal/platform/errs"
)

// ErrBadNumber rejects a malformed case number or one whose check character fails.
var ErrBadNumber = errs.E(errs.Invalid, "case_number_invalid", "办件编号格式不正确或校验位错误")

// Number is a parsed case number (format in doc.go).
type Number struct {
	Region string // 6 digits
	Date   string // YYYYMMDD
	Serial int
	Check  byte
}

func (n Number) String() string {
	return fmt.Sprintf("%s-%s-%06d-%c", n.Region, n.Date, n.Serial, n.Check)
}

// FormatNumber builds a case number and its check character.
func FormatNumber(region string, day time.Time, serial int) (string, error) {
	if len(region) < 6 || !digits(region[:6]) {
		return "", ErrBadNumber.Withf("行政区划代码“%s”不正确", region)
	}
	if serial < 1 || serial > 999999 {
		return "", errs.E(errs.Conflict, "case_serial_exhausted", "该地区当日办件编号已用完")
	}
	date := day.Format("20060102")
	body := fmt.Sprintf("%s%s%06d", region[:6], date, serial)
	return fmt.Sprintf("%s-%s-%06d-%c", region[:6], date, serial, checkChar(body)), nil
}

// checkChar is ISO 7064 MOD 11-2 over a string of digits (as in GB 11643).
func checkChar(body string) byte {
	sum, w := 0, 2 // weight of the rightmost body digit: 2^1 mod 11
	for i := len(body) - 1; i >= 0; i-- {
		sum += int(body[i]-'0') * w
		w = w * 2 % 11
	}
	c := (12 - sum%11) % 11
	if c == 10 {
		return 'X'
	}
	return byte('0' + c)
}

// ParseNumber parses and checks a case number "RRRRRR-YYYYMMDD-NNNNNN-C".
func ParseNumber(s string) (Number, error) {
	if len(s) != 24 || s[6] != '-' || s[15] != '-' || s[22] != '-' {
		return Number{}, ErrBadNumber
	}
	region, date, serial, check := s[:6], s[7:15], s[16:22], s[23]
	if !digits(region) || !digits(date) || !digits(serial) {
		return Number{}, ErrBadNumber
	}
	if _, err := time.Parse("20060102", date); err != nil {
		return Number{}, ErrBadNumber
	}
	if check == 'x' {
		check = 'X'
	}
	if checkChar(region+date+serial) != check {
		return Number{}, ErrBadNumber
	}
	n, _ := strconv.Atoi(serial)
	if n == 0 {
		return Number{}, ErrBadNumber
	}
	return Number{Region: region, Date: date, Serial: n, Check: check}, nil
}

// ValidNumber reports whether s is a well-formed case number.
func ValidNumber(s string) bool { _, err := ParseNumber(s); return err == nil }

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// queryAlphabet leaves out characters people confuse (0/O, 1/I/L).
const queryAlphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"

// newQueryCode returns a random 8-character tracking code (about 40 bits);
// only its SHA-256 is stored, so the database does not reveal it.
func newQueryCode() (code, hash string, err error) {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", "", fmt.Errorf("query code: %w", err)
	}
	out := make([]byte, len(b))
	for i, x := range b {
		out[i] = queryAlphabet[int(x)%len(queryAlphabet)]
	}
	return string(out), hashQuery(string(out)), nil
}

func hashQuery(code string) string {
	h := sha256.Sum256([]byte(code))
	return hex.EncodeToString(h[:])
}

func queryMatches(code, hash string) bool {
	return subtle.ConstantTimeCompare([]byte(hashQuery(code)), []byte(hash)) == 1
}

// newPickupCode returns a random 6-digit pickup code (出件取件码).
func newPickupCode() (string, error) {
	var b [4]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("pickup code: %w", err)
	}
	n := (uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])) % 1000000
	return fmt.Sprintf("%06d", n), nil
}
