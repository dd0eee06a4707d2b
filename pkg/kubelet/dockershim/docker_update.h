/* POST /containers/{id}/update: the one Docker call libdocker does not offer (yet). */
#ifndef DS_DOCKER_UPDATE_H
#define DS_DOCKER_UPDATE_H

#include <jansson.h> /* json_t: the update body */

#include "pkg/kubelet/dockershim/libdocker/client.h"
#include "pkg/util/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Changes the resources of container `id` (a full or short hex ID) to
   `body` ({"Memory": ..., "CpuShares": ...}), over the client's socket and
   negotiated API version. Errors keep dockerd's status and message: 404
   KL_ERROR_NOT_FOUND, 400 KL_ERROR_INVALID, 409 KL_ERROR_ALREADY_EXISTS. */
int ds_docker_container_update (docker_client_t *client, const char *id, const json_t *body,
                                kl_error_t *err);

#ifdef __cplusplus
}
#endif

#endif
