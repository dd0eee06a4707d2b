#include "pkg/kubelet/status/generate.h"

#include <stdio.h>
#include <string.h>

#include "pkg/kubelet/kuberuntime/qos.h"
#include "pkg/util/utils.h"

#define PHASE_PENDING "Pending"
#define PHASE_RUNNING "Running"
#define PHASE_SUCCEEDED "Succeeded"
#define PHASE_FAILED "Failed"

static char *
str_dup (const char *s)
{
  return s ? xstrdup (s) : NULL;
}

static const kl_container_sync_error_t *
sync_error (const kl_sync_result_t *sync, const char *name)
{
  if (sync == NULL)
    return NULL;
  for (size_t i = 0; i < sync->n_errors; i++)
    if (strcmp (sync->errors[i].name, name) == 0)
      return &sync->errors[i];
  return NULL;
}

static void
set_waiting (kl_container_state_t *s, const char *reason, const char *message)
{
  kl_container_state_clear (s);
  s->kind = KL_STATE_WAITING;
  s->reason = str_dup (reason);
  s->message = str_dup (message);
}

static void
set_from_runtime (kl_container_state_t *s, const kl_container_info_t *info, const char *id)
{
  kl_container_state_clear (s);
  switch (info->state)
    {
    case KL_CONTAINER_RUNNING:
      s->kind = KL_STATE_RUNNING;
      s->started_at = info->started_at;
      break;
    case KL_CONTAINER_EXITED:
      s->kind = KL_STATE_TERMINATED;
      s->exit_code = info->exit_code;
      s->reason
          = str_dup (info->reason && info->reason[0] ? info->reason
                                                     : (info->exit_code ? "Error" : "Completed"));
      s->message = info->message && info->message[0] ? str_dup (info->message) : NULL;
      s->started_at = info->started_at;
      s->finished_at = info->finished_at;
      s->container_id = str_dup (id);
      break;
    case KL_CONTAINER_CREATED:
    case KL_CONTAINER_UNKNOWN:
    default:
      s->kind = KL_STATE_WAITING;
      s->reason = str_dup ("ContainerCreating");
      break;
    }
}

/* The newest and the one before it of container `name`. */
static void
find_instances (const kl_runtime_pod_t *rt, const char *name, const kl_container_info_t **newest,
                const kl_container_info_t **previous)
{
  *newest = *previous = NULL;
  if (rt == NULL)
    return;
  for (size_t i = 0; i < rt->n_containers; i++)
    if (strcmp (rt->containers[i].name, name) == 0)
      {
        if (*newest == NULL)
          *newest = &rt->containers[i];
        else
          {
            *previous = &rt->containers[i];
            return;
          }
      }
}

static bool
is_init_container (const kl_container_t *c, const kl_pod_t *pod)
{
  return c >= pod->spec.init_containers
         && c < pod->spec.init_containers + pod->spec.n_init_containers;
}

static void
container_status (const kl_status_inputs_t *in, const kl_container_t *c, bool initializing,
                  kl_container_status_t *out)
{
  memset (out, 0, sizeof *out);
  out->name = xstrdup (c->name);
  out->image = str_dup (c->image);
  set_waiting (&out->state, initializing ? "PodInitializing" : "ContainerCreating", NULL);

  const kl_container_info_t *newest, *previous;
  find_instances (in->runtime, c->name, &newest, &previous);
  if (newest)
    {
      cleanup_free char *id = xasprintf ("%s://%s", in->runtime_type, newest->id);
      out->container_id = xstrdup (id);
      out->image_id = str_dup (newest->image_ref);
      out->restart_count = newest->restart_count;
      set_from_runtime (&out->state, newest, id);
      if (previous && previous->state == KL_CONTAINER_EXITED)
        {
          cleanup_free char *prev_id = xasprintf ("%s://%s", in->runtime_type, previous->id);
          set_from_runtime (&out->last_state, previous, prev_id);
        }
      if (newest->state == KL_CONTAINER_RUNNING)
        {
          bool started = !in->probes || !in->probes->started
                         || in->probes->started (in->probes->ctx, c->name, newest->id);
          out->started = started;
          out->has_started = true;
          out->ready = started
                       && (!in->probes || !in->probes->ready
                           || in->probes->ready (in->probes->ctx, c->name, newest->id));
        }
      else
        {
          out->has_started = true;
          /* An init container that finished successfully is ready, as Go. */
          out->ready = is_init_container (c, in->pod) && newest->state == KL_CONTAINER_EXITED
                       && newest->exit_code == 0;
        }
    }

  /* A sync error explains why the container waits; an exit before it
     becomes the last state. */
  const kl_container_sync_error_t *e = sync_error (in->sync, c->name);
  if (e && out->state.kind != KL_STATE_RUNNING)
    {
      if (out->state.kind == KL_STATE_TERMINATED)
        {
          kl_container_state_clear (&out->last_state);
          out->last_state = out->state;
          memset (&out->state, 0, sizeof out->state);
        }
      set_waiting (&out->state, e->reason, e->message);
    }
}

