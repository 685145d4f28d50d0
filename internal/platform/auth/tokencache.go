package auth

import (
	"sync"
	"time"
)

// TokenCacheTTL is how long a resolved bearer token is reused without
// reading the database. Revoking a token, or changing or disabling its user,
// clears the cache of the node that made the change at once; other nodes of
// a multi-node deployment see the change within this time.
const TokenCacheTTL = 5 * time.Second

// tokenCache keeps the principals of recently used bearer tokens, so an
// integration that calls the API many times a second does not cost three
// queries (token, user, roles) per request. Keys are token hashes, never
// secrets.
type tokenCache struct {
	mu sync.Mutex
	m  map[string]tokenEntry
}

type tokenEntry struct {
	p     Principal
	until time.Time
}

func newTokenCache() *tokenCache { return &tokenCache{m: map[string]tokenEntry{}} }

// get returns a copy of the cached principal of hash, if still fresh at now.
func (c *tokenCache) get(hash string, now time.Time) (*Principal, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[hash]
	if !ok || !now.Before(e.until) {
		return nil, false
	}
	p := e.p
	return &p, true
}

func (c *tokenCache) put(hash string, p *Principal, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.m) >= 10000 {
		// Bounded: drop everything rather than track ages (a refill is cheap).
		clear(c.m)
	}
	c.m[hash] = tokenEntry{p: *p, until: now.Add(TokenCacheTTL)}
}

// reset forgets every cached token (after a revocation or a user change).
func (c *tokenCache) reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	clear(c.m)
}
