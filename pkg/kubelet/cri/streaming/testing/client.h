/* A small client of the CRI streaming server for tests: opens an issued
   URL over SPDY/3.1 or WebSocket and runs a remotecommand (exec / attach)
   or portforward session, synchronously, with a deadline. */
#ifndef KL_CRI_STREAMING_TESTING_CLIENT_H
#define KL_CRI_STREAMING_TESTING_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pkg/kubelet/cri/streaming/streaming.h" /* kl_terminal_size_t */
#include "pkg/util/error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum kl_stream_protocol_e
{
  KL_STREAM_SPDY,
  KL_STREAM_WEBSOCKET,
} kl_stream_protocol_t;

typedef struct kl_stream_exec_options_s
{
  kl_stream_protocol_t protocol;
  /* NULL: "v4.channel.k8s.io". SPDY sends it as X-Stream-Protocol-Version,
     WebSocket as Sec-WebSocket-Protocol ("" sends none). */
  const char *subprotocol;
  /* The streams to open: must match the CRI request the URL came from. */
  bool stdin, stdout, stderr, tty;
  const void *stdin_data;
  size_t stdin_len;
  /* false: stdin is closed after stdin_data (SPDY FIN; WebSocket only with
     v5.channel.k8s.io, which has a close message). */
  bool keep_stdin_open;
  /* Sent (as JSON on the resize stream) before stdin. */
  const kl_terminal_size_t *resizes;
  size_t n_resizes;
  int timeout_ms; /* 0: 10 s */
} kl_stream_exec_options_t;

typedef struct kl_stream_exec_result_s
{
  char *out; /* stdout, NUL-terminated, out_len bytes */
  size_t out_len;
  char *err;
  size_t err_len;
  char *status;  /* the error stream's raw content, "" when empty */
  bool success;  /* Status Success (v4) or an empty error stream (older) */
  int exit_code; /* the NonZeroExitCode cause; 0 otherwise */
  char *message; /* the failure message, NULL on success */
} kl_stream_exec_result_t;

/* Runs the session: sends stdin and resizes, collects stdout/stderr until
   the server ends it, decodes the error stream. Fails (with the HTTP
   status as err->status, KL_ERROR_NOT_FOUND for 404) when the upgrade is
   refused, or with KL_ERROR_TIMEOUT. */
int kl_stream_client_exec (const char *url, const kl_stream_exec_options_t *opts,
                           kl_stream_exec_result_t *result, kl_error_t *err);
void kl_stream_exec_result_clear (kl_stream_exec_result_t *result);

typedef struct kl_stream_pf_s kl_stream_pf_t;

/* Opens a port forward connection. WebSocket: `ports` go in the `ports`
   query parameter and stream i is port i's channel pair. SPDY: ports are
   unused; streams are created with kl_stream_pf_stream. */
int kl_stream_pf_open (const char *url, kl_stream_protocol_t protocol, const int32_t *ports,
                       size_t n_ports, kl_stream_pf_t **out, kl_error_t *err);
/* SPDY: creates the error and data streams of a new forwarded connection
   to `port`; WebSocket: finds the channel pair of `port`. Returns a handle
   (>= 0) for the calls below. */
int kl_stream_pf_stream (kl_stream_pf_t *pf, int32_t port, kl_error_t *err);
int kl_stream_pf_write (kl_stream_pf_t *pf, int handle, const void *data, size_t len,
                        kl_error_t *err);
/* SPDY only: ends our side of the data stream. */
int kl_stream_pf_close_write (kl_stream_pf_t *pf, int handle, kl_error_t *err);
/* Reads the data stream until `want` bytes arrived, or with want == 0 until
   it ended; *data (NUL-terminated, caller frees) holds what arrived. */
int kl_stream_pf_read (kl_stream_pf_t *pf, int handle, size_t want, int timeout_ms, char **data,
                       size_t *len, kl_error_t *err);
/* Waits until the error stream ended (SPDY) or the connection did
   (WebSocket) and returns its content ("" when none). */
int kl_stream_pf_error (kl_stream_pf_t *pf, int handle, int timeout_ms, char **message,
                        kl_error_t *err);
void kl_stream_pf_close (kl_stream_pf_t *pf);

/* Low level: sends the upgrade request (as the functions above do, plus
   `extra_header` "Name: value" when not NULL) and returns the HTTP status;
   on 101, *fd is the connected socket (the caller closes it) and any bytes
   past the response are lost; otherwise *body (caller frees) the body. */
int kl_stream_client_upgrade (const char *url, kl_stream_protocol_t protocol,
                              const char *subprotocol, const char *extra_header, int *status,
                              int *fd, char **body, kl_error_t *err);

#ifdef __cplusplus
}
#endif

#endif
