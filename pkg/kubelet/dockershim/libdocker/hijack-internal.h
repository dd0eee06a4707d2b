/* Hijacked connections: a request dockerd answers by turning the connection into a raw stream. */
#ifndef DOCKER_HIJACK_INTERNAL_H
#define DOCKER_HIJACK_INTERNAL_H

#include <stddef.h>

#include "pkg/kubelet/dockershim/libdocker/client.h"
#include "pkg/kubelet/dockershim/libdocker/stream.h"

/* Sends `method path` (below the version prefix) with the JSON `body` on a
   connection of its own, asking for "Upgrade: tcp", and once dockerd
   answers 101 (or 200) pumps the stream between the connection and `io`
   until dockerd closes it, io's deadline passes (KL_ERROR_TIMEOUT, after
   delivering what came) or a sink fails. libcurl cannot hand over an
   upgraded connection, so this one request is spoken by hand. */
int docker_hijack (docker_client_t *client, const char *method, const char *path, const char *body,
                   size_t body_len, const docker_stream_io_t *io, kl_error_t *err);

#endif
