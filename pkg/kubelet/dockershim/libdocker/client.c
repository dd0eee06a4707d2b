#include "pkg/kubelet/dockershim/libdocker/client.h"

#include <curl/curl.h>
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/un.h>
#include <time.h>

#include "pkg/kubelet/dockershim/libdocker/client-internal.h"
#include "pkg/kubelet/dockershim/libdocker/decode.h"
#include "pkg/util/log.h"
#include "pkg/util/utils.h"

/* Error messages quote at most this much of a response. */
#define MAX_MESSAGE 4096
/* A response header longer than this is not one dockerd sends. */
#define MAX_HEADER_LINE 8192

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_result;

static void
curl_init (void)
{
  curl_init_result = curl_global_init (CURL_GLOBAL_DEFAULT);
}

int64_t
docker_now_ns (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (int64_t) ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int
docker_client_new (const char *endpoint, int64_t timeout_ns, docker_client_t **out, kl_error_t *err)
{
  if (endpoint == NULL || endpoint[0] == '\0')
    endpoint = DOCKER_DEFAULT_ENDPOINT;
  if (strncmp (endpoint, "unix://", 7) != 0)
    {
      cleanup_free char *quoted = kl_quote (endpoint, strlen (endpoint));
      return kl_make_error_kind (err, KL_ERROR_INVALID, 0,
                                 "docker endpoint %s: only unix:// endpoints are supported",
                                 quoted);
    }
  const char *path = endpoint + 7;
  if (path[0] != '/' || strlen (path) >= sizeof ((struct sockaddr_un *) 0)->sun_path)
    {
      cleanup_free char *quoted = kl_quote (endpoint, strlen (endpoint));
      return kl_make_error_kind (err, KL_ERROR_INVALID, 0,
                                 "docker endpoint %s: want an absolute socket path of at most "
                                 "%zu bytes",
                                 quoted, sizeof ((struct sockaddr_un *) 0)->sun_path - 1);
    }
  if (timeout_ns <= 0)
    return kl_make_error_kind (err, KL_ERROR_INVALID, 0, "docker client: timeout must be > 0");
  pthread_once (&curl_once, curl_init);
  if (curl_init_result != CURLE_OK)
    return kl_make_error_kind (err, KL_ERROR_GENERIC, 0, "docker client: curl_global_init: %s",
                               curl_easy_strerror (curl_init_result));
  docker_client_t *c = xmalloc0 (sizeof *c);
  c->endpoint = xstrdup (endpoint);
  c->socket_path = xstrdup (path);
  c->timeout_ns = timeout_ns;
  c->max_response = DOCKER_DEFAULT_MAX_RESPONSE;
  pthread_mutex_init (&c->lock, NULL);
  *out = c;
  return 0;
}

void
docker_client_free (docker_client_t *client)
{
  if (client == NULL)
    return;
  pthread_mutex_destroy (&client->lock);
  free (client->endpoint);
  free (client->socket_path);
  free (client);
}

const char *
docker_client_endpoint (const docker_client_t *client)
{
  return client->endpoint;
}

void
docker_client_set_max_response (docker_client_t *client, size_t bytes)
{
  client->max_response = bytes;
}

/* "1.41" -> 1, 41; false unless exactly digits '.' digits. */
static bool
parse_api_version (const char *s, int *major, int *minor)
{
  char *end;
  if (s[0] < '0' || s[0] > '9')
    return false;
  long a = strtol (s, &end, 10);
  if (*end != '.' || end[1] < '0' || end[1] > '9' || a > 99)
    return false;
  long b = strtol (end + 1, &end, 10);
  if (*end != '\0' || b > 999)
    return false;
  *major = (int) a;
  *minor = (int) b;
  return true;
}

static int
compare_versions (int major_a, int minor_a, int major_b, int minor_b)
{
  if (major_a != major_b)
    return major_a < major_b ? -1 : 1;
  return minor_a < minor_b ? -1 : minor_a > minor_b;
}

int
docker_negotiate (docker_client_t *client, char prefix[static 16], kl_error_t *err)
{
  pthread_mutex_lock (&client->lock);
  bool done = client->api_version[0] != '\0';
  if (done)
    snprintf (prefix, 16, "/v%s", client->api_version);
  pthread_mutex_unlock (&client->lock);
  if (done)
    return 0;

  /* Outside the lock: a slow daemon must not stall other threads' calls
     behind ours; two threads negotiating at once agree anyway. */
  docker_request_t req = { .method = "GET", .path = "/version", .unversioned = true };
  docker_response_t resp = { 0 };
  int ret = docker_do (client, &req, &resp, err);
  if (ret < 0)
    {
      docker_response_release (&resp);
      return kl_error_wrap (err, "negotiating the API version");
    }
  cleanup_docker (docker_version) docker_version_t *version = NULL;
  ret = docker_decode_version (resp.body ? resp.body : "", resp.len, &version, err);
  docker_response_release (&resp);
  if (ret < 0)
    return kl_error_wrap (err, "docker: GET /version");

  int max_major, max_minor, min_major, min_minor, major, minor;
  parse_api_version (DOCKER_MAX_API_VERSION, &max_major, &max_minor);
  parse_api_version (DOCKER_MIN_API_VERSION, &min_major, &min_minor);
  /* A daemon that does not say is older than API versioning (Go: 1.24). */
  const char *server = version->api_version[0] ? version->api_version : "1.24";
  if (!parse_api_version (server, &major, &minor))
    {
      cleanup_free char *quoted = kl_quote (server, strlen (server));
      return kl_make_error_kind (err, KL_ERROR_INVALID, 0,
                                 "docker: GET /version: bad ApiVersion %s", quoted);
    }
  if (compare_versions (major, minor, min_major, min_minor) < 0)
    return kl_make_error_kind (err, KL_ERROR_INVALID, 0,
                               "docker: dockerd %s speaks API %d.%d, older than the minimum %s",
                               version->version, major, minor, DOCKER_MIN_API_VERSION);
  if (compare_versions (major, minor, max_major, max_minor) > 0)
    {
      major = max_major;
      minor = max_minor;
    }
  pthread_mutex_lock (&client->lock);
  if (client->api_version[0] == '\0')
    {
      snprintf (client->api_version, sizeof client->api_version, "%d.%d", major, minor);
      KL_LOG_V (2, "docker: %s: dockerd %s, API %s (daemon %s)", client->endpoint, version->version,
                client->api_version, server);
    }
  snprintf (prefix, 16, "/v%s", client->api_version);
  pthread_mutex_unlock (&client->lock);
  return 0;
}

int
docker_client_api_version (docker_client_t *client, char **out, kl_error_t *err)
{
  char prefix[16];
  int ret = docker_negotiate (client, prefix, err);
  if (ret < 0)
    return ret;
  *out = xstrdup (prefix + 2);
  return 0;
}

/* Escapes all but RFC 3986 unreserved characters (and '/' if kept). */
static char *
percent_encode (const char *s, bool keep_slash, bool keep_colon_at)
{
  static const char hex[] = "0123456789ABCDEF";
  size_t len = strlen (s);
  char *out = xmalloc (len * 3 + 1);
  char *p = out;
  for (size_t i = 0; i < len; i++)
    {
      unsigned char c = (unsigned char) s[i];
      if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-'
          || c == '.' || c == '_' || c == '~' || (keep_slash && c == '/')
          || (keep_colon_at && (c == ':' || c == '@')))
        *p++ = (char) c;
      else
        {
          *p++ = '%';
          *p++ = hex[c >> 4];
          *p++ = hex[c & 15];
        }
    }
  *p = '\0';
  return out;
}