static bool
init_done (const kl_container_status_t *s)
{
  if (s->state.kind == KL_STATE_TERMINATED)
    return s->state.exit_code == 0;
  return false;
}

const char *
kl_pod_phase (const kl_pod_t *pod, const kl_pod_status_t *st)
{
  size_t pending_init = 0, failed_init = 0;
  for (size_t i = 0; i < st->n_init_container_statuses; i++)
    {
      const kl_container_status_t *s = &st->init_container_statuses[i];
      switch (s->state.kind)
        {
        case KL_STATE_TERMINATED:
          failed_init += s->state.exit_code != 0;
          break;
        case KL_STATE_WAITING:
          if (s->last_state.kind == KL_STATE_TERMINATED)
            failed_init += s->last_state.exit_code != 0;
          else
            pending_init++;
          break;
        default:
          pending_init++;
        }
    }
  size_t unknown = 0, running = 0, waiting = 0, stopped = 0, succeeded = 0;
  for (size_t i = 0; i < st->n_container_statuses; i++)
    {
      const kl_container_status_t *s = &st->container_statuses[i];
      switch (s->state.kind)
        {
        case KL_STATE_RUNNING:
          running++;
          break;
        case KL_STATE_TERMINATED:
          stopped++;
          succeeded += s->state.exit_code == 0;
          break;
        case KL_STATE_WAITING:
          if (s->last_state.kind == KL_STATE_TERMINATED)
            stopped++;
          else
            waiting++;
          break;
        default:
          unknown++;
        }
    }
  const char *policy
      = pod->spec.restart_policy ? pod->spec.restart_policy : KL_RESTART_POLICY_ALWAYS;
  if (failed_init > 0 && strcmp (policy, KL_RESTART_POLICY_NEVER) == 0)
    return PHASE_FAILED;
  if (pending_init > 0 || waiting > 0)
    return PHASE_PENDING;
  if (running > 0 && unknown == 0)
    return PHASE_RUNNING;
  if (running == 0 && stopped > 0 && unknown == 0)
    {
      if (strcmp (policy, KL_RESTART_POLICY_ALWAYS) == 0)
        return PHASE_RUNNING;
      if (stopped == succeeded)
        return PHASE_SUCCEEDED;
      if (strcmp (policy, KL_RESTART_POLICY_NEVER) == 0)
        return PHASE_FAILED;
      return PHASE_RUNNING;
    }
  return PHASE_PENDING;
}

/* Appends "name" to a "[a b]" list message. */
static void
append_name (char **list, const char *name)
{
  char *next = *list ? xasprintf ("%s %s", *list, name) : xstrdup (name);
  free (*list);
  *list = next;
}

