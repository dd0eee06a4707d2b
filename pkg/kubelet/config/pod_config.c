/* The merge of the pod sources into one desired set and the sources' threads (Go's PodConfig). */
#include "pkg/kubelet/config/sources.h"

#include <curl/curl.h> /* curl_global_init: once for the URL source's threads */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "pkg/kubelet/config/sources-internal.h"
#include "pkg/util/duration.h"
#include "pkg/util/log.h"
#include "pkg/util/utils.h"

#define DEFAULT_CHECK_PERIOD_NS (20 * KL_SECOND)
#define DEFAULT_DEBOUNCE_NS (100 * KL_MILLISECOND)
#define DEFAULT_HTTP_TIMEOUT_NS (10 * KL_SECOND)

#define N_SOURCE_KINDS 2

/* A pod of the last delivered set: what tells a change and when the pod
   was first seen. */
struct delivered_pod
{
  char *uid;
  uint64_t hash;
  char *seen; /* the config.seen annotation's value */
};

struct kl_pod_config_s
{
  /* Set by kl_pod_config_start (), read-only afterwards. */
  int32_t max_pods;
  kl_pod_config_clock_fn clock;
  void *clock_ctx;
  kl_pod_config_update_fn fn;
  void *fn_ctx;
  int stop_fd; /* eventfd, written once by kl_pod_config_stop () */
  kl_file_source_t *file;
  kl_url_source_t *url;
  pthread_t file_thread;
  pthread_t url_thread;
  bool file_thread_started;
  bool url_thread_started;

  /* Written with `lock` held once the source's first pods were merged and
     delivered; read without it, so kl_pod_config_ready () may be called from
     the update callback. Indexed by enum kl_pod_source_kind. */
  atomic_bool listed[N_SOURCE_KINDS];

  /* `lock` guards everything below and serializes the callback. */
  pthread_mutex_t lock;
  kl_source_pods_t pods[N_SOURCE_KINDS]; /* each source's latest pods */
  bool delivered_once;
  struct delivered_pod *delivered; /* sorted by UID */
  size_t n_delivered;
  char **rejections; /* keys of the rejections reported, sorted */
  size_t n_rejections;
};

/* A source pod while merging. */
struct candidate
{
  const kl_source_pod_t *item;
  size_t order;                   /* files in lexical order, then the URL */
  char *full_name;                /* "<namespace>/<name>" */
  const struct candidate *winner; /* the earlier pod this one duplicates, or NULL */
  bool same_uid;                  /* the duplicate shares the UID rather than the name */
};

static const char *
uid_of (const struct candidate *c)
{
  return c->item->pod->metadata.uid ? c->item->pod->metadata.uid : "";
}

static int
compare_by_name (const void *a, const void *b)
{
  const struct candidate *x = *(const struct candidate *const *) a;
  const struct candidate *y = *(const struct candidate *const *) b;
  int r = strcmp (x->full_name, y->full_name);
  return r ? r : (x->order > y->order) - (x->order < y->order);
}

static int
compare_by_uid (const void *a, const void *b)
{
  const struct candidate *x = *(const struct candidate *const *) a;
  const struct candidate *y = *(const struct candidate *const *) b;
  int r = strcmp (uid_of (x), uid_of (y));
  return r ? r : (x->order > y->order) - (x->order < y->order);
}

/* Marks every candidate whose key (per `compare`, order aside) repeats an
   earlier one's as that one's duplicate; skips candidates already marked. */
static void
mark_duplicates (struct candidate *candidates, size_t n,
                 int (*compare) (const void *, const void *), bool by_uid)
{
  cleanup_free struct candidate **sorted = xmalloc ((n ? n : 1) * sizeof *sorted);
  size_t m = 0;
  for (size_t i = 0; i < n; i++)
    if (candidates[i].winner == NULL)
      sorted[m++] = &candidates[i];
  qsort (sorted, m, sizeof *sorted, compare);
  for (size_t i = 1, first = 0; i < m; i++)
    {
      bool same = by_uid ? strcmp (uid_of (sorted[i]), uid_of (sorted[first])) == 0
                         : strcmp (sorted[i]->full_name, sorted[first]->full_name) == 0;
      if (!same)
        {
          first = i;
          continue;
        }
      sorted[i]->winner = sorted[first];
      sorted[i]->same_uid = by_uid;
    }
}

