#include "pkg/kubelet/dockershim/libdocker/system.h"

#include <string.h>
#include <strings.h>

#include "pkg/kubelet/dockershim/libdocker/client-internal.h"
#include "pkg/kubelet/dockershim/libdocker/decode.h"
#include "pkg/util/utils.h"

static char *
header_or_empty (const docker_response_t *resp, const char *name)
{
  const char *v = docker_response_header (resp, name);
  return xstrdup (v ? v : "");
}

int
docker_ping (docker_client_t *client, docker_ping_t **out, kl_error_t *err)
{
  docker_request_t req = { .method = "GET", .path = "/_ping", .unversioned = true };
  docker_response_t resp = { 0 };
  int ret = docker_do (client, &req, &resp, err);
  if (ret < 0)
    {
      docker_response_release (&resp);
      return ret;
    }
  if (resp.len < 2 || strncmp (resp.body, "OK", 2) != 0)
    {
      cleanup_free char *quoted
          = kl_quote (resp.body ? resp.body : "", resp.len > 64 ? 64 : resp.len);
      docker_response_release (&resp);
      return kl_make_error_kind (err, KL_ERROR_UNAVAILABLE, 0,
                                 "docker: GET /_ping: want \"OK\", got %s", quoted);
    }
  docker_ping_t *ping = xmalloc0 (sizeof *ping);
  ping->api_version = header_or_empty (&resp, "API-Version");
  ping->os_type = header_or_empty (&resp, "OSType");
  ping->builder_version = header_or_empty (&resp, "Builder-Version");
  const char *experimental = docker_response_header (&resp, "Docker-Experimental");
  ping->experimental = experimental && strcasecmp (experimental, "true") == 0;
  docker_response_release (&resp);
  *out = ping;
  return 0;
}

int
docker_version (docker_client_t *client, docker_version_t **out, kl_error_t *err)
{
  docker_request_t req = { .method = "GET", .path = "/version", .unversioned = true };
  docker_response_t resp = { 0 };
  int ret = docker_do (client, &req, &resp, err);
  if (ret == 0 && docker_decode_version (resp.body, resp.len, out, err) < 0)
    ret = docker_wrap_error (err, req.method, req.path);
  docker_response_release (&resp);
  return ret;
}

int
docker_info (docker_client_t *client, docker_info_t **out, kl_error_t *err)
{
  docker_request_t req = { .method = "GET", .path = "/info" };
  docker_response_t resp = { 0 };
  int ret = docker_do (client, &req, &resp, err);
  if (ret == 0 && docker_decode_info (resp.body, resp.len, out, err) < 0)
    ret = docker_wrap_error (err, req.method, req.path);
  docker_response_release (&resp);
  return ret;
}
