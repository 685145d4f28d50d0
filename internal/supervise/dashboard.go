package supervise

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"banhao.dev/banhao/internal/platform/auth"
	"banhao.dev/banhao/internal/platform/calendar"
	"banhao.dev/banhao/internal/platform/clock"
	"banhao.dev/banhao/internal/platform/ids"
)

// DashQuery drills down: region → department (OrgID) → window (WindowID).
type DashQuery struct {
	Region   string `json:"region,omitempty"`
	OrgID    int64  `json:"org,omitempty"`
	WindowID int64  `json:"window,omitempty"`
}

// LightCount is the open cases of one unit by light.
type LightCount struct {
	ID     int64  `json:"id"`
	Name   string `json:"name"`
	Green  int    `json:"green"`
	Yellow int    `json:"yellow"`
	Red    int    `json:"red"`
}

// Total is the number of open cases counted.
func (l LightCount) Total() int { return l.Green + l.Yellow + l.Red }

// OpenCase is an open case on the dashboard.
type OpenCase struct {
	No        string     `json:"no"`
	ItemName  string     `json:"item_name"`
	OrgID     int64      `json:"org_id"`
	OrgName   string     `json:"org_name"`
	WindowID  int64      `json:"window_id,omitempty"`
	Light     string     `json:"light"`     // the worse of the case and step lights
	StepRole  string     `json:"step_role"` // who holds the step
	Promised  *time.Time `json:"promised_due,omitempty"`
	StepLight string     `json:"step_light"` // the step's own light
}

// CardCount is the cards of a department or person in the month.
type CardCount struct {
	ID     int64  `json:"id"`
	Name   string `json:"name"`
	Yellow int    `json:"yellow"`
	Red    int    `json:"red"`
}

// Dashboard is the supervisor's view of a region.
type Dashboard struct {
	Query       DashQuery    `json:"query"`
	Lights      LightCount   `json:"lights"`
	ByOrg       []LightCount `json:"by_org"`
	ByWindow    []LightCount `json:"by_window"`
	Red         []OpenCase   `json:"red"`
	Yellow      []OpenCase   `json:"yellow"`
	Cases       []OpenCase   `json:"cases,omitempty"` // every open case of the window drilled into
	OrgCards    []CardCount  `json:"org_cards"`
	PersonCards []CardCount  `json:"person_cards"`
	Findings    []Finding    `json:"findings"`
	Month       string       `json:"month"`
}

// worst is the SQL of the worse of the case and step lights.
const worst = `CASE WHEN c.light = 'red' OR c.step_light = 'red' THEN 'red'
	WHEN c.light = 'yellow' OR c.step_light = 'yellow' THEN 'yellow' ELSE 'green' END`

// Dashboard returns the open cases by light, the red and yellow lists, the
// month's cards per department and per person, and the findings to work.
func (s *Service) Dashboard(ctx context.Context, p *auth.Principal, q DashQuery) (Dashboard, error) {
	region, err := scope(p, q.Region)
	if err != nil {
		return Dashboard{}, err
	}
	q.Region = region
	now := s.now()
	d := Dashboard{Query: q, Month: clock.Day(now)[:7]}
	prefix := ids.RegionPrefix(region) + "%"
	where := ` FROM cases c LEFT JOIN orgs o ON o.id = c.org_id WHERE c.status IN ('accepted', 'clock_stopped')
		AND c.region_code LIKE $1 AND ($2 = 0 OR c.org_id = $2) AND ($3 = 0 OR c.window_id = $3)`
	args := []any{prefix, q.OrgID, q.WindowID}
	if d.ByOrg, err = s.lightCounts(ctx, `SELECT c.org_id, COALESCE(o.name, ''), `+worst+`, COUNT(*)`+where+
		` GROUP BY c.org_id, o.name, `+worst+` ORDER BY c.org_id`, args...); err != nil {
		return d, err
	}
	for _, o := range d.ByOrg {
		d.Lights.Green, d.Lights.Yellow, d.Lights.Red = d.Lights.Green+o.Green, d.Lights.Yellow+o.Yellow, d.Lights.Red+o.Red
	}
	if q.OrgID != 0 {
		if d.ByWindow, err = s.lightCounts(ctx, `SELECT COALESCE(c.window_id, 0), COALESCE(h.name || ' ' || w.number || '窗口', '网上申报/未指定窗口'), `+
			worst+`, COUNT(*) FROM cases c LEFT JOIN windows w ON w.id = c.window_id LEFT JOIN halls h ON h.id = w.hall_id
			WHERE c.status IN ('accepted', 'clock_stopped') AND c.region_code LIKE $1 AND ($2 = 0 OR c.org_id = $2)
			AND ($3 = 0 OR c.window_id = $3) GROUP BY c.window_id, h.name, w.number, `+worst+` ORDER BY 1`, args...); err != nil {
			return d, err
		}
	}
	list := `SELECT c.no, c.item_name, c.org_id, COALESCE(o.name, ''), COALESCE(c.window_id, 0), ` + worst + `, c.step_role,
		c.promised_due, c.step_light` + where
	if d.Red, err = s.openCases(ctx, list+` AND (c.light = 'red' OR c.step_light = 'red') ORDER BY c.org_id, c.promised_due LIMIT 200`, args...); err != nil {
		return d, err
	}
	if d.Yellow, err = s.openCases(ctx, list+` AND NOT (c.light = 'red' OR c.step_light = 'red') AND (c.light = 'yellow' OR c.step_light = 'yellow')
		ORDER BY c.org_id, c.promised_due LIMIT 200`, args...); err != nil {
		return d, err
	}
	if q.WindowID != 0 {
		if d.Cases, err = s.openCases(ctx, list+` ORDER BY c.promised_due LIMIT 500`, args...); err != nil {
			return d, err
		}
	}
	month, _ := monthStart(d.Month)
	if d.OrgCards, err = s.cardCounts(ctx, `SELECT k.org_id, COALESCE(o.name, ''), k.color, COUNT(*) FROM supervise_cards k
		LEFT JOIN orgs o ON o.id = k.org_id WHERE k.scope = 'org' AND k.region_code LIKE $1 AND k.created_at >= $2
		AND ($3 = 0 OR k.org_id = $3) GROUP BY k.org_id, o.name, k.color ORDER BY k.org_id`, prefix, month, q.OrgID); err != nil {
		return d, err
	}
	if d.PersonCards, err = s.cardCounts(ctx, `SELECT k.user_id, COALESCE(u.name, ''), k.color, COUNT(*) FROM supervise_cards k
		LEFT JOIN users u ON u.id = k.user_id WHERE k.scope = 'person' AND k.region_code LIKE $1 AND k.created_at >= $2
		AND ($3 = 0 OR k.org_id = $3) GROUP BY k.user_id, u.name, k.color ORDER BY k.user_id`, prefix, month, q.OrgID); err != nil {
		return d, err
	}
	open, err := s.Findings(ctx, p, FindingFilter{Region: region, Status: FindingOpen, OrgID: q.OrgID, Limit: 100})
	if err != nil {
		return d, err
	}
	conf, err := s.Findings(ctx, p, FindingFilter{Region: region, Status: FindingConfirmed, OrgID: q.OrgID, Limit: 100})
	if err != nil {
		return d, err
	}
	d.Findings = append(open, conf...)
	return d, nil
}

