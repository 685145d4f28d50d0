package web

import (
	"net/http"
	"strconv"

	"banhao.dev/banhao/internal/catalog"
	"banhao.dev/banhao/internal/platform/errs"
)

// changeRow is a change-log entry with its action in Chinese.
type changeRow struct {
	catalog.Change
	Label string
}

func changeRows(chs []catalog.Change) []changeRow {
	out := make([]changeRow, len(chs))
	for i, c := range chs {
		out[i] = changeRow{Change: c, Label: catalog.ActionLabel(c.Action)}
	}
	return out
}

type versionsData struct {
	Item     *catalog.Item
	Versions []catalog.VersionInfo
	Changes  []changeRow
	Diff     *ItemDiff
	From, To int
}

// ErrDiffArgs is a diff asked for without two versions.
var ErrDiffArgs = errs.E(errs.Invalid, "diff_versions", "请用 from 和 to 指定要比较的两个版本号")

// itemDiff loads versions from and to (as the caller may see them) and compares them.
func (s *Server) itemDiff(r *http.Request, c catalog.Caller, code string, from, to int) (ItemDiff, error) {
	if from <= 0 || to <= 0 {
		return ItemDiff{}, ErrDiffArgs
	}
	a, err := s.Catalog.Version(r.Context(), c, code, from)
	if err != nil {
		return ItemDiff{}, err
	}
	b, err := s.Catalog.Version(r.Context(), c, code, to)
	if err != nil {
		return ItemDiff{}, err
	}
	return DiffItems(a, b), nil
}

func (s *Server) itemVersions(w http.ResponseWriter, r *http.Request) {
	p, ok := s.requirePage(w, r, catalogStaff...)
	if !ok {
		return
	}
	c, code := catalogCaller(p), r.PathValue("code")
	it, err := s.Catalog.Working(r.Context(), c, code)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	vs, err := s.Catalog.Versions(r.Context(), c, code)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	chs, err := s.Catalog.Changes(r.Context(), code)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d := versionsData{Item: it, Versions: vs, Changes: changeRows(chs)}
	q := r.URL.Query()
	d.From, _ = strconv.Atoi(q.Get("from"))
	d.To, _ = strconv.Atoi(q.Get("to"))
	if d.From == 0 && d.To == 0 && len(vs) >= 2 { // newest first: compare the two latest
		d.From, d.To = vs[1].Version, vs[0].Version
	}
	if d.From > 0 && d.To > 0 {
		diff, err := s.itemDiff(r, c, code, d.From, d.To)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		d.Diff = &diff
	}
	pg := s.newPage(w, r, "版本与变更："+it.Name, d)
	pg.Form = q
	s.render(w, r, http.StatusOK, "catalog_admin_versions", pg)
}
