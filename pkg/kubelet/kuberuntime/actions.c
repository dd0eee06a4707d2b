#include "pkg/kubelet/kuberuntime/actions.h"

#include <string.h>

#include "pkg/kubelet/api/static.h"
#include "pkg/util/utils.h"

static bool
restart_on_failure (const kl_pod_t *pod)
{
  return !pod->spec.restart_policy
         || strcmp (pod->spec.restart_policy, KL_RESTART_POLICY_NEVER) != 0;
}

static bool
policy_is (const kl_pod_t *pod, const char *policy)
{
  const char *p = pod->spec.restart_policy ? pod->spec.restart_policy : KL_RESTART_POLICY_ALWAYS;
  return strcmp (p, policy) == 0;
}

/* The newest sandbox needs replacing: none, several ready, not ready, or
   without an IP when the pod is not on the host network. */
static bool
sandbox_changed (const kl_pod_t *pod, const kl_runtime_pod_t *status, uint32_t *attempt,
                 const char **sandbox_id)
{
  *attempt = 0;
  *sandbox_id = NULL;
  if (status->n_sandboxes == 0)
    return true;
  const kl_sandbox_info_t *newest = &status->sandboxes[0];
  *sandbox_id = newest->id;
  *attempt = newest->attempt + 1;
  size_t ready = 0;
  for (size_t i = 0; i < status->n_sandboxes; i++)
    ready += status->sandboxes[i].ready;
  if (ready > 1 || !newest->ready)
    return true;
  if (!pod->spec.host_network && (newest->ip == NULL || newest->ip[0] == '\0'))
    return true;
  *attempt = newest->attempt;
  return false;
}

static bool
container_succeeded (const kl_container_t *c, const kl_runtime_pod_t *status)
{
  const kl_container_info_t *s = kl_runtime_pod_find_container (status, c->name);
  return s && s->state == KL_CONTAINER_EXITED && s->exit_code == 0;
}

static bool
init_container_failed (const kl_container_info_t *s)
{
  return (s->state == KL_CONTAINER_EXITED && s->exit_code != 0) || s->state == KL_CONTAINER_UNKNOWN;
}

bool
kl_should_restart_container (const kl_pod_t *pod, const kl_container_t *c,
                             const kl_runtime_pod_t *status)
{
  const kl_container_info_t *s = kl_runtime_pod_find_container (status, c->name);
  if (s == NULL)
    return true;
  if (s->state == KL_CONTAINER_RUNNING)
    return false;
  if (s->state == KL_CONTAINER_UNKNOWN || s->state == KL_CONTAINER_CREATED)
    return true;
  if (policy_is (pod, KL_RESTART_POLICY_NEVER))
    return false;
  if (policy_is (pod, KL_RESTART_POLICY_ON_FAILURE) && s->exit_code == 0)
    return false;
  return true;
}

/* findNextInitContainerToRun: *last_failed is the newest failed init
   container's status; returns true when initialization is done. */
static bool
next_init_container (const kl_pod_t *pod, const kl_runtime_pod_t *status,
                     const kl_container_info_t **last_failed, const kl_container_t **next)
{
  *last_failed = NULL;
  *next = NULL;
  size_t n = pod->spec.n_init_containers;
  if (n == 0)
    return true;
  for (size_t i = 0; i < pod->spec.n_containers; i++)
    {
      const kl_container_info_t *s
          = kl_runtime_pod_find_container (status, pod->spec.containers[i].name);
      if (s && s->state == KL_CONTAINER_RUNNING)
        return true;
    }
  for (size_t i = n; i-- > 0;)
    {
      const kl_container_info_t *s
          = kl_runtime_pod_find_container (status, pod->spec.init_containers[i].name);
      if (s && init_container_failed (s))
        {
          *last_failed = s;
          *next = &pod->spec.init_containers[i];
          return false;
        }
    }
  for (size_t i = n; i-- > 0;)
    {
      const kl_container_info_t *s
          = kl_runtime_pod_find_container (status, pod->spec.init_containers[i].name);
      if (s == NULL)
        continue;
      if (s->state == KL_CONTAINER_RUNNING)
        return false;
      if (s->state == KL_CONTAINER_EXITED)
        {
          if (i == n - 1)
            return true;
          *next = &pod->spec.init_containers[i + 1];
          return false;
        }
    }
  *next = &pod->spec.init_containers[0];
  return false;
}