/* True unless a '/'-separated segment of `s` is "", "." or "..". */
static bool
path_segments_ok (const char *s)
{
  for (;;)
    {
      const char *slash = strchr (s, '/');
      size_t n = slash ? (size_t) (slash - s) : strlen (s);
      if (n == 0 || (n == 1 && s[0] == '.') || (n == 2 && s[0] == '.' && s[1] == '.'))
        return false;
      if (slash == NULL)
        return true;
      s = slash + 1;
    }
}

int
docker_path_escape (const char *what, const char *s, bool keep_slash, char **out, kl_error_t *err)
{
  if (s == NULL || s[0] == '\0')
    return kl_make_error_kind (err, KL_ERROR_INVALID, 0, "docker: empty %s", what);
  if (keep_slash && !path_segments_ok (s))
    {
      /* Image references have no empty or dot segments: refuse what would
         walk the API's path. */
      cleanup_free char *quoted = kl_quote (s, strlen (s));
      return kl_make_error_kind (err, KL_ERROR_INVALID, 0, "docker: bad %s %s", what, quoted);
    }
  *out = percent_encode (s, keep_slash, true);
  return 0;
}

void
docker_query_add (char **path, const char *key, const char *value)
{
  cleanup_free char *encoded = percent_encode (value, false, false);
  char *joined = xasprintf ("%s%c%s=%s", *path, strchr (*path, '?') ? '&' : '?', key, encoded);
  free (*path);
  *path = joined;
}

