/* Exec probes: the command runs in the container through the runtime's
   ExecSync (Go's probe/exec). */
#include <stdlib.h>
#include <string.h>

#include "api/cri/v1/api.pb-c.h"
#include "pkg/kubelet/prober/prober-internal.h"
#include "pkg/util/utils.h"

static void
free_argv (char ***argv)
{
  if (*argv == NULL)
    return;
  for (char **p = *argv; *p != NULL; p++)
    free (*p);
  free (*argv);
}
#define cleanup_argv __attribute__ ((cleanup (free_argv)))

/* Appends at most `room` bytes of data[0..len) to out at *used. */
static void
append_bounded (char *out, size_t *used, size_t room, const uint8_t *data, size_t len)
{
  size_t n = len < room - *used ? len : room - *used;
  if (n > 0)
    memcpy (out + *used, data, n);
  *used += n;
}

/* "sh -c sleep 10" quoted as Go's %q quotes it. */
static char *
quote_command (char *const *argv, size_t n)
{
  char *buf = NULL;
  size_t size = 0;
  FILE *out = open_memstream (&buf, &size);
  if (out == NULL)
    kl_oom ();
  for (size_t i = 0; i < n; i++)
    fprintf (out, "%s%s", i ? " " : "", argv[i]);
  if (fclose (out) != 0)
    kl_oom ();
  char *quoted = kl_quote (buf, size);
  free (buf);
  return quoted;
}

static int
exec_run (const kl_probe_target_t *target, kl_probe_result_t *result, char **output,
          kl_error_t *err)
{
  const kl_exec_action_t *action = target->probe->exec;
  if (target->runtime == NULL)
    return kl_make_error_kind (err, KL_ERROR_INVALID, 0, "no container runtime to exec in");
  const char *id = target->container_id ? target->container_id : "";
  const char *sep = strstr (id, "://");
  if (sep != NULL)
    id = sep + 3;
  if (id[0] == '\0')
    return kl_make_error_kind (err, KL_ERROR_INVALID, 0, "no container ID");
  if (action->n_command == 0)
    return kl_make_error_kind (err, KL_ERROR_INVALID, 0, "command is empty");

  cleanup_argv char **argv = xmalloc0 ((action->n_command + 1) * sizeof *argv);
  for (size_t i = 0; i < action->n_command; i++)
    argv[i] = kl_probe_expand (action->command[i] ? action->command[i] : "", target->container);

  Runtime__V1__ExecSyncRequest request = RUNTIME__V1__EXEC_SYNC_REQUEST__INIT;
  request.container_id = (char *) id;
  request.cmd = argv;
  request.n_cmd = action->n_command;
  request.timeout = kl_probe_timeout_ns (target->probe) / KL_PROBE_NS_PER_SEC;

  cleanup_pb Runtime__V1__ExecSyncResponse *response = NULL;
  cleanup_error kl_error_t exec_err = NULL;
  if (kl_runtime_exec_sync (target->runtime, &request, &response, &exec_err) < 0)
    {
      if (kl_error_is (exec_err, KL_ERROR_TIMEOUT))
        {
          /* The runtime's DeadlineExceeded: Go's ExecProbeTimeout makes it a failure. */
          cleanup_free char *quoted = quote_command (argv, action->n_command);
          *output = xasprintf ("command %s timed out", quoted);
          *result = KL_PROBE_FAILURE;
          return 0;
        }
      *err = steal_pointer (&exec_err);
      return -1;
    }

  /* Go's RunInContainer hands back stdout then stderr, read up to 10 KiB. */
  char *text = xmalloc (KL_PROBE_MAX_OUTPUT + 1);
  size_t used = 0;
  append_bounded (text, &used, KL_PROBE_MAX_OUTPUT, response->stdout.data, response->stdout.len);
  append_bounded (text, &used, KL_PROBE_MAX_OUTPUT, response->stderr.data, response->stderr.len);
  text[used] = '\0';
  *output = text;
  *result = response->exit_code == 0 ? KL_PROBE_SUCCESS : KL_PROBE_FAILURE;
  return 0;
}

const struct kl_probe_runner_s kl_probe_runner_exec = {
  .name = "exec",
  .run = exec_run,
};
