package demo

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"time"

	"banhao.dev/banhao/internal/cases"
	"banhao.dev/banhao/internal/catalog"
	"banhao.dev/banhao/internal/platform/auth"
	"banhao.dev/banhao/internal/platform/blob"
	"banhao.dev/banhao/internal/platform/db"
)

// CaseItems are the demo items the case spread is filed under: items of
// 示范县市场监督管理局 in the 商事登记 domain, which window A01 (the demo
// clerk's) is authorized to accept and decide, and whose later steps the
// demo reviewer and approver (市场监管局 staff) work. Together they cover
// the three templates: 一审一核 (企业设立/变更登记), 即办 (个体工商户登记) and a
// custom 承诺件 with a clock-stopping site inspection (食品经营许可).
var CaseItems = []string{
	"0100001000-990121-01", // 企业设立登记
	"0100001001-990121-01", // 个体工商户登记
	"0100001002-990121-01", // 企业变更登记
	"0100002000-990121-01", // 食品经营许可
}

// seedCases files the demo case spread through the cases service, once: it
// does nothing when any case exists. Material files are small generated
// PDFs put in the blob store when one is given, paper originals otherwise.
func seedCases(ctx context.Context, d *db.DB, a *auth.Service, svc Services, windowID int64, at time.Time) error {
	var n int
	if err := d.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM cases`).Scan(&n); err != nil {
		return fmt.Errorf("count cases: %w", err)
	}
	if n > 0 {
		return nil
	}
	who := func(login string) (*auth.Principal, error) {
		u, err := a.UserByLogin(ctx, login)
		if err != nil {
			return nil, fmt.Errorf("demo cast %s: %w", login, err)
		}
		return u.Principal(), nil
	}
	var cast cases.DemoCast
	var err error
	ent, err := who(enterpriseUSCC)
	if err != nil {
		return err
	}
	person, err := who(personID)
	if err != nil {
		return err
	}
	cast.Applicants = []*auth.Principal{ent, person}
	if cast.Clerk, err = who("clerk"); err != nil {
		return err
	}
	if cast.Reviewer, err = who("reviewer"); err != nil {
		return err
	}
	if cast.Approver, err = who("approver"); err != nil {
		return err
	}
	if cast.Supervisor, err = who("supervisor"); err != nil {
		return err
	}
	cast.WindowID = windowID
	var items []cases.DemoItem
	for _, code := range CaseItems {
		it, err := svc.Catalog.Guide(ctx, code, 0)
		if err != nil {
			return fmt.Errorf("demo case item %s: %w", code, err)
		}
		cl, err := catalog.ComputeChecklist(it, nil)
		if err != nil {
			return fmt.Errorf("demo case item %s: %w", code, err)
		}
		di := cases.DemoItem{Code: code}
		for _, m := range cl.Materials {
			in, err := demoMaterial(ctx, d, svc.Blobs, it.Name, m, at)
			if err != nil {
				return err
			}
			di.Materials = append(di.Materials, in)
		}
		items = append(items, di)
	}
	if _, err := cases.SeedDemo(ctx, svc.Cases, cast, items); err != nil {
		return fmt.Errorf("seed demo cases: %w", err)
	}
	return nil
}

// demoMaterial is how the demo applicant provides material m: the business
// license as an e-license (电子证照), everything else as an uploaded PDF.
func demoMaterial(ctx context.Context, d *db.DB, blobs blob.Store, item string, m catalog.Material, at time.Time) (cases.MaterialInput, error) {
	in := cases.MaterialInput{MaterialID: m.ID}
	switch {
	case strings.Contains(m.Name, "营业执照"):
		in.License = "DZZZ-990121-" + enterpriseUSCC
		return in, nil
	case blobs == nil:
		in.Paper = true
		return in, nil
	}
	ref, err := blobs.Put(ctx, bytes.NewReader(demoPDF(item+"："+m.Name)), m.Name+".pdf")
	if err != nil {
		return in, fmt.Errorf("demo material %s: %w", m.Name, err)
	}
	if err := blob.RecordMeta(ctx, d.W, ref, at); err != nil {
		return in, err
	}
	in.File = ref.Hash
	return in, nil
}

// demoPDF is a minimal one-page PDF whose only content is a comment naming
// the material (enough for the type check, distinct per material).
func demoPDF(title string) []byte {
	var b bytes.Buffer
	b.WriteString("%PDF-1.4\n% 示范材料 " + title + "\n")
	b.WriteString("1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n")
	b.WriteString("2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n")
	b.WriteString("3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >> endobj\n")
	b.WriteString("trailer << /Root 1 0 R >>\n%%EOF\n")
	return b.Bytes()
}
