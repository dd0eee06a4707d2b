/* A fake dockerd answering from memory through the client's transport seam: fast enough for
 * fuzzing. */
#ifndef DOCKER_TESTING_MEMORY_DOCKER_H
#define DOCKER_TESTING_MEMORY_DOCKER_H

#include <stddef.h>

#include "pkg/kubelet/dockershim/libdocker/client.h"

#ifdef __cplusplus
extern "C" {
#endif

/* How the fake answers. It holds no state between requests, so the same
   requests always get the same answers. */
enum docker_memory_mode
{
  DOCKER_MEMORY_NORMAL = 0, /* a sandbox, its containers and images, as dockerd would */
  DOCKER_MEMORY_FAIL,       /* every versioned request: 500 {"message": ...} */
  DOCKER_MEMORY_TRUNCATED,  /* every body cut in half: malformed JSON */
  DOCKER_MEMORY_EMPTY,      /* no containers or images: lists empty, lookups 404 */
  DOCKER_MEMORY_N_MODES,
};

/* The objects it knows in DOCKER_MEMORY_NORMAL. */
#define DOCKER_MEMORY_SANDBOX_ID "sandbox0"
#define DOCKER_MEMORY_CONTAINER_ID "container0"
#define DOCKER_MEMORY_EXITED_ID "exited0"
#define DOCKER_MEMORY_IMAGE "busybox:1.36"

typedef struct docker_memory_s
{
  enum docker_memory_mode mode;
  size_t requests; /* answered so far */
} docker_memory_t;

/* The docker_transport_fn; `ctx` is a docker_memory_t. Not thread-safe:
   one caller at a time. */
int docker_memory_transport (void *ctx, const char *method, const char *path, const char *body,
                             size_t body_len, long *status, char **out, size_t *out_len,
                             kl_error_t *err);

/* A client for an unreachable socket whose requests `fake` answers. */
int docker_memory_client (docker_memory_t *fake, docker_client_t **out, kl_error_t *err);

#ifdef __cplusplus
}
#endif

#endif
