// Package catalog is the catalog of government service items (政务服务事项)
// and their guides: the item model with every standardized element, immutable
// published versions, catalog adjustment batches, situations (情形) with CEL
// conditions and the personalized checklist (一次性告知单), search and browse,
// Excel import/export, catalog metrics and the demo catalog.
//
// # Item codes
//
// An item code (事项编码) names one item as one organization in one region
// carries it out (实施清单). It has three parts joined by '-':
//
//	KKMMMMMSSS-RRRRRR-NN
//	│ │    │   │      └─ NN: two-digit business variant (业务办理项), "01" for the main one
//	│ │    │   └──────── region code of the implementing org (GB/T 2260, 6, 9 or 12 digits)
//	│ │    └──────────── SSS: sub-item (子项) number, "000" when the item has no sub-items
//	│ └───────────────── MMMMM: main item (主项) number within the kind
//	└─────────────────── KK: kind code (see Kind.CodePrefix)
//
// The first ten digits are the stable catalog code (基本目录编码) shared by every
// region that carries out the same item; the rest identify the implementation.
// Example: 0100001000-990121-01 is 企业设立登记 in 示范县.
//
// # Versions
//
// An item has at most one working version (draft or under review) beside its
// published versions. Publishing freezes a version for ever: the service
// refuses to change it and the database triggers refuse to update or delete
// a published row, so a case that records (code, version) can always show
// the guide it was filed under.
package catalog
