#include "pkg/kubelet/dockershim/pb.h"

#include <string.h>

char *
ds_pb_strdup (const char *s)
{
  return xstrdup (s ? s : "");
}

void
ds_pb_map_add (void *entries, size_t *n, const ProtobufCMessageDescriptor *entry_desc,
               const char *key, const char *value)
{
  ds_pb_kv_t ***array = (ds_pb_kv_t ***) entries;
  ds_pb_kv_t *entry = xmalloc (entry_desc->sizeof_message);
  protobuf_c_message_init (entry_desc, entry);
  entry->key = ds_pb_strdup (key);
  entry->value = ds_pb_strdup (value);
  DS_PB_APPEND (*array, *n, entry);
}

void
ds_pb_map_add_all (void *entries, size_t *n, const ProtobufCMessageDescriptor *entry_desc,
                   const ds_kv_list_t *list)
{
  for (size_t i = 0; i < list->len; i++)
    ds_pb_map_add (entries, n, entry_desc, list->items[i].key, list->items[i].value);
}

const char *
ds_pb_map_get (void *const *entries, size_t n, const char *key)
{
  ds_pb_kv_t *const *array = (ds_pb_kv_t *const *) entries;
  for (size_t i = 0; i < n; i++)
    if (array[i]->key && strcmp (array[i]->key, key) == 0)
      return array[i]->value;
  return NULL;
}

char **
ds_pb_strv (char *const *v, size_t n)
{
  if (n == 0)
    return NULL;
  char **out = xmalloc (n * sizeof *out);
  for (size_t i = 0; i < n; i++)
    out[i] = ds_pb_strdup (v[i]);
  return out;
}
