/* exec and attach (Go's kubelet/cri/streaming/remotecommand): wait for the
   client's streams, run the runtime call with the io it asked for, then
   report the outcome on the error stream. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "pkg/kubelet/cri/streaming/session-internal.h"
#include "pkg/util/log.h"
#include "pkg/util/utils.h"

/* After the runtime call returned, how long its output may take to drain. */
#define DRAIN_GRACE_NS ((int64_t) 2000000000)
/* A resize object larger than this is not a terminal size. */
#define MAX_RESIZE_JSON 4096

static struct chan_s *
chan_by_role (struct session_s *s, enum chan_role role)
{
  for (size_t i = 0; i < s->n_chans; i++)
    if (s->chans[i]->role == role)
      return s->chans[i];
  return NULL;
}

static void *
call_main (void *arg)
{
  struct call_s *call = arg;
  struct session_s *s = call->session;
  const kl_stream_runtime_t *rt = kl_stream_server_runtime (s->server);
  kl_error_t err = NULL;
  int ret;
  if (s->req->kind == KL_STREAM_EXEC)
    ret = rt->exec ? rt->exec (rt->ctx, s->req->id, s->req->cmd, s->req->argc, &call->io,
                               &call->exit_code, &err)
                   : kl_make_error_kind (&err, KL_ERROR_UNIMPLEMENTED, 0, "exec is not supported");
  else
    ret = rt->attach
              ? rt->attach (rt->ctx, s->req->id, &call->io, &err)
              : kl_make_error_kind (&err, KL_ERROR_UNIMPLEMENTED, 0, "attach is not supported");
  int *fds[]
      = { &call->io.stdin_fd, &call->io.stdout_fd, &call->io.stderr_fd, &call->io.resize_fd };
  for (size_t i = 0; i < KL_ARRAY_SIZE (fds); i++)
    if (*fds[i] >= 0)
      {
        close (*fds[i]);
        *fds[i] = -1;
      }
  call->ret = ret < 0 ? -1 : 0;
  if (ret < 0)
    call->error = xstrdup (kl_error_message (err));
  kl_error_release (&err);
  atomic_store (&call->done, true);
  session_wake (s);
  return NULL;
}

/* Connects `c` to a new socketpair: ours non-blocking, the other for the
   runtime (returned). */
static int
wire (struct chan_s *c, bool source, kl_error_t *err)
{
  int fds[2];
  int ret = session_pipe (fds, err);
  if (ret < 0)
    return ret;
  c->fd = fds[0];
  c->fd_source = source;
  c->fd_sink = !source;
  c->source_eof = !source;
  if (source)
    shutdown (fds[1], SHUT_RD);
  return fds[1];
}

static char *
status_json (const char *status, const char *message, const char *reason, json_t *details, int code)
{
  json_t *o = json_object ();
  json_object_set_new (o, "metadata", json_object ());
  json_object_set_new (o, "status", json_string (status));
  if (message)
    json_object_set_new (o, "message", json_string (message));
  if (reason)
    json_object_set_new (o, "reason", json_string (reason));
  if (details)
    json_object_set_new (o, "details", details);
  if (code)
    json_object_set_new (o, "code", json_integer (code));
  char *out = json_dumps (o, JSON_COMPACT | JSON_PRESERVE_ORDER);
  json_decref (o);
  if (out == NULL)
    kl_oom ();
  return out;
}

static json_t *
causes (const char *reason, const char *message)
{
  json_t *cause = json_object ();
  if (reason)
    json_object_set_new (cause, "reason", json_string (reason));
  json_object_set_new (cause, "message", json_string (message));
  json_t *list = json_array ();
  json_array_append_new (list, cause);
  json_t *details = json_object ();
  json_object_set_new (details, "causes", list);
  return details;
}

/* The error stream's content as Go writes it: a metav1.Status in JSON from
   v4 on, before that only a failure's message. NULL: nothing to write. */
