/* HTTP probes: a GET with libcurl, following redirects only to the same host (Go's probe/http). */
#include <curl/curl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "pkg/kubelet/prober/prober-internal.h"
#include "pkg/util/log.h"
#include "pkg/util/utils.h"

/* Go's http.Client stops after 10 redirects. */
#define MAX_REDIRECTS 10

/* curl_global_init () once per process, as libdocker does: libcurl's own
   state, not ours. */
static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_result;

static void
curl_init (void)
{
  curl_init_result = curl_global_init (CURL_GLOBAL_DEFAULT);
}

static void
cleanup_curl_easy (CURL **curl)
{
  if (*curl)
    curl_easy_cleanup (*curl);
}

static void
cleanup_curl_slist (struct curl_slist **list)
{
  if (*list)
    curl_slist_free_all (*list);
}

static void
cleanup_curl_url (CURLU **url)
{
  if (*url)
    curl_url_cleanup (*url);
}

static void
cleanup_curl_string (char **s)
{
  if (*s)
    curl_free (*s);
}

#define cleanup_curl __attribute__ ((cleanup (cleanup_curl_easy)))
#define cleanup_slist __attribute__ ((cleanup (cleanup_curl_slist)))
#define cleanup_curlu __attribute__ ((cleanup (cleanup_curl_url)))
#define cleanup_curl_str __attribute__ ((cleanup (cleanup_curl_string)))

/* The response body, kept up to KL_PROBE_MAX_OUTPUT bytes. */
struct body_s
{
  char data[KL_PROBE_MAX_OUTPUT + 1];
  size_t len;
  bool truncated; /* stopped reading at the limit: not an error */
};

static size_t
write_body (char *ptr, size_t size, size_t nmemb, void *userdata)
{
  struct body_s *body = userdata;
  size_t n = size * nmemb;
  size_t room = KL_PROBE_MAX_OUTPUT - body->len;
  if (n > room)
    {
      /* Go reads at most 10 KiB and closes the body; so do we. */
      memcpy (body->data + body->len, ptr, room);
      body->len += room;
      body->truncated = true;
      return 0;
    }
  memcpy (body->data + body->len, ptr, n);
  body->len += n;
  return n;
}

/* Bytes a URL may not hold as they are; '%' is kept so escapes stay escapes. */
static bool
needs_escape (unsigned char c)
{
  return c <= 0x20 || c >= 0x7f || strchr ("\"<>\\^`{|}", c) != NULL;
}

/* scheme://host:port/path, host bracketed when it is an IPv6 address (Go's formatURL). */
static char *
format_url (const char *scheme, const char *host, int port, const char *path)
{
  char *buf = NULL;
  size_t size = 0;
  FILE *out = open_memstream (&buf, &size);
  if (out == NULL)
    kl_oom ();
  bool ipv6 = strchr (host, ':') != NULL;
  fprintf (out, "%s://%s%s%s:%d", scheme, ipv6 ? "[" : "", host, ipv6 ? "]" : "", port);
  if (path == NULL || path[0] != '/')
    fputc ('/', out);
  for (const unsigned char *p = (const unsigned char *) (path ? path : ""); *p; p++)
    if (needs_escape (*p))
      fprintf (out, "%%%02X", *p);
    else
      fputc (*p, out);
  if (fclose (out) != 0)
    kl_oom ();
  return buf;
}

static bool
has_header (const kl_http_get_action_t *action, const char *name)
{
  for (size_t i = 0; i < action->n_http_headers; i++)
    if (action->http_headers[i].name && strcasecmp (action->http_headers[i].name, name) == 0)
      return true;
  return false;
}

/* The request headers as curl takes them (Go's buildHeader plus the
   User-Agent and Accept defaults); NULL with *bad set for a header no
   request can carry. */
static struct curl_slist *
build_headers (const kl_http_get_action_t *action, const char **bad)
{
  struct curl_slist *list = NULL;
  for (size_t i = 0; i < action->n_http_headers; i++)
    {
      const char *name = action->http_headers[i].name ? action->http_headers[i].name : "";
      const char *value = action->http_headers[i].value ? action->http_headers[i].value : "";
      if (name[0] == '\0' || strpbrk (name, ":\r\n \t") != NULL || strpbrk (value, "\r\n") != NULL)
        {
          *bad = name;
          curl_slist_free_all (list);
          return NULL;
        }
      cleanup_free char *line = NULL;
      if (value[0] != '\0')
        line = xasprintf ("%s: %s", name, value);
      else if (strcasecmp (name, "Accept") == 0)
        line = xasprintf ("%s:", name); /* an empty Accept removes it, as in Go */
      else
        line = xasprintf ("%s;", name); /* curl's spelling of an empty value */
      list = curl_slist_append (list, line);
      if (list == NULL)
        kl_oom ();
    }
  if (!has_header (action, "User-Agent"))
    {
      cleanup_free char *agent = kl_probe_user_agent ();
      cleanup_free char *line = xasprintf ("User-Agent: %s", agent);
      list = curl_slist_append (list, line);
    }
  if (!has_header (action, "Accept"))
    list = curl_slist_append (list, "Accept: */*");
  /* Go's probe transport disables keep-alives. */
  if (!has_header (action, "Connection"))
    list = curl_slist_append (list, "Connection: close");
  if (list == NULL)
    kl_oom ();
  return list;
}

