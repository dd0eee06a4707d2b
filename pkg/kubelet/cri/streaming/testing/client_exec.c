/* The test client's remotecommand half: exec and attach over SPDY
   (v1..v5 stream headers) or the WebSocket channel protocol. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "pkg/kubelet/cri/streaming/testing/client-internal.h"
#include "pkg/util/utils.h"

struct exec_wait_s
{
  struct stream_s *streams[3]; /* error, stdout, stderr: NULL when absent */
};

static bool
exec_done (struct conn_s *c, void *arg)
{
  struct exec_wait_s *w = arg;
  if (c->websocket)
    return c->eof;
  for (int i = 0; i < 3; i++)
    if (w->streams[i] && !w->streams[i]->fin)
      return false;
  return true;
}

static void
decode_status (const char *raw, bool v4, kl_stream_exec_result_t *r)
{
  if (!v4)
    {
      r->success = *raw == '\0';
      if (!r->success)
        r->message = xstrdup (raw);
      return;
    }
  json_error_t jerr;
  json_t *o = json_loads (raw, 0, &jerr);
  const char *status = o ? json_string_value (json_object_get (o, "status")) : NULL;
  if (status && strcmp (status, "Success") == 0)
    r->success = true;
  else
    {
      const char *msg = o ? json_string_value (json_object_get (o, "message")) : NULL;
      r->message = xstrdup (msg ? msg : raw);
      const char *reason = o ? json_string_value (json_object_get (o, "reason")) : NULL;
      if (reason && strcmp (reason, "NonZeroExitCode") == 0)
        {
          json_t *causes = json_object_get (json_object_get (o, "details"), "causes");
          size_t i;
          json_t *cause;
          json_array_foreach (causes, i, cause)
            {
              const char *cr = json_string_value (json_object_get (cause, "reason"));
              const char *cm = json_string_value (json_object_get (cause, "message"));
              if (cr && cm && strcmp (cr, "ExitCode") == 0)
                r->exit_code = atoi (cm);
            }
        }
    }
  json_decref (o);
}

int
kl_stream_client_exec (const char *url, const kl_stream_exec_options_t *opts,
                       kl_stream_exec_result_t *result, kl_error_t *err)
{
  memset (result, 0, sizeof *result);
  const char *sub = opts->subprotocol ? opts->subprotocol : "v4.channel.k8s.io";
  int64_t deadline
      = client_now_ms () + (opts->timeout_ms > 0 ? opts->timeout_ms : DEFAULT_TIMEOUT_MS);
  struct conn_s *c = NULL;
  int ret = client_open (url, opts->protocol, sub, &c, err);
  if (ret < 0)
    return ret;
  bool v4 = strncmp (sub, "v4.", 3) == 0 || strncmp (sub, "v5.", 3) == 0;
  bool v5 = strncmp (sub, "v5.", 3) == 0;
  struct exec_wait_s w = { { NULL } };
  uint32_t stdin_id = 0, resize_id = 4;
  if (!c->websocket)
    {
      static const char *types[] = { "error", "stdin", "stdout", "stderr", "resize" };
      bool want[] = { true, opts->stdin, opts->stdout, opts->stderr, opts->tty };
      for (int i = 0; i < 5 && ret >= 0; i++)
        {
          if (!want[i])
            continue;
          kl_spdy_header_t h = { .name = (char *) "streamType", .value = (char *) types[i] };
          struct stream_s *s = NULL;
          ret = client_spdy_create (c, &h, 1, deadline, &s, err);
          if (ret < 0)
            break;
          if (i == 0)
            w.streams[0] = s;
          else if (i == 1)
            {
              stdin_id = s->id;
              s->fin = true; /* nothing comes back on it */
            }
          else if (i == 2)
            w.streams[1] = s;
          else if (i == 3)
            w.streams[2] = s;
          else
            {
              resize_id = s->id;
              s->fin = true;
            }
        }
    }
  for (size_t i = 0; ret >= 0 && i < opts->n_resizes; i++)
    {
      cleanup_free char *json = xasprintf ("{\"Width\":%u,\"Height\":%u}\n", opts->resizes[i].width,
                                           opts->resizes[i].height);
      ret = client_send_on (c, resize_id, json, strlen (json), false, err);
    }
  if (ret >= 0 && opts->stdin && opts->stdin_len > 0)
    ret = client_send_on (c, stdin_id, opts->stdin_data, opts->stdin_len,
                          !c->websocket && !opts->keep_stdin_open, err);
  else if (ret >= 0 && opts->stdin && !opts->keep_stdin_open && !c->websocket)
    ret = client_send_on (c, stdin_id, "", 0, true, err);
  if (ret >= 0 && opts->stdin && !opts->keep_stdin_open && c->websocket && v5)
    {
      uint8_t close_stdin = 0;
      ret = client_send_on (c, 255, &close_stdin, 1, false, err);
    }
  if (ret >= 0)
    ret = client_pump (c, exec_done, &w, deadline, err);
  if (ret >= 0)
    {
      if (c->websocket)
        {
          w.streams[0] = client_stream_get (c, 3, false);
          w.streams[1] = client_stream_get (c, 1, false);
          w.streams[2] = client_stream_get (c, 2, false);
        }
      result->status = client_take (w.streams[0], NULL);
      result->out = client_take (w.streams[1], &result->out_len);
      result->err = client_take (w.streams[2], &result->err_len);
      decode_status (result->status, v4, result);
    }
  client_conn_free (c);
  return ret;
}

void
kl_stream_exec_result_clear (kl_stream_exec_result_t *r)
{
  free (r->out);
  free (r->err);
  free (r->status);
  free (r->message);
  memset (r, 0, sizeof *r);
}