static char *
status_message (struct session_s *s, bool failed, const char *error, int exit_code)
{
  bool v4 = s->version >= 4;
  if (!failed && exit_code == 0)
    return v4 ? status_json ("Success", NULL, NULL, NULL, 0) : NULL;
  if (!failed)
    {
      cleanup_free char *msg
          = xasprintf ("command terminated with non-zero exit code: exit status %d", exit_code);
      if (!v4)
        return steal_pointer (&msg);
      cleanup_free char *code = xasprintf ("%d", exit_code);
      return status_json ("Failure", msg, "NonZeroExitCode", causes ("ExitCode", code), 0);
    }
  cleanup_free char *cause
      = xasprintf ("%s: %s",
                   s->req->kind == KL_STREAM_EXEC ? "error executing command in container"
                                                  : "error attaching to container",
                   error);
  cleanup_free char *msg = xasprintf ("Internal error occurred: %s", cause);
  if (!v4)
    return steal_pointer (&msg);
  return status_json ("Failure", msg, "InternalError", causes (NULL, cause), 500);
}

static void
finish (struct session_s *s, bool failed, const char *error, int exit_code)
{
  if (s->status_sent)
    return;
  s->status_sent = true;
  if (failed)
    KL_LOG_WARN ("streaming %s in container %s: %s",
                 s->req->kind == KL_STREAM_EXEC ? "exec" : "attach", s->req->id, error);
  cleanup_free char *status = status_message (s, failed, error, exit_code);
  struct chan_s *errc = chan_by_role (s, ROLE_ERROR);
  if (errc && status)
    session_send (s, errc, status, strlen (status));
  for (size_t i = 0; i < s->n_chans; i++)
    session_send_fin (s, s->chans[i]);
  if (s->websocket)
    ws_finish (s);
  else
    spdy_finish (s);
  s->done = true;
}

static void
start_call (struct session_s *s)
{
  struct call_s *call = &s->call;
  call->io = (kl_stream_io_t){
    .stdin_fd = -1, .stdout_fd = -1, .stderr_fd = -1, .resize_fd = -1, .tty = s->req->tty
  };
  s->creation_deadline_ns = 0;
  kl_error_t err = NULL;
  struct
  {
    enum chan_role role;
    bool wanted, source;
    int *fd;
  } wiring[] = {
    { ROLE_STDIN, s->req->stdin, false, &call->io.stdin_fd },
    { ROLE_STDOUT, s->req->stdout, true, &call->io.stdout_fd },
    { ROLE_STDERR, s->req->stderr && !s->req->tty, true, &call->io.stderr_fd },
    { ROLE_RESIZE, s->req->tty, false, &call->io.resize_fd },
  };
  int ret = 0;
  for (size_t i = 0; i < KL_ARRAY_SIZE (wiring) && ret >= 0; i++)
    {
      struct chan_s *c = chan_by_role (s, wiring[i].role);
      if (c == NULL)
        continue;
      if (!wiring[i].wanted)
        {
          /* A stream the request did not ask for: accepted, never wired. */
          c->remote_fin = true;
          c->pending.len = 0;
          continue;
        }
      ret = wire (c, wiring[i].source, &err);
      if (ret >= 0)
        *wiring[i].fd = ret;
    }
  if (ret >= 0)
    ret = session_start_call (s, call, call_main, &err);
  if (ret < 0)
    {
      int *fds[]
          = { &call->io.stdin_fd, &call->io.stdout_fd, &call->io.stderr_fd, &call->io.resize_fd };
      for (size_t i = 0; i < KL_ARRAY_SIZE (fds); i++)
        if (*fds[i] >= 0)
          close (*fds[i]);
      finish (s, true, kl_error_message (err), 0);
      kl_error_release (&err);
    }
}

void
remotecommand_open (struct session_s *s)
{
  const kl_stream_request_t *req = s->req;
  if (!s->websocket)
    {
      s->expected_streams
          = 1 + req->stdin + req->stdout + req->stderr + (req->tty && s->version >= 3 ? 1 : 0);
      s->creation_deadline_ns
          = kl_stream_now_ns () + kl_stream_server_config (s->server)->stream_creation_timeout_ns;
      return;
    }
  /* WebSocket: the channels exist from the start (Go's createChannels). */
  struct chan_s *c;
  if (req->stdin)
    session_add_chan (s, ROLE_STDIN, 0);
  if (req->stdout)
    session_add_chan (s, ROLE_STDOUT, 1);
  if (req->stderr && !req->tty)
    session_add_chan (s, ROLE_STDERR, 2);
  session_add_chan (s, ROLE_ERROR, 3);
  if (req->tty)
    session_add_chan (s, ROLE_RESIZE, 4);
  /* An empty message on the lowest writable channel tells the client the
     connection is up. */
  if ((c = chan_by_role (s, ROLE_STDOUT)) == NULL && (c = chan_by_role (s, ROLE_STDERR)) == NULL)
    c = chan_by_role (s, ROLE_ERROR);
  session_send (s, c, "", 0);
  start_call (s);
}

