package cases

import (
	"context"
	"crypto/rand"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"banhao.dev/banhao/internal/platform/auth"
	"banhao.dev/banhao/internal/platform/clock"
	"banhao.dev/banhao/internal/platform/db"
	"banhao.dev/banhao/internal/platform/errs"
	"banhao.dev/banhao/internal/platform/ids"
)

// Submission errors.
var (
	ErrItemNotPublished = errs.E(errs.Conflict, "item_not_published", "该事项未发布或已暂停，不能申请")
	ErrChannel          = errs.E(errs.Invalid, "channel_invalid", "申报渠道不正确")
	ErrAssistNote       = errs.E(errs.Invalid, "assist_authorization_required", "帮办代办须记录申请人的授权委托")
	ErrApplicant        = errs.E(errs.Invalid, "applicant_invalid", "申请人信息不完整")
)

// SubmitRequest is POST /api/v1/cases.
type SubmitRequest struct {
	Item      string            `json:"item"`
	Version   int               `json:"version,omitempty"` // 0: the current published version
	Channel   Channel           `json:"channel"`
	Answers   map[string]string `json:"answers"`
	Form      map[string]any    `json:"form"`
	Materials []MaterialInput   `json:"materials"`
	// Applicant is who applies when staff file (window, kiosk, assisted);
	// an applicant filing for themselves is taken from their account.
	Applicant           *Applicant `json:"applicant,omitempty"`
	AssistAuthorization string     `json:"assist_authorization,omitempty"`
	WindowID            int64      `json:"window_id,omitempty"`
	Draft               bool       `json:"draft,omitempty"`
}

// SubmitResult is the new case and its query code, shown once.
type SubmitResult struct {
	Case      *Case  `json:"case"`
	QueryCode string `json:"query_code"`
}

// Submit files a case (or saves a draft). Online submissions by the
// applicant wait for pre-review; staff filings at a window wait for the
// clerk's acceptance decision.
func (s *Service) Submit(ctx context.Context, p *auth.Principal, req SubmitRequest) (SubmitResult, error) {
	now := s.now()
	c, mats, err := s.newCase(ctx, p, req)
	if err != nil {
		return SubmitResult{}, fmt.Errorf("submit case: %w", err)
	}
	if !isOwner(p, c) {
		if err := s.clerkFor(ctx, p, c, req.WindowID, false, now); err != nil {
			return SubmitResult{}, fmt.Errorf("submit case: %w", err)
		}
	}
	code, hash, err := newQueryCode()
	if err != nil {
		return SubmitResult{}, err
	}
	c.queryHash, c.CreatedAt, c.UpdatedAt = hash, now, now
	role := auth.Applicant
	if !isOwner(p, c) {
		role = auth.Clerk
	}
	attempt := 0
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		if attempt++; attempt > 1 {
			// DB.Tx runs this again after a rolled-back attempt (deadlock,
			// serialization failure): that attempt changed c (status, trips,
			// audit head, steps), so start again from the request.
			if c, mats, err = s.newCase(ctx, p, req); err != nil {
				return err
			}
			c.queryHash, c.CreatedAt, c.UpdatedAt = hash, now, now
		}
		if c.Applicant.UserID == 0 {
			// Link a filing by staff to the applicant's account, if any, so it
			// shows in their "my cases".
			if err := linkApplicant(ctx, tx, &c.Applicant); err != nil {
				return err
			}
		}
		// The row is written under a provisional number (random, never
		// leaves the transaction) and numbered last: taking the region's
		// daily serial locks its counter row until commit, so every
		// submission of the region waits for it, and the less that follows
		// it, the less they wait.
		c.No = "~" + rand.Text()
		var b db.Batch // snapshot and materials in one round trip on PostgreSQL
		if err := s.storeSnapshot(ctx, &b, c, now); err != nil {
			return err
		}
		if err := insertCase(ctx, tx, c); err != nil {
			return err
		}
		for _, m := range mats {
			if err := upsertMaterial(ctx, &b, c.ID, m); err != nil {
				return err
			}
		}
		if err := s.db.Flush(ctx, tx, &b); err != nil {
			return fmt.Errorf("write snapshot and materials: %w", err)
		}
		day := now.In(clock.Shanghai)
		serial, err := nextSerial(ctx, tx, c.RegionCode, day.Format("20060102"))
		if err != nil {
			return err
		}
		if c.No, err = FormatNumber(c.RegionCode, day, serial); err != nil {
			return err
		}
		ev := &event{Action: ActSubmit, Actor: p.Actor(role), At: now, Data: map[string]any{"channel": c.Channel}}
		fn := func(ctx context.Context, tx *sql.Tx, c *Case, ev *event) error {
			return s.received(ctx, c, ev, c.Channel.inPerson())
		}
		if req.Draft {
			ev.Action = ActSaveDraft
			fn = func(context.Context, *sql.Tx, *Case, *event) error { return nil }
		}
		return s.apply(ctx, tx, c, ev, fn)
	})
	if err != nil {
		return SubmitResult{}, fmt.Errorf("submit case: %w", err)
	}
	if err := s.written(ctx, c); err != nil {
		return SubmitResult{}, err
	}
	return SubmitResult{Case: c, QueryCode: code}, nil
}