static void
add_condition (const kl_status_inputs_t *in, kl_pod_status_t *st, const char *type, bool status,
               const char *reason, const char *message)
{
  st->conditions = xrealloc (st->conditions, (st->n_conditions + 1) * sizeof *st->conditions);
  kl_pod_condition_t *c = &st->conditions[st->n_conditions++];
  memset (c, 0, sizeof *c);
  c->type = xstrdup (type);
  c->status = status;
  c->reason = str_dup (reason);
  c->message = str_dup (message);
  c->last_transition_time = in->now;
  if (in->previous)
    for (size_t i = 0; i < in->previous->n_conditions; i++)
      if (strcmp (in->previous->conditions[i].type, type) == 0
          && in->previous->conditions[i].status == status)
        c->last_transition_time = in->previous->conditions[i].last_transition_time;
}

void
kl_generate_pod_status (const kl_status_inputs_t *in, kl_pod_status_t *st)
{
  const kl_pod_t *pod = in->pod;
  memset (st, 0, sizeof *st);
  st->n_init_container_statuses = pod->spec.n_init_containers;
  st->init_container_statuses
      = xmalloc0 ((pod->spec.n_init_containers + 1) * sizeof (kl_container_status_t));
  bool initialized = true;
  cleanup_free char *not_initialized = NULL;
  for (size_t i = 0; i < pod->spec.n_init_containers; i++)
    {
      container_status (in, &pod->spec.init_containers[i], true, &st->init_container_statuses[i]);
      if (!init_done (&st->init_container_statuses[i]))
        {
          initialized = false;
          append_name (&not_initialized, pod->spec.init_containers[i].name);
        }
    }
  st->n_container_statuses = pod->spec.n_containers;
  st->container_statuses = xmalloc0 ((pod->spec.n_containers + 1) * sizeof (kl_container_status_t));
  bool all_ready = true;
  cleanup_free char *not_ready = NULL;
  for (size_t i = 0; i < pod->spec.n_containers; i++)
    {
      container_status (in, &pod->spec.containers[i], !initialized, &st->container_statuses[i]);
      if (!st->container_statuses[i].ready)
        {
          all_ready = false;
          append_name (&not_ready, pod->spec.containers[i].name);
        }
    }

  st->phase = xstrdup (kl_pod_phase (pod, st));
  if (in->failure_reason)
    {
      free (st->phase);
      st->phase = xstrdup (PHASE_FAILED);
      st->reason = xstrdup (in->failure_reason);
      st->message = str_dup (in->failure_message);
    }
  bool completed
      = strcmp (st->phase, PHASE_SUCCEEDED) == 0 || strcmp (st->phase, PHASE_FAILED) == 0;

  cleanup_free char *init_msg
      = not_initialized ? xasprintf ("containers with incomplete status: [%s]", not_initialized)
                        : NULL;
  add_condition (in, st, "Initialized", initialized,
                 initialized ? NULL : "ContainersNotInitialized", init_msg);
  cleanup_free char *ready_msg
      = not_ready ? xasprintf ("containers with unready status: [%s]", not_ready) : NULL;
  const char *ready_reason = NULL;
  if (!all_ready)
    {
      if (strcmp (st->phase, PHASE_SUCCEEDED) == 0)
        ready_reason = "PodCompleted";
      else if (strcmp (st->phase, PHASE_FAILED) == 0)
        ready_reason = "PodFailed";
      else
        ready_reason = "ContainersNotReady";
    }
  add_condition (in, st, "Ready", all_ready, ready_reason, completed ? NULL : ready_msg);
  add_condition (in, st, "ContainersReady", all_ready, ready_reason, completed ? NULL : ready_msg);
  add_condition (in, st, "PodScheduled", true, NULL, NULL);

  if (in->runtime && in->runtime->n_sandboxes && in->runtime->sandboxes[0].ready
      && in->runtime->sandboxes[0].ip && in->runtime->sandboxes[0].ip[0])
    st->pod_ip = xstrdup (in->runtime->sandboxes[0].ip);
  else if (pod->spec.host_network && in->host_ip)
    st->pod_ip = xstrdup (in->host_ip);
  st->host_ip = str_dup (in->host_ip);
  st->start_time = in->previous && in->previous->start_time ? in->previous->start_time : in->now;
  st->qos_class = xstrdup (kl_pod_qos_class (pod));
}
