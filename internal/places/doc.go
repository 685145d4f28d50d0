// Package places manages where government services happen: regions
// (行政区划), organizations (部门/单位), halls (政务服务中心, 便民服务中心/站) with
// their service areas and windows, the staff at each window, and window
// authorizations (窗口授权书) — the written delegation by which a department
// lets a window accept, and possibly decide on the spot, some of its items.
//
// Every method of Service takes the calling *auth.Principal first and
// decides authorization itself: an admin manages everything inside its
// region scope (an admin without a region manages everything), a
// catalog_admin manages windows and window authorizations in its region,
// staff read authorizations and window staff in their scope, and anyone —
// including anonymous portal visitors — may read regions, organizations,
// halls, service areas and windows ("where do I go"). Every write appends an
// audit event to the record's stream in the same transaction, and input is
// validated whole before anything is written.
//
// The cases module asks AuthorizationFor which authorization covers an item
// at a window on a day, and WindowsOfUser where a clerk works.
package places
