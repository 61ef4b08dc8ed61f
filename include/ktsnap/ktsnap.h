/* SPDX-License-Identifier: MIT */
/* ktsnap: the whole public API (assertion macros: include <ktsnap/assert.h>). */
#ifndef KTSNAP_KTSNAP_H
#define KTSNAP_KTSNAP_H

#include <ktsnap/common.h>
#include <ktsnap/report.h>
#include <ktsnap/capture.h>
#include <ktsnap/json.h>
#include <ktsnap/snapfile.h>
#include <ktsnap/diff.h>
#include <ktsnap/display.h>
#include <ktsnap/error.h>
#include <ktsnap/view.h>
#include <ktsnap/stats.h>
#include <ktsnap/kernel_op.h>
#include <ktsnap/bridge.h>
#include <ktsnap/scenario.h>
#include <ktsnap/series.h>
#include <ktsnap/temporal.h>
#include <ktsnap/wire.h>
#include <ktsnap/watch.h>

#endif
