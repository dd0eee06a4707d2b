#include "pkg/kubelet/dockershim/libdocker/exec.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "pkg/kubelet/dockershim/libdocker/client-internal.h"
#include "pkg/kubelet/dockershim/libdocker/decode.h"
#include "pkg/kubelet/dockershim/libdocker/hijack-internal.h"
#include "pkg/util/utils.h"

#define DEFAULT_MAX_OUTPUT (16u * 1024 * 1024)

static int
exec_path (const char *id, const char *suffix, char **out, kl_error_t *err)
{
  cleanup_free char *escaped = NULL;
  int ret = docker_path_escape ("exec ID", id, false, &escaped, err);
  if (ret < 0)
    return ret;
  *out = xasprintf ("/exec/%s%s", escaped, suffix);
  return 0;
}

/* A JSON array of the NULL-terminated `values`; NULL if one is not UTF-8. */
static json_t *
string_array (const char *const *values)
{
  json_t *array = json_array ();
  for (size_t i = 0; values && values[i]; i++)
    {
      json_t *s = json_string (values[i]);
      if (s == NULL)
        {
          json_decref (array);
          return NULL;
        }
      json_array_append_new (array, s);
    }
  return array;
}

static json_t *
exec_body (const docker_exec_config_t *config, kl_error_t *err)
{
  json_t *cmd = string_array (config->cmd);
  json_t *env = string_array (config->env);
  json_t *user = json_string (config->user ? config->user : "");
  json_t *working_dir = json_string (config->working_dir ? config->working_dir : "");
  if (cmd == NULL || env == NULL || user == NULL || working_dir == NULL)
    {
      json_decref (cmd);
      json_decref (env);
      json_decref (user);
      json_decref (working_dir);
      kl_make_error_kind (err, KL_ERROR_INVALID, 0, "exec config: a string is not UTF-8");
      return NULL;
    }
  json_t *body = json_object ();
  json_object_set_new (body, "AttachStdin", json_boolean (config->attach_stdin));
  json_object_set_new (body, "AttachStdout", json_boolean (config->attach_stdout));
  json_object_set_new (body, "AttachStderr", json_boolean (config->attach_stderr));
  json_object_set_new (body, "Tty", json_boolean (config->tty));
  json_object_set_new (body, "Privileged", json_boolean (config->privileged));
  json_object_set_new (body, "Cmd", cmd);
  json_object_set_new (body, "Env", env);
  json_object_set_new (body, "User", user);
  json_object_set_new (body, "WorkingDir", working_dir);
  return body;
}

int
docker_exec_create (docker_client_t *client, const char *container_id,
                    const docker_exec_config_t *config, char **exec_id, kl_error_t *err)
{
  cleanup_free char *escaped = NULL;
  int ret = docker_path_escape ("container ID", container_id, false, &escaped, err);
  if (ret < 0)
    return ret;
  cleanup_free char *path = xasprintf ("/containers/%s/exec", escaped);
  if (config->cmd == NULL || config->cmd[0] == NULL)
    return kl_make_error_kind (err, KL_ERROR_INVALID, 0, "docker: POST %s: empty command", path);
  json_t *body_json = exec_body (config, err);
  if (body_json == NULL)
    return docker_wrap_error (err, "POST", path);
  cleanup_free char *body = json_dumps (body_json, JSON_COMPACT);
  json_decref (body_json);
  docker_request_t req = {
    .method = "POST",
    .path = path,
    .body = body,
    .body_len = strlen (body),
  };
  docker_response_t resp = { 0 };
  ret = docker_do (client, &req, &resp, err);
  if (ret == 0 && docker_decode_id (resp.body, resp.len, exec_id, err) < 0)
    ret = docker_wrap_error (err, req.method, req.path);
  docker_response_release (&resp);
  return ret;
}

int
docker_exec_start (docker_client_t *client, const char *exec_id, const docker_stream_io_t *io,
                   kl_error_t *err)
{
  cleanup_free char *path = NULL;
  int ret = exec_path (exec_id, "/start", &path, err);
  if (ret < 0)
    return ret;
  char body[64];
  int len
      = snprintf (body, sizeof body, "{\"Detach\":false,\"Tty\":%s}", io->tty ? "true" : "false");
  return docker_hijack (client, "POST", path, body, (size_t) len, io, err);
}

typedef struct collect_s
{
  docker_exec_output_t *out;
  size_t max;
} collect_t;

static void
append_capped (char **data, size_t *len, size_t max, const char *chunk, size_t n, bool *truncated)
{
  if (*len + n > max)
    {
      *truncated = true;
      n = max - *len;
    }
  if (n == 0)
    return;
  *data = xrealloc (*data, *len + n + 1);
  memcpy (*data + *len, chunk, n);
  *len += n;
  (*data)[*len] = '\0';
}

static int
collect (void *ctx, enum docker_stream stream, const char *data, size_t len, kl_error_t *err)
{
  collect_t *c = ctx;
  docker_exec_output_t *out = c->out;
  if (stream == DOCKER_STREAM_STDERR)
    append_capped (&out->stderr_data, &out->stderr_len, c->max, data, len, &out->truncated);
  else
    append_capped (&out->stdout_data, &out->stdout_len, c->max, data, len, &out->truncated);
  return 0;
}

int
docker_exec_start_collect (docker_client_t *client, const char *exec_id, bool tty,
                           int64_t timeout_ns, size_t max_output, docker_exec_output_t *out,
                           kl_error_t *err)
{
  memset (out, 0, sizeof *out);
  out->stdout_data = xstrdup ("");
  out->stderr_data = xstrdup ("");
  collect_t c = { .out = out, .max = max_output ? max_output : DEFAULT_MAX_OUTPUT };
  docker_stream_io_t io = DOCKER_STREAM_IO_INIT;
  io.output = collect;
  io.ctx = &c;
  io.tty = tty;
  io.timeout_ns = timeout_ns;
  return docker_exec_start (client, exec_id, &io, err);
}

void
docker_exec_output_release (docker_exec_output_t *out)
{
  free (out->stdout_data);
  free (out->stderr_data);
  memset (out, 0, sizeof *out);
}

int
docker_exec_inspect (docker_client_t *client, const char *exec_id, docker_exec_inspect_t **out,
                     kl_error_t *err)
{
  cleanup_free char *path = NULL;
  int ret = exec_path (exec_id, "/json", &path, err);
  if (ret < 0)
    return ret;
  docker_request_t req = { .method = "GET", .path = path };
  docker_response_t resp = { 0 };
  ret = docker_do (client, &req, &resp, err);
  if (ret == 0 && docker_decode_exec_inspect (resp.body, resp.len, out, err) < 0)
    ret = docker_wrap_error (err, req.method, req.path);
  docker_response_release (&resp);
  return ret;
}

int
docker_exec_resize (docker_client_t *client, const char *exec_id, unsigned height, unsigned width,
                    kl_error_t *err)
{
  cleanup_free char *path = NULL;
  int ret = exec_path (exec_id, "/resize", &path, err);
  if (ret < 0)
    return ret;
  return docker_post_resize (client, path, height, width, err);
}
