package catalog

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"banhao.dev/banhao/internal/platform/db"
	"banhao.dev/banhao/internal/platform/dbtest"
	"banhao.dev/banhao/internal/platform/errs"
)

func demoItem(t testing.TB, code string) *Item {
	t.Helper()
	items, err := DemoItems()
	if err != nil {
		t.Fatal(err)
	}
	for i := range items {
		if items[i].Code == code {
			it := items[i]
			Normalize(&it)
			return &it
		}
	}
	t.Fatalf("no demo item %s", code)
	return nil
}

func materialIDs(cl Checklist) string {
	var ids []string
	for _, m := range cl.Materials {
		ids = append(ids, m.ID)
	}
	return strings.Join(ids, ",")
}

func feeTotal(cl Checklist) float64 {
	s := 0.0
	for _, f := range cl.Fees {
		s += f.Amount
	}
	return s
}

func TestChecklistListsExactlyTheMaterialsLimitAndFeesThatApply(t *testing.T) {
	const (
		transfer   = "0700002000-990121-01"
		food       = "0100002000-990121-01"
		disability = "0700005000-990121-01"
		idcard     = "0700003002-990121-01"
	)
	tests := []struct {
		name      string
		code      string
		answers   map[string]string
		materials string
		promised  float64
		fees      float64
		asked     int
	}{
		{"house transfer, married seller, no mortgage", transfer, map[string]string{"usage": "residential", "marital": "married", "mortgaged": "no", "agent": "no"},
			"application,id,cert,contract,tax,marriage", 5, 80, 4},
		{"house transfer, single seller with mortgage by agent", transfer, map[string]string{"usage": "commercial", "marital": "single", "mortgaged": "yes", "agent": "yes"},
			"application,id,cert,contract,tax,single,release,proxy", 7, 550, 4},
		{"house transfer by a micro enterprise is free", transfer, map[string]string{"usage": "micro"},
			"application,id,cert,contract,tax", 5, 0, 4},
		{"prepackaged food drops the layout and skips the water question", food, map[string]string{"scope": "prepackaged", "water": "own", "promise": "no"},
			"application,license,rules", 5, 0, 3},
		{"catering with own water under commitment", food, map[string]string{"scope": "catering", "water": "own", "promise": "yes", "agent": "yes"},
			"application,license,layout,rules,kitchen,water,commitment,proxy", 1, 0, 4},
		{"mental disability needs history and guardian, longer limit", disability, map[string]string{"category": "mental", "minor": "no"},
			"form,hukou,id,photo,assessment,history,guardian", 15, 0, 2},
		{"physical disability of a minor needs a guardian", disability, map[string]string{"category": "physical", "minor": "yes"},
			"form,hukou,id,photo,assessment,guardian", 10, 0, 2},
		{"lost ID card costs 40 yuan and takes longer", idcard, map[string]string{"type": "lost"}, "hukou,photo", 20, 40, 3},
		{"ID card for a subsistence recipient is free", idcard, map[string]string{"type": "renew", "poor": "yes"}, "hukou,photo,old", 15, 0, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cl, err := ComputeChecklist(demoItem(t, tt.code), tt.answers)
			if err != nil {
				t.Fatal(err)
			}
			if got := materialIDs(cl); got != tt.materials {
				t.Errorf("materials: got %s, want %s", got, tt.materials)
			}
			if cl.PromisedLimit.Days != tt.promised {
				t.Errorf("promised limit: got %v, want %v", cl.PromisedLimit.Days, tt.promised)
			}
			if got := feeTotal(cl); got != tt.fees || cl.Charged != (tt.fees > 0) {
				t.Errorf("fees: got %v (charged %v), want %v", got, cl.Charged, tt.fees)
			}
			if len(cl.Asked) != tt.asked {
				t.Errorf("asked: got %d questions, want %d", len(cl.Asked), tt.asked)
			}
		})
	}
}

