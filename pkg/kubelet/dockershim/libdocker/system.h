/* Daemon-wide calls: ping, version, info. */
#ifndef DOCKER_SYSTEM_H
#define DOCKER_SYSTEM_H

#include "pkg/kubelet/dockershim/libdocker/client.h"
#include "pkg/kubelet/dockershim/libdocker/types.h"

#ifdef __cplusplus
extern "C" {
#endif

/* GET /_ping: whether dockerd answers, with what its headers say. */
int docker_ping (docker_client_t *client, docker_ping_t **out, kl_error_t *err);

/* GET /version. Does not need a negotiated version. */
int docker_version (docker_client_t *client, docker_version_t **out, kl_error_t *err);

/* GET /info. */
int docker_info (docker_client_t *client, docker_info_t **out, kl_error_t *err);

#ifdef __cplusplus
}
#endif

#endif
