/* Container calls: create, start, stop, kill, remove, update, inspect, list, stats, wait, attach,
 * resize. */
#ifndef DOCKER_CONTAINERS_H
#define DOCKER_CONTAINERS_H

#include <jansson.h> /* json_t: the create body the dockershim builds */
#include <stdbool.h>
#include <stdint.h>

#include "pkg/kubelet/dockershim/libdocker/client.h"
#include "pkg/kubelet/dockershim/libdocker/stream.h"
#include "pkg/kubelet/dockershim/libdocker/types.h"

#ifdef __cplusplus
extern "C" {
#endif

/* POST /containers/create?name=`name` with `config`, a JSON object of the
   Config fields plus "HostConfig" and "NetworkingConfig" (not consumed).
   `name` NULL: dockerd picks one. A name in use fails with
   KL_ERROR_ALREADY_EXISTS, a missing image with KL_ERROR_NOT_FOUND. */
int docker_container_create (docker_client_t *client, const char *name, const json_t *config,
                             docker_container_create_result_t **out, kl_error_t *err);

/* POST /containers/{id}/start: 0, or DOCKER_NOT_MODIFIED if it already runs. */
int docker_container_start (docker_client_t *client, const char *id, kl_error_t *err);

/* POST /containers/{id}/stop?t=`timeout_s`: SIGTERM (or the image's stop
   signal), SIGKILL after timeout_s seconds (< 0: the container's default).
   The HTTP deadline is the client's timeout plus that grace period. 0, or
   DOCKER_NOT_MODIFIED if it was not running. */
int docker_container_stop (docker_client_t *client, const char *id, int timeout_s, kl_error_t *err);

/* POST /containers/{id}/kill?signal=`signal` ("SIGKILL", "9"; NULL:
   SIGKILL). A container that is not running fails with 409. */
int docker_container_kill (docker_client_t *client, const char *id, const char *signal,
                           kl_error_t *err);

/* DELETE /containers/{id}?force=&v=: force kills a running container first;
   remove_volumes also removes its anonymous volumes. */
int docker_container_remove (docker_client_t *client, const char *id, bool force,
                             bool remove_volumes, kl_error_t *err);

/* POST /containers/{id}/update with `resources` ({"Memory": ..., "CpuShares":
   ..., "CpuQuota": ...}; not consumed): changes a container's limits in
   place. dockerd's warnings are dropped. */
int docker_container_update (docker_client_t *client, const char *id, const json_t *resources,
                             kl_error_t *err);

/* GET /containers/{id}/json. */
int docker_container_inspect (docker_client_t *client, const char *id,
                              docker_container_inspect_t **out, kl_error_t *err);

typedef struct docker_container_list_options_s
{
  bool all;                    /* stopped containers too */
  const char *const *labels;   /* NULL-terminated: "key=value" or "key" */
  const char *const *statuses; /* "created", "running", "exited", ... */
  const char *const *ids;      /* ID prefixes */
} docker_container_list_options_t;

/* GET /containers/json?all=1&filters={"label":[...],"status":[...],"id":[...]}.
   `opts` NULL: running containers only. */
int docker_container_list (docker_client_t *client, const docker_container_list_options_t *opts,
                           docker_container_list_t **out, kl_error_t *err);

/* GET /containers/{id}/stats?stream=false&one-shot=true: one sample. */
int docker_container_stats (docker_client_t *client, const char *id, docker_container_stats_t **out,
                            kl_error_t *err);

/* POST /containers/{id}/wait?condition=`condition` (NULL: "not-running"):
   blocks until the condition holds and returns the exit status. timeout_ns
   0: no deadline. */
int docker_container_wait (docker_client_t *client, const char *id, const char *condition,
                           int64_t timeout_ns, int64_t *status_code, kl_error_t *err);

/* POST /containers/{id}/attach?stream=1&stdin=&stdout=&stderr= on a
   hijacked connection: stdin if io->stdin_fd >= 0, stdout and stderr if io
   has a sink for them. The stream is raw when io->tty (pass the
   container's Config.Tty), multiplexed otherwise; it ends when the
   container's streams close, as docker_exec_start's does. */
int docker_container_attach (docker_client_t *client, const char *id, const docker_stream_io_t *io,
                             kl_error_t *err);

/* POST /containers/{id}/resize?h=&w=: the TTY's size. */
int docker_container_resize (docker_client_t *client, const char *id, unsigned height,
                             unsigned width, kl_error_t *err);

#ifdef __cplusplus
}
#endif

#endif
