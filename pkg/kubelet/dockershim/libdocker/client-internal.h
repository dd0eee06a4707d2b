/* The client's private state and the request helpers the calls share. */
#ifndef DOCKER_CLIENT_INTERNAL_H
#define DOCKER_CLIENT_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pkg/kubelet/dockershim/libdocker/client.h"

struct docker_client_s
{
  char *endpoint;    /* as given: "unix:///var/run/docker.sock" */
  char *socket_path; /* "/var/run/docker.sock" */
  int64_t timeout_ns;
  size_t max_response;
  pthread_mutex_t lock;          /* guards api_version */
  char api_version[8];           /* "1.41" once negotiated, "" before; major <= 99, minor <= 999 */
  docker_transport_fn transport; /* NULL: libcurl over socket_path */
  void *transport_ctx;
};

/* A timeout that means "none". */
#define DOCKER_NO_TIMEOUT (-1)

/* Receives a 2xx body as it streams; a negative return aborts the call
   with *err. */
typedef int (*docker_body_fn) (void *ctx, const char *data, size_t len, kl_error_t *err);

typedef struct docker_request_s
{
  const char *method; /* "GET", "POST", "DELETE", "HEAD" */
  const char *path;   /* "/containers/json?all=1", below "/v1.41" */
  bool unversioned;   /* /_ping and /version: no prefix, no negotiation */
  const char *body;   /* JSON, or NULL */
  size_t body_len;
  const char *registry_auth; /* X-Registry-Auth value, or NULL */
  int64_t timeout_ns;        /* 0: the client's; DOCKER_NO_TIMEOUT: none */
  int64_t idle_timeout_ns;   /* > 0: fail when no body byte arrives for this long */
  docker_body_fn on_body;    /* NULL: buffer the body into the response */
  void *ctx;
} docker_request_t;

#define DOCKER_MAX_RESPONSE_HEADERS 64

typedef struct docker_response_s
{
  long status;
  char *body; /* NUL-terminated; NULL when streamed or empty */
  size_t len;
  char *headers[DOCKER_MAX_RESPONSE_HEADERS]; /* "Name: value" */
  size_t n_headers;
} docker_response_t;

/* Sends the request. Returns 0 for 2xx and 3xx answers (the caller decides
   what 304 means), an error for 4xx/5xx (mapped as client.h says) and for
   transport failures. `resp` is filled in either case; release it. */
int docker_do (docker_client_t *client, const docker_request_t *req, docker_response_t *resp,
               kl_error_t *err);

void docker_response_release (docker_response_t *resp);

/* The value of header `name` (case-insensitive), or NULL. */
const char *docker_response_header (const docker_response_t *resp, const char *name);

/* Negotiates the API version once; returns the "/v1.41" prefix in `prefix`. */
int docker_negotiate (docker_client_t *client, char prefix[static 16], kl_error_t *err);

/* The error for an HTTP error answer: status, dockerd's "message" (or the
   body's text) and the kind the status maps to. `path` may hold a query,
   which the message leaves out. */
int docker_http_error (kl_error_t *err, const char *method, const char *path, long status,
                       const char *body, size_t len);

/* Wraps *err as "docker: METHOD /path" (query left out). */
int docker_wrap_error (kl_error_t *err, const char *method, const char *path);

/* `s` percent-encoded for a path segment ("/" encoded too) or, with
   keep_slash, for a path (image names). Fails on an empty `s`. */
int docker_path_escape (const char *what, const char *s, bool keep_slash, char **out,
                        kl_error_t *err);

/* Appends "?key=value" or "&key=value", value percent-encoded, to *path. */
void docker_query_add (char **path, const char *key, const char *value);

/* POST `path` (a container's or an exec's .../resize) with the TTY size as
   Docker's h and w query parameters. */
int docker_post_resize (docker_client_t *client, const char *path, unsigned height, unsigned width,
                        kl_error_t *err);

/* CLOCK_MONOTONIC in ns. */
int64_t docker_now_ns (void);

#endif
