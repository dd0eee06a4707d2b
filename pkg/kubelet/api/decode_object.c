/* Decoding tree nodes into model structs by walking the schema tables. */
#include "pkg/kubelet/api/decode-internal.h"

#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "pkg/util/quantity.h"
#include "pkg/util/utils.h"

int
kl_decode_error (kl_decoder_t *d, kl_error_t *err, const char *fmt, ...)
{
  cleanup_free char *msg = NULL;
  va_list ap;
  va_start (ap, fmt);
  if (vasprintf (&msg, fmt, ap) < 0)
    kl_oom ();
  va_end (ap);
  const char *path = kl_path_str (&d->path);
  if (*path == '\0')
    return kl_make_error_kind (err, KL_ERROR_INVALID, 0, "%s", msg);
  return kl_make_error_kind (err, KL_ERROR_INVALID, 0, "%s: %s", path, msg);
}

/* "string \"x\"", "integer 80", "object", ...: what a node is, for messages. */
static char *
describe (const kl_node_t *node)
{
  char num[64];
  switch (node->kind)
    {
    case KL_NODE_STRING:
      {
        cleanup_free char *q = kl_quote_value (node->text, node->len);
        return xasprintf ("string %s", q);
      }
    case KL_NODE_INT:
      return xasprintf ("integer %" PRId64, node->int_value);
    case KL_NODE_FLOAT:
      kl_format_double (node->float_value, num, sizeof num);
      return xasprintf ("number %s", num);
    case KL_NODE_BOOL:
      return xstrdup (node->bool_value ? "boolean true" : "boolean false");
    case KL_NODE_NULL:
    case KL_NODE_MAP:
    case KL_NODE_SEQ:
      break;
    }
  return xstrdup (kl_node_kind_name (node->kind));
}

int
kl_decode_type_error (kl_decoder_t *d, const kl_node_t *node, const char *expected, kl_error_t *err)
{
  cleanup_free char *got = describe (node);
  return kl_decode_error (d, err, "expected %s, got %s", expected, got);
}

int
kl_decode_string (kl_decoder_t *d, const kl_node_t *node, char **out, kl_error_t *err)
{
  if (node->kind != KL_NODE_STRING)
    return kl_decode_type_error (d, node, "string", err);
  if (memchr (node->text, '\0', node->len))
    return kl_decode_error (d, err, "must not contain NUL bytes");
  *out = xstrndup (node->text, node->len);
  return 0;
}

const kl_node_t *
kl_node_lookup (const kl_node_t *node, const char *key)
{
  size_t len = strlen (key);
  for (size_t i = 0; node && node->kind == KL_NODE_MAP && i < node->n; i++)
    if (node->entries[i].key_len == len && memcmp (node->entries[i].key, key, len) == 0)
      return node->entries[i].value;
  return NULL;
}

/* An integer node, or a number with an integral value, within [min, max]. */
static int
decode_int (kl_decoder_t *d, const kl_node_t *node, int64_t min, int64_t max, const char *what,
            int64_t *out, kl_error_t *err)
{
  int64_t v;
  if (node->kind == KL_NODE_INT)
    v = node->int_value;
  else if (node->kind == KL_NODE_FLOAT && isfinite (node->float_value)
           && node->float_value == trunc (node->float_value)
           && node->float_value >= -9223372036854775808.0
           && node->float_value < 9223372036854775808.0)
    v = (int64_t) node->float_value;
  else
    return kl_decode_type_error (d, node, "integer", err);
  if (v < min || v > max)
    return kl_decode_type_error (d, node, what, err);
  *out = v;
  return 0;
}

static int
decode_int32 (kl_decoder_t *d, const kl_node_t *node, int32_t *out, kl_error_t *err)
{
  int64_t v;
  int ret = decode_int (d, node, INT32_MIN, INT32_MAX, "32-bit integer", &v, err);
  if (ret < 0)
    return ret;
  *out = (int32_t) v;
  return 0;
}

static int
decode_string_list (kl_decoder_t *d, const kl_node_t *node, char ***out, size_t *n, kl_error_t *err)
{
  if (node->kind != KL_NODE_SEQ)
    return kl_decode_type_error (d, node, "array", err);
  *out = xmalloc0 (node->n * sizeof (char *));
  *n = node->n;
  for (size_t i = 0; i < node->n; i++)
    {
      const kl_node_t *item = node->items[i];
      if (item->kind == KL_NODE_NULL)
        {
          (*out)[i] = xstrdup ("");
          continue;
        }
      size_t mark = kl_path_index (&d->path, i);
      int ret = kl_decode_string (d, item, &(*out)[i], err);
      if (ret < 0)
        return ret;
      kl_path_pop (&d->path, mark);
    }
  return 0;
}

