/* Manifest sources into pods: format sniffing, documents, kinds, lists, limits. */
#include "pkg/kubelet/api/decode.h"

#include <string.h>

#include "pkg/kubelet/api/decode-internal.h"
#include "pkg/kubelet/api/validate-internal.h"
#include "pkg/util/utils.h"

static void
decoder_release (kl_decoder_t *d)
{
  kl_path_release (&d->path);
}

#define cleanup_decoder __attribute__ ((cleanup (decoder_release)))

static int
required (kl_decoder_t *d, const char *field, kl_error_t *err)
{
  kl_path_field (&d->path, field, strlen (field));
  return kl_decode_error (d, err, "Required value");
}

static int
unsupported (kl_decoder_t *d, const char *field, const char *value, const char *supported,
             kl_error_t *err)
{
  kl_path_field (&d->path, field, strlen (field));
  cleanup_free char *q = kl_quote_value (value, strlen (value));
  return kl_decode_error (d, err, "Unsupported value: %s: supported values: %s", q, supported);
}

/* The string at `field` of the map `node` in *out, NULL when absent or null. */
static int
type_meta_field (kl_decoder_t *d, const kl_node_t *node, const char *field, char **out,
                 kl_error_t *err)
{
  *out = NULL;
  const kl_node_t *value = kl_node_lookup (node, field);
  if (value == NULL || value->kind == KL_NODE_NULL)
    return 0;
  size_t mark = kl_path_field (&d->path, field, strlen (field));
  int ret = kl_decode_string (d, value, out, err);
  if (ret < 0)
    return ret;
  kl_path_pop (&d->path, mark);
  return 0;
}

/* apiVersion must be "v1"; `required_here` says whether it may be left out. */
static int
check_api_version (kl_decoder_t *d, const kl_node_t *node, bool required_here, kl_error_t *err)
{
  cleanup_free char *api_version = NULL;
  int ret = type_meta_field (d, node, "apiVersion", &api_version, err);
  if (ret < 0)
    return ret;
  if (api_version == NULL || *api_version == '\0')
    return required_here ? required (d, "apiVersion", err) : 0;
  if (strcmp (api_version, "v1") != 0)
    return unsupported (d, "apiVersion", api_version, "\"v1\"", err);
  return 0;
}

/* Decodes, defaults and validates one pod object, appending it to `pods`. */
static int
decode_pod (kl_decoder_t *d, const kl_node_t *node, kl_pod_list_t *pods, kl_error_t *err)
{
  cleanup_pod kl_pod_t *pod = xmalloc0 (sizeof *pod);
  int ret = kl_decode_object (d, node, &kl_schema_pod, pod, err);
  if (ret < 0)
    return ret;
  kl_pod_set_defaults (pod);
  ret = kl_pod_validate_at (pod, kl_path_str (&d->path), err);
  if (ret < 0)
    return ret;
  kl_pod_list_append (pods, steal_pointer (&pod));
  return 0;
}

/* One entry of a list's items: a Pod, its kind and apiVersion optional in a
   PodList (whose items are typed) and required in a List. */
static int
decode_list_item (kl_decoder_t *d, const kl_node_t *node, bool typed, kl_pod_list_t *pods,
                  kl_error_t *err)
{
  if (node->kind != KL_NODE_MAP)
    return kl_decode_type_error (d, node, "object", err);
  cleanup_free char *kind = NULL;
  int ret = type_meta_field (d, node, "kind", &kind, err);
  if (ret < 0)
    return ret;
  if (kind == NULL || *kind == '\0')
    {
      if (!typed)
        return required (d, "kind", err);
    }
  else if (strcmp (kind, "Pod") != 0)
    return unsupported (d, "kind", kind, "\"Pod\"", err);
  ret = check_api_version (d, node, !typed, err);
  if (ret < 0)
    return ret;
  return decode_pod (d, node, pods, err);
}

static int
decode_list (kl_decoder_t *d, const kl_node_t *node, bool typed, kl_pod_list_t *pods,
             kl_error_t *err)
{
  static const char *const fields[] = { "apiVersion", "kind", "metadata", "items" };
  bool seen[KL_ARRAY_SIZE (fields)] = { false };
  for (size_t i = 0; i < node->n; i++)
    {
      const struct kl_node_entry_s *e = &node->entries[i];
      size_t mark = kl_path_field (&d->path, e->key, e->key_len);
      size_t f = 0;
      while (f < KL_ARRAY_SIZE (fields)
             && !(strlen (fields[f]) == e->key_len && memcmp (fields[f], e->key, e->key_len) == 0))
        f++;
      if (f == KL_ARRAY_SIZE (fields))
        return kl_decode_error (d, err, "unknown field");
      if (seen[f])
        return kl_decode_error (d, err, "duplicate field");
      seen[f] = true;
      const kl_node_t *items = e->value;
      if (f == 3 && items->kind != KL_NODE_NULL)
        {
          if (items->kind != KL_NODE_SEQ)
            return kl_decode_type_error (d, items, "array", err);
          for (size_t j = 0; j < items->n; j++)
            {
              size_t item_mark = kl_path_index (&d->path, j);
              int ret = decode_list_item (d, items->items[j], typed, pods, err);
              if (ret < 0)
                return ret;
              kl_path_pop (&d->path, item_mark);
            }
        }
      kl_path_pop (&d->path, mark);
    }
  return 0;
}

