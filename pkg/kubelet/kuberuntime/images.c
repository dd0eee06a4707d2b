/* Image pulls by pull policy, with ErrImagePull -> ImagePullBackOff. */
#include <string.h>

#include "pkg/kubelet/kuberuntime/manager-internal.h"
#include "pkg/util/log.h"
#include "pkg/util/utils.h"

/* The image's ID if the runtime has it, NULL if not; negative on error. */
static int
image_present (kl_runtime_manager_t *m, const char *image, char **id, kl_error_t *err)
{
  Runtime__V1__ImageSpec spec = RUNTIME__V1__IMAGE_SPEC__INIT;
  spec.image = (char *) image;
  Runtime__V1__ImageStatusRequest req = RUNTIME__V1__IMAGE_STATUS_REQUEST__INIT;
  req.image = &spec;
  cleanup_pb Runtime__V1__ImageStatusResponse *resp = NULL;
  int64_t start = kl_manager_now (m);
  int ret = kl_runtime_image_status (m->opts.runtime, &req, &resp, err);
  kl_manager_observe (m, "image_status", start, ret);
  if (ret < 0)
    return ret;
  *id = resp->image && resp->image->id[0] ? xstrdup (resp->image->id) : NULL;
  return 0;
}

static bool
pull_policy_is (const kl_container_t *c, const char *policy)
{
  return c->image_pull_policy && strcmp (c->image_pull_policy, policy) == 0;
}

int
kl_ensure_image (kl_runtime_manager_t *m, const kl_pod_t *pod, const kl_container_t *c,
                 const Runtime__V1__PodSandboxConfig *sandbox_config, char **image_ref,
                 int64_t *retry_ns, char **reason, char **message)
{
  cleanup_error kl_error_t err = NULL;
  cleanup_free char *present = NULL;
  if (!pull_policy_is (c, KL_PULL_ALWAYS))
    {
      if (image_present (m, c->image, &present, &err) < 0)
        {
          *reason = xstrdup (KL_REASON_ERR_IMAGE_PULL);
          *message = xasprintf ("image status of \"%s\": %s", c->image, kl_error_message (err));
          return -1;
        }
      if (present)
        {
          *image_ref = steal_pointer (&present);
          return 0;
        }
      if (pull_policy_is (c, KL_PULL_NEVER))
        {
          *reason = xstrdup (KL_REASON_ERR_IMAGE_NEVER_PULL);
          *message = xasprintf ("Container image \"%s\" is not present with pull policy of Never",
                                c->image);
          return -1;
        }
    }

  cleanup_free char *key = xasprintf ("%s/%s", pod->metadata.uid, c->image);
  int64_t now = kl_manager_now (m);
  int64_t remaining = 0, last_failure = kl_backoff_last_update (&m->image_backoff, key);
  if (kl_backoff_in_backoff_since (&m->image_backoff, key, last_failure, now, &remaining))
    {
      *retry_ns = remaining;
      *reason = xstrdup (KL_REASON_IMAGE_PULL_BACK_OFF);
      *message = xasprintf ("Back-off pulling image \"%s\"", c->image);
      return -1;
    }

  Runtime__V1__ImageSpec spec = RUNTIME__V1__IMAGE_SPEC__INIT;
  spec.image = c->image;
  Runtime__V1__PullImageRequest req = RUNTIME__V1__PULL_IMAGE_REQUEST__INIT;
  req.image = &spec;
  req.sandbox_config = (Runtime__V1__PodSandboxConfig *) sandbox_config;
  cleanup_pb Runtime__V1__PullImageResponse *resp = NULL;
  KL_LOG_V (2, "pulling image \"%s\" for pod %s", c->image, pod->metadata.name);
  int64_t start = kl_manager_now (m);
  int ret = kl_runtime_pull_image (m->opts.runtime, &req, 0, &resp, &err);
  kl_manager_observe (m, "pull_image", start, ret);
  if (ret < 0)
    {
      kl_backoff_next (&m->image_backoff, key, kl_manager_now (m));
      *retry_ns = kl_backoff_get (&m->image_backoff, key);
      *reason = xstrdup (KL_REASON_ERR_IMAGE_PULL);
      *message = xasprintf ("failed to pull image \"%s\": %s", c->image, kl_error_message (err));
      return -1;
    }
  KL_LOG_INFO ("pulled image \"%s\" (%s) for pod %s", c->image, resp->image_ref,
               pod->metadata.name);
  /* Containerd answers with the image ID; an empty ref means "by name". */
  *image_ref = xstrdup (resp->image_ref[0] ? resp->image_ref : c->image);
  return 0;
}
