/* The manifest URL source: fetches the static pods over HTTP(S) with libcurl every period. */
#include "pkg/kubelet/config/sources-internal.h"

#include <ctype.h>
#include <curl/curl.h>
#include <pthread.h>
#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include "pkg/util/log.h"
#include "pkg/util/utils.h"

struct kl_url_source_s
{
  /* Set by kl_url_source_new (), read-only afterwards. */
  char *url;
  struct curl_slist *headers; /* "Name: value" lines */
  char *node_name;
  int64_t period_ns;
  int64_t timeout_ns;
  size_t max_bytes;
  int stop_fd;
  kl_source_publish_fn publish;
  void *publish_ctx;

  /* `lock` serializes fetches (the thread's and kl_url_source_sync ()'s) and
     guards everything below. */
  pthread_mutex_t lock;
  bool have_body; /* a 200 response was read; body_hash and body_len hold */
  uint64_t body_hash;
  size_t body_len;
  char *fetch_error;     /* the kind and status of the last fetch failure reported (its
                            message may hold timings), NULL after a 200 response */
  char *body_error;      /* what is wrong with the last body, NULL when it is valid */
  kl_source_pods_t pods; /* what the last valid body gave */
  bool published;        /* the first listing went to the merge */
};

static void
curl_easy_cleanupp (CURL **h)
{
  if (*h)
    curl_easy_cleanup (*h);
}

static void
curl_multi_cleanupp (CURLM **h)
{
  if (*h)
    curl_multi_cleanup (*h);
}

#define cleanup_curl __attribute__ ((cleanup (curl_easy_cleanupp)))
#define cleanup_curl_multi __attribute__ ((cleanup (curl_multi_cleanupp)))

/* The response body, refused once it reaches `max` bytes (Go's ReadAtMost). */
struct body
{
  char *data;
  size_t len;
  size_t max;
  bool too_large;
};

static size_t
write_body (char *ptr, size_t size, size_t nmemb, void *userdata)
{
  struct body *body = userdata;
  size_t n = size * nmemb;
  if (n >= body->max - body->len)
    {
      body->too_large = true;
      return 0; /* aborts the transfer */
    }
  body->data = xrealloc (body->data, body->len + n + 1);
  memcpy (body->data + body->len, ptr, n);
  body->len += n;
  body->data[body->len] = '\0';
  return n;
}

/* One GET of the URL into *data (NUL-terminated, *len bytes); an early stop
   of the source cancels it. */
