/* What the runtime holds for one pod: its sandboxes and containers, newest
   first (the Go kubelet's kubecontainer.PodStatus). */
#ifndef KL_KUBERUNTIME_POD_STATUS_H
#define KL_KUBERUNTIME_POD_STATUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pkg/kubelet/container/runtime.h"
#include "pkg/util/error.h"

#ifdef __cplusplus
extern "C" {
#endif

struct kl_sandbox_info_s
{
  char *id;
  bool ready;
  int64_t created_at; /* ns */
  uint32_t attempt;
  char *ip;
};
typedef struct kl_sandbox_info_s kl_sandbox_info_t;

enum kl_container_runtime_state
{
  KL_CONTAINER_CREATED = 0,
  KL_CONTAINER_RUNNING,
  KL_CONTAINER_EXITED,
  KL_CONTAINER_UNKNOWN,
};

struct kl_container_info_s
{
  char *id;
  char *name;
  char *sandbox_id;
  enum kl_container_runtime_state state;
  int64_t created_at, started_at, finished_at; /* ns */
  int32_t exit_code;
  char *reason; /* the runtime's: "Completed", "Error", "OOMKilled" */
  char *message;
  char *image;
  char *image_ref;
  uint64_t hash;     /* from KL_ANNOTATION_CONTAINER_HASH */
  int restart_count; /* from KL_ANNOTATION_RESTART_COUNT */
  bool is_init;
  int64_t grace_seconds; /* from KL_ANNOTATION_GRACE_PERIOD, -1 if absent */
  char *log_path;
};
typedef struct kl_container_info_s kl_container_info_t;

struct kl_runtime_pod_s
{
  char *uid;
  char *name;
  char *namespace_;
  kl_sandbox_info_t *sandboxes; /* newest first */
  size_t n_sandboxes;
  kl_container_info_t *containers; /* newest first */
  size_t n_containers;
};
typedef struct kl_runtime_pod_s kl_runtime_pod_t;

/* Reads the pod with UID `uid` from the runtime: every sandbox and container
   labelled with it, with their statuses. A pod the runtime does not know is
   an empty status, not an error. */
int kl_runtime_pod_get (kl_runtime_t *rt, const char *uid, kl_runtime_pod_t **out, kl_error_t *err);

/* The newest container called `name`, or NULL. */
const kl_container_info_t *kl_runtime_pod_find_container (const kl_runtime_pod_t *pod,
                                                          const char *name);

void kl_runtime_pod_free (kl_runtime_pod_t *pod);

static inline void
kl_runtime_pod_freep (kl_runtime_pod_t **pod)
{
  kl_runtime_pod_free (*pod);
}
#define cleanup_runtime_pod __attribute__ ((cleanup (kl_runtime_pod_freep)))

#ifdef __cplusplus
}
#endif

#endif
