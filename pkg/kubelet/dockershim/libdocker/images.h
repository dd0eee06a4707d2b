/* Image calls: list, inspect, pull (with registry credentials), remove. */
#ifndef DOCKER_IMAGES_H
#define DOCKER_IMAGES_H

#include <stdbool.h>
#include <stdint.h>

#include "pkg/kubelet/dockershim/libdocker/auth.h"
#include "pkg/kubelet/dockershim/libdocker/client.h"
#include "pkg/kubelet/dockershim/libdocker/jsonmessage.h"
#include "pkg/kubelet/dockershim/libdocker/types.h"

#ifdef __cplusplus
extern "C" {
#endif

/* GET /images/json; `reference` (NULL: all images) filters by name
   ("busybox", "busybox:1.36"). */
int docker_image_list (docker_client_t *client, const char *reference, docker_image_list_t **out,
                       kl_error_t *err);

/* GET /images/{name}/json: by ID, name:tag or name@digest. An unknown
   image fails with KL_ERROR_NOT_FOUND. */
int docker_image_inspect (docker_client_t *client, const char *name, docker_image_inspect_t **out,
                          kl_error_t *err);

typedef struct docker_pull_options_s
{
  const docker_auth_config_t *auth; /* NULL: anonymous */
  int64_t timeout_ns;               /* 0: no deadline for the whole pull */
  int64_t progress_timeout_ns;      /* > 0: fail when dockerd reports nothing for this long */
  docker_progress_fn on_progress;   /* NULL: progress is dropped */
  void *ctx;
} docker_pull_options_t;

/* POST /images/create?fromImage=&tag=: pulls `image`, reading dockerd's
   progress stream to its end. An error dockerd reports inside the stream
   (with HTTP 200) fails the pull with its message. *digest (if `digest` is
   not NULL) gets the digest dockerd reported, or NULL. `opts` may be NULL. */
int docker_image_pull (docker_client_t *client, const char *image,
                       const docker_pull_options_t *opts, char **digest, kl_error_t *err);

/* DELETE /images/{name}?force=&noprune=false. */
int docker_image_remove (docker_client_t *client, const char *name, bool force, kl_error_t *err);

/* Splits `image` as the Go client's ImagePull: the repository (with its
   registry) and the tag, or the digest if there is one, or "latest". */
int docker_image_reference_split (const char *image, char **repository, char **tag,
                                  kl_error_t *err);

#ifdef __cplusplus
}
#endif

#endif
