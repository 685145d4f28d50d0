package catalog

import (
	"context"
	"fmt"
)

// Sync brings this node's in-memory catalog (the published items behind
// Guide, search and metrics) up to date with the database. With several
// nodes on one database an item published, changed, suspended or abolished
// on another node — by an admin or by the adjustment job — is otherwise
// unknown here until a restart. Sync compares every item's status and
// current version with memory (one narrow scan, no reliance on the order in
// which other nodes' transactions commit) and reloads only the items that
// differ; it returns how many it updated. A change made on this node is in
// memory at once; a change made elsewhere shows after the next Sync.
func (s *Service) Sync(ctx context.Context) (int, error) {
	type state struct {
		status  Status
		version int
	}
	if !s.loaded.Load() {
		return 0, nil // not built yet: the build will read the committed state
	}
	rows, err := s.db.R.QueryContext(ctx, `SELECT code, status, current_version FROM items`)
	if err != nil {
		return 0, fmt.Errorf("sync catalog: %w", err)
	}
	inDB := map[string]state{}
	for rows.Next() {
		var code string
		var st state
		if err := rows.Scan(&code, &st.status, &st.version); err != nil {
			rows.Close()
			return 0, fmt.Errorf("sync catalog: %w", err)
		}
		inDB[code] = st
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("sync catalog: %w", err)
	}
	var reload, drop []string
	s.mu.RLock()
	for code, st := range inDB {
		it, cached := s.items[code]
		public := st.status == StatusPublished && st.version > 0
		switch {
		case public && (!cached || it.Version != st.version):
			reload = append(reload, code)
		case !public && cached:
			drop = append(drop, code)
		}
	}
	for code := range s.items {
		if _, ok := inDB[code]; !ok {
			drop = append(drop, code)
		}
	}
	s.mu.RUnlock()
	for _, code := range drop {
		s.afterChange(&Item{Code: code, Status: inDB[code].status})
	}
	for _, code := range reload {
		it, err := getVersion(ctx, s.db.R, code, inDB[code].version)
		if err != nil {
			return len(drop), fmt.Errorf("sync catalog: %w", err)
		}
		s.mu.RLock()
		cur, ok := s.items[code]
		s.mu.RUnlock()
		if ok && cur.Version > it.Version {
			continue // published here meanwhile: versions only grow
		}
		s.afterChange(it)
	}
	return len(drop) + len(reload), nil
}
