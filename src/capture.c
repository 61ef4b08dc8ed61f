// SPDX-License-Identifier: MIT
#include <errno.h>
#include <ktsnap/capture.h>
#include "log_internal.h"

int ktsnap_capture(const struct ktsnap_capture_opts *opts, struct ktsnap_report **report)
{
	return ktsnap_fail(-ENOSYS, "capture: not implemented yet");
}
