/* Durations as Go's time.ParseDuration and Duration.String() read and write them. */
#ifndef KL_UTIL_DURATION_H
#define KL_UTIL_DURATION_H

#include <stdint.h>

#include "pkg/util/error.h"

#ifdef __cplusplus
extern "C" {
#endif

#define KL_NANOSECOND ((int64_t) 1)
#define KL_MICROSECOND ((int64_t) 1000)
#define KL_MILLISECOND ((int64_t) 1000000)
#define KL_SECOND ((int64_t) 1000000000)
#define KL_MINUTE (60 * KL_SECOND)
#define KL_HOUR (60 * KL_MINUTE)

/* Parses `s` ("300ms", "-1.5h", "2h45m", "0") into *out_ns as time.ParseDuration
   does; on failure sets a KL_ERROR_INVALID error such as
   `invalid duration "1x": unknown unit "x"` and leaves *out_ns untouched. */
int kl_duration_parse (const char *s, int64_t *out_ns, kl_error_t *err);

/* `seconds` (a CRI timeout, say) in nanoseconds, saturated at the
   int64 limits instead of overflowing. */
int64_t kl_duration_from_seconds (int64_t seconds);

/* a + b (a clock reading plus a timeout, say), saturated at the int64
   limits instead of overflowing. */
int64_t kl_duration_add (int64_t a, int64_t b);

/* Renders `ns` as Duration.String() does ("1h2m0.5s", "1.5ms", "0s"); the
   caller frees the result. */
char *kl_duration_format (int64_t ns);

#ifdef __cplusplus
}
#endif

#endif