// newCase validates a submission and builds the case and its materials.
// Nothing is written.
func (s *Service) newCase(ctx context.Context, p *auth.Principal, req SubmitRequest) (*Case, []CaseMaterial, error) {
	if err := auth.Require(p, auth.Applicant, auth.Clerk); err != nil {
		return nil, nil, err
	}
	if !req.Channel.valid() {
		return nil, nil, ErrChannel.OnField("channel")
	}
	self := p.Has(auth.Applicant) && !p.Has(auth.Clerk)
	if self && req.Channel != Online && req.Channel != Kiosk {
		return nil, nil, ErrChannel.Withf("申请人本人只能网上申报或在自助终端申报").OnField("channel")
	}
	if !self && req.Channel == Online {
		return nil, nil, ErrChannel.Withf("工作人员代为申报请选择窗口受理或帮办代办").OnField("channel")
	}
	if req.Channel == Assisted && strings.TrimSpace(req.AssistAuthorization) == "" {
		return nil, nil, ErrAssistNote.OnField("assist_authorization")
	}
	if strings.TrimSpace(req.Item) == "" {
		return nil, nil, errs.Field("item", "item_required", "请选择办理事项")
	}
	snap, err := s.items.Item(ctx, req.Item, req.Version, req.Answers)
	if err != nil {
		return nil, nil, err
	}
	if !snap.Published {
		return nil, nil, ErrItemNotPublished
	}
	app, err := applicantOf(p, self, req.Applicant, s.now())
	if err != nil {
		return nil, nil, err
	}
	now := s.now()
	mats, err := buildMaterials(snap.Checklist, req.Materials, 0, now)
	if err != nil {
		return nil, nil, err
	}
	if !req.Draft {
		if err := completeEnough(req.Channel, snap.Checklist, byID(mats)); err != nil {
			return nil, nil, err
		}
	}
	region := snap.RegionCode
	if len(region) > 6 {
		region = region[:6]
	}
	c := &Case{Status: Draft, Item: snap.Code, Version: snap.Version, ItemName: snap.Name, OrgID: snap.OrgID,
		RegionCode: region, Domain: snap.Domain, CaseType: snap.CaseType, Channel: req.Channel, StepIndex: -1}
	c.Body = Body{Applicant: app, Answers: req.Answers, Form: req.Form, ItemSnap: snap, Steps: stepsOf(snap), Stops: []ClockStop{}}
	if c.Answers == nil {
		c.Answers = map[string]string{}
	}
	if c.Form == nil {
		c.Form = map[string]any{}
	}
	if req.Channel == Assisted {
		c.AssistedBy, c.AssistNote = p.UserID, strings.TrimSpace(req.AssistAuthorization)
	}
	return c, mats, nil
}

