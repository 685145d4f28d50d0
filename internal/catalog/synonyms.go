package catalog

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"

	"banhao.dev/banhao/internal/platform/audit"
	"banhao.dev/banhao/internal/platform/db"
	"banhao.dev/banhao/internal/platform/errs"
)

// Synonym maps how people say something to the words items use:
// "开饭店" → ["餐饮", "食品经营"]. A query containing the term is also
// searched for each expansion.
type Synonym struct {
	Term       string   `json:"term"`
	Expansions []string `json:"expansions"`
}

func listSynonyms(ctx context.Context, q db.Q) ([]Synonym, error) {
	rows, err := q.QueryContext(ctx, `SELECT term, expansions FROM catalog_synonyms ORDER BY term`)
	if err != nil {
		return nil, fmt.Errorf("list synonyms: %w", err)
	}
	defer rows.Close()
	var out []Synonym
	for rows.Next() {
		var s Synonym
		var raw string
		if err := rows.Scan(&s.Term, &raw); err != nil {
			return nil, fmt.Errorf("scan synonym: %w", err)
		}
		if err := json.Unmarshal([]byte(raw), &s.Expansions); err != nil {
			return nil, fmt.Errorf("decode synonym %s: %w", s.Term, err)
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

func synonymMap(list []Synonym) map[string][]string {
	m := make(map[string][]string, len(list))
	for _, s := range list {
		m[s.Term] = s.Expansions
	}
	return m
}

// Synonyms lists the synonym table.
func (s *Service) Synonyms(ctx context.Context) ([]Synonym, error) {
	return listSynonyms(ctx, s.db.R)
}

// SetSynonym creates or replaces a synonym; empty expansions delete it.
func (s *Service) SetSynonym(ctx context.Context, c Caller, syn Synonym) error {
	if !c.isSystem() && !c.HasRole(RoleCatalogAdmin) {
		return forbidden("维护同义词")
	}
	syn.Term = strings.TrimSpace(syn.Term)
	var exps []string
	for _, x := range syn.Expansions {
		if x = strings.TrimSpace(x); x != "" && x != syn.Term {
			exps = append(exps, x)
		}
	}
	if syn.Term == "" || len([]rune(syn.Term)) > 20 {
		return errs.Field("term", "synonym_term", "请填写 1–20 个字的检索词")
	}
	raw, _ := json.Marshal(exps)
	now := s.now()
	err := s.tx(ctx, func(tx *sql.Tx) error {
		var err error
		if len(exps) == 0 {
			_, err = tx.ExecContext(ctx, `DELETE FROM catalog_synonyms WHERE term = $1`, syn.Term)
		} else {
			_, err = tx.ExecContext(ctx, `INSERT INTO catalog_synonyms (term, expansions, updated_at, updated_by) VALUES ($1, $2, $3, $4)
				ON CONFLICT (term) DO UPDATE SET expansions = excluded.expansions, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
				syn.Term, string(raw), now, nullID(c.UserID))
		}
		if err != nil {
			return fmt.Errorf("save synonym %s: %w", syn.Term, err)
		}
		_, err = audit.Append(ctx, tx, now, c.actor(), "catalog/synonyms", "set", map[string]any{"term": syn.Term, "after": exps})
		return err
	})
	if err != nil {
		return err
	}
	all, err := listSynonyms(ctx, s.db.W)
	if err != nil {
		return err
	}
	s.index.SetSynonyms(synonymMap(all))
	return nil
}
