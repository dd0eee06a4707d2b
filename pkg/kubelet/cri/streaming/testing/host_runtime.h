/* A real but container-less runtime for the streaming server's interop
   tests: exec runs the command as a host child process (on a pty with a
   TTY), attach attaches to one long-running host child, and port forward
   dials 127.0.0.1 on the host. */
#ifndef KL_CRI_STREAMING_TESTING_HOST_RUNTIME_H
#define KL_CRI_STREAMING_TESTING_HOST_RUNTIME_H

#include "pkg/kubelet/cri/streaming/streaming.h"
#include "pkg/util/error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct kl_host_runtime_s kl_host_runtime_t;

/* Starts the attach target: a shell that answers each line `L` of its
   stdin with "out:L" on stdout and "err:L" on stderr, for every attached
   client. */
int kl_host_runtime_new (kl_host_runtime_t **out, kl_error_t *err);

/* Kills the attach target and every exec child still running, then frees
   the runtime. Attach and exec calls must have ended. */
void kl_host_runtime_free (kl_host_runtime_t *rt);

/* Kills every child (exec and attach target) so that calls in flight end. */
void kl_host_runtime_kill_children (kl_host_runtime_t *rt);

/* The kl_stream_runtime_t that serves the streaming server from `rt`. Exec
   children see the container id in $CONTAINER_ID. */
void kl_host_runtime_ops (kl_host_runtime_t *rt, kl_stream_runtime_t *ops);

#ifdef __cplusplus
}
#endif

#endif