static int
decode_int64_list (kl_decoder_t *d, const kl_node_t *node, int64_t **out, size_t *n,
                   kl_error_t *err)
{
  if (node->kind != KL_NODE_SEQ)
    return kl_decode_type_error (d, node, "array", err);
  *out = xmalloc0 (node->n * sizeof (int64_t));
  *n = node->n;
  for (size_t i = 0; i < node->n; i++)
    {
      if (node->items[i]->kind == KL_NODE_NULL)
        continue;
      size_t mark = kl_path_index (&d->path, i);
      int ret = decode_int (d, node->items[i], INT64_MIN, INT64_MAX, "integer", &(*out)[i], err);
      if (ret < 0)
        return ret;
      kl_path_pop (&d->path, mark);
    }
  return 0;
}

static int
compare_kv (const void *a, const void *b)
{
  return strcmp (((const kl_kv_t *) a)->key, ((const kl_kv_t *) b)->key);
}

/* A string map, sorted by key; duplicate keys are refused. */
static int
decode_string_map (kl_decoder_t *d, const kl_node_t *node, kl_kv_t **out, size_t *n,
                   kl_error_t *err)
{
  if (node->kind != KL_NODE_MAP)
    return kl_decode_type_error (d, node, "object", err);
  *out = xmalloc0 (node->n * sizeof (kl_kv_t));
  for (size_t i = 0; i < node->n; i++)
    {
      const struct kl_node_entry_s *e = &node->entries[i];
      size_t mark = kl_path_key (&d->path, e->key, e->key_len);
      if (memchr (e->key, '\0', e->key_len))
        return kl_decode_error (d, err, "keys must not contain NUL bytes");
      (*out)[i].key = xstrndup (e->key, e->key_len);
      (*n)++;
      int ret = e->value->kind == KL_NODE_NULL
                    ? ((*out)[i].value = xstrdup (""), 0)
                    : kl_decode_string (d, e->value, &(*out)[i].value, err);
      if (ret < 0)
        return ret;
      kl_path_pop (&d->path, mark);
    }
  qsort (*out, *n, sizeof (kl_kv_t), compare_kv);
  for (size_t i = 1; i < *n; i++)
    if (strcmp ((*out)[i - 1].key, (*out)[i].key) == 0)
      {
        const char *key = (*out)[i].key;
        kl_path_key (&d->path, key, strlen (key));
        return kl_decode_error (d, err, "duplicate key");
      }
  return 0;
}

static int
decode_int_or_string (kl_decoder_t *d, const kl_node_t *node, kl_int_or_string_t *out,
                      kl_error_t *err)
{
  if (node->kind == KL_NODE_STRING)
    {
      out->is_string = true;
      return kl_decode_string (d, node, &out->string_value, err);
    }
  if (node->kind == KL_NODE_INT || node->kind == KL_NODE_FLOAT)
    return decode_int32 (d, node, &out->int_value, err);
  return kl_decode_type_error (d, node, "integer or string", err);
}

/* A resource quantity written as a string ("250m") or a number (0.5). */
static int
decode_quantity (kl_decoder_t *d, const kl_node_t *node, bool milli, int64_t *out, kl_error_t *err)
{
  char num[64];
  const char *text;
  if (node->kind == KL_NODE_STRING)
    {
      if (memchr (node->text, '\0', node->len))
        return kl_decode_error (d, err, "must not contain NUL bytes");
      text = node->text;
    }
  else if (node->kind == KL_NODE_INT)
    {
      snprintf (num, sizeof num, "%" PRId64, node->int_value);
      text = num;
    }
  else if (node->kind == KL_NODE_FLOAT)
    {
      kl_format_double (node->float_value, num, sizeof num);
      text = num;
    }
  else
    return kl_decode_type_error (d, node, "quantity (string or number)", err);
  kl_quantity_t q;
  int ret = kl_quantity_parse (text, &q, err);
  if (ret < 0)
    {
      const char *path = kl_path_str (&d->path);
      return *path ? kl_error_wrap (err, "%s", path) : ret;
    }
  *out = milli ? kl_quantity_milli_value (&q) : kl_quantity_value (&q);
  return 0;
}

static int
decode_object_list (kl_decoder_t *d, const kl_node_t *node, const struct kl_field_s *f, void *obj,
                    kl_error_t *err)
{
  if (node->kind != KL_NODE_SEQ)
    return kl_decode_type_error (d, node, "array", err);
  if (f->max_items && node->n > f->max_items)
    return kl_decode_error (d, err, "Too many: %zu: must have at most %zu items", node->n,
                            f->max_items);
  size_t size = f->schema->size;
  char *items = xmalloc0 (node->n * size);
  *KL_AT (obj, f->offset, char *) = items;
  *KL_AT (obj, f->aux, size_t) = node->n;
  for (size_t i = 0; i < node->n; i++)
    {
      size_t mark = kl_path_index (&d->path, i);
      int ret = kl_decode_object (d, node->items[i], f->schema, items + i * size, err);
      if (ret < 0)
        return ret;
      kl_path_pop (&d->path, mark);
    }
  return 0;
}

