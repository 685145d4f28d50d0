package web

import (
	"net/http"
	"strconv"
	"sync"
	"time"

	"banhao.dev/banhao/internal/platform/errs"
)

// ErrTooManyLookups is returned when one address queries the public
// progress tracking too often (guessing query codes).
var ErrTooManyLookups = errs.E(errs.TooMany, "too_many_lookups", "查询过于频繁，请稍后再试")

// Public tracking limits per client address: a burst of trackBurst
// lookups, then one every trackEvery. An applicant checks a case a few
// times; a script guessing six-digit query codes is slowed to a crawl.
const (
	trackBurst = 20
	trackEvery = 3 * time.Second
)

// limiter is a token bucket per key, in memory. Each node keeps its own
// buckets: behind several nodes a client gets the burst once per node,
// which still bounds guessing (documented in the README's security notes).
type limiter struct {
	mu      sync.Mutex
	burst   float64
	every   time.Duration
	now     func() time.Time // wall clock; tests replace it
	buckets map[string]*bucket
}

type bucket struct {
	tokens float64
	at     time.Time
}

// maxBuckets bounds memory: past it, full (idle) buckets are dropped.
const maxBuckets = 50_000

func newLimiter(burst int, every time.Duration) *limiter {
	return &limiter{burst: float64(burst), every: every, now: time.Now, buckets: map[string]*bucket{}}
}

// allow takes a token for key; when none is left it reports how long until
// the next one.
func (l *limiter) allow(key string) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	b, ok := l.buckets[key]
	if !ok {
		if len(l.buckets) >= maxBuckets {
			l.prune(now)
		}
		b = &bucket{tokens: l.burst, at: now}
		l.buckets[key] = b
	}
	b.tokens = min(l.burst, b.tokens+float64(now.Sub(b.at))/float64(l.every))
	b.at = now
	if b.tokens >= 1 {
		b.tokens--
		return true, 0
	}
	return false, time.Duration((1 - b.tokens) * float64(l.every))
}

// prune drops the buckets that have refilled completely.
func (l *limiter) prune(now time.Time) {
	for k, b := range l.buckets {
		if b.tokens+float64(now.Sub(b.at))/float64(l.every) >= l.burst {
			delete(l.buckets, k)
		}
	}
}

// throttleTracking limits lookups (requests with a query) of the public
// progress tracking, GET /track and GET /api/v1/track, per client address:
// 429 with Retry-After, as problem+json or the Chinese error page.
func (s *Server) throttleTracking(l *limiter, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if (r.URL.Path == "/track" || r.URL.Path == "/api/v1/track") && r.URL.RawQuery != "" {
			if ok, wait := l.allow(clientIP(r)); !ok {
				w.Header().Set("Retry-After", strconv.Itoa(int(wait/time.Second)+1))
				s.fail(w, r, ErrTooManyLookups)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}
