/* In-process container runtimes a kubelet binary was linked with: the seam
   through which a full build adds the dockershim and a dockerless one adds
   nothing. The kubelet core never names a runtime; it only looks one up. */
#ifndef KL_KUBELET_RUNTIME_REGISTRY_H
#define KL_KUBELET_RUNTIME_REGISTRY_H

#include <stddef.h>

#include "pkg/kubelet/config/config.h"
#include "pkg/util/error.h"
#include "pkg/util/flags.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A runtime that runs inside the kubelet process and serves CRI on a socket
   the kubelet then reaches through its ordinary CRI client. */
struct kl_inprocess_runtime_s
{
  const char *name; /* the --container-runtime value that selects it */

  /* Its own options and the flags that set them (e.g. --docker-endpoint). */
  void *(*options_new) (void);
  void (*options_free) (void *options);
  void (*flags) (void *options, kl_flag_table_t *out);

  /* Starts serving on config->container_runtime_endpoint; *handle stops it.
     When the user left that endpoint at its default
     (!config->container_runtime_endpoint_set) the runtime may replace it
     with its own socket; the kubelet connects to whatever it holds after
     start returns. */
  int (*start) (kl_kubelet_config_t *config, void *options, void **handle, kl_error_t *err);
  void (*stop) (void *handle);
};
typedef struct kl_inprocess_runtime_s kl_inprocess_runtime_t;

/* The registration table, NULL-terminated. Exactly one linked library defines
   it: //pkg/kubelet:no_inprocess_runtimes or a runtime's registration. */
extern const kl_inprocess_runtime_t *const kl_inprocess_runtimes[];

/* The linked runtime called `name`, or NULL. */
const kl_inprocess_runtime_t *kl_inprocess_runtime_find (const char *name);

#ifdef __cplusplus
}
#endif

#endif