func (s *Service) lightCounts(ctx context.Context, q string, args ...any) ([]LightCount, error) {
	rows, err := s.db.R.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("dashboard lights: %w", err)
	}
	defer rows.Close()
	var out []LightCount
	idx := map[int64]int{}
	for rows.Next() {
		var id int64
		var name, light string
		var n int
		if err := rows.Scan(&id, &name, &light, &n); err != nil {
			return nil, fmt.Errorf("dashboard lights: %w", err)
		}
		i, ok := idx[id]
		if !ok {
			i = len(out)
			idx[id] = i
			out = append(out, LightCount{ID: id, Name: name})
		}
		switch light {
		case "red":
			out[i].Red += n
		case "yellow":
			out[i].Yellow += n
		default:
			out[i].Green += n
		}
	}
	return out, rows.Err()
}

func (s *Service) openCases(ctx context.Context, q string, args ...any) ([]OpenCase, error) {
	rows, err := s.db.R.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("dashboard cases: %w", err)
	}
	defer rows.Close()
	out := []OpenCase{}
	for rows.Next() {
		var c OpenCase
		var due sql.NullTime
		if err := rows.Scan(&c.No, &c.ItemName, &c.OrgID, &c.OrgName, &c.WindowID, &c.Light, &c.StepRole, &due, &c.StepLight); err != nil {
			return nil, fmt.Errorf("dashboard cases: %w", err)
		}
		c.Promised = tp(due)
		out = append(out, c)
	}
	return out, rows.Err()
}

func (s *Service) cardCounts(ctx context.Context, q string, args ...any) ([]CardCount, error) {
	rows, err := s.db.R.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("dashboard cards: %w", err)
	}
	defer rows.Close()
	var out []CardCount
	idx := map[int64]int{}
	for rows.Next() {
		var id int64
		var name, color string
		var n int
		if err := rows.Scan(&id, &name, &color, &n); err != nil {
			return nil, fmt.Errorf("dashboard cards: %w", err)
		}
		i, ok := idx[id]
		if !ok {
			i = len(out)
			idx[id] = i
			out = append(out, CardCount{ID: id, Name: name})
		}
		if color == "red" {
			out[i].Red += n
		} else {
			out[i].Yellow += n
		}
	}
	return out, rows.Err()
}

// monthStart parses YYYY-MM and returns the first instant of the month
// (Beijing) and its first and last dates.
func monthStart(m string) (time.Time, error) {
	f, _, err := monthRange(m)
	return f.Start(), err
}

func monthRange(m string) (calendar.Date, calendar.Date, error) {
	t, err := time.Parse("2006-01", m)
	if err != nil {
		return calendar.Date{}, calendar.Date{}, ErrMonth.OnField("month")
	}
	f := calendar.D(t.Year(), t.Month(), 1)
	return f, calendar.D(t.Year(), t.Month()+1, 1).AddDays(-1), nil
}
