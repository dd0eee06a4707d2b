/* An in-memory CRI runtime for tests: sandboxes, containers and images kept
   in a table behind the kl_runtime_t ops, with hooks to script failures,
   make containers exit and read back what the kubelet asked for. */
#ifndef KL_KUBELET_CONTAINER_TESTING_FAKE_RUNTIME_H
#define KL_KUBELET_CONTAINER_TESTING_FAKE_RUNTIME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pkg/kubelet/container/runtime.h"
#include "pkg/util/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* What the fake answers, as containerd does where the CRI leaves it open:
   - RunPodSandbox: ids of 64 hex digits, state READY, IP 10.0.0.N (none on
     the host network); a second sandbox with the same name, namespace, UID
     and attempt while the first exists is ALREADY_EXISTS (name reservation).
   - StopPodSandbox stops the sandbox's running containers (exit 137,
     "Error", unless fake_runtime_set_stop_result says otherwise) and drops
     its IP; RemovePodSandbox removes its containers too. Removing something
     unknown succeeds (the CRI's idempotence); stopping or asking the status
     of something unknown is KL_ERROR_NOT_FOUND.
   - CreateContainer needs the sandbox and the image (by name or ID) and
     reserves <sandbox, name, attempt>; StartContainer needs a CREATED
     container in a READY sandbox; StopContainer of a container that is not
     running is a no-op; RemoveContainer of a running one stops it first.
   - ContainerStatus.log_path is <sandbox log_directory>/<config log_path>.
   - created_at of sandboxes and containers strictly increases, even with a
     clock that stands still, so "newest first" orders are well defined.
   - Lists come in creation order (newest first after
     fake_runtime_set_reverse_lists: containerd lists from a Go map, in no
     fixed order). Unimplemented methods fail with
     KL_ERROR_GENERIC "... not implemented in the fake".
   Every op and hook is thread-safe (one lock guards the whole state). */

typedef struct fake_runtime_s fake_runtime_t;

/* Unix nanoseconds; the fake's clock for created/started/finished times. */
typedef int64_t (*fake_runtime_clock_fn) (void *ctx);

/* A new fake behind a kl_runtime_t (type "fake"); *handle (may be NULL)
   gets the fake for the hooks below, valid until kl_runtime_free (rt). */
kl_runtime_t *fake_runtime_new (fake_runtime_t **handle);

/* ---- scripting ---- */

/* Uses `now` (NULL: the real clock) for every timestamp. */
void fake_runtime_set_clock (fake_runtime_t *fake, fake_runtime_clock_fn now, void *ctx);

/* While down, every call fails with KL_ERROR_UNAVAILABLE (a dead runtime). */
void fake_runtime_set_down (fake_runtime_t *fake, bool down);

/* ListPodSandbox and ListContainers answer newest first while `reverse`
   holds, oldest first otherwise. */
void fake_runtime_set_reverse_lists (fake_runtime_t *fake, bool reverse);

/* The next call of `method` (a CRI method name: "CreateContainer",
   "PullImage", "ExecSync", ...) fails with an error of `kind`; calling this
   n times fails the next n calls. */
void fake_runtime_fail_next (fake_runtime_t *fake, const char *method, enum kl_error_kind kind);

/* Makes `image` present (by that name); returns its ID ("sha256:..."),
   owned by the fake. */
const char *fake_runtime_add_image (fake_runtime_t *fake, const char *image);

/* Every PullImage of `image` fails with `kind` and `message` from now on;
   message NULL lets pulls of it succeed again. */
void fake_runtime_set_pull_error (fake_runtime_t *fake, const char *image, enum kl_error_kind kind,
                                  const char *message);

/* ExecSync with cmd[0] == `command` answers exit_code and the outputs
   (NULL: empty). Unscripted commands exit 0 with no output. */
void fake_runtime_set_exec_result (fake_runtime_t *fake, const char *command, int exit_code,
                                   const char *out, const char *err_out);

/* What StopContainer and StopPodSandbox leave as the exit code and reason of
   containers named `container_name` (NULL: every container without a
   setting of its own). The default is 137, "Error". */
void fake_runtime_set_stop_result (fake_runtime_t *fake, const char *container_name, int exit_code,
                                   const char *reason);

/* The container `id` dies: EXITED with `exit_code` and `reason` (NULL:
   "Completed" for 0, else "Error"), finished now. Negative if unknown. */
int fake_runtime_exit_container (fake_runtime_t *fake, const char *id, int exit_code,
                                 const char *reason);

/* ---- inspection ---- */

/* The method names of every call so far, oldest first, in a NULL-terminated
   copy the caller frees with fake_runtime_strv_free (); *n (may be NULL)
   gets the count. */
char **fake_runtime_calls (fake_runtime_t *fake, size_t *n);

/* How many calls of `method` were made (NULL: all calls). */
size_t fake_runtime_call_count (fake_runtime_t *fake, const char *method);

/* Forgets the calls made so far. */
void fake_runtime_clear_calls (fake_runtime_t *fake);

void fake_runtime_strv_free (char **v);

/* The number of sandboxes (containers) in `state` (a CRI state value, or -1
   for any state). */
size_t fake_runtime_count_sandboxes (fake_runtime_t *fake, int state);
size_t fake_runtime_count_containers (fake_runtime_t *fake, int state);

/* The ID of the newest container whose metadata name is `name`, or NULL;
   the caller frees it. */
char *fake_runtime_find_container (fake_runtime_t *fake, const char *name);

/* A copy of the config container `id` was created with, or NULL; free it
   with protobuf_c_message_free_unpacked (). */
Runtime__V1__ContainerConfig *fake_runtime_container_config (fake_runtime_t *fake, const char *id);

/* A copy of the config sandbox `id` was run with, or NULL; free it with
   protobuf_c_message_free_unpacked (). */
Runtime__V1__PodSandboxConfig *fake_runtime_sandbox_config (fake_runtime_t *fake, const char *id);

/* The timeout (seconds) of the last StopContainer of container `id`, or -1
   if it was never stopped through StopContainer (or is unknown). */
int64_t fake_runtime_stop_timeout (fake_runtime_t *fake, const char *id);

/* Whether the fake has `image` (by name or ID). */
bool fake_runtime_has_image (fake_runtime_t *fake, const char *image);

#ifdef __cplusplus
}
#endif

#endif
