package cases

import (
	"slices"

	"banhao.dev/banhao/internal/platform/errs"
)

// Action is a transition of a case; the names are the API's action names.
type Action string

const (
	ActSubmit            Action = "submit"
	ActAccept            Action = "accept"
	ActRequestCorrection Action = "request-correction"
	ActResubmit          Action = "resubmit"
	ActRefuse            Action = "refuse"
	ActAcceptWithPending Action = "accept-with-pending"
	ActSupplyPending     Action = "supply-pending"
	ActDecideOnSpot      Action = "decide-on-spot"
	ActReview            Action = "review"
	ActReturn            Action = "return"
	ActDecide            Action = "decide"
	ActExtend            Action = "extend"
	ActStopClock         Action = "stop-clock"
	ActResumeClock       Action = "resume-clock"
	ActConclude          Action = "conclude"
	ActDeliver           Action = "deliver"
	ActWithdraw          Action = "withdraw"
	ActAutoAccept        Action = "auto-accept"       // by the job only
	ActSaveDraft         Action = "save-draft"        // timeline only
	ActVerify            Action = "verify-commitment" // timeline only: a 告知承诺 verification closed
)

// Actions lists every action a caller can request, in display order.
var Actions = []Action{ActSubmit, ActAccept, ActRequestCorrection, ActResubmit, ActRefuse, ActAcceptWithPending,
	ActSupplyPending, ActDecideOnSpot, ActReview, ActReturn, ActDecide, ActExtend, ActStopClock, ActResumeClock,
	ActConclude, ActDeliver, ActWithdraw}

// Label is the Chinese name of an action, used in the timeline.
func (a Action) Label() string {
	switch a {
	case ActSubmit:
		return "申报"
	case ActAccept:
		return "受理"
	case ActRequestCorrection:
		return "一次性告知补正"
	case ActResubmit:
		return "补正材料"
	case ActRefuse:
		return "不予受理"
	case ActAcceptWithPending:
		return "容缺受理"
	case ActSupplyPending:
		return "补齐容缺材料"
	case ActDecideOnSpot:
		return "当场决定（即办）"
	case ActReview:
		return "审查通过"
	case ActReturn:
		return "退回上一环节"
	case ActDecide:
		return "作出决定"
	case ActExtend:
		return "延期"
	case ActStopClock:
		return "特别程序（中止计时）"
	case ActResumeClock:
		return "恢复计时"
	case ActConclude:
		return "办结"
	case ActDeliver:
		return "送达"
	case ActWithdraw:
		return "撤回"
	case ActSaveDraft:
		return "保存草稿"
	case ActVerify:
		return "告知承诺核查"
	case "pending-reminder":
		return "容缺材料补齐提醒"
	case ActAutoAccept:
		return "逾期未预审，自动受理"
	}
	return string(a)
}

// from lists the states each action may start from. This table is the state
// machine: an action not listed for the current state is illegal.
var from = map[Action][]Status{
	ActSubmit:            {Draft},
	ActAccept:            {Submitted},
	ActAutoAccept:        {Submitted},
	ActRequestCorrection: {Submitted},
	ActResubmit:          {Correction},
	ActRefuse:            {Submitted, Correction},
	ActAcceptWithPending: {Submitted},
	ActSupplyPending:     {Accepted, ClockStopped, Decided},
	ActDecideOnSpot:      {Submitted},
	ActReview:            {Accepted, ClockStopped}, // ClockStopped only for a step that stops the clock
	ActReturn:            {Accepted},
	ActDecide:            {Accepted},
	ActExtend:            {Accepted, ClockStopped},
	ActStopClock:         {Accepted},
	ActResumeClock:       {ClockStopped},
	ActConclude:          {Decided},
	ActDeliver:           {Concluded},
	// Withdrawal is possible until the decision (spec: "withdraw before decision").
	ActWithdraw: {Draft, Submitted, Correction, Accepted, ClockStopped},
}

// ErrIllegalTransition is returned for an action the case's state does not
// allow; Extra["allowed"] lists the actions it does allow.
var ErrIllegalTransition = errs.E(errs.Conflict, "illegal_transition", "当前办件状态不允许该操作")

// Allowed lists the actions the state s allows, ignoring who asks.
func Allowed(s Status) []Action {
	out := []Action{}
	for _, a := range Actions {
		if slices.Contains(from[a], s) {
			out = append(out, a)
		}
	}
	return out
}