/* Runs the transfer on a multi handle so a write to cancel_fd ends it at
   once; sets *cancelled then. */
static CURLcode
perform (CURL *curl, int cancel_fd, bool *cancelled)
{
  CURLM *multi = curl_multi_init ();
  if (multi == NULL)
    kl_oom ();
  CURLcode code = CURLE_OK;
  if (curl_multi_add_handle (multi, curl) != CURLM_OK)
    {
      curl_multi_cleanup (multi);
      return CURLE_FAILED_INIT;
    }
  int running = 1;
  while (running)
    {
      if (curl_multi_perform (multi, &running) != CURLM_OK)
        {
          code = CURLE_FAILED_INIT;
          break;
        }
      if (!running)
        break;
      struct curl_waitfd extra = { .fd = cancel_fd, .events = CURL_WAIT_POLLIN, .revents = 0 };
      if (curl_multi_poll (multi, &extra, cancel_fd >= 0 ? 1 : 0, 1000, NULL) != CURLM_OK)
        {
          code = CURLE_FAILED_INIT;
          break;
        }
      if (extra.revents != 0)
        {
          *cancelled = true;
          code = CURLE_ABORTED_BY_CALLBACK;
          break;
        }
    }
  if (running == 0)
    {
      int left;
      CURLMsg *msg;
      while ((msg = curl_multi_info_read (multi, &left)) != NULL)
        if (msg->msg == CURLMSG_DONE)
          code = msg->data.result;
    }
  curl_multi_remove_handle (multi, curl);
  curl_multi_cleanup (multi);
  return code;
}

/* The host part of `url` in lower case, or NULL. */
static char *
url_host (const char *url)
{
  cleanup_curlu CURLU *u = curl_url ();
  if (u == NULL)
    kl_oom ();
  if (curl_url_set (u, CURLUPART_URL, url, 0) != CURLUE_OK)
    return NULL;
  cleanup_curl_str char *host = NULL;
  if (curl_url_get (u, CURLUPART_HOST, &host, 0) != CURLUE_OK)
    return NULL;
  char *copy = xstrdup (host);
  for (char *p = copy; *p; p++)
    if (*p >= 'A' && *p <= 'Z')
      *p = (char) (*p - 'A' + 'a');
  return copy;
}

