/* The test client's connection, shared by its exec (client_exec.c) and port
   forward (client_portforward.c) halves: a blocking HTTP upgrade
   (client_conn.c), then a single-threaded frame pump that files every
   stream's bytes into a buffer. */
#ifndef KL_STREAMING_TESTING_CLIENT_INTERNAL_H
#define KL_STREAMING_TESTING_CLIENT_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "pkg/kubelet/cri/streaming/buf.h"
#include "pkg/kubelet/cri/streaming/spdy_frame.h"
#include "pkg/kubelet/cri/streaming/testing/client.h"
#include "pkg/util/error.h"

#define DEFAULT_TIMEOUT_MS 10000

struct stream_s
{
  uint32_t id; /* SPDY stream id or WebSocket channel */
  kl_buf_t data;
  bool replied;
  bool fin;    /* the server ended it (or the connection ended) */
  size_t skip; /* WebSocket port forward: the leading port bytes still to drop */
};

struct conn_s
{
  int fd;
  bool websocket;
  bool base64;
  bool eof;
  kl_buf_t in;
  kl_spdy_zlib_t *deflater, *inflater;
  uint32_t next_id;
  struct stream_s **streams;
  size_t n_streams;
};

/* CLOCK_MONOTONIC in milliseconds. */
int64_t client_now_ms (void);

/* Upgrades `url` to `protocol` offering `subprotocol`; anything but
   101 Switching Protocols is an error (404: KL_ERROR_NOT_FOUND). */
int client_open (const char *url, kl_stream_protocol_t protocol, const char *subprotocol,
                 struct conn_s **out, kl_error_t *err);

void client_conn_free (struct conn_s *c);

/* Stream (or channel) `id`, made if `create` and new; else NULL. */
struct stream_s *client_stream_get (struct conn_s *c, uint32_t id, bool create);

/* Reads and processes until `done` holds, the connection ends or the
   deadline (client_now_ms) passes (KL_ERROR_TIMEOUT). */
int client_pump (struct conn_s *c, bool (*done) (struct conn_s *, void *), void *arg,
                 int64_t deadline, kl_error_t *err);

/* SPDY: creates a stream and waits for its SYN_REPLY. */
int client_spdy_create (struct conn_s *c, const kl_spdy_header_t *headers, size_t n,
                        int64_t deadline, struct stream_s **out, kl_error_t *err);

/* Sends data on a SPDY stream or WebSocket channel (`fin`: then ends it). */
int client_send_on (struct conn_s *c, uint32_t id, const void *data, size_t len, bool fin,
                    kl_error_t *err);

/* What stream `s` (NULL: none) received, as a NUL-terminated copy. */
char *client_take (struct stream_s *s, size_t *len);

#endif
