/* The issued-but-unopened streaming requests, each under a single-use,
   expiring, unguessable token (Go's streaming requestCache). */
#ifndef KL_CRI_STREAMING_REQUEST_CACHE_H
#define KL_CRI_STREAMING_REQUEST_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pkg/util/error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum kl_stream_kind_e
{
  KL_STREAM_EXEC,
  KL_STREAM_ATTACH,
  KL_STREAM_PORT_FORWARD,
} kl_stream_kind_t;

/* What a token stands for: the fields of the CRI request the server uses. */
typedef struct kl_stream_request_s
{
  kl_stream_kind_t kind;
  char *id; /* container id (exec, attach) or pod sandbox id (port forward) */
  char **cmd;
  size_t argc;
  bool stdin, stdout, stderr, tty;
  int32_t *ports;
  size_t n_ports;
} kl_stream_request_t;

void kl_stream_request_free (kl_stream_request_t *req);

/* Tokens: 16 random bytes, URL-safe base64 without padding. */
#define KL_STREAM_TOKEN_LEN 22

typedef struct kl_request_cache_s kl_request_cache_t;

kl_request_cache_t *kl_request_cache_new (int64_t ttl_ns, size_t max_in_flight);
/* Frees the cache and every request still in it. */
void kl_request_cache_free (kl_request_cache_t *cache);

/* Remembers `req` (owned by the cache on success) until now_ns + ttl and
   sets *token (caller frees). KL_ERROR_UNAVAILABLE when max_in_flight
   unexpired requests are outstanding. Thread-safe. */
int kl_request_cache_insert (kl_request_cache_t *cache, kl_stream_request_t *req, int64_t now_ns,
                             char **token, kl_error_t *err);

/* Removes and returns the request of `token` (the caller frees it), or NULL
   when the token is unknown, already used or expired. Thread-safe. */
kl_stream_request_t *kl_request_cache_consume (kl_request_cache_t *cache, const char *token,
                                               int64_t now_ns);

/* How many requests are outstanding (expired ones included until swept). */
size_t kl_request_cache_len (kl_request_cache_t *cache);

#ifdef __cplusplus
}
#endif

#endif
