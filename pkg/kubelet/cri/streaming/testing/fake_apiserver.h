/* A fake Kubernetes API server for the streaming server's interop tests:
   enough discovery and one Running pod ("web", containers "main" and
   "sidecar", namespace "default") for kubectl, and the pods/exec, attach
   and portforward subresources proxied, as the real API server does, to a
   URL the streaming server issued. Every request is logged with an
   "apiserver:" prefix; each proxied stream as
   "apiserver: proxy <kind> transport=<spdy|websocket|websocket-tunnel>
   protocol=<negotiated> status=<upstream status>". */
#ifndef KL_CRI_STREAMING_TESTING_FAKE_APISERVER_H
#define KL_CRI_STREAMING_TESTING_FAKE_APISERVER_H

#include "pkg/kubelet/cri/streaming/streaming.h"
#include "pkg/util/error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct kl_fake_apiserver_s kl_fake_apiserver_t;

/* Listens on 127.0.0.1 (an ephemeral port) and serves on background
   threads; URLs come from `streams`, which must outlive the server. */
int kl_fake_apiserver_start (kl_stream_server_t *streams, kl_fake_apiserver_t **out,
                             kl_error_t *err);

/* "http://127.0.0.1:PORT". */
const char *kl_fake_apiserver_url (const kl_fake_apiserver_t *server);

/* Stops accepting, cuts the connections in flight, waits for their threads
   and frees the server. */
void kl_fake_apiserver_stop (kl_fake_apiserver_t *server);

#ifdef __cplusplus
}
#endif

#endif
