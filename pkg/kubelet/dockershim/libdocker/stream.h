/* The caller's side of a hijacked exec/attach stream: input, output sinks, TTY, deadline. */
#ifndef DOCKER_STREAM_H
#define DOCKER_STREAM_H

#include <stdbool.h>
#include <stdint.h>

#include "pkg/kubelet/dockershim/libdocker/stdcopy.h" /* docker_output_fn, enum docker_stream */

#ifdef __cplusplus
extern "C" {
#endif

typedef struct docker_stream_io_s
{
  /* Read until EOF and sent to the process; then the connection's write
     side is shut down so the process sees EOF. -1: no input. */
  int stdin_fd;
  /* Output goes to `output` if set, else to these fds (-1: dropped). With a
     TTY everything is stdout. Once the readers of all the given fds are
     gone (or, without output fds, the writer of stdin after its EOF) the
     stream ends with KL_ERROR_UNAVAILABLE. */
  docker_output_fn output;
  void *ctx;
  int stdout_fd;
  int stderr_fd;
  /* A TTY stream is raw; otherwise it is multiplexed (stdcopy.h). */
  bool tty;
  /* > 0: give up after this long with KL_ERROR_TIMEOUT; what arrived by
     then has been delivered. */
  int64_t timeout_ns;
} docker_stream_io_t;

/* No input, output dropped, multiplexed, no deadline. */
#define DOCKER_STREAM_IO_INIT                                                                      \
  {                                                                                                \
    .stdin_fd = -1, .stdout_fd = -1, .stderr_fd = -1                                               \
  }

#ifdef __cplusplus
}
#endif

#endif
