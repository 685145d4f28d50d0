package places

// Demo data: a fictional 示范省 / 示范市 / 示范县 (codes 99xxxx are unused by
// GB/T 2260), its departments, a county hall with service areas and
// windows, a township center and a village station.

// Demo region codes.
const (
	DemoProvince    = "990000"
	DemoCity        = "990100"
	DemoCounty      = "990121"
	DemoCounty2     = "990122"
	DemoTownship    = "990121001"
	DemoTownship2   = "990121002"
	DemoVillage     = "990121001001"
	DemoVillage2    = "990121002001"
	DemoHallName    = "示范县政务服务中心"
	DemoTownHall    = "城关镇便民服务中心"
	DemoVillageHall = "东关社区便民服务站"
)

var demoRegions = []Region{
	{Code: DemoProvince, Name: "示范省"},
	{Code: DemoCity, Name: "示范市"},
	{Code: DemoCounty, Name: "示范县"},
	{Code: DemoCounty2, Name: "东山县"},
	{Code: DemoTownship, Name: "城关镇"},
	{Code: DemoTownship2, Name: "河西乡"},
	{Code: DemoVillage, Name: "东关社区"},
	{Code: DemoVillage2, Name: "柳树村"},
}

// demoOrg is an organization of 示范县 with the parts of its USCC: the
// registration authority and category ("11" organ, "12" public institution,
// "13" mass organization, "91" enterprise) and an 8-character body of its
// organization code (GB 11714), whose check character is computed.
type demoOrg struct {
	name, short string
	kind        OrgKind
	category    string
	code8       string
	phone       string
}

var demoOrgs = []demoOrg{
	{"示范县行政审批服务局", "审批局", OrgDepartment, "11", "99121001", "0990-6012001"},
	{"示范县市场监督管理局", "市场监管局", OrgDepartment, "11", "99121002", "0990-6012002"},
	{"示范县自然资源局", "自然资源局", OrgDepartment, "11", "99121003", "0990-6012003"},
	{"示范县住房和城乡建设局", "住建局", OrgDepartment, "11", "99121004", "0990-6012004"},
	{"国家税务总局示范县税务局", "税务局", OrgVertical, "11", "99121005", "12366"},
	{"示范县人力资源和社会保障局", "人社局", OrgDepartment, "11", "99121006", "12333"},
	{"示范县医疗保障局", "医保局", OrgDepartment, "11", "99121007", "0990-6012007"},
	{"示范县公安局", "公安局", OrgDepartment, "11", "99121008", "0990-6012008"},
	{"示范县民政局", "民政局", OrgDepartment, "11", "99121009", "0990-6012009"},
	{"示范县卫生健康局", "卫健局", OrgDepartment, "11", "99121010", "0990-6012010"},
	{"示范市生态环境局示范县分局", "生态环境分局", OrgVertical, "11", "99121011", "12369"},
	{"示范县发展和改革局", "发改局", OrgDepartment, "11", "99121012", "0990-6012012"},
	{"示范县交通运输局", "交通运输局", OrgDepartment, "11", "99121013", "0990-6012013"},
	{"示范县残疾人联合会", "残联", OrgInstitution, "13", "99121014", "0990-6012014"},
	{"示范县不动产登记中心", "不动产登记中心", OrgInstitution, "12", "99121015", "0990-6012015"},
	{"国网示范县供电公司", "供电公司", OrgUtility, "91", "MA991201", "95598"},
	{"示范县自来水有限公司", "自来水公司", OrgUtility, "91", "MA991202", "0990-6013001"},
	{"示范县燃气有限公司", "燃气公司", OrgUtility, "91", "MA991203", "0990-6013002"},
	{"示范县热力有限公司", "热力公司", OrgUtility, "91", "MA991204", "0990-6013003"},
	{"中国工商银行示范县支行", "工行示范县支行", OrgBank, "91", "MA991205", "95588"},
}

