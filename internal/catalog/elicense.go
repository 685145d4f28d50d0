package catalog

// ELicenseType is a kind of e-license (电子证照) that the licence directory
// issues; a material whose e-license type is set can be fetched instead of
// asking the applicant for paper (国务院关于加快推进电子证照扩大应用领域和全国互通互认的意见).
type ELicenseType struct {
	Code string `json:"code"`
	Name string `json:"name"`
}

// ELicenseTypes is the known list; a material naming another type is rejected.
var ELicenseTypes = []ELicenseType{
	{"id_card", "居民身份证"},
	{"household_register", "居民户口簿"},
	{"residence_permit", "居住证"},
	{"business_license", "营业执照"},
	{"marriage_cert", "结婚证"},
	{"divorce_cert", "离婚证"},
	{"birth_medical_cert", "出生医学证明"},
	{"real_estate_cert", "不动产权证书"},
	{"real_estate_proof", "不动产登记证明"},
	{"social_security_card", "社会保障卡"},
	{"disability_cert", "残疾人证"},
	{"food_business_license", "食品经营许可证"},
	{"hygiene_license", "公共场所卫生许可证"},
	{"land_use_planning_permit", "建设用地规划许可证"},
	{"construction_planning_permit", "建设工程规划许可证"},
	{"construction_permit", "建筑工程施工许可证"},
	{"project_approval", "项目备案证明"},
	{"site_selection_opinion", "建设项目用地预审与选址意见书"},
	{"physician_license", "医师执业证书"},
	{"nurse_license", "护士执业证书"},
	{"medical_institution_license", "医疗机构执业许可证"},
	{"driving_license", "机动车驾驶证"},
	{"vehicle_license", "机动车行驶证"},
	{"retirement_cert", "退休证"},
	{"subsistence_cert", "最低生活保障证"},
	{"degree_cert", "学历证书"},
	{"tax_registration", "税务登记证明"},
	{"death_medical_cert", "死亡医学证明"},
	{"housing_fund_cert", "住房公积金缴存证明"},
}

// ELicenseTypeByCode returns the type with code.
func ELicenseTypeByCode(code string) (ELicenseType, bool) {
	for _, t := range ELicenseTypes {
		if t.Code == code {
			return t, true
		}
	}
	return ELicenseType{}, false
}

// eLicenseCode accepts a code or a Chinese name (Excel uses names).
func eLicenseCode(s string) (string, bool) {
	for _, t := range ELicenseTypes {
		if t.Code == s || t.Name == s {
			return t.Code, true
		}
	}
	return "", false
}
