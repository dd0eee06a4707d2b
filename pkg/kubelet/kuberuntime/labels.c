#include "pkg/kubelet/kuberuntime/labels.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "pkg/util/utils.h"

/* protobuf-c generates one entry type per map field, all with the same
   layout (base, key, value); the kubelet uses them interchangeably. */
typedef Runtime__V1__ContainerConfig__LabelsEntry map_entry_t;

void
kl_cri_map_set (kl_cri_map_t *map, const char *key, const char *value)
{
  for (size_t i = 0; i < map->n; i++)
    if (strcmp (map->entries[i]->key, key) == 0)
      {
        free (map->entries[i]->value);
        map->entries[i]->value = xstrdup (value);
        return;
      }
  map_entry_t *e = xmalloc (sizeof *e);
  runtime__v1__container_config__labels_entry__init (e);
  e->key = xstrdup (key);
  e->value = xstrdup (value);
  map->entries = xrealloc (map->entries, (map->n + 1) * sizeof *map->entries);
  map->entries[map->n++] = e;
}

const char *
kl_cri_map_get (void *const *entries, size_t n, const char *key)
{
  for (size_t i = 0; i < n; i++)
    {
      const map_entry_t *e = entries[i];
      if (e->key && strcmp (e->key, key) == 0)
        return e->value;
    }
  return NULL;
}

void
kl_sandbox_labels (const kl_pod_t *pod, kl_cri_map_t *out)
{
  for (size_t i = 0; i < pod->metadata.n_labels; i++)
    kl_cri_map_set (out, pod->metadata.labels[i].key, pod->metadata.labels[i].value);
  kl_cri_map_set (out, KL_LABEL_POD_NAME, pod->metadata.name);
  kl_cri_map_set (out, KL_LABEL_POD_NAMESPACE, pod->metadata.namespace_);
  kl_cri_map_set (out, KL_LABEL_POD_UID, pod->metadata.uid);
  kl_cri_map_set (out, KL_LABEL_KUBELET_MANAGED, "true");
}

void
kl_sandbox_annotations (const kl_pod_t *pod, kl_cri_map_t *out)
{
  for (size_t i = 0; i < pod->metadata.n_annotations; i++)
    kl_cri_map_set (out, pod->metadata.annotations[i].key, pod->metadata.annotations[i].value);
}

void
kl_container_labels (const kl_pod_t *pod, const kl_container_t *container, kl_cri_map_t *out)
{
  kl_cri_map_set (out, KL_LABEL_POD_NAME, pod->metadata.name);
  kl_cri_map_set (out, KL_LABEL_POD_NAMESPACE, pod->metadata.namespace_);
  kl_cri_map_set (out, KL_LABEL_POD_UID, pod->metadata.uid);
  kl_cri_map_set (out, KL_LABEL_CONTAINER_NAME, container->name);
}

void
kl_container_annotations (const kl_pod_t *pod, const kl_container_t *container, uint64_t hash,
                          int restart_count, int is_init, kl_cri_map_t *out)
{
  char buf[32];
  snprintf (buf, sizeof buf, "%" PRIx64, hash);
  kl_cri_map_set (out, KL_ANNOTATION_CONTAINER_HASH, buf);
  snprintf (buf, sizeof buf, "%d", restart_count);
  kl_cri_map_set (out, KL_ANNOTATION_RESTART_COUNT, buf);
  kl_cri_map_set (out, KL_ANNOTATION_TERMINATION_MESSAGE_PATH,
                  container->termination_message_path ? container->termination_message_path : "");
  kl_cri_map_set (out, KL_ANNOTATION_TERMINATION_MESSAGE_POLICY,
                  container->termination_message_policy ? container->termination_message_policy
                                                        : "File");
  if (pod->spec.has_termination_grace_period_seconds)
    {
      snprintf (buf, sizeof buf, "%" PRId64, pod->spec.termination_grace_period_seconds);
      kl_cri_map_set (out, KL_ANNOTATION_GRACE_PERIOD, buf);
    }
  if (is_init)
    kl_cri_map_set (out, KL_ANNOTATION_INIT, "true");
}
