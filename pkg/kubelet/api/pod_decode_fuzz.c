/* Fuzzes pod manifest decoding, defaulting and validation (YAML and JSON:
   kl_pod_decode picks JSON for input starting with '{') and static pod
   identity. Decoding fails cleanly or yields pods that validate, copy,
   re-default and hash consistently. */
#include <string.h>
#include <time.h>

#include "pkg/kubelet/api/decode.h"
#include "pkg/kubelet/api/static.h"
#include "pkg/kubelet/api/validate.h"
#include "pkg/util/utils.h"
#include "test/fuzz/fuzz.h"

#define SOURCE "manifest.yaml"

static void
check_pod (const kl_pod_t *pod)
{
  kl_error_t err = NULL;
  KL_FUZZ_CHECK (kl_pod_validate (pod, &err) == 0, "a decoded pod does not validate: %s",
                 kl_error_message (err));
  cleanup_free char *problems = kl_pod_validate_all (pod);
  KL_FUZZ_CHECK (problems == NULL, "validate_all disagrees: %s", problems);

  cleanup_pod kl_pod_t *copy = kl_pod_copy (pod);
  KL_FUZZ_CHECK (kl_pod_equal (pod, copy), "a copy differs");
  size_t a_len = 0, b_len = 0;
  cleanup_free char *a = kl_pod_canonical (pod, &a_len);
  cleanup_free char *b = kl_pod_canonical (copy, &b_len);
  KL_FUZZ_CHECK (a_len == b_len && memcmp (a, b, a_len) == 0, "a copy serializes differently");
  for (size_t i = 0; i < pod->spec.n_containers; i++)
    KL_FUZZ_CHECK (kl_container_hash (&pod->spec.containers[i])
                       == kl_container_hash (&copy->spec.containers[i]),
                   "container %zu hashes differently in a copy", i);

  /* Defaulting twice changes nothing. */
  kl_pod_set_defaults (copy);
  KL_FUZZ_CHECK (kl_pod_equal (pod, copy), "defaults applied twice change the pod");

  /* Static identity: either applies and still validates, or fails cleanly. */
  struct timespec seen = { .tv_sec = 1700000000, .tv_nsec = 5 };
  if (kl_static_pod_apply (copy, "node-1", KL_POD_SOURCE_FILE, SOURCE, &seen, &err) == 0)
    {
      KL_FUZZ_CHECK (kl_pod_validate (copy, &err) == 0, "a static pod does not validate: %s",
                     kl_error_message (err));
      KL_FUZZ_CHECK (copy->metadata.uid != NULL && strlen (copy->metadata.uid) == 32, "uid %s",
                     copy->metadata.uid ? copy->metadata.uid : "(null)");
    }
  else
    {
      KL_FUZZ_CHECK (kl_error_is (err, KL_ERROR_INVALID), "static pod failure of kind %d",
                     (int) err->kind);
      kl_error_release (&err);
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  cleanup_pod_list kl_pod_list_t pods = { NULL, 0 };
  kl_error_t err = NULL;
  if (kl_pod_decode ((const char *) data, size, SOURCE, &pods, &err) < 0)
    {
      KL_FUZZ_CHECK (pods.n_items == 0, "failure left %zu pods", pods.n_items);
      KL_FUZZ_CHECK (kl_error_is (err, KL_ERROR_INVALID), "failure of kind %d",
                     err ? (int) err->kind : -1);
      KL_FUZZ_CHECK (strncmp (kl_error_message (err), SOURCE ": ", strlen (SOURCE ": ")) == 0,
                     "message does not name the source: %s", kl_error_message (err));
      kl_error_release (&err);
      return 0;
    }
  /* A List or PodList without items decodes to no pods, as in Go. */
  for (size_t i = 0; i < pods.n_items; i++)
    check_pod (pods.items[i]);
  return 0;
}