// TestChecklistOverAllAnswerCombinations compares every combination of the
// business-registration questions with an independent hand-written rule.
func TestChecklistOverAllAnswerCombinations(t *testing.T) {
	plain := demoItem(t, "0100001000-990121-01")
	cached := demoItem(t, "0100001000-990121-01")
	prepareConditions(cached) // as Service.Guide caches it: programs kept
	// The cached guide runs every combination twice: compiled, then stored.
	for _, it := range []*Item{plain, cached, cached} {
		checkAllAnswerCombinations(t, it)
	}
}

func checkAllAnswerCombinations(t *testing.T, it *Item) {
	t.Helper()
	for _, entity := range []string{"llc", "sole", "partnership"} {
		for _, premises := range []string{"owned", "rented", ""} {
			for _, agent := range []string{"no", "yes"} {
				answers := map[string]string{"entity": entity, "premises": premises, "agent": agent}
				want := []string{"application"}
				if entity == "llc" {
					want = append(want, "articles")
				}
				want = append(want, "shareholder_id", "officers", "address")
				if premises == "rented" {
					want = append(want, "lease")
				}
				if premises == "owned" {
					want = append(want, "property_cert")
				}
				if agent == "yes" {
					want = append(want, "proxy")
				}
				if entity == "partnership" {
					want = append(want, "partnership")
				}
				cl, err := ComputeChecklist(it, answers)
				if err != nil {
					t.Fatal(err)
				}
				if got := materialIDs(cl); got != strings.Join(want, ",") {
					t.Errorf("%v: got %s, want %s", answers, got, strings.Join(want, ","))
				}
			}
		}
	}
}

func TestChecklistRejectsUnknownAnswers(t *testing.T) {
	it := demoItem(t, "0100001000-990121-01")
	for _, answers := range []map[string]string{{"entity": "corp"}, {"planet": "mars"}} {
		if _, err := ComputeChecklist(it, answers); !errors.Is(err, ErrUnknownAnswer) {
			t.Errorf("%v: got %v, want %v", answers, err, ErrUnknownAnswer)
		}
	}
}

func TestSavedChecklistLoadsByNumber(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		svc, _, _ := mustSeeded(t, d)
		answers := map[string]string{"usage": "residential", "marital": "single", "mortgaged": "no", "agent": "no"}
		saved, err := svc.SaveChecklist(ctx, Caller{}, "0700002000-990121-01", 0, answers)
		if err != nil {
			t.Fatal(err)
		}
		if len(saved.Number) != 10 || !strings.HasPrefix(saved.Number, "QD") {
			t.Errorf("number: got %q, want QD + 8 characters", saved.Number)
		}
		got, err := svc.LoadChecklist(ctx, strings.ToLower(saved.Number))
		if err != nil {
			t.Fatal(err)
		}
		if materialIDs(got) != materialIDs(saved) || got.Version != 1 || fmt.Sprint(got.Answers) != fmt.Sprint(answers) {
			t.Errorf("loaded: got %s v%d %v, want %s v1 %v", materialIDs(got), got.Version, got.Answers, materialIDs(saved), answers)
		}
		if _, err := svc.LoadChecklist(ctx, "QD00000000"); !errors.Is(err, ErrChecklistNotFound) {
			t.Errorf("unknown number: got %v", err)
		}
	})
}

func TestSavingAChecklistWithAnOpenQuestionIsRefusedByField(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		svc, _, _ := mustSeeded(t, d)
		// 食品经营许可: choosing catering asks about the water source too.
		_, err := svc.SaveChecklist(ctx, Caller{}, "0100002000-990121-01", 0, map[string]string{"scope": "catering", "promise": "no", "agent": "no"})
		if !errors.Is(err, ErrUnanswered) {
			t.Fatalf("got %v, want %v", err, ErrUnanswered)
		}
		e, _ := errs.As(err)
		if len(e.Fields) != 1 || e.Fields[0].Field != "answers.water" {
			t.Errorf("got fields %+v, want only answers.water", e.Fields)
		}
		if _, err := svc.SaveChecklist(ctx, Caller{}, "0100002000-990121-01", 0, map[string]string{"scope": "catering", "water": "public", "promise": "no", "agent": "no"}); err != nil {
			t.Errorf("complete answers: got %v, want saved", err)
		}
	})
}
