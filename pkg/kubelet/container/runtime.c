#include "pkg/kubelet/container/runtime.h"

#include <stdlib.h>

void
kl_runtime_free (kl_runtime_t *rt)
{
  if (rt == NULL)
    return;
  rt->ops->free (rt->self);
  free (rt);
}
