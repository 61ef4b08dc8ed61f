/* SPDX-License-Identifier: MIT */
/* ktsnap: the whole public API. */
#ifndef KTSNAP_KTSNAP_H
#define KTSNAP_KTSNAP_H

#include <ktsnap/common.h>
#include <ktsnap/report.h>
#include <ktsnap/capture.h>
#if __has_include(<ktsnap/json.h>)
#include <ktsnap/json.h>
#endif
#if __has_include(<ktsnap/view.h>)
#include <ktsnap/view.h>
#endif
#if __has_include(<ktsnap/bridge.h>)
#include <ktsnap/bridge.h>
#endif

#endif