static int
decode_field (kl_decoder_t *d, const kl_node_t *node, const struct kl_field_s *f, void *obj,
              kl_error_t *err)
{
  if (node->kind == KL_NODE_NULL)
    return 0;
  if (f->aux != KL_NO_AUX
      && (f->kind == KL_FIELD_BOOL || f->kind == KL_FIELD_INT32 || f->kind == KL_FIELD_INT64
          || f->kind == KL_FIELD_MILLI_CPU || f->kind == KL_FIELD_BYTES))
    *KL_AT (obj, f->aux, bool) = true;
  switch (f->kind)
    {
    case KL_FIELD_STRING:
      return kl_decode_string (d, node, KL_AT (obj, f->offset, char *), err);
    case KL_FIELD_BOOL:
      if (node->kind != KL_NODE_BOOL)
        return kl_decode_type_error (d, node, "boolean", err);
      *KL_AT (obj, f->offset, bool) = node->bool_value;
      return 0;
    case KL_FIELD_INT32:
      return decode_int32 (d, node, KL_AT (obj, f->offset, int32_t), err);
    case KL_FIELD_INT64:
      return decode_int (d, node, INT64_MIN, INT64_MAX, "integer", KL_AT (obj, f->offset, int64_t),
                         err);
    case KL_FIELD_STRING_LIST:
      return decode_string_list (d, node, KL_AT (obj, f->offset, char **),
                                 KL_AT (obj, f->aux, size_t), err);
    case KL_FIELD_INT64_LIST:
      return decode_int64_list (d, node, KL_AT (obj, f->offset, int64_t *),
                                KL_AT (obj, f->aux, size_t), err);
    case KL_FIELD_STRING_MAP:
      return decode_string_map (d, node, KL_AT (obj, f->offset, kl_kv_t *),
                                KL_AT (obj, f->aux, size_t), err);
    case KL_FIELD_OBJECT:
      return kl_decode_object (d, node, f->schema, KL_AT (obj, f->offset, char), err);
    case KL_FIELD_OBJECT_PTR:
      {
        if (node->kind != KL_NODE_MAP)
          return kl_decode_type_error (d, node, "object", err);
        void *child = xmalloc0 (f->schema->size);
        *KL_AT (obj, f->offset, void *) = child;
        return kl_decode_object (d, node, f->schema, child, err);
      }
    case KL_FIELD_OBJECT_LIST:
      return decode_object_list (d, node, f, obj, err);
    case KL_FIELD_INT_OR_STRING:
      return decode_int_or_string (d, node, KL_AT (obj, f->offset, kl_int_or_string_t), err);
    case KL_FIELD_MILLI_CPU:
    case KL_FIELD_BYTES:
      return decode_quantity (d, node, f->kind == KL_FIELD_MILLI_CPU,
                              KL_AT (obj, f->offset, int64_t), err);
    case KL_FIELD_IGNORED:
      return 0;
    case KL_FIELD_FORBIDDEN:
      return kl_decode_error (d, err, "Forbidden: %s", f->reason);
    }
  return 0;
}

static const struct kl_field_s *
find_field (const kl_schema_t *schema, const char *name, size_t len, size_t *index)
{
  for (size_t i = 0; i < schema->n_fields; i++)
    if (strlen (schema->fields[i].name) == len && memcmp (schema->fields[i].name, name, len) == 0)
      {
        *index = i;
        return &schema->fields[i];
      }
  return NULL;
}

/* A keyed schema's unknown key: `Unsupported value: "x": supported values: ...`. */
static int
unsupported_key (kl_decoder_t *d, const kl_schema_t *schema, const struct kl_node_entry_s *e,
                 kl_error_t *err)
{
  cleanup_free char *key = kl_quote_value (e->key, e->key_len);
  cleanup_free char *supported = xstrdup ("");
  for (size_t i = 0; i < schema->n_fields; i++)
    {
      char *s = xasprintf ("%s%s\"%s\"", supported, i ? ", " : "", schema->fields[i].name);
      free (supported);
      supported = s;
    }
  return kl_decode_error (d, err, "Unsupported value: %s: supported values: %s", key, supported);
}

int
kl_decode_object (kl_decoder_t *d, const kl_node_t *node, const kl_schema_t *schema, void *obj,
                  kl_error_t *err)
{
  if (node->kind == KL_NODE_NULL)
    return 0;
  if (node->kind != KL_NODE_MAP)
    return kl_decode_type_error (d, node, "object", err);
  bool seen[KL_SCHEMA_MAX_FIELDS] = { false };
  for (size_t i = 0; i < node->n; i++)
    {
      const struct kl_node_entry_s *e = &node->entries[i];
      size_t index = 0;
      const struct kl_field_s *f = find_field (schema, e->key, e->key_len, &index);
      if (f == NULL && schema->keyed)
        return unsupported_key (d, schema, e, err);
      size_t mark = schema->keyed ? kl_path_key (&d->path, e->key, e->key_len)
                                  : kl_path_field (&d->path, e->key, e->key_len);
      if (f == NULL)
        return kl_decode_error (d, err, "unknown field");
      if (seen[index])
        return kl_decode_error (d, err, "duplicate field");
      seen[index] = true;
      int ret = decode_field (d, e->value, f, obj, err);
      if (ret < 0)
        return ret;
      kl_path_pop (&d->path, mark);
    }
  return 0;
}
