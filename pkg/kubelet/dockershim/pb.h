/* Building CRI responses from malloc'd parts, so that the server's one
   protobuf_c_message_free_unpacked () frees a whole response. */
#ifndef DS_PB_H
#define DS_PB_H

#include <protobuf-c/protobuf-c.h>
#include <stddef.h>

#include "pkg/kubelet/dockershim/naming.h" /* ds_kv_list_t */
#include "pkg/util/utils.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A new message of type T initialized by init_fn. */
#define DS_PB_NEW(T, init_fn)                                                                      \
  __extension__({                                                                                  \
    T *m_ = (T *) xmalloc (sizeof (T));                                                            \
    init_fn (m_);                                                                                  \
    m_;                                                                                            \
  })

/* Appends `item` to a repeated field (array + count). */
#define DS_PB_APPEND(array, n, item)                                                               \
  do                                                                                               \
    {                                                                                              \
      (array) = xrealloc ((array), ((n) + 1) * sizeof *(array));                                   \
      (array)[(n)++] = (item);                                                                     \
    }                                                                                              \
  while (0)

/* A malloc'd copy of `s` (NULL: ""). */
char *ds_pb_strdup (const char *s);

/* Appends key/value to a map<string, string> field whose entries are of
   `entry_desc`: `entries` is the address of the field's array. */
void ds_pb_map_add (void *entries, size_t *n, const ProtobufCMessageDescriptor *entry_desc,
                    const char *key, const char *value);

/* Appends every pair of `list`. */
void ds_pb_map_add_all (void *entries, size_t *n, const ProtobufCMessageDescriptor *entry_desc,
                        const ds_kv_list_t *list);

/* The value of `key` in a map field's entries, or NULL. */
const char *ds_pb_map_get (void *const *entries, size_t n, const char *key);

/* A malloc'd copy of `n` strings. */
char **ds_pb_strv (char *const *v, size_t n);

#ifdef __cplusplus
}
#endif

#endif