int
docker_post_resize (docker_client_t *client, const char *path, unsigned height, unsigned width,
                    kl_error_t *err)
{
  cleanup_free char *sized = xstrdup (path);
  char h[16], w[16];
  snprintf (h, sizeof h, "%u", height);
  snprintf (w, sizeof w, "%u", width);
  docker_query_add (&sized, "h", h);
  docker_query_add (&sized, "w", w);
  docker_request_t req = { .method = "POST", .path = sized };
  docker_response_t resp = { 0 };
  int ret = docker_do (client, &req, &resp, err);
  docker_response_release (&resp);
  return ret < 0 ? -1 : 0;
}

void
docker_response_release (docker_response_t *resp)
{
  free (resp->body);
  resp->body = NULL;
  resp->len = 0;
  for (size_t i = 0; i < resp->n_headers; i++)
    free (resp->headers[i]);
  resp->n_headers = 0;
}

const char *
docker_response_header (const docker_response_t *resp, const char *name)
{
  size_t n = strlen (name);
  for (size_t i = 0; i < resp->n_headers; i++)
    if (strncasecmp (resp->headers[i], name, n) == 0 && resp->headers[i][n] == ':')
      {
        const char *v = resp->headers[i] + n + 1;
        while (*v == ' ' || *v == '\t')
          v++;
        return v;
      }
  return NULL;
}

/* Prints `path` without its query. */
static int
path_len (const char *path)
{
  const char *q = strchr (path, '?');
  size_t n = q ? (size_t) (q - path) : strlen (path);
  return n > MAX_MESSAGE ? MAX_MESSAGE : (int) n;
}

int
docker_wrap_error (kl_error_t *err, const char *method, const char *path)
{
  return kl_error_wrap (err, "docker: %s %.*s", method, path_len (path), path);
}

static const char *
status_text (long status)
{
  switch (status)
    {
    case 400:
      return "bad request";
    case 401:
      return "unauthorized";
    case 403:
      return "forbidden";
    case 404:
      return "not found";
    case 409:
      return "conflict";
    case 500:
      return "internal server error";
    case 501:
      return "not implemented";
    case 503:
      return "service unavailable";
    default:
      return "unexpected status";
    }
}

static enum kl_error_kind
status_kind (long status)
{
  switch (status)
    {
    case 400:
      return KL_ERROR_INVALID;
    case 404:
      return KL_ERROR_NOT_FOUND;
    case 409:
      return KL_ERROR_ALREADY_EXISTS;
    case 408:
    case 504:
      return KL_ERROR_TIMEOUT;
    case 503:
      return KL_ERROR_UNAVAILABLE;
    default:
      return KL_ERROR_GENERIC;
    }
}

/* dockerd's explanation: {"message": "..."}, else the body's text; printable
   and at most MAX_MESSAGE bytes. */
