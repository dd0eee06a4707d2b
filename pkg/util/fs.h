/* Small file system helpers. */
#ifndef KL_UTIL_FS_H
#define KL_UTIL_FS_H

#include <stddef.h>
#include <sys/types.h>

#include "pkg/util/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* mkdir -p with `mode` for the directories it creates. */
int kl_mkdir_p (const char *path, mode_t mode, kl_error_t *err);

/* Writes `len` bytes to `path` atomically (a temporary file, fsync, rename). */
int kl_write_file_atomic (const char *path, const void *data, size_t len, mode_t mode,
                          kl_error_t *err);

/* Reads at most `max` bytes of `path` into a NUL-terminated buffer; a larger
   file is an error naming its size and the limit. */
int kl_read_file (const char *path, size_t max, char **out, size_t *len, kl_error_t *err);

#ifdef __cplusplus
}
#endif

#endif
