#include "pkg/kubelet/dockershim/libdocker/containers.h"

#include <stdio.h>
#include <string.h>

#include "pkg/kubelet/dockershim/libdocker/client-internal.h"
#include "pkg/kubelet/dockershim/libdocker/decode.h"
#include "pkg/kubelet/dockershim/libdocker/hijack-internal.h"
#include "pkg/util/utils.h"

/* "/containers/<escaped id><suffix>". */
static int
container_path (const char *id, const char *suffix, char **out, kl_error_t *err)
{
  cleanup_free char *escaped = NULL;
  int ret = docker_path_escape ("container ID", id, false, &escaped, err);
  if (ret < 0)
    return ret;
  *out = xasprintf ("/containers/%s%s", escaped, suffix);
  return 0;
}

/* Sends a request without a body whose answer only matters by its status:
   0, DOCKER_NOT_MODIFIED for 304, or the error. */
static int
call_status (docker_client_t *client, const char *method, const char *path, int64_t timeout_ns,
             kl_error_t *err)
{
  docker_request_t req = { .method = method, .path = path, .timeout_ns = timeout_ns };
  docker_response_t resp = { 0 };
  int ret = docker_do (client, &req, &resp, err);
  if (ret == 0 && resp.status == 304)
    ret = DOCKER_NOT_MODIFIED;
  docker_response_release (&resp);
  return ret;
}

int
docker_container_create (docker_client_t *client, const char *name, const json_t *config,
                         docker_container_create_result_t **out, kl_error_t *err)
{
  if (!json_is_object (config))
    return kl_make_error_kind (err, KL_ERROR_INVALID, 0,
                               "docker: POST /containers/create: the config is not a JSON object");
  cleanup_free char *path = xstrdup ("/containers/create");
  if (name != NULL)
    {
      if (name[0] == '\0')
        return kl_make_error_kind (err, KL_ERROR_INVALID, 0,
                                   "docker: POST /containers/create: empty container name");
      docker_query_add (&path, "name", name);
    }
  cleanup_free char *body = json_dumps (config, JSON_COMPACT);
  if (body == NULL)
    return kl_make_error_kind (err, KL_ERROR_INVALID, 0,
                               "docker: POST /containers/create: the config does not encode");
  docker_request_t req = {
    .method = "POST",
    .path = path,
    .body = body,
    .body_len = strlen (body),
  };
  docker_response_t resp = { 0 };
  int ret = docker_do (client, &req, &resp, err);
  if (ret == 0 && docker_decode_container_create (resp.body, resp.len, out, err) < 0)
    ret = docker_wrap_error (err, req.method, req.path);
  docker_response_release (&resp);
  return ret;
}

int
docker_container_start (docker_client_t *client, const char *id, kl_error_t *err)
{
  cleanup_free char *path = NULL;
  int ret = container_path (id, "/start", &path, err);
  if (ret < 0)
    return ret;
  return call_status (client, "POST", path, 0, err);
}

int
docker_container_stop (docker_client_t *client, const char *id, int timeout_s, kl_error_t *err)
{
  cleanup_free char *path = NULL;
  int ret = container_path (id, "/stop", &path, err);
  if (ret < 0)
    return ret;
  /* dockerd's own default grace period when the container sets none. */
  int64_t grace_s = timeout_s >= 0 ? timeout_s : 10;
  if (timeout_s >= 0)
    {
      char t[16];
      snprintf (t, sizeof t, "%d", timeout_s);
      docker_query_add (&path, "t", t);
    }
  return call_status (client, "POST", path, client->timeout_ns + grace_s * 1000000000LL, err);
}

int
docker_container_kill (docker_client_t *client, const char *id, const char *signal, kl_error_t *err)
{
  cleanup_free char *path = NULL;
  int ret = container_path (id, "/kill", &path, err);
  if (ret < 0)
    return ret;
  if (signal != NULL && signal[0] == '\0')
    return kl_make_error_kind (err, KL_ERROR_INVALID, 0, "docker: POST %s: empty signal", path);
  docker_query_add (&path, "signal", signal ? signal : "SIGKILL");
  ret = call_status (client, "POST", path, 0, err);
  return ret < 0 ? ret : 0;
}

int
docker_container_remove (docker_client_t *client, const char *id, bool force, bool remove_volumes,
                         kl_error_t *err)
{
  cleanup_free char *path = NULL;
  int ret = container_path (id, "", &path, err);
  if (ret < 0)
    return ret;
  docker_query_add (&path, "force", force ? "1" : "0");
  docker_query_add (&path, "v", remove_volumes ? "1" : "0");
  ret = call_status (client, "DELETE", path, 0, err);
  return ret < 0 ? ret : 0;
}

int
docker_container_update (docker_client_t *client, const char *id, const json_t *resources,
                         kl_error_t *err)
{
  cleanup_free char *path = NULL;
  int ret = container_path (id, "/update", &path, err);
  if (ret < 0)
    return ret;
  if (!json_is_object (resources))
    return kl_make_error_kind (err, KL_ERROR_INVALID, 0,
                               "docker: POST %s: the resources are not a JSON object", path);
  cleanup_free char *body = json_dumps (resources, JSON_COMPACT);
  if (body == NULL)
    return kl_make_error_kind (err, KL_ERROR_INVALID, 0,
                               "docker: POST %s: the resources do not encode", path);
  docker_request_t req = {
    .method = "POST",
    .path = path,
    .body = body,
    .body_len = strlen (body),
  };
  docker_response_t resp = { 0 };
  ret = docker_do (client, &req, &resp, err);
  docker_response_release (&resp);
  return ret;
}

