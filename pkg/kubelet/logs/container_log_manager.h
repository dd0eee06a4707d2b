/* Container log rotation (the Go kubelet's pkg/kubelet/logs): caps each running
   container's log files by size and count, compressing older ones. */
#ifndef KL_KUBELET_LOGS_CONTAINER_LOG_MANAGER_H
#define KL_KUBELET_LOGS_CONTAINER_LOG_MANAGER_H

#include <stdint.h>

#include "pkg/kubelet/container/runtime.h"
#include "pkg/util/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The kubelet calls kl_log_manager_rotate_once this often. */
#define KL_LOG_MANAGER_MONITOR_PERIOD_SECONDS 10

/* Now, in nanoseconds since the Unix epoch. Injected for testability. */
typedef int64_t (*kl_clock_now_fn) (void *data);

typedef struct kl_log_manager_s kl_log_manager_t;

/* A manager rotating logs of containers of `rt` (borrowed; it must outlive
   the manager) once they reach max_size_bytes (containerLogMaxSize; negative
   disables rotation, as Go), keeping at most max_files files per container
   (containerLogMaxFiles, > 1). `now` NULL means the real clock;
   `now_data` is passed to it. */
int kl_log_manager_new (kl_runtime_t *rt, int64_t max_size_bytes, int max_files,
                        kl_clock_now_fn now, void *now_data, kl_log_manager_t **out,
                        kl_error_t *err);

void kl_log_manager_free (kl_log_manager_t *m);

/* One rotation round: for each running container, its log (from
   ContainerStatus) is reopened if missing and, at max size or above,
   rotated: rotated files beyond max_files-2 are removed oldest first, the
   rest compressed to .gz, then <log> is renamed <log>.<YYYYMMDD-HHMMSS>
   (local time) and the runtime asked to reopen it, renaming it back if that
   fails. Failures for one container are logged and don't stop the others;
   only a failed ListContainers is an error. Thread-safe. */
int kl_log_manager_rotate_once (kl_log_manager_t *m, kl_error_t *err);

/* Removes every log file of container `container_id`, rotated ones
   included (Clean, called when the container is removed). */
int kl_log_manager_clean (kl_log_manager_t *m, const char *container_id, kl_error_t *err);

#ifdef __cplusplus
}
#endif

#endif
