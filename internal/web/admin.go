package web

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"strings"
	"time"

	"banhao.dev/banhao/internal/platform/audit"
	"banhao.dev/banhao/internal/platform/auth"
	"banhao.dev/banhao/internal/platform/clock"
	"banhao.dev/banhao/internal/platform/db"
	"banhao.dev/banhao/internal/platform/errs"
	"banhao.dev/banhao/internal/platform/settings"
)

func (s *Server) registerAdmin() {
	s.page("GET /admin/clock", s.clockPage)
	s.page("POST /admin/clock", s.clockSubmit)
	s.api("GET /api/v1/admin/clock", s.apiClock)
	s.api("POST /api/v1/admin/clock", s.apiClockMove)
	s.nav(80, "模拟时钟", "/admin/clock", auth.Admin)
}

var (
	ErrClockNotDemo = errs.E(errs.Forbidden, "clock_not_demo", "只有演示模式（--demo）下才能调整系统时钟；生产环境使用真实时间")
	ErrClockBack    = errs.E(errs.Invalid, "clock_backwards", "模拟时钟只能向前调整")
)

type clockData struct {
	Now    time.Time `json:"now"`
	Demo   bool      `json:"demo"`
	Offset string    `json:"offset"`
}

func (s *Server) clockState() clockData {
	d := clockData{Now: s.Clock.Now(), Demo: s.Sim != nil, Offset: "0s"}
	if s.Sim != nil {
		d.Offset = s.Sim.Offset().Round(time.Second).String()
	}
	return d
}

// moveClock advances or sets the demo clock. Only forward: going back would
// let deadlines and timelines run backwards.
func (s *Server) moveClock(ctx context.Context, p *auth.Principal, advance, set string) error {
	if err := auth.Require(p, auth.Admin); err != nil {
		return err
	}
	if s.Sim == nil {
		return ErrClockNotDemo
	}
	now := s.Sim.Now()
	var target time.Time
	switch {
	case advance != "" && set != "":
		return errs.E(errs.Invalid, "clock_args", "advance 与 set 只能填写一个")
	case advance != "":
		d, err := time.ParseDuration(strings.TrimSpace(advance))
		if err != nil {
			return errs.Field("advance", "clock_duration", "时长格式不正确，例如 48h、30m")
		}
		if d <= 0 {
			return ErrClockBack
		}
		target = now.Add(d)
	case set != "":
		t, err := time.Parse(time.RFC3339, strings.TrimSpace(set))
		if err != nil {
			return errs.Field("set", "clock_time", "时间格式应为 RFC 3339，例如 2026-12-01T09:00:00+08:00")
		}
		if !t.After(now) {
			return ErrClockBack
		}
		target = t
	default:
		return errs.E(errs.Invalid, "clock_args", "请填写 advance（如 48h）或 set（RFC 3339 时间）")
	}
	prev := s.Sim.Offset()
	s.Sim.Set(target)
	if err := SaveClockOffset(ctx, s.DB, s.Sim, p.Actor(auth.Admin), now); err != nil {
		s.Sim.SetOffset(prev) // nothing recorded, so nothing moved
		return err
	}
	return nil
}

func (s *Server) clockPage(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.requirePage(w, r, auth.Admin); !ok {
		return
	}
	s.render(w, r, http.StatusOK, "admin_clock", s.newPage(w, r, "模拟时钟", s.clockState()))
}

func (s *Server) clockSubmit(w http.ResponseWriter, r *http.Request) {
	p, ok := s.requirePage(w, r, auth.Admin)
	if !ok {
		return
	}
	advance := r.PostFormValue("advance")
	if d := r.PostFormValue("days"); d != "" {
		advance = d
	}
	if err := s.moveClock(r.Context(), p, advance, r.PostFormValue("set")); err != nil {
		s.formError(w, r, "admin_clock", s.newPage(w, r, "模拟时钟", s.clockState()), err)
		return
	}
	redirect(w, r, "/admin/clock", "时钟已调整")
}

func (s *Server) apiClock(w http.ResponseWriter, r *http.Request) {
	if err := auth.Require(principal(r), auth.Admin); err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, s.clockState())
}

func (s *Server) apiClockMove(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Advance string `json:"advance"`
		Set     string `json:"set"`
	}
	if err := auth.Require(principal(r), auth.Admin); err != nil {
		s.fail(w, r, err)
		return
	}
	if err := decode(r, &req); err != nil {
		s.fail(w, r, err)
		return
	}
	if err := s.moveClock(r.Context(), principal(r), req.Advance, req.Set); err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, s.clockState())
}

// clockOffsetKey is the settings key of the demo clock offset, so a restart
// (or another node) keeps the moved clock.
const clockOffsetKey = "demo_clock_offset"

// SaveClockOffset persists the demo clock offset, audited with who moved
// the clock and from which time to which.
func SaveClockOffset(ctx context.Context, d *db.DB, sim *clock.Sim, who audit.Actor, before time.Time) error {
	now := sim.Now()
	return d.Tx(ctx, func(tx *sql.Tx) error {
		if err := settings.Set(ctx, tx, time.Now().UTC(), clockOffsetKey, sim.Offset().String()); err != nil {
			return err
		}
		_, err := audit.Append(ctx, tx, now, who, "clock", "move", map[string]any{
			"before": map[string]any{"now": before}, "after": map[string]any{"now": now, "offset": sim.Offset().String()}})
		return err
	})
}

// LoadClockOffset restores a persisted demo clock offset.
func LoadClockOffset(ctx context.Context, d *db.DB, sim *clock.Sim) error {
	v, err := settings.Get(ctx, d.R, clockOffsetKey)
	if err != nil || v == "" {
		return err
	}
	off, err := time.ParseDuration(v)
	if err != nil {
		return fmt.Errorf("bad stored clock offset %q: %w", v, err)
	}
	sim.SetOffset(off)
	return nil
}