static char *
error_message (const char *body, size_t len)
{
  cleanup_free char *message = NULL;
  if (body != NULL && len > 0)
    {
      json_t *root = json_loadb (body, len, 0, NULL);
      json_t *m = json_object_get (root, "message");
      if (json_is_string (m) && json_string_length (m) > 0)
        message = xstrndup (json_string_value (m), json_string_length (m));
      json_decref (root);
      if (message == NULL)
        message = xstrndup (body, len);
    }
  if (message == NULL)
    return NULL;
  size_t n = strlen (message);
  while (n > 0 && (message[n - 1] == '\n' || message[n - 1] == '\r' || message[n - 1] == ' '))
    message[--n] = '\0';
  if (n == 0)
    return NULL;
  if (n > MAX_MESSAGE)
    n = MAX_MESSAGE;
  bool printable = true;
  for (size_t i = 0; i < n; i++)
    if ((unsigned char) message[i] < ' ' && message[i] != '\t')
      printable = false;
  if (!printable)
    return kl_quote (message, n);
  message[n] = '\0';
  return steal_pointer (&message);
}

int
docker_http_error (kl_error_t *err, const char *method, const char *path, long status,
                   const char *body, size_t len)
{
  cleanup_free char *message = error_message (body, len);
  return kl_make_error_kind (err, status_kind (status), (int) status, "docker: %s %.*s: %ld: %s",
                             method, path_len (path), path, status,
                             message ? message : status_text (status));
}

struct transfer
{
  CURL *curl;
  docker_client_t *client;
  const docker_request_t *req;
  docker_response_t *resp;
  kl_error_t body_err; /* from req->on_body */
  bool too_large;
  bool stalled;
  int64_t last_data_ns; /* for req->idle_timeout_ns */
};

static size_t
on_write (char *data, size_t size, size_t nmemb, void *userdata)
{
  struct transfer *t = userdata;
  size_t n = size * nmemb;
  long status = 0;
  t->last_data_ns = docker_now_ns ();
  curl_easy_getinfo (t->curl, CURLINFO_RESPONSE_CODE, &status);
  if (t->req->on_body && status >= 200 && status < 300)
    return t->req->on_body (t->req->ctx, data, n, &t->body_err) < 0 ? 0 : n;
  if (n > t->client->max_response - t->resp->len)
    {
      t->too_large = true;
      return 0; /* CURLE_WRITE_ERROR */
    }
  t->resp->body = xrealloc (t->resp->body, t->resp->len + n + 1);
  memcpy (t->resp->body + t->resp->len, data, n);
  t->resp->len += n;
  t->resp->body[t->resp->len] = '\0';
  return n;
}

static size_t
on_header (char *data, size_t size, size_t nmemb, void *userdata)
{
  struct transfer *t = userdata;
  size_t n = size * nmemb;
  size_t len = n;
  while (len > 0 && (data[len - 1] == '\n' || data[len - 1] == '\r'))
    len--;
  if (len >= 5 && strncmp (data, "HTTP/", 5) == 0)
    {
      /* A new response (after a 100 Continue): forget the last one's. */
      for (size_t i = 0; i < t->resp->n_headers; i++)
        free (t->resp->headers[i]);
      t->resp->n_headers = 0;
      return n;
    }
  if (len == 0 || len > MAX_HEADER_LINE || memchr (data, ':', len) == NULL
      || t->resp->n_headers == DOCKER_MAX_RESPONSE_HEADERS)
    return n;
  t->resp->headers[t->resp->n_headers++] = xstrndup (data, len);
  return n;
}

static int
on_progress (void *userdata, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
             curl_off_t ulnow)
{
  struct transfer *t = userdata;
  if (t->req->idle_timeout_ns > 0 && docker_now_ns () - t->last_data_ns > t->req->idle_timeout_ns)
    {
      t->stalled = true;
      return 1; /* CURLE_ABORTED_BY_CALLBACK */
    }
  return 0;
}

