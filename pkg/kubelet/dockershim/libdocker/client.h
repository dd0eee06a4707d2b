/* Docker Engine API client: dockerd's unix socket over libcurl, API version negotiation, errors. */
#ifndef DOCKER_CLIENT_H
#define DOCKER_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include "pkg/util/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Thread-safe: every call opens its own connection; only the negotiated API
   version is shared, under a lock. */
typedef struct docker_client_s docker_client_t;

#define DOCKER_DEFAULT_ENDPOINT "unix:///var/run/docker.sock"
/* The newest API this client speaks (Docker 20.10) and the oldest it accepts
   (Docker 1.13, the dockershim's minimum). */
#define DOCKER_MAX_API_VERSION "1.41"
#define DOCKER_MIN_API_VERSION "1.26"
/* The default cap on a response body. */
#define DOCKER_DEFAULT_MAX_RESPONSE (64u * 1024 * 1024)

/* Returned by start and stop when dockerd answers 304 Not Modified: the
   container already was in that state. Not an error. */
#define DOCKER_NOT_MODIFIED 1

/* Errors keep dockerd's HTTP status in err->status and its message:
   "docker: POST /containers/create: 404: No such image: busybox:9".
   Kinds: 404 KL_ERROR_NOT_FOUND, 409 KL_ERROR_ALREADY_EXISTS (a conflict:
   name in use, container not running, ...), 400 KL_ERROR_INVALID, 503 and
   an unreachable socket KL_ERROR_UNAVAILABLE, a deadline KL_ERROR_TIMEOUT. */

/* A client for `endpoint` ("unix:///var/run/docker.sock"; NULL or "": that
   default). Connects lazily: the API version is negotiated on the first call
   that needs it (min(dockerd's ApiVersion, 1.41)). Calls time out after
   `timeout_ns` unless a call says otherwise. */
int docker_client_new (const char *endpoint, int64_t timeout_ns, docker_client_t **out,
                       kl_error_t *err);

void docker_client_free (docker_client_t *client);

const char *docker_client_endpoint (const docker_client_t *client);

/* The negotiated API version ("1.41"), negotiating now if not yet done. */
int docker_client_api_version (docker_client_t *client, char **out, kl_error_t *err);

/* Caps response bodies at `bytes` (default DOCKER_DEFAULT_MAX_RESPONSE).
   Call before sharing the client between threads. */
void docker_client_set_max_response (docker_client_t *client, size_t bytes);

/* A stand-in for dockerd's socket (tests, fuzzers): answers `method` on
   `path` (with the version prefix and query: "/v1.41/containers/json?all=1")
   and the request body with *status and a body in *out (xmalloc'd, *out_len
   bytes; the client frees it). A negative return is a transport failure. */
typedef int (*docker_transport_fn) (void *ctx, const char *method, const char *path,
                                    const char *body, size_t body_len, long *status, char **out,
                                    size_t *out_len, kl_error_t *err);

/* Sends the client's requests through `transport` instead of the socket;
   hijacked streams (exec, attach) still dial the socket. Call before sharing
   the client between threads. */
void docker_client_set_transport (docker_client_t *client, docker_transport_fn transport,
                                  void *ctx);

#ifdef __cplusplus
}
#endif

#endif