int
docker_container_inspect (docker_client_t *client, const char *id, docker_container_inspect_t **out,
                          kl_error_t *err)
{
  cleanup_free char *path = NULL;
  int ret = container_path (id, "/json", &path, err);
  if (ret < 0)
    return ret;
  docker_request_t req = { .method = "GET", .path = path };
  docker_response_t resp = { 0 };
  ret = docker_do (client, &req, &resp, err);
  if (ret == 0 && docker_decode_container_inspect (resp.body, resp.len, out, err) < 0)
    ret = docker_wrap_error (err, req.method, req.path);
  docker_response_release (&resp);
  return ret;
}

/* Adds filters[key] = the NULL-terminated `values`, if any. */
static int
add_filter (json_t *filters, const char *key, const char *const *values, kl_error_t *err)
{
  if (values == NULL || values[0] == NULL)
    return 0;
  json_t *list = json_array ();
  json_object_set_new (filters, key, list);
  for (size_t i = 0; values[i]; i++)
    {
      json_t *value = json_string (values[i]);
      if (value == NULL)
        return kl_make_error_kind (err, KL_ERROR_INVALID, 0,
                                   "docker: GET /containers/json: %s filter %zu is not UTF-8", key,
                                   i);
      json_array_append_new (list, value);
    }
  return 0;
}

int
docker_container_list (docker_client_t *client, const docker_container_list_options_t *opts,
                       docker_container_list_t **out, kl_error_t *err)
{
  cleanup_free char *path = xstrdup ("/containers/json");
  if (opts && opts->all)
    docker_query_add (&path, "all", "1");
  if (opts)
    {
      json_t *filters = json_object ();
      if (add_filter (filters, "label", opts->labels, err) < 0
          || add_filter (filters, "status", opts->statuses, err) < 0
          || add_filter (filters, "id", opts->ids, err) < 0)
        {
          json_decref (filters);
          return -1;
        }
      if (json_object_size (filters) > 0)
        {
          cleanup_free char *encoded = json_dumps (filters, JSON_COMPACT);
          docker_query_add (&path, "filters", encoded);
        }
      json_decref (filters);
    }
  docker_request_t req = { .method = "GET", .path = path };
  docker_response_t resp = { 0 };
  int ret = docker_do (client, &req, &resp, err);
  if (ret == 0 && docker_decode_container_list (resp.body, resp.len, out, err) < 0)
    ret = docker_wrap_error (err, req.method, req.path);
  docker_response_release (&resp);
  return ret;
}

int
docker_container_stats (docker_client_t *client, const char *id, docker_container_stats_t **out,
                        kl_error_t *err)
{
  cleanup_free char *path = NULL;
  int ret = container_path (id, "/stats?stream=false&one-shot=true", &path, err);
  if (ret < 0)
    return ret;
  docker_request_t req = { .method = "GET", .path = path };
  docker_response_t resp = { 0 };
  ret = docker_do (client, &req, &resp, err);
  if (ret == 0 && docker_decode_container_stats (resp.body, resp.len, out, err) < 0)
    ret = docker_wrap_error (err, req.method, req.path);
  docker_response_release (&resp);
  return ret;
}

int
docker_container_wait (docker_client_t *client, const char *id, const char *condition,
                       int64_t timeout_ns, int64_t *status_code, kl_error_t *err)
{
  cleanup_free char *path = NULL;
  int ret = container_path (id, "/wait", &path, err);
  if (ret < 0)
    return ret;
  docker_query_add (&path, "condition", condition ? condition : "not-running");
  docker_request_t req = {
    .method = "POST",
    .path = path,
    .timeout_ns = timeout_ns > 0 ? timeout_ns : DOCKER_NO_TIMEOUT,
  };
  docker_response_t resp = { 0 };
  ret = docker_do (client, &req, &resp, err);
  if (ret == 0 && docker_decode_container_wait (resp.body, resp.len, status_code, err) < 0)
    ret = docker_wrap_error (err, req.method, req.path);
  docker_response_release (&resp);
  return ret;
}

int
docker_container_attach (docker_client_t *client, const char *id, const docker_stream_io_t *io,
                         kl_error_t *err)
{
  cleanup_free char *path = NULL;
  int ret = container_path (id, "/attach", &path, err);
  if (ret < 0)
    return ret;
  docker_query_add (&path, "stream", "1");
  docker_query_add (&path, "stdin", io->stdin_fd >= 0 ? "1" : "0");
  docker_query_add (&path, "stdout", io->output || io->stdout_fd >= 0 ? "1" : "0");
  docker_query_add (&path, "stderr", io->output || io->stderr_fd >= 0 ? "1" : "0");
  return docker_hijack (client, "POST", path, "", 0, io, err);
}

int
docker_container_resize (docker_client_t *client, const char *id, unsigned height, unsigned width,
                         kl_error_t *err)
{
  cleanup_free char *path = NULL;
  int ret = container_path (id, "/resize", &path, err);
  if (ret < 0)
    return ret;
  return docker_post_resize (client, path, height, width, err);
}
