/* Container log rotation, as the Go kubelet's containerLogManager: the
   runtime writes <log>; we rename it aside and ask the runtime to reopen,
   compress older rotations with gzip and prune beyond the file budget. */
#include "pkg/kubelet/logs/container_log_manager.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "pkg/util/log.h"
#include "pkg/util/utils.h"

#define COMPRESS_SUFFIX ".gz"
#define TMP_SUFFIX ".tmp"

/* Go's "20060102-150405". */
#define TIMESTAMP_FORMAT "%Y%m%d-%H%M%S"

#define COPY_BUFFER_SIZE (64 * 1024)

struct kl_log_manager_s
{
  kl_runtime_t *rt;
  int64_t max_size; /* bytes; negative: rotation disabled */
  int max_files;
  kl_clock_now_fn now;
  void *now_data;
  pthread_mutex_t lock; /* one rotation round or clean at a time, as Go's mutex */
};

/* A sorted list of paths. */
struct path_list
{
  char **items;
  size_t n;
};

static void
path_list_clear (struct path_list *l)
{
  for (size_t i = 0; i < l->n; i++)
    free (l->items[i]);
  free (l->items);
  l->items = NULL;
  l->n = 0;
}

#define cleanup_path_list __attribute__ ((cleanup (path_list_clear)))