// Short names of the demo organizations used below.
const (
	orgApproval   = "示范县行政审批服务局"
	orgMarket     = "示范县市场监督管理局"
	orgResources  = "示范县自然资源局"
	orgHousing    = "示范县住房和城乡建设局"
	orgTax        = "国家税务总局示范县税务局"
	orgHR         = "示范县人力资源和社会保障局"
	orgMedical    = "示范县医疗保障局"
	orgPolice     = "示范县公安局"
	orgCivil      = "示范县民政局"
	orgHealth     = "示范县卫生健康局"
	orgEcology    = "示范市生态环境局示范县分局"
	orgReform     = "示范县发展和改革局"
	orgTransport  = "示范县交通运输局"
	orgDisabled   = "示范县残疾人联合会"
	orgRealEstate = "示范县不动产登记中心"
	orgPower      = "国网示范县供电公司"
	orgWater      = "示范县自来水有限公司"
	orgGas        = "示范县燃气有限公司"
	orgHeat       = "示范县热力有限公司"
)

type demoHall struct {
	Hall
	areas   []ServiceArea
	windows []demoWindow
}

type demoWindow struct {
	number, name string
	kind         WindowKind
	area         string // service area name
	org          string // department of a single-department window
	domains      []string
}

var demoHalls = []demoHall{
	{
		Hall: Hall{Name: DemoHallName, RegionCode: DemoCounty, Address: "示范县城关镇人民路 88 号",
			Hours: "周一至周五 9:00-12:00，14:00-17:30；周六 9:00-12:00（商事登记、社保医保延时服务）；法定节假日除外",
			Phone: "0990-6012345"},
		areas: []ServiceArea{
			{Name: "商事登记区", Domain: "商事登记", Floor: "一楼东厅"},
			{Name: "不动产登记区", Domain: "不动产登记", Floor: "一楼西厅"},
			{Name: "社保医保区", Domain: "社保医保", Floor: "二楼东厅"},
			{Name: "综合受理区", Domain: "综合", Floor: "一楼中厅"},
		},
		windows: []demoWindow{
			{"A01", "商事登记综合窗口", WindowComprehensive, "商事登记区", "", []string{"商事登记"}},
			{"A02", "商事登记综合窗口", WindowComprehensive, "商事登记区", "", []string{"商事登记"}},
			{"A03", "企业开办综合窗口", WindowComprehensive, "商事登记区", "", []string{"商事登记", "税务"}},
			{"A04", "不动产登记综合窗口", WindowComprehensive, "不动产登记区", "", []string{"不动产登记", "税务"}},
			{"A05", "不动产登记综合窗口", WindowComprehensive, "不动产登记区", "", []string{"不动产登记", "税务"}},
			{"A06", "社保医保综合窗口", WindowComprehensive, "社保医保区", "", []string{"社保医保"}},
			{"A07", "社保医保综合窗口", WindowComprehensive, "社保医保区", "", []string{"社保医保"}},
			{"A08", "综合受理窗口", WindowComprehensive, "综合受理区", "", []string{"民政残联", "卫生健康", "工程建设", "交通运输", "水电气暖"}},
			{"B01", "公安户籍窗口", WindowSingle, "综合受理区", orgPolice, []string{"公安户籍"}},
			{"C01", "出件窗口", WindowHandout, "综合受理区", "", []string{"综合"}},
			{"D01", "帮办代办窗口", WindowAssisted, "综合受理区", "", []string{"综合"}},
			{"E01", "绿色通道窗口", WindowGreen, "综合受理区", "", []string{"综合"}},
		},
	},
	{
		Hall: Hall{Name: DemoTownHall, RegionCode: DemoTownship, Address: "示范县城关镇建设街 12 号",
			Hours: "周一至周五 8:30-12:00，14:30-17:30；法定节假日除外", Phone: "0990-6021001"},
		areas: []ServiceArea{{Name: "便民服务区", Domain: "综合", Floor: "一楼"}},
		windows: []demoWindow{
			{"01", "综合窗口", WindowComprehensive, "便民服务区", "", []string{"社保医保", "民政残联", "卫生健康"}},
			{"02", "帮办代办窗口", WindowAssisted, "便民服务区", "", []string{"综合"}},
		},
	},
	{
		Hall: Hall{Name: DemoVillageHall, RegionCode: DemoVillage, Address: "示范县城关镇东关社区党群服务中心一楼",
			Hours: "周一至周五 9:00-12:00，14:30-17:00", Phone: "0990-6021101"},
		windows: []demoWindow{
			{"01", "代办窗口", WindowAssisted, "", "", []string{"综合"}},
		},
	},
}

