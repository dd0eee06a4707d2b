/* The CRI streaming server (Go's pkg/kubelet/cri/streaming): a runtime's
   Exec, Attach and PortForward answers carry a URL of this server; clients
   (crictl, the API server) then open it and speak SPDY/3.1 or WebSocket with
   the remotecommand (v4.channel.k8s.io ...) or portforward protocols.
   Runtime-neutral: the runtime plugs in through kl_stream_runtime_t. */
#ifndef KL_CRI_STREAMING_H
#define KL_CRI_STREAMING_H

#include <stdbool.h>
#include <stdint.h>

#include "api/cri/v1/api.pb-c.h"
#include "pkg/util/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A terminal size as the resize channel carries it. */
typedef struct kl_terminal_size_s
{
  uint16_t width;
  uint16_t height;
} kl_terminal_size_t;

/* The process side of one exec or attach. The server owns the fds and
   closes them after the runtime call returned.
   - stdin_fd: read it until EOF and feed the process; -1: no stdin.
   - stdout_fd / stderr_fd: write the process's output; -1: not wanted
     (stderr is always -1 with a TTY: it all goes to stdout).
   - resize_fd: with a TTY, a stream of kl_terminal_size_t records (whole
     records, native byte order) until EOF; -1 without a TTY. */
typedef struct kl_stream_io_s
{
  int stdin_fd;
  int stdout_fd;
  int stderr_fd;
  int resize_fd;
  bool tty;
} kl_stream_io_t;

/* What the runtime does for the server. Each call runs on a thread of its
   own and blocks until the stream is done. */
typedef struct kl_stream_runtime_s
{
  void *ctx;
  /* Runs `cmd` (argc entries) in the container. *exit_code is the process's
     exit status; a non-zero one is reported to the client as Go reports
     it (Status Failure, reason NonZeroExitCode). Return -1 with `err` when
     the command could not be run. */
  int (*exec) (void *ctx, const char *container_id, char *const *cmd, size_t argc,
               const kl_stream_io_t *io, int *exit_code, kl_error_t *err);
  /* Attaches io to the running container's main process. */
  int (*attach) (void *ctx, const char *container_id, const kl_stream_io_t *io, kl_error_t *err);
  /* Copies both ways between `fd` (a connected stream socket) and `port`
     on the loopback of the pod sandbox's network namespace, until either
     side closes. */
  int (*port_forward) (void *ctx, const char *pod_sandbox_id, int32_t port, int fd,
                       kl_error_t *err);
} kl_stream_runtime_t;

typedef struct kl_stream_config_s
{
  /* "127.0.0.1:0" (the default) binds an ephemeral loopback port. */
  const char *bind_address;
  /* How long an issued URL stays valid before its first use: 1 minute. */
  int64_t token_ttl_ns;
  /* How long a client may take to create the streams it asked for: 30s. */
  int64_t stream_creation_timeout_ns;
  /* An idle connection is closed after this long: 4 hours. */
  int64_t stream_idle_timeout_ns;
} kl_stream_config_t;

#define KL_STREAM_DEFAULT_BIND_ADDRESS "127.0.0.1:0"

/* Fills the defaults above. */
void kl_stream_config_init (kl_stream_config_t *config);

typedef struct kl_stream_server_s kl_stream_server_t;

/* Listens on config->bind_address and serves /exec/{token},
   /attach/{token} and /portforward/{token} on background threads;
   `runtime` is copied. */
int kl_stream_server_start (const kl_stream_config_t *config, const kl_stream_runtime_t *runtime,
                            kl_stream_server_t **out, kl_error_t *err);

/* Stops accepting, ends streams in flight and frees the server. */
void kl_stream_server_stop (kl_stream_server_t *server);

/* "http://127.0.0.1:PORT": the address URLs are issued for. */
const char *kl_stream_server_base_url (const kl_stream_server_t *server);

/* Validate a request as Go's streaming server does (container or sandbox
   id set; for exec and attach at least one of stdin/stdout/stderr; not tty
   with stderr; exec's cmd non-empty), remember it under a new single-use
   unguessable token and answer the URL to open. Errors are
   KL_ERROR_INVALID (bad request) or KL_ERROR_UNAVAILABLE (too many
   outstanding tokens). */
int kl_stream_server_get_exec (kl_stream_server_t *server, const Runtime__V1__ExecRequest *req,
                               Runtime__V1__ExecResponse **resp, kl_error_t *err);
int kl_stream_server_get_attach (kl_stream_server_t *server, const Runtime__V1__AttachRequest *req,
                                 Runtime__V1__AttachResponse **resp, kl_error_t *err);
int kl_stream_server_get_port_forward (kl_stream_server_t *server,
                                       const Runtime__V1__PortForwardRequest *req,
                                       Runtime__V1__PortForwardResponse **resp, kl_error_t *err);

#ifdef __cplusplus
}
#endif

#endif