static int
compare_strings (const void *a, const void *b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

static bool
has_suffix (const char *s, const char *suffix)
{
  size_t ls = strlen (s), lx = strlen (suffix);
  return ls >= lx && strcmp (s + ls - lx, suffix) == 0;
}

static int64_t
real_now (void *data)
{
  struct timespec ts;
  clock_gettime (CLOCK_REALTIME, &ts);
  return (int64_t) ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int
kl_log_manager_new (kl_runtime_t *rt, int64_t max_size_bytes, int max_files, kl_clock_now_fn now,
                    void *now_data, kl_log_manager_t **out, kl_error_t *err)
{
  if (max_files <= 1)
    return kl_make_error_kind (err, KL_ERROR_INVALID, 0, "invalid MaxFiles %d, must be > 1",
                               max_files);
  kl_log_manager_t *m = xmalloc0 (sizeof *m);
  m->rt = rt;
  m->max_size = max_size_bytes;
  m->max_files = max_files;
  m->now = now ? now : real_now;
  m->now_data = now_data;
  pthread_mutex_init (&m->lock, NULL);
  *out = m;
  return 0;
}

void
kl_log_manager_free (kl_log_manager_t *m)
{
  if (m == NULL)
    return;
  pthread_mutex_destroy (&m->lock);
  free (m);
}

/* The files in `log`'s directory whose names start with <basename of log>
   followed by `suffix`, as paths, sorted (filepath.Glob("<log><suffix>*")). */
static int
list_log_files (const char *log, const char *suffix, struct path_list *out, kl_error_t *err)
{
  const char *slash = strrchr (log, '/');
  cleanup_free char *dir = slash == NULL  ? xstrdup (".")
                           : slash == log ? xstrdup ("/")
                                          : xstrndup (log, (size_t) (slash - log));
  const char *base = slash ? slash + 1 : log;
  cleanup_free char *prefix = xasprintf ("%s%s", base, suffix);
  size_t prefix_len = strlen (prefix);

  DIR *d = opendir (dir);
  if (d == NULL)
    return kl_make_error (err, errno, "list %s", dir);
  struct dirent *de;
  while ((de = readdir (d)) != NULL)
    {
      if (strncmp (de->d_name, prefix, prefix_len) != 0)
        continue;
      out->items = xrealloc (out->items, (out->n + 1) * sizeof *out->items);
      out->items[out->n++] = xasprintf ("%s/%s", strcmp (dir, "/") == 0 ? "" : dir, de->d_name);
    }
  closedir (d);
  if (out->n > 1)
    qsort (out->items, out->n, sizeof *out->items, compare_strings);
  return 0;
}

static int
remove_file (const char *path, const char *what, kl_error_t *err)
{
  if (unlink (path) < 0 && errno != ENOENT)
    return kl_make_error (err, errno, "failed to remove %s %s", what, path);
  return 0;
}

/* isInUse: temporary files are leftovers of a failed compression, and an
   uncompressed file whose .gz exists was compressed already. */
static bool
is_in_use (const char *l, const struct path_list *logs)
{
  if (has_suffix (l, TMP_SUFFIX))
    return false;
  if (has_suffix (l, COMPRESS_SUFFIX))
    return true;
  size_t len = strlen (l);
  for (size_t i = 0; i < logs->n; i++)
    if (strncmp (logs->items[i], l, len) == 0
        && strcmp (logs->items[i] + len, COMPRESS_SUFFIX) == 0)
      return false;
  return true;
}

/* cleanupUnusedLogs: drops the unused files from `logs` and the disk. */
static int
cleanup_unused_logs (struct path_list *logs, kl_error_t *err)
{
  bool *in_use = xmalloc0 (logs->n * sizeof *in_use);
  for (size_t i = 0; i < logs->n; i++)
    in_use[i] = is_in_use (logs->items[i], logs);
  size_t kept = 0;
  int ret = 0;
  for (size_t i = 0; i < logs->n; i++)
    {
      if (in_use[i])
        {
          logs->items[kept++] = logs->items[i];
          continue;
        }
      if (ret == 0)
        ret = remove_file (logs->items[i], "unused log", err);
      free (logs->items[i]);
    }
  logs->n = kept;
  free (in_use);
  return ret;
}

/* removeExcessLogs: the runtime is about to get a fresh log and the current
   one becomes the newest rotated file, so keep max_files-2 rotated files,
   removing the oldest first (not to break an ongoing `kubectl logs`). */
static int
remove_excess_logs (kl_log_manager_t *m, struct path_list *logs, kl_error_t *err)
{
  size_t max_rotated = m->max_files > 2 ? (size_t) (m->max_files - 2) : 0;
  size_t excess = logs->n > max_rotated ? logs->n - max_rotated : 0;
  for (size_t i = 0; i < excess; i++)
    {
      int ret = remove_file (logs->items[i], "old log", err);
      if (ret < 0)
        return ret;
    }
  for (size_t i = 0; i < excess; i++)
    free (logs->items[i]);
  if (excess == 0) /* items may be NULL: no memmove from NULL + 0 */
    return 0;
  memmove (logs->items, logs->items + excess, (logs->n - excess) * sizeof *logs->items);
  logs->n -= excess;
  return 0;
}

/* compressLog: <log> -> <log>.gz through <log>.tmp, keeping the file's
   mode; the original is removed once the .gz is in place. */
static int
compress_log (const char *log, kl_error_t *err)
{
  cleanup_close int in = open (log, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (in < 0)
    return kl_make_error (err, errno, "failed to open log %s", log);
  struct stat st;
  if (fstat (in, &st) < 0)
    return kl_make_error (err, errno, "failed to stat log %s", log);

  cleanup_free char *tmp = xasprintf ("%s" TMP_SUFFIX, log);
  cleanup_free char *compressed = xasprintf ("%s" COMPRESS_SUFFIX, log);
  int out = open (tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, st.st_mode & 0777);
  if (out < 0)
    return kl_make_error (err, errno, "failed to create temporary log %s", tmp);
  gzFile gz = gzdopen (out, "wb");
  if (gz == NULL)
    {
      close (out);
      unlink (tmp);
      return kl_make_error (err, ENOMEM, "failed to compress %s", log);
    }

  cleanup_free char *buf = xmalloc (COPY_BUFFER_SIZE);
  int ret = 0;
  for (;;)
    {
      ssize_t r = read (in, buf, COPY_BUFFER_SIZE);
      if (r < 0 && errno == EINTR)
        continue;
      if (r < 0)
        {
          ret = kl_make_error (err, errno, "failed to compress %s to %s: read", log, tmp);
          break;
        }
      if (r == 0)
        break;
      if (gzwrite (gz, buf, (unsigned) r) != (int) r)
        {
          int gz_errno = 0;
          const char *msg = gzerror (gz, &gz_errno);
          ret = kl_make_error (err, gz_errno == Z_ERRNO ? errno : 0,
                               "failed to compress %s to %s: %s", log, tmp, msg);
          break;
        }
    }
  int close_ret = gzclose (gz); /* closes `out` */
  if (ret == 0 && close_ret != Z_OK)
    ret = kl_make_error (err, close_ret == Z_ERRNO ? errno : 0, "failed to compress %s to %s", log,
                         tmp);
  if (ret == 0 && rename (tmp, compressed) < 0)
    ret = kl_make_error (err, errno, "failed to rename %s to %s", tmp, compressed);
  if (ret < 0)
    {
      unlink (tmp);
      return ret;
    }
  if (unlink (log) < 0)
    return kl_make_error (err, errno, "failed to remove log %s after compress", log);
  return 0;
}

static int
reopen_container_log (kl_log_manager_t *m, const char *id, kl_error_t *err)
{
  Runtime__V1__ReopenContainerLogRequest req = RUNTIME__V1__REOPEN_CONTAINER_LOG_REQUEST__INIT;
  req.container_id = (char *) id;
  cleanup_pb Runtime__V1__ReopenContainerLogResponse *resp = NULL;
  return kl_runtime_reopen_container_log (m->rt, &req, &resp, err);
}

/* rotateLatestLog: <log> -> <log>.<timestamp> and a reopen; if the runtime
   can't reopen, the file goes back so the next round tries again. */
static int
rotate_latest_log (kl_log_manager_t *m, const char *id, const char *log, kl_error_t *err)
{
  int64_t now = m->now (m->now_data);
  time_t secs = (time_t) (now / 1000000000);
  struct tm tm;
  char stamp[32];
  if (localtime_r (&secs, &tm) == NULL
      || strftime (stamp, sizeof stamp, TIMESTAMP_FORMAT, &tm) == 0)
    return kl_make_error_kind (err, KL_ERROR_INVALID, 0, "bad clock reading %lld", (long long) now);
  cleanup_free char *rotated = xasprintf ("%s.%s", log, stamp);
  /* Unlike Go's rename, never replace a rotation of the same second. */
  if (renameat2 (AT_FDCWD, log, AT_FDCWD, rotated, RENAME_NOREPLACE) < 0)
    return kl_make_error (err, errno, "failed to rotate log %s to %s", log, rotated);

  kl_error_t reopen_err = NULL;
  if (reopen_container_log (m, id, &reopen_err) < 0)
    {
      if (rename (rotated, log) < 0)
        KL_LOG_ERROR ("failed to rename rotated log %s back to %s, container %s: %s", rotated, log,
                      id, strerror (errno));
      int ret = kl_make_error_kind (err, reopen_err ? reopen_err->kind : KL_ERROR_GENERIC,
                                    reopen_err ? reopen_err->status : 0,
                                    "failed to reopen container log %s: %s", id,
                                    kl_error_message (reopen_err));
      kl_error_release (&reopen_err);
      return ret;
    }
  return 0;
}

/* rotateLog. */
static int
rotate_log (kl_log_manager_t *m, const char *id, const char *log, kl_error_t *err)
{
  cleanup_path_list struct path_list logs = { NULL, 0 };
  int ret = list_log_files (log, ".", &logs, err);
  if (ret < 0)
    return kl_error_wrap (err, "failed to list rotated logs of %s", log);
  ret = cleanup_unused_logs (&logs, err);
  if (ret < 0)
    return kl_error_wrap (err, "failed to cleanup logs");
  ret = remove_excess_logs (m, &logs, err);
  if (ret < 0)
    return kl_error_wrap (err, "failed to remove excess logs");
  for (size_t i = 0; i < logs.n; i++)
    {
      if (has_suffix (logs.items[i], COMPRESS_SUFFIX))
        continue;
      ret = compress_log (logs.items[i], err);
      if (ret < 0)
        return ret;
    }
  return rotate_latest_log (m, id, log, err);
}

/* The log path ContainerStatus reports for `id`; *out is NULL when the
   runtime keeps no log for it. */
static int
container_log_path (kl_log_manager_t *m, const char *id, char **out, kl_error_t *err)
{
  Runtime__V1__ContainerStatusRequest req = RUNTIME__V1__CONTAINER_STATUS_REQUEST__INIT;
  req.container_id = (char *) id;
  cleanup_pb Runtime__V1__ContainerStatusResponse *resp = NULL;
  int ret = kl_runtime_container_status (m->rt, &req, &resp, err);
  if (ret < 0)
    return kl_error_wrap (err, "failed to get container status %s", id);
  if (resp == NULL || resp->status == NULL)
    return kl_make_error_kind (err, KL_ERROR_NOT_FOUND, 0, "container status is nil for %s", id);
  const char *path = resp->status->log_path;
  *out = path != NULL && *path != '\0' ? xstrdup (path) : NULL;
  return 0;
}

/* processContainer: one running container. */
static int
rotate_container (kl_log_manager_t *m, const char *id, kl_error_t *err)
{
  cleanup_free char *log = NULL;
  int ret = container_log_path (m, id, &log, err);
  if (ret < 0)
    return ret;
  if (log == NULL)
    {
      KL_LOG_V (4, "container %s has no log path; not rotating", id);
      return 0;
    }

  struct stat st;
  if (stat (log, &st) < 0)
    {
      if (errno != ENOENT)
        return kl_make_error (err, errno, "failed to stat container log %s", log);
      /* A rotation interrupted after the rename: let the runtime recreate
         the log. */
      ret = reopen_container_log (m, id, err);
      if (ret < 0)
        return kl_error_wrap (err, "container log %s doesn't exist, reopen container log failed",
                              log);
      if (stat (log, &st) < 0)
        return kl_make_error (err, errno, "failed to stat container log %s after reopen", log);
    }
  if (st.st_size < m->max_size)
    return 0;
  ret = rotate_log (m, id, log, err);
  if (ret < 0)
    return kl_error_wrap (err, "failed to rotate log %s", log);
  return 0;
}

int
kl_log_manager_rotate_once (kl_log_manager_t *m, kl_error_t *err)
{
  if (m->max_size < 0)
    return 0;

  Runtime__V1__ContainerStateValue state = RUNTIME__V1__CONTAINER_STATE_VALUE__INIT;
  state.state = RUNTIME__V1__CONTAINER_STATE__CONTAINER_RUNNING;
  Runtime__V1__ContainerFilter filter = RUNTIME__V1__CONTAINER_FILTER__INIT;
  filter.state = &state;
  Runtime__V1__ListContainersRequest req = RUNTIME__V1__LIST_CONTAINERS_REQUEST__INIT;
  req.filter = &filter;

  pthread_mutex_lock (&m->lock);
  cleanup_pb Runtime__V1__ListContainersResponse *resp = NULL;
  int ret = kl_runtime_list_containers (m->rt, &req, &resp, err);
  if (ret < 0)
    {
      pthread_mutex_unlock (&m->lock);
      return kl_error_wrap (err, "failed to list containers");
    }
  for (size_t i = 0; resp != NULL && i < resp->n_containers; i++)
    {
      const Runtime__V1__Container *c = resp->containers[i];
      /* Non-running containers write nothing more; a runtime may ignore the
         filter. */
      if (c == NULL || c->state != RUNTIME__V1__CONTAINER_STATE__CONTAINER_RUNNING || c->id == NULL
          || *c->id == '\0')
        continue;
      kl_error_t one = NULL;
      if (rotate_container (m, c->id, &one) < 0)
        {
          KL_LOG_ERROR ("container %s: %s", c->id, kl_error_message (one));
          kl_error_release (&one);
        }
    }
  pthread_mutex_unlock (&m->lock);
  return 0;
}

int
kl_log_manager_clean (kl_log_manager_t *m, const char *container_id, kl_error_t *err)
{
  pthread_mutex_lock (&m->lock);
  cleanup_free char *log = NULL;
  int ret = container_log_path (m, container_id, &log, err);
  if (ret == 0 && log != NULL)
    {
      cleanup_path_list struct path_list logs = { NULL, 0 };
      ret = list_log_files (log, "", &logs, err);
      for (size_t i = 0; ret == 0 && i < logs.n; i++)
        if (unlink (logs.items[i]) < 0 && errno != ENOENT)
          ret = kl_make_error (err, errno, "failed to remove container %s log %s", container_id,
                               logs.items[i]);
    }
  pthread_mutex_unlock (&m->lock);
  return ret;
}
