/* Private to the streaming server: one upgraded connection (a session), its
   channels, the runtime calls it runs and the two wire protocols. */
#ifndef KL_CRI_STREAMING_SESSION_INTERNAL_H
#define KL_CRI_STREAMING_SESSION_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "pkg/kubelet/cri/streaming/buf.h"
#include "pkg/kubelet/cri/streaming/request_cache.h"
#include "pkg/kubelet/cri/streaming/spdy_frame.h"
#include "pkg/kubelet/cri/streaming/streaming.h"

struct MHD_UpgradeResponseHandle;

/* What a channel carries. */
enum chan_role
{
  ROLE_STDIN,
  ROLE_STDOUT,
  ROLE_STDERR,
  ROLE_ERROR,
  ROLE_RESIZE,
  ROLE_PF_DATA,
  ROLE_PF_ERROR,
  ROLE_IGNORED, /* a stream the session has no use for: accepted, input dropped */
};

/* Bytes read from a runtime fd per step, and the most a channel buffers for
   its fd before the session stops reading the client (back-pressure). */
#define CHAN_CHUNK (32 * 1024)
#define CHAN_PENDING_LIMIT (256 * 1024)

/* One logical stream: a SPDY stream or a WebSocket channel. Only the
   session thread touches it. */
struct chan_s
{
  enum chan_role role;
  uint32_t id;            /* SPDY stream id or WebSocket channel number */
  int fd;                 /* our end towards the runtime, -1 when none (yet) */
  bool fd_source;         /* bytes read from fd go to the client */
  bool fd_sink;           /* client bytes go to fd (through `pending`) */
  bool source_eof;        /* fd reached EOF (or was never a source) */
  bool remote_fin;        /* the client ended its side */
  bool local_fin;         /* we ended our side (SPDY FIN sent) */
  kl_buf_t pending;       /* client bytes not yet written to fd */
  kl_buf_t json;          /* ROLE_RESIZE: a partial JSON object */
  struct pf_pair_s *pair; /* port forward */
  uint32_t unacked;       /* SPDY: bytes received since the last WINDOW_UPDATE */
};

/* A runtime call on its own thread. `done` is set (release) by that
   thread after it closed the runtime side's fds; the fields it wrote are
   read by the session thread only after seeing `done` (acquire). */
struct call_s
{
  struct session_s *session;
  pthread_t thread;
  bool started;
  atomic_bool done;
  int ret;
  char *error; /* message when ret < 0 */
  int exit_code;
  kl_stream_io_t io; /* exec / attach */
  int pf_fd;         /* port forward */
  int32_t port;
};

/* A port forward pair: a data and an error channel for one port. */
struct pf_pair_s
{
  char *request_id;
  int32_t port;
  struct chan_s *data; /* NULL until the client created it */
  struct chan_s *error;
  struct call_s call;
  bool finished; /* the call's result was reported */
  int64_t created_ns;
};

struct kl_stream_server_s;

struct session_s
{
  struct kl_stream_server_s *server;
  struct session_s *next; /* in server->sessions, under server->lock */
  pthread_t thread;
  kl_stream_request_t *req;
  int sock;
  struct MHD_UpgradeResponseHandle *urh;
  int events[2]; /* pipe: calls ending and the server stopping wake the loop */
  atomic_bool stop;

  kl_buf_t in;  /* unparsed bytes from the client */
  kl_buf_t out; /* frames not yet written */
  bool client_eof;
  bool done; /* leave the loop */
  int64_t idle_deadline_ns;

  bool websocket;
  /* remotecommand protocol: 1..5; status as JSON from 4 on. */
  int version;
  /* SPDY */
  kl_spdy_zlib_t *deflater;
  kl_spdy_zlib_t *inflater;
  uint32_t last_stream_id;
  uint32_t conn_unacked;
  /* WebSocket */
  bool ws_base64;
  bool ws_close_sent;
  kl_buf_t ws_message;
  uint8_t ws_opcode; /* opcode of the message being assembled, 0: none */

  struct chan_s **chans; /* pointers stay valid as channels are added */
  size_t n_chans;

  /* remotecommand */
  struct call_s call;
  int expected_streams, received_streams;
  int64_t creation_deadline_ns; /* 0: not waiting for streams */
  int64_t drain_deadline_ns;    /* 0: the call has not ended yet */
  bool status_sent;

  /* port forward */
  struct pf_pair_s **pairs; /* stable: their calls' threads point at them */
  size_t n_pairs;
};

/* server.c */
int64_t kl_stream_now_ns (void);
const kl_stream_runtime_t *kl_stream_server_runtime (struct kl_stream_server_s *server);
const kl_stream_config_t *kl_stream_server_config (struct kl_stream_server_s *server);
/* Closes the session's connection (through libmicrohttpd) under the server
   lock, so that a concurrent stop never touches a closed socket. */
void kl_stream_server_release_socket (struct kl_stream_server_s *server, struct session_s *s);

/* session.c */
void *session_main (void *arg);
struct chan_s *session_add_chan (struct session_s *s, enum chan_role role, uint32_t id);
struct chan_s *session_find_chan (struct session_s *s, uint32_t id);
/* Sends bytes on a channel (one data frame / message). */
void session_send (struct session_s *s, struct chan_s *c, const void *data, size_t len);
/* Ends our side of a channel (SPDY FIN). */
void session_send_fin (struct session_s *s, struct chan_s *c);
/* Client bytes for a channel. */
void session_deliver (struct session_s *s, struct chan_s *c, const uint8_t *data, size_t len);
/* The client ended its side of a channel. */
void session_remote_fin (struct session_s *s, struct chan_s *c);
/* Starts `call` running `fn` on a thread of its own. */
int session_start_call (struct session_s *s, struct call_s *call, void *(*fn) (void *),
                        kl_error_t *err);
/* Wakes the session loop (from any thread). */
void session_wake (struct session_s *s);
/* A pipe / socketpair with our end non-blocking and close-on-exec. */
int session_pipe (int fds[2], kl_error_t *err);

/* spdy_session.c: SPDY/3.1 on the session socket. */
int spdy_feed (struct session_s *s, kl_error_t *err);
void spdy_send (struct session_s *s, struct chan_s *c, const void *data, size_t len, bool fin);
void spdy_finish (struct session_s *s);
void spdy_reset (struct session_s *s, uint32_t stream_id, uint32_t status);
/* Accepts a client stream (SYN_REPLY without headers, as Go answers). */
void spdy_reply (struct session_s *s, uint32_t stream_id);

/* websocket_session.c: WebSocket on the session socket. */
int ws_feed (struct session_s *s, kl_error_t *err);
void ws_send (struct session_s *s, struct chan_s *c, const void *data, size_t len);
void ws_finish (struct session_s *s);

/* remotecommand.c: exec and attach. */
void remotecommand_open (struct session_s *s);
void remotecommand_spdy_stream (struct session_s *s, uint32_t id, const kl_spdy_frame_t *syn);
void remotecommand_check (struct session_s *s);
void remotecommand_resize_data (struct session_s *s, struct chan_s *c, const uint8_t *data,
                                size_t len);

/* portforward.c */
void portforward_open (struct session_s *s);
void portforward_spdy_stream (struct session_s *s, uint32_t id, const kl_spdy_frame_t *syn);
void portforward_check (struct session_s *s);

#endif
