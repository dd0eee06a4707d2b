/* The v1 PodStatus the kubelet reports (in /pods): phase, conditions and
   container states, as the API server would store them. */
#ifndef KL_KUBELET_STATUS_TYPES_H
#define KL_KUBELET_STATUS_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Times are Unix nanoseconds; 0 means unset. Strings are owned, NULL = unset. */

enum kl_container_state_kind
{
  KL_STATE_NONE = 0, /* no state known (lastState when never restarted) */
  KL_STATE_WAITING,
  KL_STATE_RUNNING,
  KL_STATE_TERMINATED,
};

/* v1.ContainerState: one of waiting, running or terminated. */
struct kl_container_state_s
{
  enum kl_container_state_kind kind;
  char *reason; /* waiting: ContainerCreating, CrashLoopBackOff, ErrImagePull, ...;
                   terminated: Completed, Error, OOMKilled, ... */
  char *message;
  int32_t exit_code;   /* terminated */
  int32_t signal;      /* terminated */
  int64_t started_at;  /* running, terminated */
  int64_t finished_at; /* terminated */
  char *container_id;  /* terminated: "containerd://<id>" */
};
typedef struct kl_container_state_s kl_container_state_t;

/* v1.ContainerStatus. */
struct kl_container_status_s
{
  char *name;
  kl_container_state_t state;
  kl_container_state_t last_state;
  bool ready;
  int32_t restart_count;
  char *image;
  char *image_id;
  char *container_id; /* "<runtime>://<id>" */
  bool started;
  bool has_started;
};
typedef struct kl_container_status_s kl_container_status_t;

/* v1.PodCondition. */
struct kl_pod_condition_s
{
  char *type;   /* PodScheduled, Initialized, ContainersReady, Ready */
  bool status;  /* True / False */
  char *reason; /* ContainersNotReady, PodCompleted, ... */
  char *message;
  int64_t last_transition_time;
};
typedef struct kl_pod_condition_s kl_pod_condition_t;

/* v1.PodStatus. */
struct kl_pod_status_s
{
  char *phase; /* Pending, Running, Succeeded, Failed, Unknown */
  kl_pod_condition_t *conditions;
  size_t n_conditions;
  char *message;
  char *reason;
  char *host_ip;
  char *pod_ip;
  int64_t start_time;
  kl_container_status_t *init_container_statuses;
  size_t n_init_container_statuses;
  kl_container_status_t *container_statuses;
  size_t n_container_statuses;
  char *qos_class; /* Guaranteed, Burstable, BestEffort */
};
typedef struct kl_pod_status_s kl_pod_status_t;

void kl_container_state_clear (kl_container_state_t *state);
void kl_container_status_clear (kl_container_status_t *status);
void kl_pod_status_clear (kl_pod_status_t *status);
void kl_pod_status_free (kl_pod_status_t *status);
kl_pod_status_t *kl_pod_status_copy (const kl_pod_status_t *status);

#ifdef __cplusplus
}
#endif

#endif
