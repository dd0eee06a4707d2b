/* Building CRI requests from malloc'd parts, so that one
   protobuf_c_message_free_unpacked () frees a whole request. */
#ifndef KL_KUBERUNTIME_PB_H
#define KL_KUBERUNTIME_PB_H

#include "pkg/util/utils.h"

/* A new message of type T initialized by init_fn. */
#define KL_PB_NEW(T, init_fn)                                                                      \
  __extension__({                                                                                  \
    T *m_ = xmalloc (sizeof (T));                                                                  \
    init_fn (m_);                                                                                  \
    m_;                                                                                            \
  })

/* A malloc'd copy of a NULL-able string array of n entries. */
char **kl_pb_strv (char *const *v, size_t n);

/* Appends `item` to a repeated field (array + count). */
#define KL_PB_APPEND(array, n, item)                                                               \
  do                                                                                               \
    {                                                                                              \
      (array) = xrealloc ((array), ((n) + 1) * sizeof *(array));                                   \
      (array)[(n)++] = (item);                                                                     \
    }                                                                                              \
  while (0)

#endif
