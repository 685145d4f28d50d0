package places

import "banhao.dev/banhao/internal/platform/errs"

var (
	ErrRegionNotFound        = errs.E(errs.NotFound, "region_not_found", "行政区划不存在")
	ErrOrgNotFound           = errs.E(errs.NotFound, "org_not_found", "单位不存在")
	ErrHallNotFound          = errs.E(errs.NotFound, "hall_not_found", "大厅不存在")
	ErrAreaNotFound          = errs.E(errs.NotFound, "area_not_found", "服务区不存在")
	ErrWindowNotFound        = errs.E(errs.NotFound, "window_not_found", "窗口不存在")
	ErrAuthorizationNotFound = errs.E(errs.NotFound, "authorization_not_found", "窗口授权书不存在")
	ErrStaffNotFound         = errs.E(errs.NotFound, "window_staff_not_found", "该工作人员不在此窗口")

	// ErrNoAuthorization: the window holds no valid authorization for the
	// item, so a clerk there may not accept or decide it (spec 30, "Authorization").
	ErrNoAuthorization = errs.E(errs.Forbidden, "no_window_authorization", "该窗口没有办理此事项的有效授权")
	// ErrAuthorizationOverlap: a department may not sign two authorizations
	// for the same window covering the same item or domain at the same time,
	// or it would be unclear which one a case was accepted under.
	ErrAuthorizationOverlap = errs.E(errs.Conflict, "authorization_overlap", "与已有的窗口授权书重叠")
	ErrAuthorizationRevoked = errs.E(errs.Conflict, "authorization_revoked", "该授权书已撤销，不能再修改或撤销")
	ErrInUse                = errs.E(errs.Conflict, "in_use", "该记录仍被使用，不能删除")
)
