#include "pkg/kubelet/dockershim/docker_update.h"

#include <curl/curl.h>
#include <stdbool.h>
#include <string.h>

#include "pkg/util/utils.h"

#define MAX_RESPONSE 65536
#define UPDATE_TIMEOUT_S 60

typedef struct response_s
{
  char data[MAX_RESPONSE + 1];
  size_t len;
} response_t;

static size_t
on_body (char *ptr, size_t size, size_t nmemb, void *ctx)
{
  response_t *r = ctx;
  size_t n = size * nmemb;
  size_t room = MAX_RESPONSE - r->len;
  memcpy (r->data + r->len, ptr, n < room ? n : room);
  r->len += n < room ? n : room;
  r->data[r->len] = '\0';
  return n;
}

static bool
is_hex_id (const char *id)
{
  if (id == NULL || id[0] == '\0' || strlen (id) > 64)
    return false;
  for (const char *p = id; *p; p++)
    if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
      return false;
  return true;
}

int
ds_docker_container_update (docker_client_t *client, const char *id, const json_t *body,
                            kl_error_t *err)
{
  if (!is_hex_id (id))
    return kl_make_error_kind (err, KL_ERROR_INVALID, 0, "docker: update: bad container ID");
  const char *endpoint = docker_client_endpoint (client);
  if (strncmp (endpoint, "unix://", 7) != 0)
    return kl_make_error_kind (err, KL_ERROR_INVALID, 0,
                               "docker: update: endpoint %s is not unix://", endpoint);
  cleanup_free char *version = NULL;
  int ret = docker_client_api_version (client, &version, err);
  if (ret < 0)
    return ret;
  cleanup_free char *url = xasprintf ("http://docker/v%s/containers/%s/update", version, id);
  cleanup_free char *text = json_dumps (body, JSON_COMPACT);
  if (text == NULL)
    return kl_make_error_kind (err, KL_ERROR_INVALID, 0, "docker: update: body does not encode");

  CURL *curl = curl_easy_init ();
  if (curl == NULL)
    return kl_make_error_kind (err, KL_ERROR_GENERIC, 0, "docker: update: curl_easy_init failed");
  response_t *resp = xmalloc0 (sizeof *resp);
  struct curl_slist *headers = curl_slist_append (NULL, "Content-Type: application/json");
  curl_easy_setopt (curl, CURLOPT_UNIX_SOCKET_PATH, endpoint + 7);
  curl_easy_setopt (curl, CURLOPT_URL, url);
  curl_easy_setopt (curl, CURLOPT_POST, 1L);
  curl_easy_setopt (curl, CURLOPT_POSTFIELDS, text);
  curl_easy_setopt (curl, CURLOPT_POSTFIELDSIZE, (long) strlen (text));
  curl_easy_setopt (curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt (curl, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt (curl, CURLOPT_WRITEDATA, resp);
  curl_easy_setopt (curl, CURLOPT_TIMEOUT, (long) UPDATE_TIMEOUT_S);
  curl_easy_setopt (curl, CURLOPT_NOSIGNAL, 1L);
  CURLcode rc = curl_easy_perform (curl);
  long status = 0;
  curl_easy_getinfo (curl, CURLINFO_RESPONSE_CODE, &status);
  curl_slist_free_all (headers);
  curl_easy_cleanup (curl);

  if (rc != CURLE_OK)
    ret = kl_make_error_kind (
        err, rc == CURLE_OPERATION_TIMEDOUT ? KL_ERROR_TIMEOUT : KL_ERROR_UNAVAILABLE, 0,
        "docker: POST /containers/%s/update: %s", id, curl_easy_strerror (rc));
  else if (status < 200 || status >= 300)
    {
      json_t *doc = json_loadb (resp->data, resp->len, 0, NULL);
      const char *msg = json_string_value (json_object_get (doc, "message"));
      enum kl_error_kind kind = status == 404   ? KL_ERROR_NOT_FOUND
                                : status == 400 ? KL_ERROR_INVALID
                                : status == 409 ? KL_ERROR_ALREADY_EXISTS
                                : status == 503 ? KL_ERROR_UNAVAILABLE
                                                : KL_ERROR_GENERIC;
      ret = kl_make_error_kind (err, kind, (int) status,
                                "docker: POST /containers/%s/update: %ld: %s", id, status,
                                msg ? msg : resp->data);
      json_decref (doc);
    }
  free (resp);
  return ret;
}
