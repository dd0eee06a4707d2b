/* Fuzzes the decoders of dockerd's JSON response bodies and its time format:
   the first byte picks the decoder, the rest is the body. Any body decodes
   into a value that frees cleanly or fails with KL_ERROR_INVALID. */
#include <string.h>

#include "pkg/kubelet/dockershim/libdocker/decode.h"
#include "pkg/kubelet/dockershim/libdocker/types.h"
#include "pkg/util/utils.h"
#include "test/fuzz/fuzz.h"

/* Decodes into a value of `type` and frees it; 0 or the decoder's error. */
#define DECODE(type, json, len, err)                                                               \
  ({                                                                                               \
    docker_##type##_t *value_ = NULL;                                                              \
    int ret_ = docker_decode_##type (json, len, &value_, err);                                     \
    KL_FUZZ_CHECK ((ret_ == 0) == (value_ != NULL), #type ": result %d with value %p", ret_,       \
                   (void *) value_);                                                               \
    docker_##type##_free (value_);                                                                 \
    ret_;                                                                                          \
  })

static int
decode (unsigned which, const char *json, size_t len, kl_error_t *err)
{
  switch (which)
    {
    case 0:
      return DECODE (version, json, len, err);
    case 1:
      return DECODE (info, json, len, err);
    case 2:
      return DECODE (container_inspect, json, len, err);
    case 3:
      return DECODE (container_list, json, len, err);
    case 4:
      {
        docker_container_create_result_t *r = NULL;
        int ret = docker_decode_container_create (json, len, &r, err);
        docker_container_create_result_free (r);
        return ret;
      }
    case 5:
      return DECODE (container_stats, json, len, err);
    case 6:
      {
        int64_t status = 0;
        return docker_decode_container_wait (json, len, &status, err);
      }
    case 7:
      return DECODE (image_list, json, len, err);
    case 8:
      return DECODE (image_inspect, json, len, err);
    case 9:
      return DECODE (exec_inspect, json, len, err);
    case 10:
      {
        cleanup_free char *id = NULL;
        int ret = docker_decode_id (json, len, &id, err);
        if (ret == 0)
          KL_FUZZ_CHECK (id != NULL && id[0] != '\0', "an empty Id decoded");
        return ret;
      }
    default:
      {
        int64_t ns = 0;
        return docker_parse_time (json, len, &ns, err);
      }
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  if (size == 0)
    return 0;
  unsigned which = data[0] % 12;
  /* The body in an allocation of its own size, so that a read past the end
     is caught. */
  size_t len = size - 1;
  cleanup_free char *body = xmalloc (len ? len : 1);
  memcpy (body, data + 1, len);
  kl_error_t err = NULL;
  if (decode (which, body, len, &err) < 0)
    {
      /* A wait answer reporting an error is dockerd's message, not ours. */
      KL_FUZZ_CHECK (which == 6 || kl_error_is (err, KL_ERROR_INVALID), "decoder %u: kind %d: %s",
                     which, err ? (int) err->kind : -1, kl_error_message (err));
      KL_FUZZ_CHECK (err != NULL, "decoder %u failed without an error", which);
      kl_error_release (&err);
    }
  else
    KL_FUZZ_CHECK (err == NULL, "decoder %u succeeded with an error set", which);
  return 0;
}
