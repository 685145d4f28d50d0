package places

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"

	"banhao.dev/banhao/internal/platform/audit"
	"banhao.dev/banhao/internal/platform/clock"
	"banhao.dev/banhao/internal/platform/db"
	"banhao.dev/banhao/internal/platform/ids"
)

// Demo holds the ids of the demo records, so the caller's seed can attach
// staff users and items to them.
type Demo struct {
	Orgs             map[string]int64 // by exact name
	HallID           int64            // 示范县政务服务中心
	TownshipHallID   int64            // 城关镇便民服务中心
	VillageStationID int64            // 东关社区便民服务站
	Areas            map[string]int64 // service areas of the county hall, by name
	Windows          map[string]int64 // windows of the county hall, by number
	TownshipWindows  map[string]int64 // windows of the township center, by number
	VillageWindows   map[string]int64 // windows of the village station, by number
	Authorizations   int              // window authorizations present
}

// SeedDemo creates the demo regions, organizations, halls, service areas,
// windows and window authorizations that are missing, as the system actor,
// and returns their ids. Running it again changes nothing. Pass a
// transaction so a failure leaves nothing behind. Authorizations run from
// 1 January of the year before at to 31 December two years after it.
func SeedDemo(ctx context.Context, q db.Q, at time.Time) (Demo, error) {
	at = clock.Norm(at)
	d := Demo{Orgs: map[string]int64{}, Areas: map[string]int64{}}
	if err := seedRegions(ctx, q, at); err != nil {
		return Demo{}, err
	}
	for _, o := range demoOrgs {
		id, err := seedOrg(ctx, q, at, o)
		if err != nil {
			return Demo{}, err
		}
		d.Orgs[o.name] = id
	}
	halls := map[string]int64{}
	windows := map[string]map[string]int64{}
	for _, h := range demoHalls {
		hallID, areas, ws, err := seedHall(ctx, q, at, h, d.Orgs)
		if err != nil {
			return Demo{}, err
		}
		halls[h.Name], windows[h.Name] = hallID, ws
		if h.Name == DemoHallName {
			d.Areas = areas
		}
	}
	d.HallID, d.TownshipHallID, d.VillageStationID = halls[DemoHallName], halls[DemoTownHall], halls[DemoVillageHall]
	d.Windows, d.TownshipWindows, d.VillageWindows = windows[DemoHallName], windows[DemoTownHall], windows[DemoVillageHall]
	year := at.In(clock.Shanghai).Year()
	for _, g := range demoGrants {
		for _, num := range g.windows {
			wid := windows[g.hall][num]
			if err := seedGrant(ctx, q, at, g, wid, d.Orgs[g.org], year); err != nil {
				return Demo{}, fmt.Errorf("seed authorization %s at %s %s: %w", g.org, g.hall, num, err)
			}
		}
	}
	ids := []any{}
	for _, ws := range windows {
		for _, id := range ws {
			ids = append(ids, id)
		}
	}
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM window_authorizations WHERE window_id IN (`+db.Placeholders(1, len(ids))+`)`, ids...).Scan(&d.Authorizations); err != nil {
		return Demo{}, fmt.Errorf("count demo authorizations: %w", err)
	}
	return d, nil
}

// SeedDemo runs SeedDemo in one transaction at the service clock's time.
func (s *Service) SeedDemo(ctx context.Context) (Demo, error) {
	var d Demo
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		d, err = SeedDemo(ctx, tx, s.clk.Now())
		return err
	})
	return d, err
}

func seedRegions(ctx context.Context, q db.Q, at time.Time) error {
	for _, r := range demoRegions {
		if _, err := getRegion(ctx, q, r.Code); err == nil {
			continue
		} else if !errors.Is(err, ErrRegionNotFound) {
			return err
		}
		if err := validateRegion(ctx, q, &r); err != nil {
			return fmt.Errorf("seed region %s: %w", r.Code, err)
		}
		if _, err := insertRegion(ctx, q, at, audit.System, r); err != nil {
			return fmt.Errorf("seed region %s: %w", r.Code, err)
		}
	}
	return nil
}

// DemoUSCC builds a valid unified social credit code (GB 32100) from the
// two-character registration category, the six-digit region and the first
// eight characters of the organization code, adding both check characters.
func DemoUSCC(category, region, code8 string) string {
	body := category + region + code8 + string(orgCodeCheck(code8))
	return body + string(ids.USCCCheck(body))
}

// orgCodeCheck is the GB 11714 check character of an 8-character
// organization code body: C9 = 11 − Σ(Ci·Wi) mod 11, 10 → X, 11 → 0.
func orgCodeCheck(code8 string) byte {
	weights := [8]int{3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i := 0; i < 8 && i < len(code8); i++ {
		c := code8[i]
		v := int(c - '0')
		if c >= 'A' && c <= 'Z' {
			v = int(c-'A') + 10
		}
		sum += v * weights[i]
	}
	switch c := 11 - sum%11; c {
	case 10:
		return 'X'
	case 11:
		return '0'
	default:
		return strconv.Itoa(c)[0]
	}
}

func seedOrg(ctx context.Context, q db.Q, at time.Time, d demoOrg) (int64, error) {
	o := Org{Name: d.name, ShortName: d.short, USCC: DemoUSCC(d.category, DemoCounty, d.code8), RegionCode: DemoCounty, Kind: d.kind, Phone: d.phone}
	var id int64
	err := q.QueryRowContext(ctx, `SELECT id FROM orgs WHERE uscc = $1`, o.USCC).Scan(&id)
	if err == nil {
		return id, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("seed org %s: %w", o.Name, err)
	}
	if err := validateOrg(ctx, q, o, 0); err != nil {
		return 0, fmt.Errorf("seed org %s: %w", o.Name, err)
	}
	o, err = insertOrg(ctx, q, at, audit.System, o)
	if err != nil {
		return 0, fmt.Errorf("seed org %s: %w", o.Name, err)
	}
	return o.ID, nil
}

func seedHall(ctx context.Context, q db.Q, at time.Time, dh demoHall, orgs map[string]int64) (int64, map[string]int64, map[string]int64, error) {
	h := dh.Hall
	err := q.QueryRowContext(ctx, `SELECT id FROM halls WHERE region_code = $1 AND name = $2 ORDER BY id LIMIT 1`, h.RegionCode, h.Name).Scan(&h.ID)
	if errors.Is(err, sql.ErrNoRows) {
		if err = validateHall(ctx, q, h); err == nil {
			h, err = insertHall(ctx, q, at, audit.System, h)
		}
	}
	if err != nil {
		return 0, nil, nil, fmt.Errorf("seed hall %s: %w", h.Name, err)
	}
	areas := map[string]int64{}
	for _, a := range dh.areas {
		a.HallID = h.ID
		err := q.QueryRowContext(ctx, `SELECT id FROM service_areas WHERE hall_id = $1 AND name = $2`, h.ID, a.Name).Scan(&a.ID)
		if errors.Is(err, sql.ErrNoRows) {
			if err = validateArea(ctx, q, a); err == nil {
				a, err = insertArea(ctx, q, at, audit.System, a)
			}
		}
		if err != nil {
			return 0, nil, nil, fmt.Errorf("seed service area %s: %w", a.Name, err)
		}
		areas[a.Name] = a.ID
	}
	windows := map[string]int64{}
	for _, dw := range dh.windows {
		w := Window{HallID: h.ID, AreaID: areas[dw.area], Number: dw.number, Name: dw.name, Kind: dw.kind,
			OrgID: orgs[dw.org], Active: true, Domains: dw.domains, Items: []string{}}
		err := q.QueryRowContext(ctx, `SELECT id FROM windows WHERE hall_id = $1 AND number = $2`, h.ID, w.Number).Scan(&w.ID)
		if errors.Is(err, sql.ErrNoRows) {
			w = w.normalize()
			if err = validateWindow(ctx, q, h, w); err == nil {
				w, err = insertWindow(ctx, q, at, audit.System, w)
			}
		}
		if err != nil {
			return 0, nil, nil, fmt.Errorf("seed window %s %s: %w", h.Name, w.Number, err)
		}
		windows[w.Number] = w.ID
	}
	return h.ID, areas, windows, nil
}

// seedGrant creates g for one window unless the department already
// authorized that window (whatever the dates, so a rerun in a later year
// does not collide with the earlier authorization).
func seedGrant(ctx context.Context, q db.Q, at time.Time, g demoGrant, windowID, orgID int64, year int) error {
	var n int
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM window_authorizations a JOIN window_authorization_scopes c ON c.authorization_id = a.id
		WHERE a.window_id = $1 AND a.org_id = $2 AND c.kind = 'domain' AND c.value = $3`, windowID, orgID, g.domains[0]).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return nil
	}
	a := Authorization{WindowID: windowID, OrgID: orgID, DocNo: fmt.Sprintf(g.doc, year-1), CanAccept: g.accept, CanDecide: g.decide,
		ValidFrom: fmt.Sprintf("%d-01-01", year-1), ValidTo: fmt.Sprintf("%d-12-31", year+2), Items: []string{}, Domains: g.domains}
	a = a.normalize()
	w, err := getWindow(ctx, q, windowID)
	if err != nil {
		return err
	}
	h, err := getHall(ctx, q, w.HallID)
	if err != nil {
		return err
	}
	if err := validateAuthorization(ctx, q, h, a); err != nil {
		return err
	}
	if err := checkOverlap(ctx, q, a); err != nil {
		return err
	}
	_, err = insertAuthorization(ctx, q, at, audit.System, a)
	return err
}
