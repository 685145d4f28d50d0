package web

import (
	"html/template"
	"io"
	"mime"
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"banhao.dev/banhao/internal/catalog"
	"banhao.dev/banhao/internal/platform/blob"
)

// materialView is a material with its attributes in words.
type materialView struct {
	catalog.Material
	KindText, FormText, MediumText, SourceText, ELicense, When string
	Copies                                                     int
}

// guideView is everything the guide page shows.
type guideView struct {
	Item                                 *catalog.Item
	Current                              bool // the current version (no ?version=)
	Legal, Promised, Trips, Depth, Scope string
	Channels, Objects                    []string
	Materials                            []materialView
	Flow                                 template.HTML
	Versions                             []catalog.VersionInfo
	HasStopClock                         bool
	ApplyURL                             string      // online application; "" when not applicable online
	Places                               []hallPlace // halls and windows serving the item
}

var condPart = regexp.MustCompile(`^\s*([A-Za-z_][A-Za-z0-9_]*)\s*==\s*"([^"]*)"\s*$`)

// conditionText explains when a situation-dependent material applies, in
// words: the CEL conditions the demo and admins write are conjunctions of
// `situation == "answer"`; anything else reads 视具体情形.
func conditionText(it *catalog.Item, m catalog.Material) string {
	var parts []string
	if m.Condition != "" {
		ok := true
		for _, p := range strings.Split(m.Condition, "&&") {
			sm := condPart.FindStringSubmatch(p)
			if sm == nil {
				ok = false
				break
			}
			q, a, found := answerText(it, sm[1], sm[2])
			if !found {
				ok = false
				break
			}
			parts = append(parts, "“"+q+"”选择“"+a+"”")
		}
		if !ok {
			return "视具体情形提交（请通过情形引导确认）"
		}
	}
	for _, s := range it.Situations {
		for _, a := range s.Answers {
			for _, id := range a.Add {
				if id == m.ID {
					parts = append(parts, "“"+s.Question+"”选择“"+a.Label+"”")
				}
			}
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return "视情形提交：" + strings.Join(parts, "且") + "时提交"
}

func answerText(it *catalog.Item, sid, aid string) (string, string, bool) {
	for _, s := range it.Situations {
		if s.ID != sid {
			continue
		}
		for _, a := range s.Answers {
			if a.ID == aid {
				return s.Question, a.Label, true
			}
		}
	}
	return "", "", false
}

func materialViews(it *catalog.Item, ms []catalog.Material) []materialView {
	out := make([]materialView, 0, len(ms))
	for _, m := range ms {
		v := materialView{Material: m, KindText: guideLabel("mkind", string(m.Kind)), FormText: guideLabel("form", string(m.Form)),
			MediumText: guideLabel("medium", string(m.Medium)), SourceText: guideLabel("source", string(m.Source)), Copies: max(m.Copies, 1)}
		if m.ELicenseType != "" {
			v.ELicense = eLicenseName(m.ELicenseType)
		}
		if !m.Required {
			v.When = conditionText(it, m)
		}
		out = append(out, v)
	}
	return out
}

func (s *Server) guideOf(r *http.Request, it *catalog.Item, current bool) guideView {
	g := guideView{Item: it, Current: current, Legal: limitText(it.LegalLimit), Promised: limitText(it.PromisedLimit),
		Trips: tripsLabel(it.Trips), Depth: depthLabel(it.OnlineDepth), Scope: guideLabel("scope", string(it.Scope)),
		Objects: labels("object", it.ServiceObjects), Materials: materialViews(it, it.Materials), Flow: flowSVG(it)}
	for _, c := range it.Channels {
		g.Channels = append(g.Channels, guideLabel("channel", string(c)))
	}
	for _, st := range it.Process.Steps {
		g.HasStopClock = g.HasStopClock || st.StopsClock
	}
	g.Versions, _ = s.Catalog.Versions(r.Context(), catalogCallerOf(principal(r)), it.Code)
	if current { // an old version's guide is for reading; applications go to the current one
		g.ApplyURL = applyURL(it, nil)
	}
	g.Places = s.placesFor(r.Context(), it)
	return g
}

func (s *Server) guidePage(w http.ResponseWriter, r *http.Request) {
	v, err := versionParam(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	it, err := s.Catalog.Guide(r.Context(), r.PathValue("code"), v)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	title := it.Name + " 办事指南"
	if v != 0 {
		title += "（第 " + strconv.Itoa(v) + " 版）"
	}
	s.render(w, r, http.StatusOK, "catalog_guide", s.newPage(w, r, title, s.guideOf(r, it, v == 0)))
}

type changesView struct {
	Item     *catalog.Item
	Versions []catalog.VersionInfo
	Changes  []changeView
}

type changeView struct {
	catalog.Change
	ActionText string
}

func changeViews(ch []catalog.Change) []changeView {
	out := make([]changeView, 0, len(ch))
	for i := len(ch) - 1; i >= 0; i-- { // newest first
		out = append(out, changeView{Change: ch[i], ActionText: catalog.ActionLabel(ch[i].Action)})
	}
	return out
}

func (s *Server) itemChangesPage(w http.ResponseWriter, r *http.Request) {
	code := r.PathValue("code")
	vs, err := s.Catalog.Versions(r.Context(), catalogCallerOf(principal(r)), code)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	it, err := s.Catalog.Guide(r.Context(), code, vs[0].Version)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	ch, err := s.Catalog.Changes(r.Context(), code)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "catalog_changes", s.newPage(w, r, it.Name+" 版本与变更记录", changesView{Item: it, Versions: vs, Changes: changeViews(ch)}))
}

// fileDownload serves a template or sample: the demo catalog's generated
// files first, then uploaded ones from the blob store. The download name is
// the material file's name when a published item refers to the hash.
func (s *Server) fileDownload(w http.ResponseWriter, r *http.Request) {
	hash := strings.ToLower(r.PathValue("hash"))
	if !blob.ValidHash(hash) {
		s.fail(w, r, blob.ErrHash)
		return
	}
	if f, ok := catalog.DemoFiles()[hash]; ok {
		sendFile(w, f.Name, f.ContentType, hash, f.Data)
		return
	}
	if s.Blobs == nil {
		s.fail(w, r, blob.ErrNotFound)
		return
	}
	// The blob store also holds applicants' materials (served, with their
	// own authorization, under /api/v1/cases/{no}/files/): this public route
	// serves only the templates and samples of published items, and drafts'
	// files to the catalog staff who edit them.
	name, err := s.Catalog.FileName(r.Context(), hash)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if name == "" && !s.draftCatalogFile(r, hash) {
		s.fail(w, r, blob.ErrNotFound)
		return
	}
	rc, ref, err := s.Blobs.Open(r.Context(), hash)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	defer rc.Close()
	data, err := io.ReadAll(rc)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	ctype := ref.ContentType
	if name == "" {
		name = hash[:12] + extensionOf(ctype)
	}
	sendFile(w, name, ctype, hash, data)
}

// draftCatalogFile reports whether the caller is catalog staff and hash is
// a file of an item version (a draft under edit) in the caller's region.
func (s *Server) draftCatalogFile(r *http.Request, hash string) bool {
	p := principal(r)
	if !p.HasAny(catalogStaff...) {
		return false
	}
	rows, err := s.DB.R.QueryContext(r.Context(), `SELECT DISTINCT i.region_code FROM item_versions v JOIN items i ON i.code = v.item_code
		WHERE v.body LIKE $1`, "%"+hash+"%")
	if err != nil {
		return false
	}
	defer rows.Close()
	for rows.Next() {
		var region string
		if rows.Scan(&region) == nil && p.InRegion(region) {
			return true
		}
	}
	return false
}

func extensionOf(ctype string) string {
	switch ctype {
	case blob.PDF:
		return ".pdf"
	case blob.DOCX:
		return ".docx"
	case blob.XLSX:
		return ".xlsx"
	case blob.PNG:
		return ".png"
	case blob.JPEG:
		return ".jpg"
	}
	return ""
}

func sendFile(w http.ResponseWriter, name, ctype, hash string, data []byte) {
	if ctype == "" {
		ctype = "application/octet-stream"
	}
	w.Header().Set("Content-Type", ctype)
	// RFC 6266: an ASCII fallback plus the UTF-8 name for Chinese file names.
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
	w.Header().Set("Cache-Control", "public, max-age=86400")
	w.Header().Set("ETag", `"`+hash+`"`)
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	_, _ = w.Write(data)
}
