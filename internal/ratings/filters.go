package ratings

import (
	"slices"

	"banhao.dev/banhao/internal/platform/errs"
)

// ErrStatusFilter rejects a list filter naming a status that does not exist
// (an unknown status would otherwise list nothing, as if all were done).
var ErrStatusFilter = errs.E(errs.Invalid, "status_invalid", "状态筛选条件不正确")

func checkStatus(status string, known ...string) error {
	if status == "" || slices.Contains(known, status) {
		return nil
	}
	return ErrStatusFilter.OnField("status")
}
