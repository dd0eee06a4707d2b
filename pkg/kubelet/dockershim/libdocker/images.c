#include "pkg/kubelet/dockershim/libdocker/images.h"

#include <jansson.h>
#include <string.h>

#include "pkg/kubelet/dockershim/libdocker/client-internal.h"
#include "pkg/kubelet/dockershim/libdocker/decode.h"
#include "pkg/util/utils.h"

/* The longest reference distribution's grammar allows (name 255 + tag 128
   + digest), with room to spare. */
#define MAX_REFERENCE 1024

int
docker_image_reference_split (const char *image, char **repository, char **tag, kl_error_t *err)
{
  size_t len = image ? strlen (image) : 0;
  cleanup_free char *quoted = kl_quote (image ? image : "", len > 256 ? 256 : len);
  if (len == 0 || len > MAX_REFERENCE)
    return kl_make_error_kind (err, KL_ERROR_INVALID, 0, "image reference %s: bad length", quoted);
  for (size_t i = 0; i < len; i++)
    if ((unsigned char) image[i] <= ' ' || (unsigned char) image[i] >= 0x7f)
      return kl_make_error_kind (err, KL_ERROR_INVALID, 0, "image reference %s: invalid character",
                                 quoted);
  const char *at = strchr (image, '@');
  const char *name_end = at ? at : image + len;
  /* A tag's ':' comes after the last '/': "127.0.0.1:5000/busybox" has none. */
  const char *slash = memrchr (image, '/', (size_t) (name_end - image));
  const char *colon
      = memrchr (slash ? slash : image, ':', (size_t) (name_end - (slash ? slash : image)));
  const char *repo_end = colon ? colon : name_end;
  if (repo_end == image || (colon && colon + 1 == name_end) || (at && at[1] == '\0'))
    return kl_make_error_kind (err, KL_ERROR_INVALID, 0, "image reference %s: malformed", quoted);
  *repository = xstrndup (image, (size_t) (repo_end - image));
  if (at)
    *tag = xstrdup (at + 1); /* the digest wins over a tag, as in Go */
  else if (colon)
    *tag = xstrndup (colon + 1, (size_t) (name_end - colon - 1));
  else
    *tag = xstrdup ("latest");
  return 0;
}

int
docker_image_list (docker_client_t *client, const char *reference, docker_image_list_t **out,
                   kl_error_t *err)
{
  cleanup_free char *path = xstrdup ("/images/json");
  if (reference)
    {
      json_t *filters = json_pack ("{s:[s]}", "reference", reference);
      if (filters == NULL)
        return kl_make_error_kind (err, KL_ERROR_INVALID, 0,
                                   "docker: GET /images/json: the reference is not UTF-8");
      cleanup_free char *encoded = json_dumps (filters, JSON_COMPACT);
      json_decref (filters);
      docker_query_add (&path, "filters", encoded);
    }
  docker_request_t req = { .method = "GET", .path = path };
  docker_response_t resp = { 0 };
  int ret = docker_do (client, &req, &resp, err);
  if (ret == 0 && docker_decode_image_list (resp.body, resp.len, out, err) < 0)
    ret = docker_wrap_error (err, req.method, req.path);
  docker_response_release (&resp);
  return ret;
}

int
docker_image_inspect (docker_client_t *client, const char *name, docker_image_inspect_t **out,
                      kl_error_t *err)
{
  cleanup_free char *escaped = NULL;
  int ret = docker_path_escape ("image name", name, true, &escaped, err);
  if (ret < 0)
    return ret;
  cleanup_free char *path = xasprintf ("/images/%s/json", escaped);
  docker_request_t req = { .method = "GET", .path = path };
  docker_response_t resp = { 0 };
  ret = docker_do (client, &req, &resp, err);
  if (ret == 0 && docker_decode_image_inspect (resp.body, resp.len, out, err) < 0)
    ret = docker_wrap_error (err, req.method, req.path);
  docker_response_release (&resp);
  return ret;
}

static int
on_pull_body (void *ctx, const char *data, size_t len, kl_error_t *err)
{
  return docker_jsonmessage_feed (ctx, data, len, err);
}

int
docker_image_pull (docker_client_t *client, const char *image, const docker_pull_options_t *opts,
                   char **digest, kl_error_t *err)
{
  static const docker_pull_options_t defaults = { 0 };
  cleanup_free char *repository = NULL;
  cleanup_free char *tag = NULL;
  cleanup_free char *auth = NULL;
  if (opts == NULL)
    opts = &defaults;
  int ret = docker_image_reference_split (image, &repository, &tag, err);
  if (ret < 0)
    return kl_error_wrap (err, "docker: POST /images/create");
  if (opts->auth)
    {
      ret = docker_auth_encode (opts->auth, &auth, err);
      if (ret < 0)
        return kl_error_wrap (err, "docker: POST /images/create");
    }
  cleanup_free char *path = xstrdup ("/images/create");
  docker_query_add (&path, "fromImage", repository);
  docker_query_add (&path, "tag", tag);

  docker_jsonmessage_t stream;
  docker_jsonmessage_init (&stream, 0, opts->on_progress, opts->ctx);
  docker_request_t req = {
    .method = "POST",
    .path = path,
    .registry_auth = auth,
    .timeout_ns = opts->timeout_ns > 0 ? opts->timeout_ns : DOCKER_NO_TIMEOUT,
    .idle_timeout_ns = opts->progress_timeout_ns,
    .on_body = on_pull_body,
    .ctx = &stream,
  };
  docker_response_t resp = { 0 };
  ret = docker_do (client, &req, &resp, err);
  if (ret == 0 && docker_jsonmessage_finish (&stream, err) < 0)
    ret = docker_wrap_error (err, req.method, req.path);
  if (ret == 0 && digest)
    {
      const char *d = docker_jsonmessage_digest (&stream);
      *digest = d ? xstrdup (d) : NULL;
    }
  docker_jsonmessage_release (&stream);
  docker_response_release (&resp);
  return ret;
}

int
docker_image_remove (docker_client_t *client, const char *name, bool force, kl_error_t *err)
{
  cleanup_free char *escaped = NULL;
  int ret = docker_path_escape ("image name", name, true, &escaped, err);
  if (ret < 0)
    return ret;
  cleanup_free char *path = xasprintf ("/images/%s", escaped);
  docker_query_add (&path, "force", force ? "1" : "0");
  docker_query_add (&path, "noprune", "0");
  docker_request_t req = { .method = "DELETE", .path = path };
  docker_response_t resp = { 0 };
  ret = docker_do (client, &req, &resp, err);
  docker_response_release (&resp);
  return ret;
}
