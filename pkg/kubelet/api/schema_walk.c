/* Walks over the field tables: release, deep copy and canonical serialization. */
#include "pkg/kubelet/api/schema-internal.h"

#include <inttypes.h>
#include <stdarg.h>
#include <string.h>

#include "pkg/util/utils.h"

static size_t
count_at (const void *obj, const struct kl_field_s *f)
{
  return *KL_AT_CONST (obj, f->aux, size_t);
}

static char *
strdup_or_null (const char *s)
{
  return s ? xstrdup (s) : NULL;
}

static void *
memdup (const void *p, size_t size)
{
  if (p == NULL)
    return NULL;
  void *q = xmalloc (size);
  memcpy (q, p, size);
  return q;
}

void
kl_schema_release (const kl_schema_t *schema, void *obj)
{
  for (size_t i = 0; i < schema->n_fields; i++)
    {
      const struct kl_field_s *f = &schema->fields[i];
      switch (f->kind)
        {
        case KL_FIELD_STRING:
          free (*KL_AT (obj, f->offset, char *));
          break;
        case KL_FIELD_STRING_LIST:
          {
            char **v = *KL_AT (obj, f->offset, char **);
            for (size_t j = 0; v && j < count_at (obj, f); j++)
              free (v[j]);
            free (v);
          }
          break;
        case KL_FIELD_INT64_LIST:
          free (*KL_AT (obj, f->offset, int64_t *));
          break;
        case KL_FIELD_STRING_MAP:
          {
            kl_kv_t *v = *KL_AT (obj, f->offset, kl_kv_t *);
            for (size_t j = 0; v && j < count_at (obj, f); j++)
              {
                free (v[j].key);
                free (v[j].value);
              }
            free (v);
          }
          break;
        case KL_FIELD_OBJECT:
          kl_schema_release (f->schema, KL_AT (obj, f->offset, char));
          break;
        case KL_FIELD_OBJECT_PTR:
          {
            void *p = *KL_AT (obj, f->offset, void *);
            if (p)
              kl_schema_release (f->schema, p);
            free (p);
          }
          break;
        case KL_FIELD_OBJECT_LIST:
          {
            char *v = *KL_AT (obj, f->offset, char *);
            for (size_t j = 0; v && j < count_at (obj, f); j++)
              kl_schema_release (f->schema, v + j * f->schema->size);
            free (v);
          }
          break;
        case KL_FIELD_INT_OR_STRING:
          free (KL_AT (obj, f->offset, kl_int_or_string_t)->string_value);
          break;
        case KL_FIELD_BOOL:
        case KL_FIELD_INT32:
        case KL_FIELD_INT64:
        case KL_FIELD_MILLI_CPU:
        case KL_FIELD_BYTES:
        case KL_FIELD_IGNORED:
        case KL_FIELD_FORBIDDEN:
          break;
        }
    }
}

