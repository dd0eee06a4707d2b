#include "pkg/kubelet/kubelet.h"

#include "pkg/kubelet/cri/remote/remote.h"
#include "pkg/util/log.h"
#include "pkg/util/utils.h"

struct kl_kubelet_s
{
  const kl_kubelet_config_t *config;
  kl_cri_client_t *cri;
};

int
kl_kubelet_new (const kl_kubelet_config_t *config, kl_kubelet_t **out, kl_error_t *err)
{
  kl_cri_client_t *cri = NULL;
  int ret = kl_cri_client_new (config->container_runtime_endpoint, config->image_service_endpoint,
                               config->runtime_request_timeout_ns, &cri, err);
  if (ret < 0)
    return ret;
  kl_kubelet_t *k = xmalloc0 (sizeof *k);
  k->config = config;
  k->cri = cri;
  *out = k;
  return 0;
}

/* Asks the runtime who it is: the first call, which fails fast when nothing
   listens on the endpoint. */
static int
check_runtime (kl_kubelet_t *k, kl_error_t *err)
{
  Runtime__V1__VersionRequest req = RUNTIME__V1__VERSION_REQUEST__INIT;
  req.version = (char *) "v1";
  cleanup_pb Runtime__V1__VersionResponse *version = NULL;
  int ret = kl_cri_version (k->cri, &req, &version, err);
  if (ret < 0)
    return kl_error_wrap (err, "container runtime at %s is not reachable",
                          k->config->container_runtime_endpoint);
  KL_LOG_INFO ("container runtime %s %s (CRI %s) at %s", version->runtime_name,
               version->runtime_version, version->runtime_api_version,
               k->config->container_runtime_endpoint);
  return 0;
}

int
kl_kubelet_start (kl_kubelet_t *k, kl_error_t *err)
{
  return check_runtime (k, err);
}

void
kl_kubelet_stop (kl_kubelet_t *k)
{
  (void) k;
}

void
kl_kubelet_free (kl_kubelet_t *k)
{
  if (k == NULL)
    return;
  kl_cri_client_free (k->cri);
  free (k);
}