static bool
is_redirect (long status)
{
  return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

/* One GET of `url`: 0 with *status and the body, or a transport failure as
   *failure (the message Go would give). *location is where a redirect
   points, when it does. */
static int
get_once (const char *url, struct curl_slist *headers, int64_t timeout_ns, int cancel_fd,
          long *status, struct body_s *body, char **location, char **failure, bool *cancelled)
{
  cleanup_curl CURL *curl = curl_easy_init ();
  if (curl == NULL)
    kl_oom ();
  char errbuf[CURL_ERROR_SIZE] = "";
  long timeout_ms = (long) (timeout_ns / 1000000);
  curl_easy_setopt (curl, CURLOPT_URL, url);
  curl_easy_setopt (curl, CURLOPT_HTTPGET, 1L);
  curl_easy_setopt (curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt (curl, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt (curl, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt (curl, CURLOPT_PROXY, "");          /* probes never go through a proxy */
  curl_easy_setopt (curl, CURLOPT_SSL_VERIFYPEER, 0L); /* as Kubernetes: InsecureSkipVerify */
  curl_easy_setopt (curl, CURLOPT_SSL_VERIFYHOST, 0L);
  curl_easy_setopt (curl, CURLOPT_TIMEOUT_MS, timeout_ms > 0 ? timeout_ms : 1L);
  curl_easy_setopt (curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt (curl, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt (curl, CURLOPT_WRITEFUNCTION, write_body);
  curl_easy_setopt (curl, CURLOPT_WRITEDATA, body);

  body->len = 0;
  body->truncated = false;
  CURLcode code = perform (curl, cancel_fd, cancelled);
  if (code == CURLE_WRITE_ERROR && body->truncated)
    code = CURLE_OK;
  body->data[body->len] = '\0';
  if (code != CURLE_OK)
    {
      cleanup_free char *quoted = kl_quote (url, strlen (url));
      *failure = xasprintf ("Get %s: %s", quoted, errbuf[0] ? errbuf : curl_easy_strerror (code));
      return 0;
    }
  curl_easy_getinfo (curl, CURLINFO_RESPONSE_CODE, status);
  char *redirect = NULL;
  if (curl_easy_getinfo (curl, CURLINFO_REDIRECT_URL, &redirect) == CURLE_OK && redirect != NULL)
    *location = xstrdup (redirect);
  return 0;
}

static int
http_run (const kl_probe_target_t *target, kl_probe_result_t *result, char **output,
          kl_error_t *err)
{
  const kl_http_get_action_t *action = target->probe->http_get;
  int port;
  int ret = kl_probe_resolve_port (&action->port, target->container, &port, err);
  if (ret < 0)
    return ret;
  pthread_once (&curl_once, curl_init);
  if (curl_init_result != CURLE_OK)
    return kl_make_error_kind (err, KL_ERROR_GENERIC, 0, "curl_global_init: %s",
                               curl_easy_strerror (curl_init_result));

  const char *scheme
      = action->scheme && strcasecmp (action->scheme, "HTTPS") == 0 ? "https" : "http";
  const char *host = kl_probe_host (action->host, target->pod_ip);
  cleanup_free char *url = format_url (scheme, host, port, action->path);
  const char *bad = NULL;
  cleanup_slist struct curl_slist *headers = build_headers (action, &bad);
  if (headers == NULL)
    {
      cleanup_free char *quoted = kl_quote (bad, strlen (bad));
      *output = xasprintf ("invalid HTTP header %s", quoted);
      *result = KL_PROBE_FAILURE;
      return 0;
    }
  cleanup_free char *first_host = url_host (url);
  int64_t deadline = kl_probe_monotonic_ns () + kl_probe_timeout_ns (target->probe);
  struct body_s *body = xmalloc (sizeof *body);
  long status = 0;
  for (int redirects = 0;; redirects++)
    {
      cleanup_free char *location = NULL;
      cleanup_free char *failure = NULL;
      bool cancelled = false;
      int64_t left = deadline - kl_probe_monotonic_ns ();
      if (left <= 0)
        {
          cleanup_free char *quoted = kl_quote (url, strlen (url));
          failure = xasprintf ("Get %s: timeout", quoted);
        }
      else
        get_once (url, headers, left, target->cancel_fd, &status, body, &location, &failure,
                  &cancelled);
      if (cancelled)
        {
          free (body);
          return kl_make_error_kind (err, KL_ERROR_GENERIC, 0, "cancelled");
        }
      if (failure != NULL)
        {
          /* Go turns transport errors into failures to catch timeouts. */
          free (body);
          *output = steal_pointer (&failure);
          *result = KL_PROBE_FAILURE;
          return 0;
        }
      if (!is_redirect (status) || location == NULL)
        break;
      cleanup_free char *next_host = url_host (location);
      if (next_host == NULL || first_host == NULL || strcmp (next_host, first_host) != 0)
        break; /* Go's ErrUseLastResponse: the redirect itself is the answer */
      if (redirects + 1 >= MAX_REDIRECTS)
        {
          cleanup_free char *quoted = kl_quote (location, strlen (location));
          free (body);
          *output = xasprintf ("Get %s: stopped after %d redirects", quoted, MAX_REDIRECTS);
          *result = KL_PROBE_FAILURE;
          return 0;
        }
      KL_LOG_V (4, "HTTP probe: following redirect to %s", location);
      free (url);
      url = steal_pointer (&location);
    }

  if (status >= 200 && status < 400)
    {
      if (status >= 300)
        *output = xasprintf ("Probe terminated redirects, Response body: %s", body->data);
      else
        *output = xstrdup (body->data);
      *result = KL_PROBE_SUCCESS;
    }
  else
    {
      KL_LOG_V (4, "HTTP probe of %s failed with status %ld, body: %s", url, status, body->data);
      *output = xasprintf ("HTTP probe failed with statuscode: %ld", status);
      *result = KL_PROBE_FAILURE;
    }
  free (body);
  return 0;
}

const struct kl_probe_runner_s kl_probe_runner_http = {
  .name = "http",
  .run = http_run,
};