static enum chan_role
role_of (const char *type)
{
  static const struct
  {
    const char *name;
    enum chan_role role;
  } types[] = { { "error", ROLE_ERROR },
                { "stdin", ROLE_STDIN },
                { "stdout", ROLE_STDOUT },
                { "stderr", ROLE_STDERR },
                { "resize", ROLE_RESIZE } };
  for (size_t i = 0; type && i < KL_ARRAY_SIZE (types); i++)
    if (strcmp (type, types[i].name) == 0)
      return types[i].role;
  return ROLE_IGNORED;
}

void
remotecommand_spdy_stream (struct session_s *s, uint32_t id, const kl_spdy_frame_t *syn)
{
  const char *type = kl_spdy_frame_header (syn, "streamtype");
  enum chan_role role = role_of (type);
  bool waiting = s->creation_deadline_ns != 0;
  if (role != ROLE_IGNORED && (!waiting || chan_by_role (s, role) != NULL))
    role = ROLE_IGNORED; /* late or duplicate */
  if (role == ROLE_RESIZE && s->version < 3)
    role = ROLE_IGNORED;
  if (role == ROLE_IGNORED)
    KL_LOG_V (2, "streaming: ignoring stream %u of type %s", id, type ? type : "(none)");
  spdy_reply (s, id);
  struct chan_s *c = session_add_chan (s, role, id);
  if (role == ROLE_IGNORED)
    {
      c->remote_fin = true; /* its input is dropped */
      return;
    }
  if (++s->received_streams == s->expected_streams)
    start_call (s);
}

void
remotecommand_check (struct session_s *s)
{
  int64_t now = kl_stream_now_ns ();
  if (s->creation_deadline_ns != 0)
    {
      if (now >= s->creation_deadline_ns)
        {
          KL_LOG_WARN ("streaming: timed out waiting for client to create streams");
          s->done = true;
        }
      return;
    }
  if (!s->call.started || !atomic_load (&s->call.done) || s->status_sent)
    return;
  if (s->drain_deadline_ns == 0)
    s->drain_deadline_ns = now + DRAIN_GRACE_NS;
  for (size_t i = 0; i < s->n_chans; i++)
    if (!s->chans[i]->source_eof && now < s->drain_deadline_ns)
      return;
  finish (s, s->call.ret < 0, s->call.error, s->call.exit_code);
}

/* A case-insensitive field of a JSON object, as Go's decoder matches them. */
static json_int_t
field (json_t *o, const char *name)
{
  const char *key;
  json_t *value;
  json_object_foreach (o, key, value)
    {
      if (strcasecmp (key, name) == 0 && json_is_integer (value))
        return json_integer_value (value);
    }
  return 0;
}

void
remotecommand_resize_data (struct session_s *s, struct chan_s *c, const uint8_t *data, size_t len)
{
  (void) s;
  kl_buf_append (&c->json, data, len);
  size_t off = 0;
  while (off < c->json.len)
    {
      const char *p = (const char *) c->json.data + off;
      size_t left = c->json.len - off;
      size_t ws = 0;
      while (ws < left && strchr (" \t\r\n", p[ws]))
        ws++;
      off += ws;
      if (ws == left)
        break;
      json_error_t jerr;
      json_t *o = json_loadb (p + ws, left - ws, JSON_DISABLE_EOF_CHECK, &jerr);
      if (o == NULL)
        {
          if (json_error_code (&jerr) == json_error_premature_end_of_input
              && c->json.len <= MAX_RESIZE_JSON)
            break;
          KL_LOG_V (2, "streaming: bad resize event: %s", jerr.text);
          c->remote_fin = true; /* as Go, stop reading resize events */
          c->json.len = 0;
          return;
        }
      json_int_t w = field (o, "Width"), h = field (o, "Height");
      json_decref (o);
      off += (size_t) jerr.position;
      if (w < 0 || w > UINT16_MAX || h < 0 || h > UINT16_MAX)
        continue;
      kl_terminal_size_t size = { .width = (uint16_t) w, .height = (uint16_t) h };
      kl_buf_append (&c->pending, &size, sizeof size);
    }
  kl_buf_consume (&c->json, off);
}
