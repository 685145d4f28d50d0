package catalog

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"time"

	"banhao.dev/banhao/internal/catalog/search"
	"banhao.dev/banhao/internal/platform/audit"
	"banhao.dev/banhao/internal/platform/clock"
	"banhao.dev/banhao/internal/platform/db"
	"banhao.dev/banhao/internal/platform/ids"
)

// Caller is who calls the service; the web layer builds it from the session.
// The zero Caller is an anonymous member of the public.
type Caller struct {
	UserID     int64
	Roles      []string
	RegionCode string // the region the user's duties cover
	OrgID      int64
}

// System is the caller of jobs and the demo seed: it may do everything.
var System = Caller{Roles: []string{"system"}}

// RoleCatalogAdmin edits, submits and publishes items of its region.
const RoleCatalogAdmin = "catalog_admin"

// HasRole reports whether c has role r.
func (c Caller) HasRole(r string) bool {
	for _, x := range c.Roles {
		if x == r {
			return true
		}
	}
	return false
}

func (c Caller) isSystem() bool { return c.HasRole("system") }

// canManage reports whether c may edit items of region: a catalog admin of
// a region manages the items of that region and of the regions below it.
func (c Caller) canManage(region string) bool {
	if c.isSystem() {
		return true
	}
	return c.HasRole(RoleCatalogAdmin) && c.RegionCode != "" && ids.InRegion(region, c.RegionCode)
}

// canSeeDrafts: staff who manage or supervise the catalog see unpublished versions.
func (c Caller) canSeeDrafts(region string) bool {
	return c.canManage(region) || (c.HasRole("supervisor") && c.RegionCode != "" && ids.InRegion(region, c.RegionCode))
}

func (c Caller) actor() audit.Actor {
	switch {
	case c.isSystem():
		return audit.System
	case c.HasRole(RoleCatalogAdmin):
		return audit.Actor{ID: c.UserID, Role: RoleCatalogAdmin}
	case len(c.Roles) > 0:
		return audit.Actor{ID: c.UserID, Role: c.Roles[0]}
	}
	return audit.Actor{ID: c.UserID, Role: "public"}
}

// Service is the catalog's API for the web layer, the CLI and other areas.
type Service struct {
	db    *db.DB
	clock clock.Clock
	index *search.Index

	mu    sync.RWMutex
	orgs  map[int64]Org
	items map[string]*Item // current published versions that the public sees, by code
}

// NewService returns a service; call Start before serving searches.
func NewService(d *db.DB, clk clock.Clock) *Service {
	return &Service{db: d, clock: clk, index: search.New(nil), orgs: map[int64]Org{}, items: map[string]*Item{}}
}

// Start loads the organizations, the synonyms and the published catalog
// and builds the search index.
func (s *Service) Start(ctx context.Context) error {
	if err := s.reloadOrgs(ctx); err != nil {
		return err
	}
	items, err := currentItems(ctx, s.db.R, StatusPublished)
	if err != nil {
		return err
	}
	syn, err := listSynonyms(ctx, s.db.R)
	if err != nil {
		return err
	}
	docs := make([]search.Doc, 0, len(items))
	m := make(map[string]*Item, len(items))
	for _, it := range items {
		docs = append(docs, indexDoc(it))
		m[it.Code] = it
	}
	s.index.Rebuild(docs)
	s.index.SetSynonyms(synonymMap(syn))
	s.mu.Lock()
	s.items = m
	s.mu.Unlock()
	return nil
}

func (s *Service) reloadOrgs(ctx context.Context) error {
	orgs, err := loadOrgs(ctx, s.db.R)
	if err != nil {
		return err
	}
	s.mu.Lock()
	s.orgs = orgs
	s.mu.Unlock()
	return nil
}

// orgOf resolves an org id, reloading once for orgs created after Start.
func (s *Service) orgOf(ctx context.Context) func(int64) (Org, bool) {
	return func(id int64) (Org, bool) {
		s.mu.RLock()
		o, ok := s.orgs[id]
		s.mu.RUnlock()
		if !ok && id != 0 {
			if s.reloadOrgs(ctx) == nil {
				s.mu.RLock()
				o, ok = s.orgs[id]
				s.mu.RUnlock()
			}
		}
		return o, ok
	}
}

// OrgByName finds an organization by its exact name (Excel, demo JSON).
func (s *Service) OrgByName(ctx context.Context, name string) (Org, bool) {
	for pass := 0; pass < 2; pass++ {
		s.mu.RLock()
		for _, o := range s.orgs {
			if o.Name == name {
				s.mu.RUnlock()
				return o, true
			}
		}
		s.mu.RUnlock()
		if pass == 0 && s.reloadOrgs(ctx) != nil {
			break
		}
	}
	return Org{}, false
}

// prepare normalizes and validates an item for save, filling names.
func (s *Service) prepare(ctx context.Context, it *Item) error {
	Normalize(it)
	orgOf := s.orgOf(ctx)
	if o, ok := orgOf(it.OrgID); ok {
		it.Org = o.Name
		if it.RegionCode == "" {
			it.RegionCode = o.RegionCode
		}
	}
	for i := range it.Process.Steps {
		if o, ok := orgOf(it.Process.Steps[i].OrgID); ok {
			it.Process.Steps[i].Org = o.Name
		}
	}
	return Validate(it, orgOf)
}

// publicItem returns the current published item (from memory).
func (s *Service) publicItem(code string) (*Item, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	it, ok := s.items[code]
	return it, ok
}

// afterPublish updates the search index and the public item map once the
// transaction has committed.
func (s *Service) afterChange(it *Item) {
	s.mu.Lock()
	if it.Status == StatusPublished {
		s.items[it.Code] = it
	} else {
		delete(s.items, it.Code)
	}
	s.mu.Unlock()
	if it.Status == StatusPublished {
		s.index.Upsert(indexDoc(it))
	} else {
		s.index.Remove(it.Code)
	}
}

func (s *Service) now() time.Time { return clock.Norm(s.clock.Now()) }

func (s *Service) tx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	return s.db.Tx(ctx, fn)
}

func forbidden(action string) error {
	return ErrForbidden.Withf("%s", action)
}

func wrapf(err error, format string, args ...any) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf(format+": %w", append(args, err)...)
}