static void
start_container (kl_pod_actions_t *a, size_t idx)
{
  a->containers_to_start
      = xrealloc (a->containers_to_start, (a->n_containers_to_start + 1) * sizeof (size_t));
  a->containers_to_start[a->n_containers_to_start++] = idx;
}

static void
kill_container (kl_pod_actions_t *a, const kl_container_info_t *info, const kl_container_t *spec,
                enum kl_kill_reason reason, char *message)
{
  a->containers_to_kill = xrealloc (a->containers_to_kill,
                                    (a->n_containers_to_kill + 1) * sizeof *a->containers_to_kill);
  a->containers_to_kill[a->n_containers_to_kill++] = (kl_container_to_kill_t){
    .info = info, .spec = spec, .reason = reason, .message = message
  };
}

void
kl_compute_pod_actions (const kl_pod_t *pod, const kl_runtime_pod_t *status,
                        const kl_probe_view_t *probes, kl_pod_actions_t *a)
{
  memset (a, 0, sizeof *a);
  bool create = sandbox_changed (pod, status, &a->attempt, &a->sandbox_id);
  a->kill_pod = create;
  a->create_sandbox = create;
  if (create)
    {
      /* A pod that must not restart and already ran stays down. */
      if (!restart_on_failure (pod) && a->attempt != 0 && status->n_containers != 0)
        {
          a->create_sandbox = false;
          return;
        }
      for (size_t i = 0; i < pod->spec.n_containers; i++)
        {
          if (policy_is (pod, KL_RESTART_POLICY_ON_FAILURE)
              && container_succeeded (&pod->spec.containers[i], status))
            continue;
          start_container (a, i);
        }
      if (a->n_containers_to_start == 0)
        {
          a->create_sandbox = false;
          return;
        }
      if (pod->spec.n_init_containers)
        {
          free (a->containers_to_start);
          a->containers_to_start = NULL;
          a->n_containers_to_start = 0;
          a->next_init_container = &pod->spec.init_containers[0];
        }
      return;
    }

  const kl_container_info_t *last_failed = NULL;
  const kl_container_t *next = NULL;
  if (!next_init_container (pod, status, &last_failed, &next))
    {
      if (next)
        {
          if (last_failed && init_container_failed (last_failed) && !restart_on_failure (pod))
            a->kill_pod = true;
          else
            {
              if (last_failed && last_failed->state == KL_CONTAINER_UNKNOWN)
                kill_container (a, last_failed, next, KL_KILL_UNKNOWN_STATE,
                                xasprintf ("Init container %s is in an unknown state", next->name));
              a->next_init_container = next;
            }
        }
      return;
    }

  size_t keep = 0;
  for (size_t i = 0; i < pod->spec.n_containers; i++)
    {
      const kl_container_t *c = &pod->spec.containers[i];
      const kl_container_info_t *s = kl_runtime_pod_find_container (status, c->name);
      if (s == NULL || s->state != KL_CONTAINER_RUNNING)
        {
          if (kl_should_restart_container (pod, c, status))
            {
              start_container (a, i);
              if (s && s->state == KL_CONTAINER_UNKNOWN)
                kill_container (a, s, c, KL_KILL_UNKNOWN_STATE,
                                xasprintf ("Container %s is in an unknown state", c->name));
            }
          continue;
        }
      bool restart = restart_on_failure (pod);
      enum kl_kill_reason reason;
      const char *what;
      if (s->hash != kl_container_hash (c))
        {
          reason = KL_KILL_SPEC_CHANGED;
          what = "definition changed";
          restart = true;
        }
      else if (probes && probes->liveness_failed
               && probes->liveness_failed (probes->ctx, c->name, s->id))
        {
          reason = KL_KILL_LIVENESS;
          what = "failed liveness probe";
        }
      else if (probes && probes->startup_failed
               && probes->startup_failed (probes->ctx, c->name, s->id))
        {
          reason = KL_KILL_STARTUP;
          what = "failed startup probe";
        }
      else
        {
          keep++;
          continue;
        }
      if (restart)
        start_container (a, i);
      kill_container (
          a, s, c, reason,
          xasprintf ("Container %s %s%s", c->name, what, restart ? ", will be restarted" : ""));
    }
  if (keep == 0 && a->n_containers_to_start == 0)
    a->kill_pod = true;
}

void
kl_pod_actions_clear (kl_pod_actions_t *a)
{
  free (a->containers_to_start);
  for (size_t i = 0; i < a->n_containers_to_kill; i++)
    free (a->containers_to_kill[i].message);
  free (a->containers_to_kill);
  memset (a, 0, sizeof *a);
}
