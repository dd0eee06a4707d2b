#include "pkg/kubelet/dockershim/naming.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "api/cri/v1/api.pb-c.h"
#include "pkg/util/utils.h"

/* Every CRI map<string, string> entry shares ds_pb_kv_t's layout. */
_Static_assert(offsetof (Runtime__V1__PodSandboxConfig__LabelsEntry, key)
                   == offsetof (ds_pb_kv_t, key),
               "map entry layout");
_Static_assert(offsetof (Runtime__V1__ContainerConfig__AnnotationsEntry, value)
                   == offsetof (ds_pb_kv_t, value),
               "map entry layout");

void
ds_kv_list_add (ds_kv_list_t *list, const char *key, const char *value)
{
  list->items = xrealloc (list->items, (list->len + 1) * sizeof *list->items);
  list->items[list->len].key = key;
  list->items[list->len].value = value;
  list->len++;
}

void
ds_kv_list_clear (ds_kv_list_t *list)
{
  free (list->items);
  list->items = NULL;
  list->len = 0;
}

char *
ds_make_sandbox_name (const char *pod, const char *ns, const char *uid, uint32_t attempt)
{
  return xasprintf (DS_KUBE_PREFIX "_" DS_SANDBOX_CONTAINER_NAME "_%s_%s_%s_%u", pod, ns, uid,
                    attempt);
}

char *
ds_make_container_name (const char *container, const char *pod, const char *ns, const char *uid,
                        uint32_t attempt)
{
  return xasprintf (DS_KUBE_PREFIX "_%s_%s_%s_%s_%u", container, pod, ns, uid, attempt);
}

void
ds_name_clear (ds_name_t *name)
{
  free (name->container);
  free (name->pod);
  free (name->ns);
  free (name->uid);
  memset (name, 0, sizeof *name);
}

int
ds_parse_name (const char *name, ds_name_t *out, kl_error_t *err)
{
  memset (out, 0, sizeof *out);
  if (name == NULL)
    return kl_make_error_kind (err, KL_ERROR_INVALID, 0, "empty container name");
  if (name[0] == '/')
    name++;
  const char *parts[8];
  size_t lens[8];
  size_t n = 0;
  const char *p = name;
  for (;;)
    {
      const char *sep = strchr (p, '_');
      if (n == 8)
        return kl_make_error_kind (err, KL_ERROR_INVALID, 0,
                                   "failed to parse the name %s: too many parts", name);
      parts[n] = p;
      lens[n] = sep ? (size_t) (sep - p) : strlen (p);
      n++;
      if (sep == NULL)
        break;
      p = sep + 1;
    }
  if (n != 6 && n != 7)
    return kl_make_error_kind (err, KL_ERROR_INVALID, 0, "failed to parse the name %s", name);
  if (lens[0] != strlen (DS_KUBE_PREFIX) || strncmp (parts[0], DS_KUBE_PREFIX, lens[0]) != 0)
    return kl_make_error_kind (err, KL_ERROR_INVALID, 0,
                               "container is not managed by kubernetes: %s", name);
  for (size_t i = 1; i < 6; i++)
    if (lens[i] == 0)
      return kl_make_error_kind (err, KL_ERROR_INVALID, 0, "failed to parse the name %s", name);
  char attempt[16];
  if (lens[5] >= sizeof attempt)
    return kl_make_error_kind (err, KL_ERROR_INVALID, 0, "failed to parse the name %s: attempt",
                               name);
  memcpy (attempt, parts[5], lens[5]);
  attempt[lens[5]] = '\0';
  char *end = NULL;
  errno = 0;
  unsigned long long v = strtoull (attempt, &end, 10);
  if (errno != 0 || *end != '\0' || attempt[0] < '0' || attempt[0] > '9' || v > UINT32_MAX)
    return kl_make_error_kind (err, KL_ERROR_INVALID, 0, "failed to parse the name %s: attempt %s",
                               name, attempt);
  out->container = xstrndup (parts[1], lens[1]);
  out->pod = xstrndup (parts[2], lens[2]);
  out->ns = xstrndup (parts[3], lens[3]);
  out->uid = xstrndup (parts[4], lens[4]);
  out->attempt = (uint32_t) v;
  return 0;
}

json_t *
ds_make_labels (ds_pb_kv_t *const *labels, size_t n_labels, ds_pb_kv_t *const *annotations,
                size_t n_annotations)
{
  json_t *out = json_object ();
  for (size_t i = 0; i < n_labels; i++)
    if (labels[i]->key && labels[i]->key[0])
      json_object_set_new (out, labels[i]->key,
                           json_string (labels[i]->value ? labels[i]->value : ""));
  for (size_t i = 0; i < n_annotations; i++)
    if (annotations[i]->key && annotations[i]->key[0])
      {
        cleanup_free char *key = xasprintf (DS_ANNOTATION_PREFIX "%s", annotations[i]->key);
        json_object_set_new (out, key,
                             json_string (annotations[i]->value ? annotations[i]->value : ""));
      }
  return out;
}

bool
ds_is_internal_label (const char *key)
{
  return strcmp (key, DS_LABEL_CONTAINER_TYPE) == 0 || strcmp (key, DS_LABEL_LOG_PATH) == 0
         || strcmp (key, DS_LABEL_SANDBOX_ID) == 0;
}

void
ds_split_labels (const docker_labels_t *docker, bool sandbox, ds_kv_list_t *labels,
                 ds_kv_list_t *annotations)
{
  const size_t prefix_len = strlen (DS_ANNOTATION_PREFIX);
  for (size_t i = 0; i < docker->len; i++)
    {
      const char *key = docker->items[i].key;
      const char *value = docker->items[i].value;
      if (ds_is_internal_label (key))
        continue;
      if (sandbox && strcmp (key, DS_LABEL_CONTAINER_NAME) == 0)
        continue;
      if (strncmp (key, DS_ANNOTATION_PREFIX, prefix_len) == 0)
        ds_kv_list_add (annotations, key + prefix_len, value);
      else
        ds_kv_list_add (labels, key, value);
    }
}
