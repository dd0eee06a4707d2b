/* The registration table of a kubelet built without in-process runtimes:
   every runtime is reached over --container-runtime-endpoint. */
#include "pkg/kubelet/runtime_registry.h"

const kl_inprocess_runtime_t *const kl_inprocess_runtimes[] = { NULL };