// demoGrant is one window authorization: org delegates domains at the
// windows (by number in hall) — one signed document may cover several windows.
type demoGrant struct {
	org, doc       string
	hall           string
	windows        []string
	accept, decide bool
	domains        []string
}

var demoGrants = []demoGrant{
	{orgMarket, "示市监授〔%d〕1号", DemoHallName, []string{"A01", "A02", "A03"}, true, true, []string{"商事登记"}},
	{orgMarket, "示市监授〔%d〕2号", DemoHallName, []string{"E01"}, true, false, []string{"商事登记"}},
	{orgTax, "示税授〔%d〕1号", DemoHallName, []string{"A03"}, true, true, []string{"税务"}},
	{orgTax, "示税授〔%d〕2号", DemoHallName, []string{"A04", "A05"}, true, false, []string{"税务"}},
	{orgRealEstate, "示不动产授〔%d〕1号", DemoHallName, []string{"A04", "A05"}, true, false, []string{"不动产登记"}},
	{orgHR, "示人社授〔%d〕1号", DemoHallName, []string{"A06", "A07"}, true, true, []string{"社保医保"}},
	{orgHR, "示人社授〔%d〕2号", DemoHallName, []string{"E01"}, true, false, []string{"社保医保"}},
	{orgMedical, "示医保授〔%d〕1号", DemoHallName, []string{"A06", "A07"}, true, true, []string{"社保医保"}},
	{orgCivil, "示民政授〔%d〕1号", DemoHallName, []string{"A08"}, true, false, []string{"民政残联"}},
	{orgDisabled, "示残联授〔%d〕1号", DemoHallName, []string{"A08"}, true, true, []string{"民政残联"}},
	{orgHealth, "示卫健授〔%d〕1号", DemoHallName, []string{"A08"}, true, false, []string{"卫生健康"}},
	{orgHousing, "示住建授〔%d〕1号", DemoHallName, []string{"A08"}, true, false, []string{"工程建设"}},
	{orgReform, "示发改授〔%d〕1号", DemoHallName, []string{"A08"}, true, false, []string{"工程建设"}},
	{orgResources, "示自然资源授〔%d〕1号", DemoHallName, []string{"A08"}, true, false, []string{"工程建设"}},
	{orgEcology, "示环分授〔%d〕1号", DemoHallName, []string{"A08"}, true, false, []string{"工程建设"}},
	{orgTransport, "示交通授〔%d〕1号", DemoHallName, []string{"A08"}, true, false, []string{"交通运输"}},
	{orgPower, "国网示供授〔%d〕1号", DemoHallName, []string{"A08"}, true, true, []string{"水电气暖"}},
	{orgWater, "示水司授〔%d〕1号", DemoHallName, []string{"A08"}, true, true, []string{"水电气暖"}},
	{orgGas, "示燃气授〔%d〕1号", DemoHallName, []string{"A08"}, true, true, []string{"水电气暖"}},
	{orgHeat, "示热力授〔%d〕1号", DemoHallName, []string{"A08"}, true, true, []string{"水电气暖"}},
	{orgPolice, "示公授〔%d〕1号", DemoHallName, []string{"B01"}, true, true, []string{"公安户籍"}},
	{orgHR, "示人社授〔%d〕3号", DemoTownHall, []string{"01"}, true, false, []string{"社保医保"}},
	{orgMedical, "示医保授〔%d〕2号", DemoTownHall, []string{"01"}, true, false, []string{"社保医保"}},
	{orgCivil, "示民政授〔%d〕2号", DemoTownHall, []string{"01"}, true, false, []string{"民政残联"}},
	{orgHealth, "示卫健授〔%d〕2号", DemoTownHall, []string{"01"}, true, false, []string{"卫生健康"}},
}
