// Package clock is the one source of business time. Area code never calls
// time.Now: it asks a Clock, so tests and the demo can move time.
package clock

import (
	"sync"
	"time"
)

// Clock tells the current time (UTC, microsecond precision to match PostgreSQL).
type Clock interface {
	Now() time.Time
}

// Shanghai is the zone every date shown to people and every working day is in.
var Shanghai = mustZone("Asia/Shanghai")

func mustZone(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		// Embedded tzdata is imported by cmd/banhao; tests fall back to a fixed zone.
		return time.FixedZone("CST", 8*3600)
	}
	return loc
}

// Norm normalizes t the way it is stored: UTC, microseconds.
func Norm(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

// Wall is the real clock, used in production. It cannot be moved.
type Wall struct{}

func (Wall) Now() time.Time { return Norm(time.Now()) }

// Sim is a movable clock for demo mode and tests: wall time plus an offset,
// or a frozen instant when Freeze was called.
type Sim struct {
	mu     sync.RWMutex
	offset time.Duration
	frozen *time.Time
}

// NewSim returns a simulated clock that starts at wall time.
func NewSim() *Sim { return &Sim{} }

// NewFrozen returns a simulated clock stopped at t (for tests).
func NewFrozen(t time.Time) *Sim {
	t = Norm(t)
	return &Sim{frozen: &t}
}

func (s *Sim) Now() time.Time {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.frozen != nil {
		return *s.frozen
	}
	return Norm(time.Now().Add(s.offset))
}

// Advance moves the clock forward by d (d must be positive; callers validate).
func (s *Sim) Advance(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.frozen != nil {
		t := s.frozen.Add(d)
		s.frozen = &t
		return
	}
	s.offset += d
}

// Set moves the clock to t.
func (s *Sim) Set(t time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.frozen != nil {
		t = Norm(t)
		s.frozen = &t
		return
	}
	s.offset = time.Until(t)
}

// Offset is how far the simulated clock is ahead of wall time.
func (s *Sim) Offset() time.Duration {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.frozen != nil {
		return time.Until(*s.frozen)
	}
	return s.offset
}

// SetOffset restores a persisted offset at start-up.
func (s *Sim) SetOffset(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.offset = d
}

// Day returns the calendar date of t in Shanghai as YYYY-MM-DD.
func Day(t time.Time) string { return t.In(Shanghai).Format(time.DateOnly) }
