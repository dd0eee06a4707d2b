/* The pod lifecycle event generator: notices containers and sandboxes
   changing state in the runtime and tells the kubelet which pods to sync. */
#ifndef KL_KUBELET_PLEG_H
#define KL_KUBELET_PLEG_H

#include <stdbool.h>
#include <stdint.h>

#include "pkg/kubelet/container/runtime.h"
#include "pkg/util/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Called from the PLEG thread with the UID of a pod whose runtime state
   changed (a container started, exited, was removed; a sandbox changed). */
typedef void (*kl_pleg_event_fn) (void *ctx, const char *pod_uid);

/* Called after every relist with its duration and outcome (for metrics). */
typedef void (*kl_pleg_relist_fn) (void *ctx, int64_t duration_ns, int64_t interval_ns, bool ok);

struct kl_pleg_opts_s
{
  kl_runtime_t *runtime;
  int64_t relist_period_ns;    /* 1s */
  int64_t relist_threshold_ns; /* 3m: unhealthy when no relist finished this long */
  kl_pleg_event_fn on_event;
  kl_pleg_relist_fn on_relist; /* may be NULL */
  void *ctx;
};
typedef struct kl_pleg_opts_s kl_pleg_opts_t;

typedef struct kl_pleg_s kl_pleg_t;

/* A PLEG backend (STYLE: ops struct); generic.c relists. */
struct kl_pleg_ops_s
{
  int (*start) (kl_pleg_t *pleg, kl_error_t *err);
  void (*stop) (kl_pleg_t *pleg);
  /* 0 when healthy; else a reason ("pleg was last seen active 3m1s ago;
     threshold is 3m0s") the caller frees. */
  char *(*unhealthy_reason) (kl_pleg_t *pleg);
  /* One relist right now, on the caller's thread (tests, start-up). */
  int (*relist) (kl_pleg_t *pleg, kl_error_t *err);
  void (*free) (kl_pleg_t *pleg);
};

struct kl_pleg_s
{
  const struct kl_pleg_ops_s *ops;
};

/* The relisting PLEG (the Go kubelet's GenericPLEG). */
kl_pleg_t *kl_pleg_generic_new (const kl_pleg_opts_t *opts);

#ifdef __cplusplus
}
#endif

#endif
