package web

import (
	"context"
	"net/url"
	"slices"
	"sort"

	"banhao.dev/banhao/internal/catalog"
	"banhao.dev/banhao/internal/places"
)

// Where to apply: online (the cases UI's /apply/{code}) or at a window
// (the halls and windows of the item's region that serve its domain or the
// item itself).

// minApplyDepth is the online depth from which an item can be applied for
// online: depth 3 is 网上可办 (the application is submitted online), 4 is
// 全程网办; below 3 the portal only informs or pre-fills.
const minApplyDepth = 3

// applyURL is the online application of the item's current version with the
// applicant's situation answers in the query string (the form /apply/{code}
// reads them), or "" when the item is not published or not applicable online.
func applyURL(it *catalog.Item, answers map[string]string) string {
	if it == nil || it.Status != catalog.StatusPublished || it.OnlineDepth < minApplyDepth {
		return ""
	}
	u := "/apply/" + url.PathEscape(it.Code)
	q := url.Values{}
	for sid, aid := range answers {
		q.Set(sid, aid)
	}
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	return u
}

// hallPlace is a hall and the windows in it that serve an item.
type hallPlace struct {
	Hall    places.Hall
	Windows []string // "A03 商事登记窗口"
}

// placesFor lists the active windows of the item's region (and the halls
// below it) serving the item's domain or the item by code, by hall. A
// failure to read places only hides the list: the guide still renders.
func (s *Server) placesFor(ctx context.Context, it *catalog.Item) []hallPlace {
	if s.Places == nil || it.RegionCode == "" {
		return nil
	}
	ws, err := s.Places.ListWindows(ctx, nil, places.WindowFilter{Region: it.RegionCode, ActiveOnly: true})
	if err != nil {
		s.Log.Warn("guide: list windows", "item", it.Code, "err", err)
		return nil
	}
	halls, err := s.Places.ListHalls(ctx, nil, places.HallFilter{Region: it.RegionCode})
	if err != nil {
		s.Log.Warn("guide: list halls", "item", it.Code, "err", err)
		return nil
	}
	byHall := map[int64]*hallPlace{}
	for _, h := range halls {
		byHall[h.ID] = &hallPlace{Hall: h}
	}
	for _, w := range ws {
		hp := byHall[w.HallID]
		if hp == nil || !(slices.Contains(w.Items, it.Code) || it.Domain != "" && slices.Contains(w.Domains, it.Domain)) {
			continue
		}
		hp.Windows = append(hp.Windows, w.Title())
	}
	var out []hallPlace
	for _, h := range halls { // halls come ordered by region, so the county center is first
		if hp := byHall[h.ID]; len(hp.Windows) > 0 {
			out = append(out, *hp)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return len(out[i].Hall.RegionCode) < len(out[j].Hall.RegionCode) })
	return out
}