// applicantOf returns who applies: the caller, or the person staff file for.
func applicantOf(p *auth.Principal, self bool, in *Applicant, now time.Time) (Applicant, error) {
	if self {
		kind := "person"
		if p.Kind == auth.KindEnterprise {
			kind = "enterprise"
		}
		return Applicant{UserID: p.UserID, Name: p.Name, Kind: kind, IDNumber: p.IDNumber, Phone: p.Phone}, nil
	}
	if in == nil || strings.TrimSpace(in.Name) == "" || strings.TrimSpace(in.IDNumber) == "" {
		return Applicant{}, ErrApplicant.OnField("applicant")
	}
	a := *in
	a.Name, a.IDNumber = strings.TrimSpace(a.Name), strings.ToUpper(strings.TrimSpace(a.IDNumber))
	if a.Kind != "enterprise" {
		a.Kind = "person"
	}
	a.UserID = 0
	if err := validateApplicant(a, now); err != nil {
		return Applicant{}, err
	}
	return a, nil
}

// validateApplicant checks the applicant's ID number by its check character.
func validateApplicant(a Applicant, now time.Time) error {
	var err error
	if a.Kind == "enterprise" {
		err = ids.ValidateUSCC(a.IDNumber)
	} else {
		err = ids.ValidateCitizenID(a.IDNumber, now)
	}
	if err != nil {
		if e, ok := errs.As(err); ok {
			return e.OnField("applicant.id_number")
		}
		return err
	}
	return nil
}

// received marks the materials as received: the moment art. 32 counts from.
// inPerson says whether the applicant came in person (a trip, 跑动).
func (s *Service) received(ctx context.Context, c *Case, ev *event, inPerson bool) error {
	c.Status = Submitted
	at := ev.At
	c.SubmittedAt, c.MaterialsReceivedAt = &at, &at
	if inPerson {
		c.Trips++
		ev.Data["trip"] = true
	}
	c.PreReviewDue = nil
	if c.Channel == Online {
		// Art. 32: not pre-reviewed within the limit counts as accepted.
		days := c.ItemSnap.PreReviewDays
		if days <= 0 {
			days = DefaultPreReviewDays
		}
		d, err := s.cal.Deadline(ctx, at, days, nil)
		if err != nil {
			return fmt.Errorf("pre-review deadline: %w", err)
		}
		c.PreReviewDue = &d.At
		c.Deadlines.PreReview = &d.At
	}
	ev.Notify = "已收到申报材料，等待受理。"
	return nil
}

// SubmitDraft submits a saved draft.
func (s *Service) SubmitDraft(ctx context.Context, p *auth.Principal, no string, windowID int64) (*Case, error) {
	return s.act(ctx, p, no, ActSubmit, windowID, func(ctx context.Context, tx *sql.Tx, c *Case, ev *event) error {
		ms, err := listMaterials(ctx, tx, c.ID)
		if err != nil {
			return err
		}
		if err := completeEnough(c.Channel, c.ItemSnap.Checklist, byID(ms)); err != nil {
			return err
		}
		return s.received(ctx, c, ev, c.Channel.inPerson())
	})
}

// completeEnough checks what a filing through ch must hold. Online, every
// required material; at a kiosk, all but those that may be pending (容缺).
// Staff filings (window, assisted) are recorded as the applicant presents
// them: the clerk's acceptance decision follows, and art. 32 has the clerk
// tell in one notice everything missing — which needs the filing on record
// with the missing materials missing. Acceptance still requires them all.
func completeEnough(ch Channel, checklist []ItemMaterial, have map[string]CaseMaterial) error {
	switch ch {
	case Window, Assisted:
		return nil
	case Kiosk:
		return missingRequired(checklist, have, true)
	}
	return missingRequired(checklist, have, false)
}

func linkApplicant(ctx context.Context, tx *sql.Tx, a *Applicant) error {
	var id int64
	var phone string
	err := tx.QueryRowContext(ctx, `SELECT id, phone FROM users WHERE id_number = $1 AND kind <> 'staff'`, a.IDNumber).Scan(&id, &phone)
	if err == sql.ErrNoRows {
		return nil
	}
	if err != nil {
		return fmt.Errorf("link applicant: %w", err)
	}
	a.UserID = id
	if a.Phone == "" {
		a.Phone = phone
	}
	return nil
}