static int
compare_strings (const void *a, const void *b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

/* Adds the rejection `key` (taken) to `keys` and logs `msg` (taken) if the
   last merge did not report it already. */
static void
reject (kl_pod_config_t *config, char ***keys, size_t *n_keys, char *key, char *msg)
{
  /* bsearch's base must not be NULL, even with no elements. */
  if (config->n_rejections == 0
      || bsearch (&key, config->rejections, config->n_rejections, sizeof *config->rejections,
                  compare_strings)
             == NULL)
    KL_LOG_ERROR ("%s", msg);
  free (msg);
  *keys = xrealloc (*keys, (*n_keys + 1) * sizeof **keys);
  (*keys)[(*n_keys)++] = key;
}

static void
replace_rejections (kl_pod_config_t *config, char **keys, size_t n)
{
  for (size_t i = 0; i < config->n_rejections; i++)
    free (config->rejections[i]);
  free (config->rejections);
  if (n > 1)
    qsort (keys, n, sizeof *keys, compare_strings);
  config->rejections = keys;
  config->n_rejections = n;
}

/* Drops duplicates (the first pod of a name, or of a UID, wins) and pods
   beyond max_pods, reporting each once; fills `accepted` in order. */
static void
select_pods (kl_pod_config_t *config, struct candidate *candidates, size_t n,
             const struct candidate **accepted, size_t *n_accepted)
{
  mark_duplicates (candidates, n, compare_by_name, false);
  mark_duplicates (candidates, n, compare_by_uid, true);

  char **keys = NULL;
  size_t n_keys = 0;
  *n_accepted = 0;
  for (size_t i = 0; i < n; i++)
    {
      const struct candidate *c = &candidates[i];
      const char *uid = uid_of (c);
      if (c->winner && c->same_uid)
        reject (config, &keys, &n_keys,
                xasprintf ("uid\n%s\n%s\n%s\n%s", uid, c->item->origin, c->full_name,
                           c->winner->item->origin),
                xasprintf ("Static pod %s from %s ignored: pod %s from %s came first with the "
                           "same UID %s",
                           c->full_name, c->item->origin, c->winner->full_name,
                           c->winner->item->origin, uid));
      else if (c->winner)
        reject (config, &keys, &n_keys,
                xasprintf ("name\n%s\n%s\n%s\n%s", uid, c->item->origin, c->full_name,
                           c->winner->item->origin),
                xasprintf ("Static pod %s from %s ignored: duplicate pod name, the pod from %s "
                           "came first",
                           c->full_name, c->item->origin, c->winner->item->origin));
      else if (config->max_pods > 0 && *n_accepted >= (size_t) config->max_pods)
        reject (config, &keys, &n_keys,
                xasprintf ("max\n%s\n%s\n%s", uid, c->item->origin, c->full_name),
                xasprintf ("Static pod %s from %s rejected (OutOfpods): the node already runs "
                           "maxPods (%d) pods",
                           c->full_name, c->item->origin, config->max_pods));
      else
        accepted[(*n_accepted)++] = c;
    }
  replace_rejections (config, keys, n_keys);
}

static int
compare_delivered (const void *a, const void *b)
{
  const struct delivered_pod *x = a, *y = b;
  int r = strcmp (x->uid, y->uid);
  return r ? r : (x->hash > y->hash) - (x->hash < y->hash);
}

static void
release_delivered (struct delivered_pod *pods, size_t n)
{
  for (size_t i = 0; i < n; i++)
    {
      free (pods[i].uid);
      free (pods[i].seen);
    }
  free (pods);
}

/* True when `next` (sorted) holds the same UIDs and hashes as the last
   delivered set. */
static bool
same_as_delivered (const kl_pod_config_t *config, const struct delivered_pod *next, size_t n)
{
  if (!config->delivered_once || n != config->n_delivered)
    return false;
  for (size_t i = 0; i < n; i++)
    if (compare_delivered (&next[i], &config->delivered[i]) != 0)
      return false;
  return true;
}

/* The config.seen of `uid` in `pods` (sorted by UID), or NULL. */
static const char *
find_seen (const struct delivered_pod *pods, size_t n, const char *uid)
{
  size_t lo = 0, hi = n;
  while (lo < hi)
    {
      size_t mid = lo + (hi - lo) / 2;
      int r = strcmp (pods[mid].uid, uid);
      if (r == 0)
        return pods[mid].seen;
      if (r < 0)
        lo = mid + 1;
      else
        hi = mid;
    }
  return NULL;
}

/* Merges the sources' pods and hands the set to the callback when it
   differs from the last one delivered. Called with `lock` held. */
static void
merge_locked (kl_pod_config_t *config)
{
  size_t n = config->pods[KL_POD_SOURCE_FILE].n_items + config->pods[KL_POD_SOURCE_HTTP].n_items;
  struct candidate *candidates = xmalloc0 ((n ? n : 1) * sizeof *candidates);
  const kl_source_pods_t *order[]
      = { &config->pods[KL_POD_SOURCE_FILE], &config->pods[KL_POD_SOURCE_HTTP] };
  size_t k = 0;
  for (size_t s = 0; s < KL_ARRAY_SIZE (order); s++)
    for (size_t i = 0; i < order[s]->n_items; i++, k++)
      {
        const kl_pod_t *pod = order[s]->items[i].pod;
        candidates[k].item = &order[s]->items[i];
        candidates[k].order = k;
        candidates[k].full_name
            = xasprintf ("%s/%s", pod->metadata.namespace_ ? pod->metadata.namespace_ : "",
                         pod->metadata.name ? pod->metadata.name : "");
      }

  cleanup_free const struct candidate **accepted = xmalloc ((n ? n : 1) * sizeof *accepted);
  size_t n_accepted = 0;
  select_pods (config, candidates, n, accepted, &n_accepted);

  struct delivered_pod *next = xmalloc0 ((n_accepted ? n_accepted : 1) * sizeof *next);
  for (size_t i = 0; i < n_accepted; i++)
    {
      next[i].uid = xstrdup (uid_of (accepted[i]));
      next[i].hash = accepted[i]->item->hash;
    }
  if (n_accepted > 1)
    qsort (next, n_accepted, sizeof *next, compare_delivered);

  if (same_as_delivered (config, next, n_accepted))
    release_delivered (next, n_accepted);
  else
    {
      struct timespec now;
      if (config->clock)
        config->clock (config->clock_ctx, &now);
      else
        clock_gettime (CLOCK_REALTIME, &now);
      cleanup_free char *now_text = kl_format_rfc3339_nano (&now);
      /* A pod keeps the time its UID was first delivered. */
      for (size_t i = 0; i < n_accepted; i++)
        {
          const char *seen = find_seen (config->delivered, config->n_delivered, next[i].uid);
          next[i].seen = xstrdup (seen ? seen : now_text);
        }

      kl_pod_list_t *list = xmalloc0 (sizeof *list);
      for (size_t i = 0; i < n_accepted; i++)
        {
          kl_pod_t *pod = kl_pod_copy (accepted[i]->item->pod);
          kl_kv_set (&pod->metadata.annotations, &pod->metadata.n_annotations,
                     KL_ANNOTATION_CONFIG_SEEN, find_seen (next, n_accepted, uid_of (accepted[i])));
          kl_pod_list_append (list, pod);
        }

      release_delivered (config->delivered, config->n_delivered);
      config->delivered = next;
      config->n_delivered = n_accepted;
      config->delivered_once = true;
      KL_LOG_V (2, "Static pods changed: %zu pod(s) from the sources", n_accepted);
      config->fn (config->fn_ctx, list); /* the callee owns `list` now */
    }

  for (size_t i = 0; i < n; i++)
    free (candidates[i].full_name);
  free (candidates);
}

static void
on_publish (void *ctx, enum kl_pod_source_kind kind, kl_source_pods_t *pods)
{
  kl_pod_config_t *config = ctx;
  pthread_mutex_lock (&config->lock);
  kl_source_pods_clear (&config->pods[kind]);
  config->pods[kind] = *pods;
  *pods = (kl_source_pods_t){ NULL, 0 };
  merge_locked (config);
  atomic_store (&config->listed[kind], true);
  pthread_mutex_unlock (&config->lock);
}

void
kl_pod_config_options_from_kubelet (kl_pod_config_options_t *opts,
                                    const kl_kubelet_config_t *config)
{
  memset (opts, 0, sizeof *opts);
  opts->manifest_path = config->static_pod_path;
  opts->manifest_url = config->static_pod_url;
  opts->manifest_url_headers = &config->static_pod_url_header;
  opts->node_name = config->node_name;
  opts->file_check_period_ns = config->file_check_frequency_ns;
  opts->http_check_period_ns = config->http_check_frequency_ns;
  opts->max_pods = config->max_pods;
}

int
kl_pod_config_start (const kl_pod_config_options_t *opts, kl_pod_config_update_fn fn, void *ctx,
                     kl_pod_config_t **out, kl_error_t *err)
{
  if (opts->node_name == NULL || *opts->node_name == '\0')
    return kl_make_error_kind (err, KL_ERROR_INVALID, 0, "static pod sources need a node name");
  if (fn == NULL)
    return kl_make_error_kind (err, KL_ERROR_INVALID, 0, "static pod sources need a callback");
  bool want_file = opts->manifest_path && *opts->manifest_path;
  bool want_url = opts->manifest_url && *opts->manifest_url;

  kl_pod_config_t *config = xmalloc0 (sizeof *config);
  config->max_pods = opts->max_pods;
  config->clock = opts->clock;
  config->clock_ctx = opts->clock_ctx;
  config->fn = fn;
  config->fn_ctx = ctx;
  pthread_mutex_init (&config->lock, NULL);
  atomic_init (&config->listed[KL_POD_SOURCE_FILE], !want_file);
  atomic_init (&config->listed[KL_POD_SOURCE_HTTP], !want_url);
  config->stop_fd = eventfd (0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (config->stop_fd < 0)
    {
      int ret = kl_make_error (err, errno, "eventfd");
      kl_pod_config_stop (config);
      return ret;
    }

  kl_source_options_t source = {
    .node_name = opts->node_name,
    .max_bytes
    = opts->max_manifest_bytes ? opts->max_manifest_bytes : KL_POD_SOURCE_MAX_MANIFEST_BYTES,
    .stop_fd = config->stop_fd,
    .publish = on_publish,
    .publish_ctx = config,
  };
  int ret = 0;
  if (want_url)
    {
      /* Reference-counted by libcurl; kl_pod_config_stop () releases it. */
      if (curl_global_init (CURL_GLOBAL_DEFAULT) != CURLE_OK)
        ret = kl_make_error (err, 0, "cannot initialize libcurl");
      source.period_ns
          = opts->http_check_period_ns > 0 ? opts->http_check_period_ns : DEFAULT_CHECK_PERIOD_NS;
      if (ret == 0)
        ret = kl_url_source_new (opts->manifest_url, opts->manifest_url_headers,
                                 opts->http_timeout_ns > 0 ? opts->http_timeout_ns
                                                           : DEFAULT_HTTP_TIMEOUT_NS,
                                 &source, &config->url, err);
      if (ret < 0)
        {
          if (config->url == NULL)
            curl_global_cleanup ();
          kl_pod_config_stop (config);
          return ret;
        }
    }
  if (want_file)
    {
      source.period_ns
          = opts->file_check_period_ns > 0 ? opts->file_check_period_ns : DEFAULT_CHECK_PERIOD_NS;
      ret = kl_file_source_new (opts->manifest_path,
                                opts->file_debounce_ns > 0 ? opts->file_debounce_ns
                                                           : DEFAULT_DEBOUNCE_NS,
                                &source, &config->file, err);
      if (ret < 0)
        {
          kl_pod_config_stop (config);
          return ret;
        }
    }

  if (config->file)
    {
      ret = pthread_create (&config->file_thread, NULL, kl_file_source_run, config->file);
      if (ret != 0)
        {
          kl_pod_config_stop (config);
          return kl_make_error (err, ret, "starting the manifest file source thread");
        }
      config->file_thread_started = true;
    }
  if (config->url)
    {
      ret = pthread_create (&config->url_thread, NULL, kl_url_source_run, config->url);
      if (ret != 0)
        {
          kl_pod_config_stop (config);
          return kl_make_error (err, ret, "starting the manifest URL source thread");
        }
      config->url_thread_started = true;
    }
  KL_LOG_INFO ("Watching static pod sources: path %s, URL %s",
               want_file ? opts->manifest_path : "-", want_url ? opts->manifest_url : "-");
  *out = config;
  return 0;
}

void
kl_pod_config_stop (kl_pod_config_t *config)
{
  if (config == NULL)
    return;
  if (config->stop_fd >= 0)
    {
      uint64_t one = 1;
      while (write (config->stop_fd, &one, sizeof one) < 0 && errno == EINTR)
        ;
    }
  if (config->file_thread_started)
    pthread_join (config->file_thread, NULL);
  if (config->url_thread_started)
    pthread_join (config->url_thread, NULL);
  kl_file_source_free (config->file);
  if (config->url)
    {
      kl_url_source_free (config->url);
      curl_global_cleanup ();
    }
  for (size_t i = 0; i < N_SOURCE_KINDS; i++)
    kl_source_pods_clear (&config->pods[i]);
  release_delivered (config->delivered, config->n_delivered);
  replace_rejections (config, NULL, 0);
  if (config->stop_fd >= 0)
    close (config->stop_fd);
  pthread_mutex_destroy (&config->lock);
  free (config);
}

void
kl_pod_config_sync_now (kl_pod_config_t *config)
{
  if (config->file)
    kl_file_source_sync (config->file);
  if (config->url)
    kl_url_source_sync (config->url);
}

bool
kl_pod_config_source_ready (kl_pod_config_t *config, enum kl_pod_source_kind kind)
{
  return atomic_load (&config->listed[kind]);
}

bool
kl_pod_config_ready (kl_pod_config_t *config)
{
  return kl_pod_config_source_ready (config, KL_POD_SOURCE_FILE)
         && kl_pod_config_source_ready (config, KL_POD_SOURCE_HTTP);
}
