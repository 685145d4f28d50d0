package catalog

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"banhao.dev/banhao/internal/catalog/search"
	"banhao.dev/banhao/internal/platform/audit"
	"banhao.dev/banhao/internal/platform/clock"
	"banhao.dev/banhao/internal/platform/db"
	"banhao.dev/banhao/internal/platform/ids"
	"banhao.dev/banhao/internal/platform/lru"
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
	db     *db.DB
	clock  clock.Clock
	index  *search.Index
	guides *lru.Cache[string, *Item]

	// The in-memory catalog (summaries, file names, search index) is built
	// on first use, not in Start: CLI commands that never search (job run,
	// token create, migrate…) do not pay for it. loadMu serializes the build
	// with the updates after a change; loaded is read without it.
	loadMu sync.Mutex
	loaded atomic.Bool

	mu    sync.RWMutex
	orgs  map[int64]Org
	items map[string]*Summary // current published versions that the public sees, by code
	list  []*Summary          // the same, in code order
	files map[string]*fileRef // hash → declared name, over published materials
}

// guideCacheSize is how many opened guides stay decoded in memory.
const guideCacheSize = 256

// NewService returns a service; call Start before use.
func NewService(d *db.DB, clk clock.Clock) *Service {
	return &Service{db: d, clock: clk, index: search.New(nil), guides: lru.New[string, *Item](guideCacheSize),
		orgs: map[int64]Org{}, items: map[string]*Summary{}, files: map[string]*fileRef{}}
}

// Start loads the organizations. The published catalog and its search
// index are loaded on first use; Warm loads them now.
func (s *Service) Start(ctx context.Context) error {
	return s.reloadOrgs(ctx)
}

// Warm builds the in-memory catalog and search index if not yet built
// (serve calls it in the background so the first search does not wait);
// cancelling ctx abandons the build.
func (s *Service) Warm(ctx context.Context) error { return s.build(ctx) }

// ensure builds the in-memory catalog once for a caller that needs it. The
// build serves every caller waiting on it: a request that goes away must
// not cancel it for the others.
func (s *Service) ensure(ctx context.Context) error {
	if s.loaded.Load() {
		return nil
	}
	return s.build(context.WithoutCancel(ctx))
}

// build loads the catalog unless loaded; a failed build is retried by the
// next call.
func (s *Service) build(ctx context.Context) error {
	s.loadMu.Lock()
	defer s.loadMu.Unlock()
	if s.loaded.Load() {
		return nil
	}
	if err := s.load(ctx); err != nil {
		return fmt.Errorf("load catalog: %w", err)
	}
	s.loaded.Store(true)
	return nil
}

// load reads the current version of every published item, keeping only
// its summary and what the index needs; callers hold loadMu.
func (s *Service) load(ctx context.Context) error {
	syn, err := listSynonyms(ctx, s.db.R)
	if err != nil {
		return err
	}
	var (
		docs []search.Doc
		list []*Summary
	)
	m := map[string]*Summary{}
	files := map[string]*fileRef{}
	in := interner{}
	err = eachPublished(ctx, s.db.R, func(code string, version int, l *listed) error {
		sum := l.summary(code, version, in)
		m[code] = &sum
		list = append(list, &sum) // rows come in code order
		addFiles(files, sum.files)
		docs = append(docs, l.doc(code))
		return nil
	})
	if err != nil {
		return err
	}
	s.index.Rebuild(docs)
	s.index.SetSynonyms(synonymMap(syn))
	s.mu.Lock()
	s.items, s.list, s.files = m, list, files
	s.mu.Unlock()
	return nil
}

func addFiles(files map[string]*fileRef, fs []File) {
	for _, f := range fs {
		if r, ok := files[f.Hash]; ok {
			r.n++
		} else {
			files[f.Hash] = &fileRef{name: f.Name, n: 1}
		}
	}
}

func dropFiles(files map[string]*fileRef, fs []File) {
	for _, f := range fs {
		if r, ok := files[f.Hash]; ok {
			if r.n--; r.n <= 0 {
				delete(files, f.Hash)
			}
		}
	}
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

// publicItem returns the summary of a current published item.
func (s *Service) publicItem(ctx context.Context, code string) (*Summary, bool, error) {
	if err := s.ensure(ctx); err != nil {
		return nil, false, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	it, ok := s.items[code]
	return it, ok, nil
}

// afterChange updates the in-memory catalog and the search index once the
// transaction has committed. Before the first build there is nothing to
// update: the build will read the committed state.
func (s *Service) afterChange(it *Item) {
	s.loadMu.Lock()
	defer s.loadMu.Unlock()
	s.guides.DeleteFunc(func(_ string, v *Item) bool { return v.Code == it.Code }) // its status or org name may have changed
	if !s.loaded.Load() {
		return
	}
	s.mu.Lock()
	i := sort.Search(len(s.list), func(i int) bool { return s.list[i].Code >= it.Code })
	if old, ok := s.items[it.Code]; ok {
		dropFiles(s.files, old.files)
		delete(s.items, it.Code)
		s.list = slices.Delete(s.list, i, i+1)
	}
	if it.Status == StatusPublished {
		sum := summaryOf(it)
		s.items[it.Code] = &sum
		s.list = slices.Insert(s.list, i, &sum)
		addFiles(s.files, sum.files)
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