static int
decode_document (kl_decoder_t *d, const kl_node_t *node, kl_pod_list_t *pods, kl_error_t *err)
{
  if (node->kind != KL_NODE_MAP)
    return kl_decode_type_error (d, node, "object", err);
  cleanup_free char *kind = NULL;
  int ret = type_meta_field (d, node, "kind", &kind, err);
  if (ret < 0)
    return ret;
  if (kind == NULL || *kind == '\0')
    return required (d, "kind", err);
  bool is_pod = strcmp (kind, "Pod") == 0;
  bool is_list = strcmp (kind, "List") == 0;
  bool is_pod_list = strcmp (kind, "PodList") == 0;
  if (!is_pod && !is_list && !is_pod_list)
    return unsupported (d, "kind", kind, "\"List\", \"Pod\", \"PodList\"", err);
  ret = check_api_version (d, node, true, err);
  if (ret < 0)
    return ret;
  if (is_pod)
    return decode_pod (d, node, pods, err);
  return decode_list (d, node, is_pod_list, pods, err);
}

/* JSON when the first character after an optional UTF-8 byte order mark and
   white space is '{'; *skip gets the mark's length. */
static bool
looks_like_json (const char *data, size_t len, size_t *skip)
{
  size_t i = 0;
  if (len >= 3 && memcmp (data, "\xef\xbb\xbf", 3) == 0)
    i = 3;
  *skip = i;
  while (i < len && (data[i] == ' ' || data[i] == '\t' || data[i] == '\n' || data[i] == '\r'))
    i++;
  return i < len && data[i] == '{';
}

int
kl_pod_decode_limit (const char *data, size_t len, const char *source_name, size_t max_bytes,
                     kl_pod_list_t *out, kl_error_t *err)
{
  const char *source = source_name && *source_name ? source_name : "<manifest>";
  if (max_bytes == 0)
    max_bytes = KL_POD_DECODE_MAX_BYTES;
  if (len > max_bytes)
    return kl_make_error_kind (err, KL_ERROR_INVALID, 0,
                               "%s: manifest is %zu bytes, more than the limit of %zu bytes",
                               source, len, max_bytes);
  if (data == NULL)
    len = 0, data = "";

  cleanup_tree kl_tree_t tree = { 0 };
  size_t skip = 0;
  int ret = looks_like_json (data, len, &skip)
                ? kl_tree_parse_json (data + skip, len - skip, &tree, err)
                : kl_tree_parse_yaml (data, len, &tree, err);
  if (ret < 0)
    return kl_error_wrap (err, "%s", source);

  cleanup_pod_list kl_pod_list_t pods = { NULL, 0 };
  size_t n_objects = 0;
  for (size_t i = 0; i < tree.n_roots; i++)
    {
      if (tree.roots[i] == NULL)
        continue;
      n_objects++;
      cleanup_decoder kl_decoder_t d;
      kl_path_init (&d.path, NULL);
      ret = decode_document (&d, tree.roots[i], &pods, err);
      if (ret < 0)
        {
          if (tree.n_roots > 1)
            kl_error_wrap (err, "document %zu", i + 1);
          return kl_error_wrap (err, "%s", source);
        }
    }
  if (n_objects == 0)
    return kl_make_error_kind (err, KL_ERROR_INVALID, 0,
                               "%s: no objects found: the manifest is empty", source);

  if (pods.n_items == 0)
    return 0;
  out->items = xrealloc (out->items, (out->n_items + pods.n_items) * sizeof *out->items);
  memcpy (out->items + out->n_items, pods.items, pods.n_items * sizeof *pods.items);
  out->n_items += pods.n_items;
  pods.n_items = 0;
  return 0;
}

int
kl_pod_decode (const char *data, size_t len, const char *source_name, kl_pod_list_t *out,
               kl_error_t *err)
{
  return kl_pod_decode_limit (data, len, source_name, 0, out, err);
}
