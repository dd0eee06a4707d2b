/* Running a helper binary (a CNI plugin) with input on stdin, its output collected, under a
 * deadline. */
#ifndef DS_COMMAND_H
#define DS_COMMAND_H

#include <stddef.h>
#include <stdint.h>

#include "pkg/util/error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ds_command_result_s
{
  char *out; /* stdout, NUL-terminated */
  size_t out_len;
  char *err; /* stderr, NUL-terminated */
  size_t err_len;
  int exit_status; /* the exit code, or 128 + the signal that killed it */
} ds_command_result_t;

/* Runs `path` with `argv` and exactly the environment `envp` (both
   NULL-terminated), writes `input` to its stdin, and collects its output,
   each stream capped at `max_output` bytes. After timeout_ns (> 0) the
   process is killed and KL_ERROR_TIMEOUT returned. A non-zero exit is not
   an error here: look at result->exit_status. Safe in a threaded process
   (posix_spawn). */
int ds_command_run (const char *path, char *const argv[], char *const envp[], const char *input,
                    size_t input_len, int64_t timeout_ns, size_t max_output,
                    ds_command_result_t *result, kl_error_t *err);

void ds_command_result_release (ds_command_result_t *result);

#ifdef __cplusplus
}
#endif

#endif
