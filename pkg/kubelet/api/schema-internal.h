/* The Pod model's field tables, walked by decoding, freeing, copying and hashing alike.

   One description of every field serves all four, so they cannot disagree. */
#ifndef KL_KUBELET_API_SCHEMA_INTERNAL_H
#define KL_KUBELET_API_SCHEMA_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pkg/kubelet/api/types.h"

/* How a field is stored; `aux` is the offset of the count (lists, maps) or
   of the has_ flag (optional scalars), NO_AUX when there is none. */
enum kl_field_kind
{
  KL_FIELD_STRING,        /* char * */
  KL_FIELD_BOOL,          /* bool */
  KL_FIELD_INT32,         /* int32_t */
  KL_FIELD_INT64,         /* int64_t */
  KL_FIELD_STRING_LIST,   /* char **, size_t */
  KL_FIELD_INT64_LIST,    /* int64_t *, size_t */
  KL_FIELD_STRING_MAP,    /* kl_kv_t *, size_t; sorted by key */
  KL_FIELD_OBJECT,        /* embedded struct described by `schema` */
  KL_FIELD_OBJECT_PTR,    /* pointer to such a struct, NULL when absent */
  KL_FIELD_OBJECT_LIST,   /* array of such structs, size_t */
  KL_FIELD_INT_OR_STRING, /* kl_int_or_string_t */
  KL_FIELD_MILLI_CPU,     /* int64_t milli-units of a quantity */
  KL_FIELD_BYTES,         /* int64_t units of a quantity */
  KL_FIELD_IGNORED,       /* accepted in manifests, not kept */
  KL_FIELD_FORBIDDEN,     /* rejected in manifests with `reason` */
};

#define KL_NO_AUX ((size_t) -1)

struct kl_schema_s;

struct kl_field_s
{
  const char *name; /* the JSON name */
  enum kl_field_kind kind;
  size_t offset;
  size_t aux;
  const struct kl_schema_s *schema; /* OBJECT, OBJECT_PTR, OBJECT_LIST */
  const char *reason;               /* FORBIDDEN */
  size_t max_items;                 /* OBJECT_LIST: 0 for no limit of its own */
};

/* No schema has more fields than this (checked at compile time). */
#define KL_SCHEMA_MAX_FIELDS 64

struct kl_schema_s
{
  size_t size; /* sizeof the struct */
  const struct kl_field_s *fields;
  size_t n_fields;
  bool keyed; /* a map of known keys (resource lists): paths read "limits[cpu]" */
};
typedef struct kl_schema_s kl_schema_t;

/* At most this many containers (and, separately, init containers) per pod. */
#define KL_POD_MAX_CONTAINERS 1000

extern const kl_schema_t kl_schema_pod;
extern const kl_schema_t kl_schema_container;

/* Frees what `obj`'s fields own; `obj` itself stays. */
void kl_schema_release (const kl_schema_t *schema, void *obj);

/* Turns `obj`, a shallow (memcpy) copy, into a deep copy. */
void kl_schema_deepen (const kl_schema_t *schema, void *obj);

/* An unambiguous serialization of `obj` that leaves out unset and zero fields,
   so adding a field to the model keeps existing hashes; *len gets its length. */
char *kl_schema_canonical (const kl_schema_t *schema, const void *obj, size_t *len);

/* Field access by offset. */
#define KL_AT(base, offset, type) ((type *) ((char *) (base) + (offset)))
#define KL_AT_CONST(base, offset, type) ((const type *) ((const char *) (base) + (offset)))

#endif
