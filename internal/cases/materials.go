package cases

import (
	"fmt"
	"strings"
	"time"

	"banhao.dev/banhao/internal/platform/errs"
)

// Material errors; each names the failing materials in Fields.
var (
	ErrMaterialNotInChecklist = errs.E(errs.Invalid, "material_not_in_checklist", "材料不在该事项（该版本、该情形）的材料清单中")
	ErrMaterialsMissing       = errs.E(errs.Invalid, "materials_missing", "缺少必需的申请材料")
	ErrMaterialSource         = errs.E(errs.Invalid, "material_source", "每项材料须且只能提供文件、电子证照或纸质原件之一")
	ErrCommitmentNotAllowed   = errs.E(errs.Invalid, "commitment_not_allowed", "该材料不适用告知承诺制")
	ErrMaterialDuplicate      = errs.E(errs.Invalid, "material_duplicate", "同一材料不能重复提交")
)

// MaterialInput is one material as the applicant or clerk provides it:
// exactly one of a file (blob hash from the upload), an e-license reference,
// a paper original to bring, or a signed commitment (告知承诺).
type MaterialInput struct {
	MaterialID string `json:"material_id"`
	File       string `json:"file,omitempty"`
	License    string `json:"license,omitempty"`
	Paper      bool   `json:"paper,omitempty"`
	Commitment bool   `json:"commitment,omitempty"`
}

func (m MaterialInput) source() (string, int) {
	src, n := SourceNone, 0
	if m.File != "" {
		src, n = SourceFile, n+1
	}
	if m.License != "" {
		src, n = SourceLicense, n+1
	}
	if m.Paper {
		src, n = SourcePaper, n+1
	}
	if m.Commitment {
		src, n = SourceCommitment, n+1
	}
	return src, n
}

// buildMaterials checks inputs against the checklist and returns the rows to
// write. Every failure is collected so the caller hears of all of them.
func buildMaterials(checklist []ItemMaterial, in []MaterialInput, round int, now time.Time) ([]CaseMaterial, error) {
	var out []CaseMaterial
	seen := map[string]bool{}
	for i, m := range in {
		field := fmt.Sprintf("materials[%d]", i)
		im, ok := findMaterial(checklist, m.MaterialID)
		if !ok {
			return nil, ErrMaterialNotInChecklist.Withf("“%s”", clip(m.MaterialID, 60)).OnField(field)
		}
		if seen[m.MaterialID] {
			return nil, ErrMaterialDuplicate.Withf("%s", im.Name).OnField(field)
		}
		seen[m.MaterialID] = true
		src, n := m.source()
		if n != 1 {
			return nil, ErrMaterialSource.Withf("%s", im.Name).OnField(field)
		}
		if src == SourceFile && !isHash(m.File) {
			return nil, errs.Field(field, "material_file", "材料文件标识不正确，请重新上传："+im.Name)
		}
		if src == SourceCommitment && !im.CommitmentAllowed {
			return nil, ErrCommitmentNotAllowed.Withf("%s", im.Name).OnField(field)
		}
		out = append(out, CaseMaterial{MaterialID: im.ID, Name: im.Name, Source: src, BlobHash: strings.ToLower(m.File),
			LicenseRef: m.License, Status: MatSubmitted, ChangedRound: round, UpdatedAt: now})
	}
	return out, nil
}

// missingRequired lists required checklist materials not provided;
// materials that may be pending (容缺) are left out when allowPending.
func missingRequired(checklist []ItemMaterial, have map[string]CaseMaterial, allowPending bool) error {
	var fe errs.Fields
	var names []string
	for _, im := range checklist {
		if !im.Required || (allowPending && im.PendingAllowed) {
			continue
		}
		if m, ok := have[im.ID]; ok && (m.Status == MatPending || m.Source != SourceNone && m.Status != MatDefective) {
			continue
		}
		fe.Add("materials."+im.ID, "缺少材料："+im.Name)
		names = append(names, im.Name)
	}
	if len(names) == 0 {
		return nil
	}
	e := ErrMaterialsMissing.Withf("%s", strings.Join(names, "、"))
	e.Fields = fe
	return e.With("missing", names)
}

func byID(ms []CaseMaterial) map[string]CaseMaterial {
	out := make(map[string]CaseMaterial, len(ms))
	for _, m := range ms {
		out[m.MaterialID] = m
	}
	return out
}

func isHash(s string) bool {
	if len(s) != 64 {
		return false
	}
	for _, r := range strings.ToLower(s) {
		if (r < '0' || r > '9') && (r < 'a' || r > 'f') {
			return false
		}
	}
	return true
}

// builtinSteps is the template of a case type when the item names none
// (spec 30: 即办 one step, 一审一核 two, 承诺件 three).
func builtinSteps(caseType string) []TemplateStep {
	switch caseType {
	case "immediate":
		return []TemplateStep{{Name: "受理并决定", Role: "clerk", Share: 1}}
	case "review_approve":
		return []TemplateStep{{Name: "受理审查", Role: "clerk", Share: 0.5}, {Name: "审核决定", Role: "approver", Share: 0.5}}
	}
	return []TemplateStep{{Name: "受理", Role: "clerk", Share: 0.2}, {Name: "审查", Role: "reviewer", Share: 0.4},
		{Name: "决定", Role: "approver", Share: 0.4}}
}

func stepsOf(snap ItemSnapshot) []CaseStep {
	tpl := snap.Steps
	if len(tpl) == 0 {
		tpl = builtinSteps(snap.CaseType)
	}
	out := make([]CaseStep, len(tpl))
	for i, t := range tpl {
		org := t.OrgID
		if org == 0 {
			org = snap.OrgID
		}
		out[i] = CaseStep{Index: i, Name: t.Name, Role: t.Role, OrgID: org, Share: t.Share, StopsClock: t.StopsClock,
			Days: t.Days, Status: StepWaiting}
	}
	return out
}
