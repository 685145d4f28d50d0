package ratings

import (
	"encoding/json"
	"time"

	"banhao.dev/banhao/internal/platform/errs"
)

// Stage is a rateable moment of a case.
type Stage string

const (
	StageAccept   Stage = "accept"   // 受理后
	StageConclude Stage = "conclude" // 办结后
)

// Label is the Chinese name of a stage.
func (s Stage) Label() string {
	switch s {
	case StageAccept:
		return "受理环节"
	case StageConclude:
		return "办结环节"
	}
	return string(s)
}

func (s Stage) valid() bool { return s == StageAccept || s == StageConclude }

// Channel is how a rating reached the platform (GB/T 39735: 评价渠道).
type Channel string

const (
	ChOnline  Channel = "online"  // 我的办件（网上）
	ChSMS     Channel = "sms"     // 短信链接
	ChWindow  Channel = "window"  // 窗口评价器
	ChKiosk   Channel = "kiosk"   // 自助终端
	ChHotline Channel = "hotline" // 12345 回访
)

// Label is the Chinese name of a channel.
func (c Channel) Label() string {
	switch c {
	case ChOnline:
		return "网上评价"
	case ChSMS:
		return "短信评价"
	case ChWindow:
		return "窗口评价器"
	case ChKiosk:
		return "自助终端"
	case ChHotline:
		return "12345 回访"
	}
	return string(c)
}

// Levels from 5 非常满意 to 1 非常不满意; 1 and 2 are a bad rating (差评).
const (
	MinLevel = 1
	MaxLevel = 5
)

// LevelLabel is the Chinese name of a level.
func LevelLabel(l int) string {
	switch l {
	case 5:
		return "非常满意"
	case 4:
		return "满意"
	case 3:
		return "基本满意"
	case 2:
		return "不满意"
	case 1:
		return "非常不满意"
	}
	return ""
}

// IsBad reports whether level is a bad rating (差评, levels 1 and 2).
func IsBad(level int) bool { return level >= MinLevel && level <= 2 }

// Moment status.
const (
	MomentOpen      = "open"
	MomentRated     = "rated"
	MomentDefaulted = "defaulted" // counted as 默认好评 where the region's rule says so
	MomentExpired   = "expired"
)

// Moment is one rateable moment of a case.
type Moment struct {
	ID          int64      `json:"id"`
	CaseNo      string     `json:"case_no"`
	Stage       Stage      `json:"stage"`
	ApplicantID int64      `json:"-"`
	Applicant   string     `json:"-"`
	Phone       string     `json:"-"`
	OrgID       int64      `json:"org_id"`
	RegionCode  string     `json:"region_code"`
	ItemCode    string     `json:"item_code"`
	ItemName    string     `json:"item_name"`
	WindowID    int64      `json:"window_id,omitempty"`
	StaffID     int64      `json:"staff_id,omitempty"`
	CaseChannel string     `json:"case_channel"`
	At          time.Time  `json:"at"`
	ClosesAt    time.Time  `json:"closes_at"`
	DefaultOK   bool       `json:"default_satisfied_enabled"`
	Status      string     `json:"status"`
	TokenUsedAt *time.Time `json:"-"`
	CreatedAt   time.Time  `json:"created_at"`
}

// TagSet returns the tag set for rating this moment: the online set for a
// case filed online, the on-site set for a case served in the hall.
func (m Moment) TagSet() TagSet { return tagSetFor(m.CaseChannel) }

// Rating is one real rating. Rater fields are never published.
type Rating struct {
	ID         int64     `json:"id"`
	MomentID   int64     `json:"moment_id"`
	CaseNo     string    `json:"case_no"`
	Stage      Stage     `json:"stage"`
	Level      int       `json:"level"`
	LevelLabel string    `json:"level_label"`
	TagSet     TagSet    `json:"tag_set"`
	Tags       []string  `json:"tags"`
	Comment    string    `json:"comment"`
	Channel    Channel   `json:"channel"`
	RaterID    int64     `json:"rater_id,omitempty"`
	RaterName  string    `json:"rater_name,omitempty"`
	RaterPhone string    `json:"-"`
	RecordedBy int64     `json:"recorded_by,omitempty"`
	CallRecord string    `json:"call_record,omitempty"`
	OrgID      int64     `json:"org_id"`
	RegionCode string    `json:"region_code"`
	ItemCode   string    `json:"item_code"`
	ItemName   string    `json:"item_name"`
	WindowID   int64     `json:"window_id,omitempty"`
	StaffID    int64     `json:"staff_id,omitempty"`
	Bad        bool      `json:"bad"`
	Excluded   bool      `json:"excluded"`
	CreatedAt  time.Time `json:"created_at"`

	Rectification *Rectification `json:"rectification,omitempty"`
	Appeals       []Appeal       `json:"appeals,omitempty"`
}

func (r *Rating) stream() string { return "rating/" + itoa(r.ID) }

// Rating errors; each rule has its own code (see the spec's "Bad input").
var (
	ErrLevel        = errs.E(errs.Invalid, "rating_level_invalid", "评价等级须为 1–5（5 非常满意 … 1 非常不满意）")
	ErrTag          = errs.E(errs.Invalid, "rating_tag_invalid", "所选评价标签不属于该评价等级或评价渠道")
	ErrTagsRequired = errs.E(errs.Invalid, "rating_tags_required", "差评须至少选择一项原因标签")
	ErrComment      = errs.E(errs.Invalid, "rating_comment_too_long", "评价内容不超过 500 字")
	ErrNotRater     = errs.E(errs.Forbidden, "not_case_applicant", "只有该办件的申请人本人可以评价")
	ErrStaffRating  = errs.E(errs.Forbidden, "staff_cannot_rate", "工作人员不能代替办事群众评价或修改评价")
	ErrAlreadyRated = errs.E(errs.Conflict, "already_rated", "该办件在此环节已评价，每个环节只能评价一次，评价不能修改")
	ErrWindowClosed = errs.E(errs.FailedPrecondition, "rating_window_closed", "已超过评价期限")
	ErrNotRateable  = errs.E(errs.FailedPrecondition, "not_rateable", "该办件尚未到可评价的环节")
	ErrCallRecord   = errs.E(errs.Invalid, "call_record_required", "12345 回访评价须记录通话录音编号")
	ErrBadCode      = errs.E(errs.NotFound, "case_or_code_wrong", "办件编号或查询码不正确")
	ErrToken        = errs.E(errs.NotFound, "rating_link_invalid", "评价链接无效、已使用或已过期")
	ErrNotFound     = errs.E(errs.NotFound, "rating_not_found", "评价记录不存在")
)

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
