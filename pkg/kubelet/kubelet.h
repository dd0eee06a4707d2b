/* The kubelet: wires pod sources, pod workers, PLEG, probes, status and the
   read-only API around one CRI runtime. */
#ifndef KL_KUBELET_KUBELET_H
#define KL_KUBELET_KUBELET_H

#include "pkg/kubelet/config/config.h"
#include "pkg/util/error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct kl_kubelet_s kl_kubelet_t;

/* Builds a kubelet for `config` (borrowed; it must outlive the kubelet). */
int kl_kubelet_new (const kl_kubelet_config_t *config, kl_kubelet_t **out, kl_error_t *err);

/* Connects to the runtime (failing when it does not answer), then starts the
   background threads and returns. */
int kl_kubelet_start (kl_kubelet_t *kubelet, kl_error_t *err);

/* Stops every thread; pods keep running in the runtime. */
void kl_kubelet_stop (kl_kubelet_t *kubelet);

void kl_kubelet_free (kl_kubelet_t *kubelet);

#ifdef __cplusplus
}
#endif

#endif