void
kl_schema_deepen (const kl_schema_t *schema, void *obj)
{
  for (size_t i = 0; i < schema->n_fields; i++)
    {
      const struct kl_field_s *f = &schema->fields[i];
      switch (f->kind)
        {
        case KL_FIELD_STRING:
          {
            char **s = KL_AT (obj, f->offset, char *);
            *s = strdup_or_null (*s);
          }
          break;
        case KL_FIELD_STRING_LIST:
          {
            char ***v = KL_AT (obj, f->offset, char **);
            size_t n = count_at (obj, f);
            *v = memdup (*v, n * sizeof (char *));
            for (size_t j = 0; *v && j < n; j++)
              (*v)[j] = strdup_or_null ((*v)[j]);
          }
          break;
        case KL_FIELD_INT64_LIST:
          {
            int64_t **v = KL_AT (obj, f->offset, int64_t *);
            *v = memdup (*v, count_at (obj, f) * sizeof (int64_t));
          }
          break;
        case KL_FIELD_STRING_MAP:
          {
            kl_kv_t **v = KL_AT (obj, f->offset, kl_kv_t *);
            size_t n = count_at (obj, f);
            *v = memdup (*v, n * sizeof (kl_kv_t));
            for (size_t j = 0; *v && j < n; j++)
              {
                (*v)[j].key = strdup_or_null ((*v)[j].key);
                (*v)[j].value = strdup_or_null ((*v)[j].value);
              }
          }
          break;
        case KL_FIELD_OBJECT:
          kl_schema_deepen (f->schema, KL_AT (obj, f->offset, char));
          break;
        case KL_FIELD_OBJECT_PTR:
          {
            void **p = KL_AT (obj, f->offset, void *);
            *p = memdup (*p, f->schema->size);
            if (*p)
              kl_schema_deepen (f->schema, *p);
          }
          break;
        case KL_FIELD_OBJECT_LIST:
          {
            char **v = KL_AT (obj, f->offset, char *);
            size_t n = count_at (obj, f);
            *v = memdup (*v, n * f->schema->size);
            for (size_t j = 0; *v && j < n; j++)
              kl_schema_deepen (f->schema, *v + j * f->schema->size);
          }
          break;
        case KL_FIELD_INT_OR_STRING:
          {
            kl_int_or_string_t *p = KL_AT (obj, f->offset, kl_int_or_string_t);
            p->string_value = strdup_or_null (p->string_value);
          }
          break;
        case KL_FIELD_BOOL:
        case KL_FIELD_INT32:
        case KL_FIELD_INT64:
        case KL_FIELD_MILLI_CPU:
        case KL_FIELD_BYTES:
        case KL_FIELD_IGNORED:
        case KL_FIELD_FORBIDDEN:
          break;
        }
    }
}

/* A growing byte buffer. */
struct buffer
{
  char *data;
  size_t len;
  size_t cap;
};

static void
put (struct buffer *b, const void *p, size_t n)
{
  if (b->cap - b->len < n + 1)
    {
      size_t cap = b->cap ? b->cap : 256;
      while (cap - b->len < n + 1)
        cap *= 2;
      b->data = xrealloc (b->data, cap);
      b->cap = cap;
    }
  memcpy (b->data + b->len, p, n);
  b->len += n;
  b->data[b->len] = '\0';
}

static void putf (struct buffer *b, const char *fmt, ...) __attribute__ ((format (printf, 2, 3)));

static void
putf (struct buffer *b, const char *fmt, ...)
{
  char tmp[64];
  va_list ap;
  va_start (ap, fmt);
  int n = vsnprintf (tmp, sizeof tmp, fmt, ap);
  va_end (ap);
  put (b, tmp, n < 0 ? 0 : (size_t) n < sizeof tmp ? (size_t) n : sizeof tmp - 1);
}

/* Strings are length-prefixed, so no content can forge a delimiter. */
static void
put_string (struct buffer *b, const char *s)
{
  size_t n = s ? strlen (s) : 0;
  putf (b, "s%zu:", n);
  put (b, s ? s : "", n);
}

static void
put_name (struct buffer *b, const char *name)
{
  put (b, name, strlen (name));
  put (b, "=", 1);
}

static void canonical_object (struct buffer *b, const kl_schema_t *schema, const void *obj);

/* The has_ flag of an optional scalar field (aux is its offset). */
static bool
has_flag (const void *obj, const struct kl_field_s *f)
{
  return *KL_AT_CONST (obj, f->aux, bool);
}