static int
transport_error (struct transfer *t, CURLcode code, const char *errbuf, kl_error_t *err)
{
  const docker_request_t *req = t->req;
  long os_errno = 0;
  curl_easy_getinfo (t->curl, CURLINFO_OS_ERRNO, &os_errno);
  const char *detail = errbuf[0] ? errbuf : curl_easy_strerror (code);
  int plen = path_len (req->path);
  int64_t timeout = req->timeout_ns ? req->timeout_ns : t->client->timeout_ns;

  if (code == CURLE_WRITE_ERROR && t->body_err != NULL)
    {
      kl_error_release (err);
      *err = steal_pointer (&t->body_err);
      return docker_wrap_error (err, req->method, req->path);
    }
  if (code == CURLE_WRITE_ERROR && t->too_large)
    return kl_make_error_kind (err, KL_ERROR_INVALID, 0,
                               "docker: %s %.*s: response larger than %zu bytes", req->method, plen,
                               req->path, t->client->max_response);
  if (code == CURLE_ABORTED_BY_CALLBACK && t->stalled)
    return kl_make_error_kind (err, KL_ERROR_TIMEOUT, ETIMEDOUT,
                               "docker: %s %.*s: no progress for %.3gs", req->method, plen,
                               req->path, (double) req->idle_timeout_ns / 1e9);
  switch (code)
    {
    case CURLE_COULDNT_CONNECT:
      return kl_make_error_kind (err, KL_ERROR_UNAVAILABLE, (int) os_errno,
                                 "docker: %s %.*s: cannot connect to the Docker daemon at %s: %s",
                                 req->method, plen, req->path, t->client->endpoint,
                                 os_errno ? strerror ((int) os_errno) : detail);
    case CURLE_OPERATION_TIMEDOUT:
      return kl_make_error_kind (err, KL_ERROR_TIMEOUT, ETIMEDOUT,
                                 "docker: %s %.*s: no answer within %.3gs", req->method, plen,
                                 req->path, (double) timeout / 1e9);
    case CURLE_GOT_NOTHING:
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_PARTIAL_FILE:
      return kl_make_error_kind (err, KL_ERROR_UNAVAILABLE, (int) os_errno,
                                 "docker: %s %.*s: connection to %s lost: %s", req->method, plen,
                                 req->path, t->client->endpoint, detail);
    default:
      return kl_make_error_kind (err, KL_ERROR_GENERIC, 0, "docker: %s %.*s: %s", req->method, plen,
                                 req->path, detail);
    }
}

static void
cleanup_curlp (CURL **curl)
{
  if (*curl)
    curl_easy_cleanup (*curl);
}

static void
cleanup_slistp (struct curl_slist **list)
{
  curl_slist_free_all (*list);
}

static struct curl_slist *
append_header (struct curl_slist *list, const char *header)
{
  struct curl_slist *l = curl_slist_append (list, header);
  if (l == NULL)
    kl_oom ();
  return l;
}

/* The request through the client's stand-in transport: the 2xx body goes
   to req->on_body or, within the cap, into the response. */
static int
transport_do (docker_client_t *client, const char *prefix, const docker_request_t *req,
              docker_response_t *resp, kl_error_t *err)
{
  cleanup_free char *path = xasprintf ("%s%s", prefix, req->path);
  cleanup_free char *body = NULL;
  size_t len = 0;
  memset (resp, 0, sizeof *resp);
  int ret = client->transport (client->transport_ctx, req->method, path, req->body,
                               req->body ? req->body_len : 0, &resp->status, &body, &len, err);
  if (ret < 0)
    return docker_wrap_error (err, req->method, req->path);
  if (req->on_body && resp->status >= 200 && resp->status < 300)
    {
      ret = len > 0 ? req->on_body (req->ctx, body, len, err) : 0;
      return ret < 0 ? docker_wrap_error (err, req->method, req->path) : 0;
    }
  if (len > client->max_response)
    return kl_make_error_kind (err, KL_ERROR_INVALID, 0,
                               "docker: %s %.*s: response larger than %zu bytes", req->method,
                               path_len (req->path), req->path, client->max_response);
  if (len > 0)
    {
      resp->body = xrealloc (steal_pointer (&body), len + 1);
      resp->body[len] = '\0';
      resp->len = len;
    }
  return 0;
}

void
docker_client_set_transport (docker_client_t *client, docker_transport_fn transport, void *ctx)
{
  client->transport = transport;
  client->transport_ctx = ctx;
}

