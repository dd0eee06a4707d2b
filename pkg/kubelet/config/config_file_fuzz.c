/* Fuzzes KubeletConfiguration file parsing: any bytes overlay the defaults or
   fail cleanly with an error naming the file, and the result validates or is
   refused cleanly. */
#include <string.h>

#include "pkg/kubelet/config/config-internal.h"
#include "pkg/util/utils.h"
#include "test/fuzz/fuzz.h"

#define PATH "/etc/kubernetes/kubelet.yaml"

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  cleanup_kubelet_config kl_kubelet_config_t *config = kl_kubelet_config_new_default ();
  kl_error_t err = NULL;
  if (kl_kubelet_config_apply_data (config, PATH, (const char *) data, size, &err) < 0)
    {
      KL_FUZZ_CHECK (kl_error_is (err, KL_ERROR_INVALID), "failure of kind %d",
                     err ? (int) err->kind : -1);
      KL_FUZZ_CHECK (strncmp (kl_error_message (err), PATH ": ", strlen (PATH ": ")) == 0,
                     "message does not name the file: %s", kl_error_message (err));
      kl_error_release (&err);
      return 0;
    }
  KL_FUZZ_CHECK (err == NULL, "success with an error set");
  /* Strings are never NULL. */
  KL_FUZZ_CHECK (config->static_pod_path && config->static_pod_url && config->address
                     && config->healthz_bind_address && config->container_runtime_endpoint
                     && config->image_service_endpoint && config->container_log_max_size
                     && config->pod_logs_dir,
                 "a NULL string");
  if (kl_kubelet_config_validate (config, &err) < 0)
    {
      KL_FUZZ_CHECK (kl_error_is (err, KL_ERROR_INVALID), "validation failure of kind %d",
                     err ? (int) err->kind : -1);
      kl_error_release (&err);
      return 0;
    }
  KL_FUZZ_CHECK (config->max_pods > 0, "maxPods %d validated", config->max_pods);
  KL_FUZZ_CHECK (config->container_log_max_size_bytes > 0, "containerLogMaxSize %lld",
                 (long long) config->container_log_max_size_bytes);
  return 0;
}