static void
canonical_field (struct buffer *b, const struct kl_field_s *f, const void *obj)
{
  switch (f->kind)
    {
    case KL_FIELD_STRING:
      {
        const char *s = *KL_AT_CONST (obj, f->offset, char *);
        if (s == NULL || *s == '\0')
          return;
        put_name (b, f->name);
        put_string (b, s);
      }
      break;
    case KL_FIELD_BOOL:
      {
        bool v = *KL_AT_CONST (obj, f->offset, bool);
        if (f->aux == KL_NO_AUX ? !v : !has_flag (obj, f))
          return;
        put_name (b, f->name);
        putf (b, "b%d", v ? 1 : 0);
      }
      break;
    case KL_FIELD_INT32:
    case KL_FIELD_INT64:
    case KL_FIELD_MILLI_CPU:
    case KL_FIELD_BYTES:
      {
        int64_t v = f->kind == KL_FIELD_INT32 ? *KL_AT_CONST (obj, f->offset, int32_t)
                                              : *KL_AT_CONST (obj, f->offset, int64_t);
        if (f->aux == KL_NO_AUX ? v == 0 : !has_flag (obj, f))
          return;
        put_name (b, f->name);
        putf (b, "i%" PRId64, v);
      }
      break;
    case KL_FIELD_STRING_LIST:
      {
        const char *const *v = *KL_AT_CONST (obj, f->offset, char **);
        size_t n = count_at (obj, f);
        if (n == 0)
          return;
        put_name (b, f->name);
        putf (b, "[%zu:", n);
        for (size_t j = 0; j < n; j++)
          put_string (b, v[j]);
        put (b, "]", 1);
      }
      break;
    case KL_FIELD_INT64_LIST:
      {
        const int64_t *v = *KL_AT_CONST (obj, f->offset, int64_t *);
        size_t n = count_at (obj, f);
        if (n == 0)
          return;
        put_name (b, f->name);
        putf (b, "[%zu:", n);
        for (size_t j = 0; j < n; j++)
          putf (b, "i%" PRId64 ",", v[j]);
        put (b, "]", 1);
      }
      break;
    case KL_FIELD_STRING_MAP:
      {
        const kl_kv_t *v = *KL_AT_CONST (obj, f->offset, kl_kv_t *);
        size_t n = count_at (obj, f);
        if (n == 0)
          return;
        put_name (b, f->name);
        putf (b, "m%zu:", n);
        for (size_t j = 0; j < n; j++)
          {
            put_string (b, v[j].key);
            put_string (b, v[j].value);
          }
      }
      break;
    case KL_FIELD_OBJECT:
      {
        size_t mark = b->len;
        put_name (b, f->name);
        size_t start = b->len;
        canonical_object (b, f->schema, KL_AT_CONST (obj, f->offset, char));
        if (b->len == start + 2) /* "{}": leave an empty embedded object out */
          {
            b->len = mark;
            b->data[mark] = '\0';
            return;
          }
      }
      break;
    case KL_FIELD_OBJECT_PTR:
      {
        const void *p = *KL_AT_CONST (obj, f->offset, void *);
        if (p == NULL)
          return;
        put_name (b, f->name);
        canonical_object (b, f->schema, p);
      }
      break;
    case KL_FIELD_OBJECT_LIST:
      {
        const char *v = *KL_AT_CONST (obj, f->offset, char *);
        size_t n = count_at (obj, f);
        if (n == 0)
          return;
        put_name (b, f->name);
        putf (b, "[%zu:", n);
        for (size_t j = 0; j < n; j++)
          canonical_object (b, f->schema, v + j * f->schema->size);
        put (b, "]", 1);
      }
      break;
    case KL_FIELD_INT_OR_STRING:
      {
        const kl_int_or_string_t *p = KL_AT_CONST (obj, f->offset, kl_int_or_string_t);
        if (p->is_string)
          {
            put_name (b, f->name);
            put_string (b, p->string_value);
          }
        else if (p->int_value != 0)
          {
            put_name (b, f->name);
            putf (b, "i%" PRId32, p->int_value);
          }
      }
      break;
    case KL_FIELD_IGNORED:
    case KL_FIELD_FORBIDDEN:
      return;
    }
  put (b, ";", 1);
}

static void
canonical_object (struct buffer *b, const kl_schema_t *schema, const void *obj)
{
  put (b, "{", 1);
  for (size_t i = 0; i < schema->n_fields; i++)
    canonical_field (b, &schema->fields[i], obj);
  put (b, "}", 1);
}

char *
kl_schema_canonical (const kl_schema_t *schema, const void *obj, size_t *len)
{
  struct buffer b = { NULL, 0, 0 };
  canonical_object (&b, schema, obj);
  *len = b.len;
  return b.data;
}
