/* Fuzzes the CNI side of pod networking: a plugin's output parsed as its
   result and the pod IP taken from it (the first byte is the plugin's exit
   status), and the same bytes read as a network config, validated and made
   into each plugin's stdin. */
#include <jansson.h>
#include <string.h>

#include "pkg/kubelet/dockershim/networking.h"
#include "pkg/util/utils.h"
#include "test/fuzz/fuzz.h"

static const ds_cni_port_t ports[] = {
  { .host_port = 8080, .container_port = 80, .protocol = "tcp", .host_ip = "127.0.0.1" },
  { .host_port = 5353, .container_port = 53, .protocol = "udp" },
};

static const ds_cni_runtime_t runtime = {
  .container_id = "0123456789abcdef",
  .netns = "/proc/42/ns/net",
  .pod_name = "web",
  .pod_namespace = "default",
  .pod_uid = "uid-1",
  .ports = ports,
  .n_ports = 2,
};

static void
check_result (const json_t *result)
{
  cleanup_free char *ip = NULL;
  kl_error_t err = NULL;
  if (ds_cni_result_ip (result, &ip, &err) < 0)
    {
      KL_FUZZ_CHECK (ip == NULL && kl_error_is (err, KL_ERROR_INVALID), "result_ip failure: %s",
                     kl_error_message (err));
      kl_error_release (&err);
      return;
    }
  KL_FUZZ_CHECK (ip != NULL && strchr (ip, '/') == NULL, "pod IP %s", ip ? ip : "(null)");
}

/* Every plugin's stdin, as ADD would write it. */
static void
check_conflist (const json_t *conflist, const json_t *prev_result)
{
  kl_error_t err = NULL;
  if (ds_cni_validate_list (conflist, &err) < 0)
    {
      KL_FUZZ_CHECK (kl_error_is (err, KL_ERROR_INVALID), "validate failure of kind %d",
                     (int) err->kind);
      kl_error_release (&err);
      return;
    }
  size_t n = json_array_size (json_object_get (conflist, "plugins"));
  for (size_t i = 0; i < n; i++)
    {
      json_t *conf = ds_cni_plugin_config (conflist, i, prev_result, &runtime);
      KL_FUZZ_CHECK (json_is_object (conf), "plugin %zu: config is not an object", i);
      KL_FUZZ_CHECK (
          json_equal (json_object_get (conf, "name"), json_object_get (conflist, "name")),
          "plugin %zu: name not the list's", i);
      cleanup_free char *text = json_dumps (conf, JSON_COMPACT);
      KL_FUZZ_CHECK (text != NULL, "plugin %zu: config does not serialize", i);
      json_decref (conf);
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  if (size == 0)
    return 0;
  int exit_status = data[0] % 2 ? data[0] : 0;
  const char *out = (const char *) data + 1;
  size_t len = size - 1;

  json_t *result = NULL;
  kl_error_t err = NULL;
  int ret = ds_cni_parse_output ("bridge", out, len, exit_status, "plugin stderr", &result, &err);
  if (exit_status != 0)
    KL_FUZZ_CHECK (ret < 0 && result == NULL && kl_error_is (err, KL_ERROR_GENERIC),
                   "exit status %d: result %d", exit_status, ret);
  if (ret < 0)
    {
      KL_FUZZ_CHECK (result == NULL && err != NULL, "failure with a result");
      KL_FUZZ_CHECK (strstr (kl_error_message (err), "plugin bridge") != NULL,
                     "message does not name the plugin: %s", kl_error_message (err));
      kl_error_release (&err);
    }
  else
    {
      KL_FUZZ_CHECK (result == NULL || json_is_object (result), "a result that is no object");
      check_result (result);
    }

  /* The same bytes as a network config: a .conflist, and a .conf made into one. */
  json_t *doc = json_loadb (out, len, 0, NULL);
  if (json_is_object (doc))
    {
      check_conflist (doc, result);
      json_t *list = ds_cni_conf_to_list (doc);
      check_conflist (list, result);
      json_decref (list);
    }
  json_decref (doc);
  json_decref (result);
  return 0;
}
