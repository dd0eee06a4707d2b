/* Exec calls: create, start (hijacked stream, demultiplexed), inspect, resize. */
#ifndef DOCKER_EXEC_H
#define DOCKER_EXEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pkg/kubelet/dockershim/libdocker/client.h"
#include "pkg/kubelet/dockershim/libdocker/stream.h"
#include "pkg/kubelet/dockershim/libdocker/types.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct docker_exec_config_s
{
  const char *const *cmd;  /* NULL-terminated argv, required */
  const char *const *env;  /* NULL-terminated "KEY=value", or NULL */
  const char *user;        /* NULL: the container's */
  const char *working_dir; /* NULL: the container's */
  bool attach_stdin;
  bool attach_stdout;
  bool attach_stderr;
  bool tty;
  bool privileged;
} docker_exec_config_t;

/* POST /containers/{id}/exec: the new exec instance's ID in *exec_id. A
   container that is not running fails with 409 (KL_ERROR_ALREADY_EXISTS). */
int docker_exec_create (docker_client_t *client, const char *container_id,
                        const docker_exec_config_t *config, char **exec_id, kl_error_t *err);

/* POST /exec/{id}/start {"Detach": false, "Tty": io->tty} on a hijacked
   connection: streams io's stdin in and the output out, demultiplexed
   unless io->tty, until the process's streams close. On io's deadline it
   returns KL_ERROR_TIMEOUT; the process itself keeps running. */
int docker_exec_start (docker_client_t *client, const char *exec_id, const docker_stream_io_t *io,
                       kl_error_t *err);

/* What docker_exec_start_collect gathered. */
typedef struct docker_exec_output_s
{
  char *stdout_data; /* NUL-terminated, never NULL after a collect */
  size_t stdout_len;
  char *stderr_data;
  size_t stderr_len;
  bool truncated; /* a stream passed max_output; the rest was dropped */
} docker_exec_output_t;

/* Starts the exec with no input and collects stdout and stderr, each capped
   at max_output bytes (0: 16 MiB, the CRI's message cap). timeout_ns > 0 is
   ExecSync's deadline: on it, KL_ERROR_TIMEOUT with `out` holding what came
   before. `out` is filled whatever the result; release it. */
int docker_exec_start_collect (docker_client_t *client, const char *exec_id, bool tty,
                               int64_t timeout_ns, size_t max_output, docker_exec_output_t *out,
                               kl_error_t *err);

void docker_exec_output_release (docker_exec_output_t *out);

/* GET /exec/{id}/json: Running, ExitCode, Pid. */
int docker_exec_inspect (docker_client_t *client, const char *exec_id, docker_exec_inspect_t **out,
                         kl_error_t *err);

/* POST /exec/{id}/resize?h=&w=: the TTY's size. */
int docker_exec_resize (docker_client_t *client, const char *exec_id, unsigned height,
                        unsigned width, kl_error_t *err);

#ifdef __cplusplus
}
#endif

#endif
