/* oom_score_adj values Docker's runtime can actually set: without CAP_SYS_RESOURCE no value below
 * our own. */
#ifndef DS_OOM_H
#define DS_OOM_H

#include <stdint.h>

#include "pkg/util/error.h"

#ifdef __cplusplus
extern "C" {
#endif

#define DS_OOM_SCORE_ADJ_MIN (-1000)
#define DS_OOM_SCORE_ADJ_MAX 1000

/* The lowest oom_score_adj a container may be given, detected from
   `status_path` (/proc/self/status: CapEff) and `adj_path`
   (/proc/self/oom_score_adj): -1000 with CAP_SYS_RESOURCE in the effective
   set; otherwise our own value, and never below 0, since the kernel refuses
   a lower value to a process without that capability and Docker's runtime
   runs with the same capabilities we do. */
int ds_oom_detect_floor (const char *status_path, const char *adj_path, int *floor,
                         kl_error_t *err);

/* `value` within [floor, 1000]. */
int ds_oom_clamp (int64_t value, int floor);

#ifdef __cplusplus
}
#endif

#endif