static int
fetch (kl_url_source_t *src, char **data, size_t *len, kl_error_t *err)
{
  cleanup_curl CURL *easy = curl_easy_init ();
  cleanup_curl_multi CURLM *multi = curl_multi_init ();
  if (easy == NULL || multi == NULL)
    return kl_make_error (err, 0, "%s: cannot initialize libcurl", src->url);

  char errbuf[CURL_ERROR_SIZE] = "";
  struct body body = { .max = src->max_bytes };
  long timeout_ms = (long) (src->timeout_ns / 1000000);
  curl_easy_setopt (easy, CURLOPT_URL, src->url);
  curl_easy_setopt (easy, CURLOPT_HTTPHEADER, src->headers);
  curl_easy_setopt (easy, CURLOPT_WRITEFUNCTION, write_body);
  curl_easy_setopt (easy, CURLOPT_WRITEDATA, &body);
  curl_easy_setopt (easy, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt (easy, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt (easy, CURLOPT_TIMEOUT_MS, timeout_ms > 0 ? timeout_ms : 1L);
  curl_easy_setopt (easy, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt (easy, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  curl_easy_setopt (easy, CURLOPT_FOLLOWLOCATION, 1L); /* as Go's http.Client: 10 redirects */
  curl_easy_setopt (easy, CURLOPT_MAXREDIRS, 10L);
  curl_easy_setopt (easy, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt (easy, CURLOPT_SSL_VERIFYHOST, 2L);
  curl_easy_setopt (easy, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t) src->max_bytes - 1);
  curl_easy_setopt (easy, CURLOPT_USERAGENT, "kubelet");
  if (curl_multi_add_handle (multi, easy) != CURLM_OK)
    return kl_make_error (err, 0, "%s: cannot initialize libcurl", src->url);

  /* The multi interface lets the stop fd interrupt any wait. */
  int running = 1;
  CURLMcode mc = CURLM_OK;
  bool cancelled = false;
  for (;;)
    {
      mc = curl_multi_perform (multi, &running);
      if (mc != CURLM_OK || running == 0)
        break;
      struct curl_waitfd stop = { .fd = src->stop_fd, .events = CURL_WAIT_POLLIN };
      mc = curl_multi_poll (multi, &stop, 1, 1000, NULL);
      if (mc != CURLM_OK)
        break;
      if (stop.revents & CURL_WAIT_POLLIN)
        {
          cancelled = true;
          break;
        }
    }
  CURLcode result = CURLE_OK;
  int queued = 0;
  for (CURLMsg *msg; (msg = curl_multi_info_read (multi, &queued)) != NULL;)
    if (msg->msg == CURLMSG_DONE)
      result = msg->data.result;
  long status = 0;
  curl_easy_getinfo (easy, CURLINFO_RESPONSE_CODE, &status);
  curl_multi_remove_handle (multi, easy);

  cleanup_free char *owned = body.data;
  if (cancelled)
    return kl_make_error_kind (err, KL_ERROR_UNAVAILABLE, 0, "%s: fetch cancelled", src->url);
  if (mc != CURLM_OK)
    return kl_make_error_kind (err, KL_ERROR_UNAVAILABLE, 1000 + (int) mc, "%s: %s", src->url,
                               curl_multi_strerror (mc));
  if (status != 0 && status != 200)
    return kl_make_error_kind (err, KL_ERROR_UNAVAILABLE, (int) status,
                               "%s: HTTP status %ld, want 200", src->url, status);
  if (body.too_large || result == CURLE_FILESIZE_EXCEEDED)
    {
      cleanup_free char *limit = kl_source_format_limit (src->max_bytes);
      return kl_make_error_kind (err, KL_ERROR_INVALID, 0,
                                 "%s: response at or over the limit of %s", src->url, limit);
    }
  if (result != CURLE_OK)
    return kl_make_error_kind (err, KL_ERROR_UNAVAILABLE, (int) result, "%s: %s", src->url,
                               *errbuf ? errbuf : curl_easy_strerror (result));
  *data = owned ? steal_pointer (&owned) : xstrdup ("");
  *len = body.len;
  return 0;
}

/* Logs `msg` unless `key` (taken) repeats *slot for a body that did not
   change, then records `key` in *slot. */
static void
set_error (char **slot, char *key, const char *msg, bool body_changed)
{
  if (body_changed || *slot == NULL || strcmp (*slot, key) != 0)
    KL_LOG_ERROR ("Failed to read pods from URL: %s", msg);
  else
    KL_LOG_V (4, "Failed to read pods from URL: %s", msg);
  free (*slot);
  *slot = key;
}

static void
publish (kl_url_source_t *src)
{
  kl_source_pods_t copy = { NULL, 0 };
  kl_source_pods_append_copies (&copy, &src->pods);
  src->published = true;
  src->publish (src->publish_ctx, KL_POD_SOURCE_HTTP, &copy);
  kl_source_pods_clear (&copy);
}

/* Fetches and decodes the URL; a failure keeps the pods of the last good
   response, as the Go kubelet's HTTP source does. Called with `lock` held. */
static void
sync_locked (kl_url_source_t *src)
{
  cleanup_error kl_error_t err = NULL;
  cleanup_free char *data = NULL;
  size_t len = 0;
  if (fetch (src, &data, &len, &err) < 0)
    {
      if (kl_source_wait (src->stop_fd, -1, 0) == 1)
        return; /* stopping: not a problem of the URL */
      set_error (&src->fetch_error, xasprintf ("%d/%d", (int) err->kind, err->status),
                 kl_error_message (err), false);
      return;
    }
  if (src->fetch_error)
    {
      KL_LOG_INFO ("Successfully read URL %s again", src->url);
      free (src->fetch_error);
      src->fetch_error = NULL;
    }

  uint64_t hash = kl_source_hash_bytes (data, len);
  if (src->have_body && src->body_hash == hash && src->body_len == len)
    return;
  src->have_body = true;
  src->body_hash = hash;
  src->body_len = len;

  if (len == 0)
    {
      /* As the Go kubelet: an empty body holds no pods, yet it is an error. */
      cleanup_free char *msg = xasprintf ("%s: zero-length data received", src->url);
      set_error (&src->body_error, xstrdup (msg), msg, true);
      kl_source_pods_clear (&src->pods);
      publish (src);
      return;
    }

  kl_source_pods_t pods = { NULL, 0 };
  if (kl_source_pods_from_manifest (data, len, KL_POD_SOURCE_HTTP, src->url, src->node_name,
                                    src->max_bytes, &pods, &err)
      < 0)
    {
      set_error (&src->body_error, xstrdup (kl_error_message (err)), kl_error_message (err), true);
      return;
    }
  if (src->body_error)
    KL_LOG_INFO ("Manifest at URL %s is valid again: %zu pod(s)", src->url, pods.n_items);
  else
    KL_LOG_V (2, "Read URL %s: %zu pod(s)", src->url, pods.n_items);
  free (src->body_error);
  src->body_error = NULL;
  kl_source_pods_clear (&src->pods);
  src->pods = pods;
  publish (src);
}

void
kl_url_source_sync (kl_url_source_t *src)
{
  pthread_mutex_lock (&src->lock);
  sync_locked (src);
  pthread_mutex_unlock (&src->lock);
}

void *
kl_url_source_run (void *arg)
{
  kl_url_source_t *src = arg;
  for (;;)
    {
      int64_t next = kl_source_monotonic_ns () + src->period_ns;
      kl_url_source_sync (src);
      int64_t wait = next - kl_source_monotonic_ns ();
      if (kl_source_wait (src->stop_fd, -1, wait > 0 ? wait : 0) == 1)
        break;
    }
  return NULL;
}

/* RFC 7230 token characters, as Go's http.Header names allow. */
static bool
valid_header_name (const char *name)
{
  if (*name == '\0')
    return false;
  for (const char *p = name; *p; p++)
    if (!isalnum ((unsigned char) *p) && strchr ("!#$%&'*+-.^_`|~", *p) == NULL)
      return false;
  return true;
}

static bool
valid_header_value (const char *value)
{
  for (const char *p = value; *p; p++)
    if (*p == '\r' || *p == '\n')
      return false;
  return true;
}

static int
build_headers (const kl_string_multimap_t *headers, struct curl_slist **out, kl_error_t *err)
{
  struct curl_slist *list = NULL;
  for (size_t i = 0; headers && i < headers->n_entries; i++)
    {
      const kl_string_multimap_entry_t *e = &headers->entries[i];
      if (!valid_header_name (e->key))
        {
          curl_slist_free_all (list);
          cleanup_free char *quoted = kl_quote (e->key, strlen (e->key));
          return kl_make_error_kind (err, KL_ERROR_INVALID, 0,
                                     "manifest URL header %s: invalid header name", quoted);
        }
      for (size_t j = 0; j < e->n_values; j++)
        {
          if (!valid_header_value (e->values[j]))
            {
              curl_slist_free_all (list);
              return kl_make_error_kind (err, KL_ERROR_INVALID, 0,
                                         "manifest URL header %s: value holds a line break",
                                         e->key);
            }
          /* "Name;" is how libcurl sends a header with an empty value. */
          cleanup_free char *line = *e->values[j] ? xasprintf ("%s: %s", e->key, e->values[j])
                                                  : xasprintf ("%s;", e->key);
          struct curl_slist *next = curl_slist_append (list, line);
          if (next == NULL)
            kl_oom ();
          list = next;
        }
    }
  *out = list;
  return 0;
}

int
kl_url_source_new (const char *url, const kl_string_multimap_t *headers, int64_t timeout_ns,
                   const kl_source_options_t *opts, kl_url_source_t **out, kl_error_t *err)
{
  if (strncasecmp (url, "http://", 7) != 0 && strncasecmp (url, "https://", 8) != 0)
    {
      cleanup_free char *quoted = kl_quote (url, strlen (url));
      return kl_make_error_kind (err, KL_ERROR_INVALID, 0,
                                 "manifest URL %s: only http and https are supported", quoted);
    }
  struct curl_slist *list = NULL;
  int ret = build_headers (headers, &list, err);
  if (ret < 0)
    return ret;

  kl_url_source_t *src = xmalloc0 (sizeof *src);
  src->url = xstrdup (url);
  src->headers = list;
  src->node_name = xstrdup (opts->node_name);
  src->period_ns = opts->period_ns;
  src->timeout_ns = timeout_ns;
  src->max_bytes = opts->max_bytes;
  src->stop_fd = opts->stop_fd;
  src->publish = opts->publish;
  src->publish_ctx = opts->publish_ctx;
  pthread_mutex_init (&src->lock, NULL);
  *out = src;
  return 0;
}

void
kl_url_source_free (kl_url_source_t *src)
{
  if (src == NULL)
    return;
  kl_source_pods_clear (&src->pods);
  curl_slist_free_all (src->headers);
  pthread_mutex_destroy (&src->lock);
  free (src->fetch_error);
  free (src->body_error);
  free (src->node_name);
  free (src->url);
  free (src);
}
