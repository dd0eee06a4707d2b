/* Cancellation of work in progress, as Go's context cancellation: the owner
   asks from any thread, the work polls between its steps and stops early. */
#ifndef KL_UTIL_CANCEL_H
#define KL_UTIL_CANCEL_H

#include <stdbool.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

struct kl_cancel_s
{
  int requested; /* only through the functions below (atomic) */
};
typedef struct kl_cancel_s kl_cancel_t;

#define KL_CANCEL_INIT                                                                             \
  {                                                                                                \
    0                                                                                              \
  }

/* Asks the work watching `c` to stop at its next check. */
static inline void
kl_cancel (kl_cancel_t *c)
{
  __atomic_store_n (&c->requested, 1, __ATOMIC_RELEASE);
}

/* Whether stopping was asked for; a NULL `c` never is. */
static inline bool
kl_cancelled (const kl_cancel_t *c)
{
  return c != NULL && __atomic_load_n (&c->requested, __ATOMIC_ACQUIRE) != 0;
}

#ifdef __cplusplus
}
#endif

#endif
