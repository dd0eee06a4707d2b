/* HTTP/1.1 request and response heads read off a socket and parsed in
   place, and query strings, for the fake API server (fake_apiserver.h). */
#ifndef KL_CRI_STREAMING_TESTING_HTTP_MSG_H
#define KL_CRI_STREAMING_TESTING_HTTP_MSG_H

#include <stdbool.h>
#include <stddef.h>

#include "pkg/kubelet/cri/streaming/buf.h"
#include "pkg/util/error.h"

#ifdef __cplusplus
extern "C" {
#endif

#define KL_HTTP_MAX_HEADERS 100

typedef struct kl_http_header_s
{
  const char *name;
  const char *value;
} kl_http_header_t;

/* A head: start[] is method, target, version for a request and version,
   status, reason for a response; the strings point into `head`. */
typedef struct kl_http_msg_s
{
  char *head;
  const char *start[3];
  kl_http_header_t headers[KL_HTTP_MAX_HEADERS];
  size_t n_headers;
  kl_buf_t rest; /* bytes read past the head (a body or upgraded data) */
} kl_http_msg_t;

void kl_http_msg_clear (kl_http_msg_t *m);
#define cleanup_http_msg __attribute__ ((cleanup (kl_http_msg_clear)))

/* Reads a head (at most 64 KiB) from `fd` into `m`. A connection closed
   before any byte is KL_ERROR_UNAVAILABLE. */
int kl_http_read_head (int fd, kl_http_msg_t *m, kl_error_t *err);

/* Writes all of data to a socket; -1 when it went away. */
int kl_http_write_all (int fd, const void *data, size_t len);

/* The first value of header `name` (any case), NULL when absent. */
const char *kl_http_header (const kl_http_msg_t *m, const char *name);

/* True when the comma-separated header `name` lists `token` (any case). */
bool kl_http_header_has (const kl_http_msg_t *m, const char *name, const char *token);

/* The decoded values of parameter `name` in `query` (NULL: none), as a
   NULL-terminated array with *n entries; free with kl_strv_free. */
char **kl_http_query_values (const char *query, const char *name, size_t *n);

/* True when the first value of `name` is "true" or "1". */
bool kl_http_query_bool (const char *query, const char *name);

void kl_strv_free (char ***v);
#define cleanup_strv __attribute__ ((cleanup (kl_strv_free)))

#ifdef __cplusplus
}
#endif

#endif
