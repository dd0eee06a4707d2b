/* Per-key exponential back-off, as client-go's flowcontrol.Backoff that the
   kubelet uses for CrashLoopBackOff and ImagePullBackOff. */
#ifndef KL_UTIL_BACKOFF_H
#define KL_UTIL_BACKOFF_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct kl_backoff_entry_s kl_backoff_entry_t;

struct kl_backoff_s
{
  int64_t initial_ns;   /* first delay (10s) */
  int64_t max_ns;       /* cap (5m); an entry idle for 2*max resets */
  pthread_mutex_t lock; /* guards entries */
  kl_backoff_entry_t *entries;
};
typedef struct kl_backoff_s kl_backoff_t;

void kl_backoff_init (kl_backoff_t *b, int64_t initial_ns, int64_t max_ns);
void kl_backoff_destroy (kl_backoff_t *b);

/* True if `key` is backing off at `now` for an event that happened at
   `event_time`; *remaining_ns (if not NULL) is how much longer. */
bool kl_backoff_in_backoff_since (kl_backoff_t *b, const char *key, int64_t event_time, int64_t now,
                                  int64_t *remaining_ns);

/* Records an event at `event_time`: the next delay doubles (up to max), or
   starts at initial when the key is new or was quiet for 2*max. */
void kl_backoff_next (kl_backoff_t *b, const char *key, int64_t event_time);

/* The current delay for `key`, 0 if none. */
int64_t kl_backoff_get (kl_backoff_t *b, const char *key);

/* When `key` last had an event, 0 if never. */
int64_t kl_backoff_last_update (kl_backoff_t *b, const char *key);

/* Forgets keys starting with `prefix` (a removed pod's). */
void kl_backoff_forget_prefix (kl_backoff_t *b, const char *prefix);

#ifdef __cplusplus
}
#endif

#endif
