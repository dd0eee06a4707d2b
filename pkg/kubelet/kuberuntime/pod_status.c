#include "pkg/kubelet/kuberuntime/pod_status.h"

#include <stdlib.h>
#include <string.h>

#include "pkg/kubelet/kuberuntime/labels.h"
#include "pkg/util/utils.h"

static int
compare_sandboxes (const void *a, const void *b)
{
  const kl_sandbox_info_t *x = a, *y = b;
  return (x->created_at < y->created_at) - (x->created_at > y->created_at);
}

static int
compare_containers (const void *a, const void *b)
{
  const kl_container_info_t *x = a, *y = b;
  return (x->created_at < y->created_at) - (x->created_at > y->created_at);
}

static int
read_sandboxes (kl_runtime_t *rt, const char *uid, kl_runtime_pod_t *pod, kl_error_t *err)
{
  Runtime__V1__PodSandboxFilter__LabelSelectorEntry entry
      = RUNTIME__V1__POD_SANDBOX_FILTER__LABEL_SELECTOR_ENTRY__INIT;
  entry.key = (char *) KL_LABEL_POD_UID;
  entry.value = (char *) uid;
  Runtime__V1__PodSandboxFilter__LabelSelectorEntry *entries[] = { &entry };
  Runtime__V1__PodSandboxFilter filter = RUNTIME__V1__POD_SANDBOX_FILTER__INIT;
  filter.label_selector = entries;
  filter.n_label_selector = 1;
  Runtime__V1__ListPodSandboxRequest req = RUNTIME__V1__LIST_POD_SANDBOX_REQUEST__INIT;
  req.filter = &filter;
  cleanup_pb Runtime__V1__ListPodSandboxResponse *list = NULL;
  int ret = kl_runtime_list_pod_sandbox (rt, &req, &list, err);
  if (ret < 0)
    return ret;

  pod->sandboxes = xmalloc0 (list->n_items * sizeof *pod->sandboxes);
  for (size_t i = 0; i < list->n_items; i++)
    {
      Runtime__V1__PodSandbox *s = list->items[i];
      kl_sandbox_info_t *info = &pod->sandboxes[pod->n_sandboxes++];
      info->id = xstrdup (s->id);
      info->ready = s->state == RUNTIME__V1__POD_SANDBOX_STATE__SANDBOX_READY;
      info->created_at = s->created_at;
      info->attempt = s->metadata ? s->metadata->attempt : 0;
      if (pod->name == NULL && s->metadata)
        {
          pod->name = xstrdup (s->metadata->name);
          pod->namespace_ = xstrdup (s->metadata->namespace_);
        }
      if (!info->ready)
        continue;
      Runtime__V1__PodSandboxStatusRequest sreq = RUNTIME__V1__POD_SANDBOX_STATUS_REQUEST__INIT;
      sreq.pod_sandbox_id = s->id;
      cleanup_pb Runtime__V1__PodSandboxStatusResponse *status = NULL;
      kl_error_t status_err = NULL;
      if (kl_runtime_pod_sandbox_status (rt, &sreq, &status, &status_err) < 0)
        {
          /* Removed meanwhile: the next sync sees it gone. */
          kl_error_release (&status_err);
          continue;
        }
      if (status->status && status->status->network && status->status->network->ip)
        info->ip = xstrdup (status->status->network->ip);
    }
  qsort (pod->sandboxes, pod->n_sandboxes, sizeof *pod->sandboxes, compare_sandboxes);
  return 0;
}

static enum kl_container_runtime_state
state_from_cri (Runtime__V1__ContainerState s)
{
  switch (s)
    {
    case RUNTIME__V1__CONTAINER_STATE__CONTAINER_CREATED:
      return KL_CONTAINER_CREATED;
    case RUNTIME__V1__CONTAINER_STATE__CONTAINER_RUNNING:
      return KL_CONTAINER_RUNNING;
    case RUNTIME__V1__CONTAINER_STATE__CONTAINER_EXITED:
      return KL_CONTAINER_EXITED;
    default:
      return KL_CONTAINER_UNKNOWN;
    }
}

static void
fill_from_annotations (kl_container_info_t *info, void *const *annotations, size_t n)
{
  const char *hash = kl_cri_map_get (annotations, n, KL_ANNOTATION_CONTAINER_HASH);
  if (hash)
    info->hash = strtoull (hash, NULL, 16);
  const char *restarts = kl_cri_map_get (annotations, n, KL_ANNOTATION_RESTART_COUNT);
  if (restarts)
    info->restart_count = atoi (restarts);
  const char *grace = kl_cri_map_get (annotations, n, KL_ANNOTATION_GRACE_PERIOD);
  info->grace_seconds = grace ? strtoll (grace, NULL, 10) : -1;
  const char *init = kl_cri_map_get (annotations, n, KL_ANNOTATION_INIT);
  info->is_init = init && strcmp (init, "true") == 0;
}

