package ratings

import "slices"

// TagSet names the reason-tag set of a rating. GB/T 39734-2020 evaluates
// online services (网上政务服务) and on-site services (实体大厅) on different
// dimensions, so their reason tags differ.
type TagSet string

const (
	TagsOnline TagSet = "online" // 办事效率, 办事指南精确度, 办事便捷度, 平台操作性, 咨询答复
	TagsOnsite TagSet = "onsite" // 服务效率, 服务水平, 服务态度, 办事环境, 办事便捷度
)

// Label is the Chinese name of a tag set.
func (t TagSet) Label() string {
	if t == TagsOnline {
		return "网上服务"
	}
	return "现场服务"
}

func tagSetFor(caseChannel string) TagSet {
	if caseChannel == "online" {
		return TagsOnline
	}
	return TagsOnsite
}

// tagTable holds the reason tags per set and level. Each level phrases the
// same dimensions at its own strength, so a tag belongs to exactly one level.
var tagTable = map[TagSet]map[int][]string{
	TagsOnline: {
		5: {"办事效率很高", "办事指南精确完整", "办事非常便捷", "平台操作简单流畅", "咨询答复及时准确"},
		4: {"办事效率较高", "办事指南比较精确", "办事比较便捷", "平台操作比较顺畅", "咨询答复比较及时"},
		3: {"办事效率一般", "办事指南基本准确", "办事便捷度一般", "平台操作性一般", "咨询答复一般"},
		2: {"办事效率较低", "办事指南不够准确", "办事不够便捷", "平台操作不便", "咨询答复不及时"},
		1: {"办事效率很低", "办事指南错误或缺失", "反复提交仍未办成", "平台无法正常使用", "咨询无人答复"},
	},
	TagsOnsite: {
		5: {"服务效率很高", "服务水平专业", "服务态度热情", "办事环境舒适", "一次办好不跑腿"},
		4: {"服务效率较高", "服务水平较好", "服务态度较好", "办事环境较好", "等候时间较短"},
		3: {"服务效率一般", "服务水平一般", "服务态度一般", "办事环境一般", "等候时间一般"},
		2: {"服务效率较低", "业务不够熟练", "服务态度欠佳", "等候时间较长", "多次跑动"},
		1: {"服务效率很低", "推诿扯皮", "服务态度恶劣", "未一次性告知", "吃拿卡要"},
	},
}

// Tags returns the reason tags of level in set (nil for an unknown level).
func Tags(set TagSet, level int) []string {
	return slices.Clone(tagTable[set][level])
}

// AllTags returns the whole table for pages and the API.
func AllTags() map[TagSet]map[int][]string {
	out := map[TagSet]map[int][]string{}
	for set, levels := range tagTable {
		out[set] = map[int][]string{}
		for l, ts := range levels {
			out[set][l] = slices.Clone(ts)
		}
	}
	return out
}

// validTag reports whether tag belongs to level in set.
func validTag(set TagSet, level int, tag string) bool {
	return slices.Contains(tagTable[set][level], tag)
}
