package places

import (
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Domains are the item domains (领域) windows, service areas and items are
// grouped by. A comprehensive window accepts any item of its domains
// (无差别受理) when an authorization covers them.
var Domains = []string{
	"商事登记", "不动产登记", "社保医保", "公安户籍", "民政残联",
	"卫生健康", "工程建设", "税务", "水电气暖", "交通运输", "综合",
}

// ValidDomain reports whether d is one of Domains.
func ValidDomain(d string) bool { return slices.Contains(Domains, d) }

// OrgKind is the kind of an organization.
type OrgKind string

const (
	OrgDepartment  OrgKind = "department"  // 政府工作部门
	OrgVertical    OrgKind = "vertical"    // 垂直管理部门 (tax, a city bureau's county branch)
	OrgInstitution OrgKind = "institution" // 事业单位 / 群团组织
	OrgUtility     OrgKind = "utility"     // 公用事业单位 (water, power, gas, heating)
	OrgBank        OrgKind = "bank"        // 银行
	OrgAgency      OrgKind = "agency"      // 中介机构
)

// OrgKinds lists the organization kinds in display order.
var OrgKinds = []OrgKind{OrgDepartment, OrgVertical, OrgInstitution, OrgUtility, OrgBank, OrgAgency}

// Name is the Chinese name of the kind.
func (k OrgKind) Name() string {
	switch k {
	case OrgDepartment:
		return "政府工作部门"
	case OrgVertical:
		return "垂直管理部门"
	case OrgInstitution:
		return "事业单位"
	case OrgUtility:
		return "公用事业单位"
	case OrgBank:
		return "银行"
	case OrgAgency:
		return "中介机构"
	}
	return string(k)
}

// Valid reports whether k is a known kind.
func (k OrgKind) Valid() bool { return slices.Contains(OrgKinds, k) }

// WindowKind is the kind of a window.
type WindowKind string

const (
	WindowComprehensive WindowKind = "comprehensive" // 综合窗口: accepts any item of its domains
	WindowSingle        WindowKind = "single"        // 专业窗口: one department's items
	WindowHandout       WindowKind = "handout"       // 出件窗口: results are handed out
	WindowAssisted      WindowKind = "assisted"      // 帮办代办窗口
	WindowGreen         WindowKind = "green"         // 绿色通道窗口: elderly, disabled, veterans, key projects
)

// WindowKinds lists the window kinds in display order.
var WindowKinds = []WindowKind{WindowComprehensive, WindowSingle, WindowHandout, WindowAssisted, WindowGreen}

// Name is the Chinese name of the kind.
func (k WindowKind) Name() string {
	switch k {
	case WindowComprehensive:
		return "综合窗口"
	case WindowSingle:
		return "专业窗口"
	case WindowHandout:
		return "出件窗口"
	case WindowAssisted:
		return "帮办代办窗口"
	case WindowGreen:
		return "绿色通道窗口"
	}
	return string(k)
}

// Valid reports whether k is a known kind.
func (k WindowKind) Valid() bool { return slices.Contains(WindowKinds, k) }

// acceptsItems reports whether a window of this kind takes applications and
// so must say which domains or items it serves.
func (k WindowKind) acceptsItems() bool { return k == WindowComprehensive || k == WindowSingle }

// names joins the Chinese names of kinds with "、".
func names[K interface{ Name() string }](ks []K) string {
	parts := make([]string, len(ks))
	for i, k := range ks {
		parts[i] = k.Name()
	}
	return strings.Join(parts, "、")
}

// tooLong reports whether s has more than n characters (not bytes).
func tooLong(s string, n int) bool { return utf8.RuneCountInString(s) > n }

// validPhone accepts the digits, "-", "+", spaces and parentheses people
// write phone numbers with ("0990-6012345", "12345").
func validPhone(s string) bool {
	if tooLong(s, 30) {
		return false
	}
	for _, r := range s {
		if !(r >= '0' && r <= '9' || strings.ContainsRune("-+ ()（）转", r)) {
			return false
		}
	}
	return true
}

// validItemCode accepts a catalog item code: 1–64 letters, digits, "-", "_"
// or ".". The catalog owns the codes; places only stores them.
func validItemCode(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, r := range s {
		if !(r >= '0' && r <= '9' || r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r == '-' || r == '_' || r == '.') {
			return false
		}
	}
	return true
}

// validDay reports whether s is a calendar date written YYYY-MM-DD.
func validDay(s string) bool {
	_, err := time.Parse(time.DateOnly, s)
	return err == nil && len(s) == 10
}

// cleanList trims, drops empty entries and duplicates, keeping order.
func cleanList(in []string) []string {
	out := []string{}
	for _, s := range in {
		s = strings.TrimSpace(s)
		if s != "" && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// shared returns the values present in both lists.
func shared(a, b []string) []string {
	var out []string
	for _, s := range a {
		if slices.Contains(b, s) {
			out = append(out, s)
		}
	}
	return out
}