int
docker_do (docker_client_t *client, const docker_request_t *req, docker_response_t *resp,
           kl_error_t *err)
{
  char prefix[16] = "";
  if (!req->unversioned)
    {
      int ret = docker_negotiate (client, prefix, err);
      if (ret < 0)
        return ret;
    }
  if (client->transport)
    {
      int ret = transport_do (client, prefix, req, resp, err);
      if (ret < 0)
        return ret;
      if (resp->status >= 400 || resp->status < 100)
        return docker_http_error (err, req->method, req->path, resp->status, resp->body, resp->len);
      return 0;
    }
  cleanup_free char *url = xasprintf ("http://docker%s%s", prefix, req->path);
  __attribute__ ((cleanup (cleanup_curlp))) CURL *curl = curl_easy_init ();
  if (curl == NULL)
    kl_oom ();
  __attribute__ ((cleanup (cleanup_slistp))) struct curl_slist *headers = NULL;
  cleanup_free char *auth_header = NULL;
  char errbuf[CURL_ERROR_SIZE] = "";
  struct transfer t = { .curl = curl, .client = client, .req = req, .resp = resp };
  int64_t timeout = req->timeout_ns ? req->timeout_ns : client->timeout_ns;

  memset (resp, 0, sizeof *resp);
  headers = append_header (headers, "Expect:");
  if (req->body)
    headers = append_header (headers, "Content-Type: application/json");
  if (req->registry_auth)
    {
      auth_header = xasprintf ("X-Registry-Auth: %s", req->registry_auth);
      headers = append_header (headers, auth_header);
    }
  curl_easy_setopt (curl, CURLOPT_UNIX_SOCKET_PATH, client->socket_path);
  curl_easy_setopt (curl, CURLOPT_URL, url);
  curl_easy_setopt (curl, CURLOPT_PATH_AS_IS, 1L);
  curl_easy_setopt (curl, CURLOPT_PROTOCOLS_STR, "http");
  curl_easy_setopt (curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt (curl, CURLOPT_USERAGENT, "dockerless-kubelet-libdocker");
  curl_easy_setopt (curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt (curl, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt (curl, CURLOPT_WRITEFUNCTION, on_write);
  curl_easy_setopt (curl, CURLOPT_WRITEDATA, &t);
  curl_easy_setopt (curl, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt (curl, CURLOPT_HEADERDATA, &t);
  curl_easy_setopt (curl, CURLOPT_CONNECTTIMEOUT_MS,
                    (long) ((client->timeout_ns + 999999) / 1000000));
  if (timeout > 0)
    curl_easy_setopt (curl, CURLOPT_TIMEOUT_MS, (long) ((timeout + 999999) / 1000000));
  if (req->idle_timeout_ns > 0)
    {
      t.last_data_ns = docker_now_ns ();
      curl_easy_setopt (curl, CURLOPT_XFERINFOFUNCTION, on_progress);
      curl_easy_setopt (curl, CURLOPT_XFERINFODATA, &t);
      curl_easy_setopt (curl, CURLOPT_NOPROGRESS, 0L);
    }
  if (strcmp (req->method, "POST") == 0)
    {
      curl_easy_setopt (curl, CURLOPT_POST, 1L);
      curl_easy_setopt (curl, CURLOPT_POSTFIELDS, req->body ? req->body : "");
      curl_easy_setopt (curl, CURLOPT_POSTFIELDSIZE_LARGE,
                        (curl_off_t) (req->body ? req->body_len : 0));
    }
  else if (strcmp (req->method, "HEAD") == 0)
    curl_easy_setopt (curl, CURLOPT_NOBODY, 1L);
  else if (strcmp (req->method, "GET") != 0)
    curl_easy_setopt (curl, CURLOPT_CUSTOMREQUEST, req->method);

  int64_t start = docker_now_ns ();
  CURLcode code = curl_easy_perform (curl);
  curl_easy_getinfo (curl, CURLINFO_RESPONSE_CODE, &resp->status);
  KL_LOG_V (5, "docker: %s %s%s: %ld (%s) in %.3fs", req->method, prefix, req->path, resp->status,
            curl_easy_strerror (code), (double) (docker_now_ns () - start) / 1e9);
  if (code != CURLE_OK)
    {
      int ret = transport_error (&t, code, errbuf, err);
      kl_error_release (&t.body_err);
      return ret;
    }
  if (resp->status >= 400 || resp->status < 100)
    return docker_http_error (err, req->method, req->path, resp->status, resp->body, resp->len);
  return 0;
}
