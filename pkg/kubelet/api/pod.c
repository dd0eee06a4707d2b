/* Pod model helpers: free, copy, lists and sorted string maps. */
#include "pkg/kubelet/api/types.h"

#include <string.h>

#include "pkg/kubelet/api/schema-internal.h"
#include "pkg/util/utils.h"

void
kl_pod_free (kl_pod_t *pod)
{
  if (pod == NULL)
    return;
  kl_schema_release (&kl_schema_pod, pod);
  free (pod);
}

kl_pod_t *
kl_pod_copy (const kl_pod_t *pod)
{
  kl_pod_t *copy = xmalloc (sizeof *copy);
  memcpy (copy, pod, sizeof *copy);
  kl_schema_deepen (&kl_schema_pod, copy);
  return copy;
}

char *
kl_pod_canonical (const kl_pod_t *pod, size_t *len)
{
  return kl_schema_canonical (&kl_schema_pod, pod, len);
}

bool
kl_pod_equal (const kl_pod_t *a, const kl_pod_t *b)
{
  size_t len_a = 0, len_b = 0;
  cleanup_free char *ca = kl_pod_canonical (a, &len_a);
  cleanup_free char *cb = kl_pod_canonical (b, &len_b);
  return len_a == len_b && memcmp (ca, cb, len_a) == 0;
}

void
kl_pod_list_clear (kl_pod_list_t *list)
{
  for (size_t i = 0; i < list->n_items; i++)
    kl_pod_free (list->items[i]);
  free (list->items);
  list->items = NULL;
  list->n_items = 0;
}

void
kl_pod_list_append (kl_pod_list_t *list, kl_pod_t *pod)
{
  list->items = xrealloc (list->items, (list->n_items + 1) * sizeof *list->items);
  list->items[list->n_items++] = pod;
}

/* The index of `key` in the sorted map, or where it belongs (*found = false). */
static size_t
kv_search (const kl_kv_t *map, size_t n, const char *key, bool *found)
{
  size_t lo = 0, hi = n;
  while (lo < hi)
    {
      size_t mid = lo + (hi - lo) / 2;
      int c = strcmp (map[mid].key ? map[mid].key : "", key);
      if (c == 0)
        {
          *found = true;
          return mid;
        }
      if (c < 0)
        lo = mid + 1;
      else
        hi = mid;
    }
  *found = false;
  return lo;
}

const char *
kl_kv_get (const kl_kv_t *map, size_t n, const char *key)
{
  bool found;
  size_t i = kv_search (map, n, key, &found);
  return found ? (map[i].value ? map[i].value : "") : NULL;
}

void
kl_kv_set (kl_kv_t **map, size_t *n, const char *key, const char *value)
{
  bool found;
  size_t i = kv_search (*map, *n, key, &found);
  if (found)
    {
      free ((*map)[i].value);
      (*map)[i].value = xstrdup (value);
      return;
    }
  *map = xrealloc (*map, (*n + 1) * sizeof **map);
  memmove (*map + i + 1, *map + i, (*n - i) * sizeof **map);
  (*map)[i].key = xstrdup (key);
  (*map)[i].value = xstrdup (value);
  (*n)++;
}

const kl_container_t *
kl_pod_find_container (const kl_pod_t *pod, const char *name)
{
  for (size_t i = 0; i < pod->spec.n_containers; i++)
    if (pod->spec.containers[i].name && strcmp (pod->spec.containers[i].name, name) == 0)
      return &pod->spec.containers[i];
  for (size_t i = 0; i < pod->spec.n_init_containers; i++)
    if (pod->spec.init_containers[i].name && strcmp (pod->spec.init_containers[i].name, name) == 0)
      return &pod->spec.init_containers[i];
  return NULL;
}
