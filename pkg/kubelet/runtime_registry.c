#include "pkg/kubelet/runtime_registry.h"

#include <string.h>

const kl_inprocess_runtime_t *
kl_inprocess_runtime_find (const char *name)
{
  for (size_t i = 0; kl_inprocess_runtimes[i]; i++)
    if (strcmp (kl_inprocess_runtimes[i]->name, name) == 0)
      return kl_inprocess_runtimes[i];
  return NULL;
}