static int
read_containers (kl_runtime_t *rt, const char *uid, kl_runtime_pod_t *pod, kl_error_t *err)
{
  Runtime__V1__ContainerFilter__LabelSelectorEntry entry
      = RUNTIME__V1__CONTAINER_FILTER__LABEL_SELECTOR_ENTRY__INIT;
  entry.key = (char *) KL_LABEL_POD_UID;
  entry.value = (char *) uid;
  Runtime__V1__ContainerFilter__LabelSelectorEntry *entries[] = { &entry };
  Runtime__V1__ContainerFilter filter = RUNTIME__V1__CONTAINER_FILTER__INIT;
  filter.label_selector = entries;
  filter.n_label_selector = 1;
  Runtime__V1__ListContainersRequest req = RUNTIME__V1__LIST_CONTAINERS_REQUEST__INIT;
  req.filter = &filter;
  cleanup_pb Runtime__V1__ListContainersResponse *list = NULL;
  int ret = kl_runtime_list_containers (rt, &req, &list, err);
  if (ret < 0)
    return ret;

  pod->containers = xmalloc0 (list->n_containers * sizeof *pod->containers);
  for (size_t i = 0; i < list->n_containers; i++)
    {
      Runtime__V1__Container *c = list->containers[i];
      Runtime__V1__ContainerStatusRequest sreq = RUNTIME__V1__CONTAINER_STATUS_REQUEST__INIT;
      sreq.container_id = c->id;
      cleanup_pb Runtime__V1__ContainerStatusResponse *resp = NULL;
      kl_error_t status_err = NULL;
      if (kl_runtime_container_status (rt, &sreq, &resp, &status_err) < 0 || resp->status == NULL)
        {
          kl_error_release (&status_err);
          continue;
        }
      Runtime__V1__ContainerStatus *s = resp->status;
      kl_container_info_t *info = &pod->containers[pod->n_containers++];
      info->id = xstrdup (c->id);
      info->name = xstrdup (c->metadata ? c->metadata->name : "");
      info->sandbox_id = xstrdup (c->pod_sandbox_id);
      info->state = state_from_cri (s->state);
      info->created_at = s->created_at;
      info->started_at = s->started_at;
      info->finished_at = s->finished_at;
      info->exit_code = s->exit_code;
      info->reason = xstrdup (s->reason);
      info->message = xstrdup (s->message);
      info->image = xstrdup (s->image && s->image->image ? s->image->image : "");
      info->image_ref = xstrdup (s->image_ref);
      info->log_path = xstrdup (s->log_path);
      fill_from_annotations (info, (void *const *) s->annotations, s->n_annotations);
    }
  qsort (pod->containers, pod->n_containers, sizeof *pod->containers, compare_containers);
  return 0;
}

int
kl_runtime_pod_get (kl_runtime_t *rt, const char *uid, kl_runtime_pod_t **out, kl_error_t *err)
{
  kl_runtime_pod_t *pod = xmalloc0 (sizeof *pod);
  pod->uid = xstrdup (uid);
  int ret = read_sandboxes (rt, uid, pod, err);
  if (ret == 0)
    ret = read_containers (rt, uid, pod, err);
  if (ret < 0)
    {
      kl_runtime_pod_free (pod);
      return ret;
    }
  *out = pod;
  return 0;
}

const kl_container_info_t *
kl_runtime_pod_find_container (const kl_runtime_pod_t *pod, const char *name)
{
  for (size_t i = 0; i < pod->n_containers; i++)
    if (strcmp (pod->containers[i].name, name) == 0)
      return &pod->containers[i];
  return NULL;
}

void
kl_runtime_pod_free (kl_runtime_pod_t *pod)
{
  if (pod == NULL)
    return;
  for (size_t i = 0; i < pod->n_sandboxes; i++)
    {
      free (pod->sandboxes[i].id);
      free (pod->sandboxes[i].ip);
    }
  free (pod->sandboxes);
  for (size_t i = 0; i < pod->n_containers; i++)
    {
      kl_container_info_t *c = &pod->containers[i];
      free (c->id);
      free (c->name);
      free (c->sandbox_id);
      free (c->reason);
      free (c->message);
      free (c->image);
      free (c->image_ref);
      free (c->log_path);
    }
  free (pod->containers);
  free (pod->uid);
  free (pod->name);
  free (pod->namespace_);
  free (pod);
}
