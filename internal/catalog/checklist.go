package catalog

import (
	"fmt"
	"time"

	"cel.dev/cel-go/cel"

	"banhao.dev/banhao/internal/platform/errs"
)

// Checklist is the personalized one-time notice (一次性告知单): exactly the
// materials, limit and fees that apply to the given answers.
type Checklist struct {
	Number        string            `json:"number,omitempty"` // set when saved
	Code          string            `json:"code"`
	Version       int               `json:"version"`
	Name          string            `json:"name"`
	Org           string            `json:"org"`
	Answers       map[string]string `json:"answers"`
	Asked         []AskedQuestion   `json:"asked"` // questions shown, in order, with the chosen answer
	Materials     []Material        `json:"materials"`
	LegalLimit    Limit             `json:"legal_limit"`
	PromisedLimit Limit             `json:"promised_limit"`
	Charged       bool              `json:"charged"`
	Fees          []Fee             `json:"fees"`
	Trips         int               `json:"trips"`
	CreatedAt     *time.Time        `json:"created_at,omitempty"`
}

// AskedQuestion is a situation that applied and the answer given.
type AskedQuestion struct {
	SituationID string `json:"situation_id"`
	Question    string `json:"question"`
	AnswerID    string `json:"answer_id,omitempty"`
	Answer      string `json:"answer,omitempty"`
}

// ErrUnknownAnswer rejects answers that are not in the item.
var ErrUnknownAnswer = errs.E(errs.Invalid, "unknown_answer", "所选答案不属于该事项的情形")

// ComputeChecklist applies answers to it. Situations are visited in order;
// one whose When is false is skipped and its answer ignored. A material
// applies when it is required without condition or its condition holds;
// then chosen answers add materials and remove materials (removal wins).
// Answers may replace the promised limit, add fees or waive all fees.
func ComputeChecklist(it *Item, answers map[string]string) (Checklist, error) {
	if err := checkAnswers(it, answers); err != nil {
		return Checklist{}, err
	}
	ce := it.conds
	if ce == nil {
		var err error
		if ce, err = newConditionEnv(it.Situations); err != nil {
			return Checklist{}, err
		}
	}
	cl := Checklist{Code: it.Code, Version: it.Version, Name: it.Name, Org: it.Org,
		Answers: map[string]string{}, LegalLimit: it.LegalLimit, PromisedLimit: it.PromisedLimit,
		Trips: it.Trips, Fees: append([]Fee{}, it.Fees...)}
	var chosen []Answer
	for _, s := range it.Situations {
		if s.When != "" {
			ok, err := ce.evalText(s.When, cl.Answers)
			if err != nil {
				return Checklist{}, fmt.Errorf("situation %s: %w", s.ID, err)
			}
			if !ok {
				continue
			}
		}
		q := AskedQuestion{SituationID: s.ID, Question: s.Question}
		if id, ok := answers[s.ID]; ok && id != "" {
			for _, a := range s.Answers {
				if a.ID == id {
					q.AnswerID, q.Answer = a.ID, a.Label
					cl.Answers[s.ID] = id
					chosen = append(chosen, a)
				}
			}
		}
		cl.Asked = append(cl.Asked, q)
	}
	apply := map[string]bool{}
	for _, m := range it.Materials {
		switch {
		case m.Condition != "":
			ok, err := ce.evalText(m.Condition, cl.Answers)
			if err != nil {
				return Checklist{}, fmt.Errorf("material %s: %w", m.ID, err)
			}
			apply[m.ID] = ok
		default:
			apply[m.ID] = m.Required
		}
	}
	waive, limitSet := false, false
	for _, a := range chosen {
		for _, id := range a.Add {
			apply[id] = true
		}
		// An answer's limit replaces the item's (it may be shorter, e.g. under
		// 告知承诺); when several answers set one, the longest applies.
		if a.PromisedLimit != nil && (!limitSet || a.PromisedLimit.WorkingDays() > cl.PromisedLimit.WorkingDays()) {
			cl.PromisedLimit, limitSet = *a.PromisedLimit, true
		}
		cl.Fees = append(cl.Fees, a.AddFees...)
		waive = waive || a.WaiveFees
	}
	for _, a := range chosen {
		for _, id := range a.Remove {
			apply[id] = false
		}
	}
	for _, m := range it.Materials {
		if apply[m.ID] {
			cl.Materials = append(cl.Materials, m)
		}
	}
	if waive {
		cl.Fees = nil
	}
	cl.Charged = len(cl.Fees) > 0
	return cl, nil
}

func checkAnswers(it *Item, answers map[string]string) error {
	var fe errs.Fields
	for sid, aid := range answers {
		var sit *Situation
		for i := range it.Situations {
			if it.Situations[i].ID == sid {
				sit = &it.Situations[i]
			}
		}
		if sit == nil {
			fe.Addf("answers."+sid, "事项没有情形 %s", sid)
			continue
		}
		if aid == "" {
			continue
		}
		found := false
		for _, a := range sit.Answers {
			found = found || a.ID == aid
		}
		if !found {
			fe.Addf("answers."+sid, "情形“%s”没有答案 %s", sit.Question, aid)
		}
	}
	if err := fe.Err(); err != nil {
		e, _ := errs.As(err)
		c := *ErrUnknownAnswer
		c.Fields = e.Fields
		return &c
	}
	return nil
}

func (ce *conditionEnv) evalText(expr string, answers map[string]string) (bool, error) {
	if ce.progs != nil {
		if prg, ok := ce.progs.Load(expr); ok {
			return ce.run(prg.(cel.Program), answers)
		}
	}
	a, err := ce.compile(expr)
	if err != nil {
		return false, err
	}
	prg, err := ce.env.Program(a, cel.CostLimit(10000))
	if err != nil {
		return false, fmt.Errorf("condition program: %w", err)
	}
	if ce.progs != nil {
		ce.progs.Store(expr, prg)
	}
	return ce.run(prg, answers)
}
