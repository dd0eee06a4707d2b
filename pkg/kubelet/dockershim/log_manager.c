/* The log copying thread: follows Docker's json-file logs into CRI log files, with resumable
 * progress. */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <libgen.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "pkg/kubelet/dockershim/logs.h"
#include "pkg/util/fs.h"
#include "pkg/util/log.h"
#include "pkg/util/utils.h"

/* Per follower and round, at most this much of Docker's log is read. */
#define ROUND_BYTES (1024 * 1024)
/* A json-file record longer than this is skipped (Docker's are < 100 KiB). */
#define MAX_RECORD (1024 * 1024)
#define MAX_STATE 65536

typedef struct follower_s
{
  char *id;
  char *docker_log;
  char *cri_log;
  char *state_path;
  int docker_fd; /* -1 until Docker's file exists */
  ino_t docker_ino;
  uint64_t offset; /* bytes of Docker's file converted */
  int cri_fd;      /* -1 when the CRI file cannot be opened */
  ino_t cri_ino;
  uint64_t cri_size; /* bytes in the CRI file once `offset` was reached */
  bool dirty;        /* progress not saved yet */
  bool warned;
} follower_t;

struct ds_log_manager_s
{
  char *state_dir;
  int64_t poll_ns;
  pthread_t thread;
  pthread_mutex_t lock; /* guards everything below */
  pthread_cond_t wake;
  bool stopping;
  follower_t **followers;
  size_t n_followers;
  char *buf; /* the read buffer, MAX_RECORD + ROUND_BYTES */
  ds_buffer_t out;
};

static void
follower_free (follower_t *f)
{
  if (f == NULL)
    return;
  if (f->docker_fd >= 0)
    close (f->docker_fd);
  if (f->cri_fd >= 0)
    close (f->cri_fd);
  free (f->id);
  free (f->docker_log);
  free (f->cri_log);
  free (f->state_path);
  free (f);
}

/* Saves the progress: a temporary file renamed over the state, so a
   crash leaves the old or the new state, never a torn one. */
static void
save_state (follower_t *f)
{
  json_t *doc = json_pack ("{s:s, s:s, s:I, s:I, s:I}", "docker_log", f->docker_log, "cri_log",
                           f->cri_log, "offset", (json_int_t) f->offset, "cri_size",
                           (json_int_t) f->cri_size, "cri_inode", (json_int_t) f->cri_ino);
  char *text = json_dumps (doc, JSON_COMPACT);
  json_decref (doc);
  cleanup_free char *tmp = xasprintf ("%s.tmp", f->state_path);
  int fd = open (tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  bool ok = false;
  if (fd >= 0)
    {
      size_t len = strlen (text);
      ok = write (fd, text, len) == (ssize_t) len;
      close (fd);
      ok = ok && rename (tmp, f->state_path) == 0;
    }
  if (!ok)
    {
      KL_LOG_WARN ("saving log progress of %s to %s: %s", f->id, f->state_path, strerror (errno));
      unlink (tmp);
    }
  else
    f->dirty = false;
  free (text);
}

/* Opens (creating) the CRI file for appending; records its inode and size. */
static int
open_cri (follower_t *f, bool create_dir, kl_error_t *err)
{
  if (f->cri_fd >= 0)
    close (f->cri_fd);
  f->cri_fd = -1;
  if (create_dir)
    {
      cleanup_free char *copy = xstrdup (f->cri_log);
      int ret = kl_mkdir_p (dirname (copy), 0755, err);
      if (ret < 0)
        return ret;
    }
  f->cri_fd = open (f->cri_log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
  if (f->cri_fd < 0)
    return kl_make_error_kind (err, KL_ERROR_GENERIC, errno, "open container log %s: %s",
                               f->cri_log, strerror (errno));
  struct stat st;
  if (fstat (f->cri_fd, &st) == 0)
    {
      f->cri_ino = st.st_ino;
      f->cri_size = (uint64_t) st.st_size;
    }
  return 0;
}

static void
write_all (follower_t *f, const char *data, size_t len)
{
  if (f->cri_fd < 0)
    {
      kl_error_t err = NULL;
      if (open_cri (f, false, &err) < 0)
        {
          /* The pod's log directory is gone: the output has nowhere to go. */
          if (!f->warned)
            KL_LOG_WARN ("dropping logs of container %s: %s", f->id, kl_error_message (err));
          f->warned = true;
          kl_error_release (&err);
          return;
        }
    }
  while (len > 0)
    {
      ssize_t n = write (f->cri_fd, data, len);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          if (!f->warned)
            KL_LOG_WARN ("writing container log %s: %s", f->cri_log, strerror (errno));
          f->warned = true;
          return;
        }
      data += n;
      len -= (size_t) n;
      f->cri_size += (uint64_t) n;
    }
}

/* Copies at most `budget` bytes of new Docker output; returns true if it
   made progress (so there may be more). Called with the lock held. */
static bool
pump (ds_log_manager_t *m, follower_t *f, size_t budget)
{
  struct stat st;
  if (f->docker_fd < 0)
    {
      f->docker_fd = open (f->docker_log, O_RDONLY | O_CLOEXEC);
      if (f->docker_fd < 0)
        return false; /* not created yet, or the container is gone */
      if (fstat (f->docker_fd, &st) == 0)
        f->docker_ino = st.st_ino;
    }
  if (fstat (f->docker_fd, &st) < 0)
    return false;
  if ((uint64_t) st.st_size < f->offset)
    {
      /* Truncated under us: start over. */
      f->offset = 0;
      f->dirty = true;
    }
  if ((uint64_t) st.st_size == f->offset)
    {
      /* Drained: if Docker rotated its file, move to the new one. */
      struct stat path_st;
      int rc = stat (f->docker_log, &path_st);
      if (rc == 0 && path_st.st_ino != f->docker_ino)
        {
          close (f->docker_fd);
          f->docker_fd = -1;
          f->offset = 0;
          f->dirty = true;
          return true;
        }
      if (rc < 0 && errno == ENOENT)
        {
          /* The container was removed behind our back: let its file go. */
          close (f->docker_fd);
          f->docker_fd = -1;
        }
      if (f->dirty)
        save_state (f);
      return false;
    }
  size_t want = (size_t) ((uint64_t) st.st_size - f->offset);
  if (want > budget)
    want = budget;
  if (want > MAX_RECORD)
    want = MAX_RECORD;
  ssize_t got = pread (f->docker_fd, m->buf, want, (off_t) f->offset);
  if (got <= 0)
    return false;
  m->out.len = 0;
  size_t skipped = 0;
  size_t consumed = ds_log_convert (m->buf, (size_t) got, &m->out, &skipped);
  if (consumed == 0)
    {
      if ((size_t) got < MAX_RECORD)
        return false; /* an incomplete record: wait for its end */
      KL_LOG_WARN ("container %s: skipping a log record over %d bytes", f->id, MAX_RECORD);
      consumed = (size_t) got;
    }
  if (skipped)
    KL_LOG_WARN ("container %s: skipped %zu malformed log records", f->id, skipped);
  if (m->out.len > 0)
    write_all (f, m->out.data, m->out.len);
  f->offset += consumed;
  f->dirty = true;
  save_state (f);
  return true;
}

static void
pump_until_drained (ds_log_manager_t *m, follower_t *f)
{
  while (pump (m, f, ROUND_BYTES))
    ;
}

static void *
run (void *arg)
{
  ds_log_manager_t *m = arg;
  pthread_mutex_lock (&m->lock);
  while (!m->stopping)
    {
      for (size_t i = 0; i < m->n_followers; i++)
        pump (m, m->followers[i], ROUND_BYTES);
      struct timespec until;
      clock_gettime (CLOCK_MONOTONIC, &until);
      int64_t ns = until.tv_nsec + m->poll_ns;
      until.tv_sec += ns / 1000000000LL;
      until.tv_nsec = ns % 1000000000LL;
      if (!m->stopping)
        pthread_cond_timedwait (&m->wake, &m->lock, &until);
    }
  for (size_t i = 0; i < m->n_followers; i++)
    {
      pump_until_drained (m, m->followers[i]);
      if (m->followers[i]->dirty)
        save_state (m->followers[i]);
    }
  pthread_mutex_unlock (&m->lock);
  return NULL;
}

int
ds_log_manager_new (const char *state_dir, int64_t poll_ns, ds_log_manager_t **out, kl_error_t *err)
{
  int ret = kl_mkdir_p (state_dir, 0700, err);
  if (ret < 0)
    return kl_error_wrap (err, "log state directory");
  ds_log_manager_t *m = xmalloc0 (sizeof *m);
  m->state_dir = xstrdup (state_dir);
  m->poll_ns = poll_ns > 0 ? poll_ns : 100 * 1000000LL;
  m->buf = xmalloc (MAX_RECORD);
  pthread_mutex_init (&m->lock, NULL);
  pthread_condattr_t attr;
  pthread_condattr_init (&attr);
  pthread_condattr_setclock (&attr, CLOCK_MONOTONIC);
  pthread_cond_init (&m->wake, &attr);
  pthread_condattr_destroy (&attr);
  int rc = pthread_create (&m->thread, NULL, run, m);
  if (rc != 0)
    {
      pthread_mutex_destroy (&m->lock);
      pthread_cond_destroy (&m->wake);
      free (m->buf);
      free (m->state_dir);
      free (m);
      return kl_make_error (err, rc, "start the log copying thread");
    }
  *out = m;
  return 0;
}

void
ds_log_manager_free (ds_log_manager_t *m)
{
  if (m == NULL)
    return;
  pthread_mutex_lock (&m->lock);
  m->stopping = true;
  pthread_cond_signal (&m->wake);
  pthread_mutex_unlock (&m->lock);
  pthread_join (m->thread, NULL);
  for (size_t i = 0; i < m->n_followers; i++)
    follower_free (m->followers[i]);
  free (m->followers);
  ds_buffer_release (&m->out);
  free (m->buf);
  free (m->state_dir);
  pthread_mutex_destroy (&m->lock);
  pthread_cond_destroy (&m->wake);
  free (m);
}

static follower_t *
find (ds_log_manager_t *m, const char *id)
{
  for (size_t i = 0; i < m->n_followers; i++)
    if (strcmp (m->followers[i]->id, id) == 0)
      return m->followers[i];
  return NULL;
}

/* Loads a saved state into `f` if it describes the same files. */
static void
load_state (follower_t *f, uint64_t *cri_size, ino_t *cri_ino, bool *found)
{
  *found = false;
  cleanup_free char *data = NULL;
  size_t len = 0;
  kl_error_t err = NULL;
  if (kl_read_file (f->state_path, MAX_STATE, &data, &len, &err) < 0)
    {
      kl_error_release (&err);
      return;
    }
  json_t *doc = json_loadb (data, len, 0, NULL);
  const char *docker_log = json_string_value (json_object_get (doc, "docker_log"));
  const char *cri_log = json_string_value (json_object_get (doc, "cri_log"));
  json_t *offset = json_object_get (doc, "offset");
  json_t *size = json_object_get (doc, "cri_size");
  json_t *ino = json_object_get (doc, "cri_inode");
  if (docker_log && cri_log && strcmp (docker_log, f->docker_log) == 0
      && strcmp (cri_log, f->cri_log) == 0 && json_is_integer (offset) && json_is_integer (size)
      && json_is_integer (ino) && json_integer_value (offset) >= 0
      && json_integer_value (size) >= 0)
    {
      f->offset = (uint64_t) json_integer_value (offset);
      *cri_size = (uint64_t) json_integer_value (size);
      *cri_ino = (ino_t) json_integer_value (ino);
      *found = true;
    }
  else
    KL_LOG_WARN ("ignoring the log progress saved in %s", f->state_path);
  json_decref (doc);
}

int
ds_log_manager_follow (ds_log_manager_t *m, const char *id, const char *docker_log,
                       const char *cri_log, kl_error_t *err)
{
  if (id == NULL || id[0] == '\0' || strchr (id, '/') || id[0] == '.')
    return kl_make_error_kind (err, KL_ERROR_INVALID, 0, "invalid container id");
  pthread_mutex_lock (&m->lock);
  if (find (m, id))
    {
      pthread_mutex_unlock (&m->lock);
      return 0;
    }
  follower_t *f = xmalloc0 (sizeof *f);
  f->id = xstrdup (id);
  f->docker_log = xstrdup (docker_log);
  f->cri_log = xstrdup (cri_log);
  f->state_path = xasprintf ("%s/%s", m->state_dir, id);
  f->docker_fd = -1;
  f->cri_fd = -1;
  uint64_t saved_size = 0;
  ino_t saved_ino = 0;
  bool resumed = false;
  load_state (f, &saved_size, &saved_ino, &resumed);
  int ret = open_cri (f, true, err);
  if (ret < 0)
    {
      pthread_mutex_unlock (&m->lock);
      follower_free (f);
      return ret;
    }
  if (resumed && f->cri_ino == saved_ino && f->cri_size > saved_size)
    {
      /* Lines copied after the last save: they are converted again. */
      if (ftruncate (f->cri_fd, (off_t) saved_size) == 0)
        f->cri_size = saved_size;
      else
        KL_LOG_WARN ("container log %s: cannot cut it back to %llu bytes: %s", f->cri_log,
                     (unsigned long long) saved_size, strerror (errno));
    }
  save_state (f);
  m->followers = xrealloc (m->followers, (m->n_followers + 1) * sizeof *m->followers);
  m->followers[m->n_followers++] = f;
  pthread_cond_signal (&m->wake);
  pthread_mutex_unlock (&m->lock);
  KL_LOG_V (3, "copying logs of container %s from %s to %s%s", id, docker_log, cri_log,
            resumed ? " (resumed)" : "");
  return 0;
}

int
ds_log_manager_flush (ds_log_manager_t *m, const char *id, kl_error_t *err)
{
  pthread_mutex_lock (&m->lock);
  follower_t *f = find (m, id);
  if (f)
    pump_until_drained (m, f);
  pthread_mutex_unlock (&m->lock);
  return 0;
}

int
ds_log_manager_reopen (ds_log_manager_t *m, const char *id, kl_error_t *err)
{
  pthread_mutex_lock (&m->lock);
  follower_t *f = find (m, id);
  if (f == NULL)
    {
      pthread_mutex_unlock (&m->lock);
      return kl_make_error_kind (err, KL_ERROR_NOT_FOUND, 0, "no log is copied for container %s",
                                 id);
    }
  /* What Docker wrote so far still goes to the old file. */
  pump_until_drained (m, f);
  int ret = open_cri (f, true, err);
  if (ret == 0)
    save_state (f);
  pthread_mutex_unlock (&m->lock);
  return ret;
}

void
ds_log_manager_forget (ds_log_manager_t *m, const char *id)
{
  pthread_mutex_lock (&m->lock);
  for (size_t i = 0; i < m->n_followers; i++)
    if (strcmp (m->followers[i]->id, id) == 0)
      {
        follower_t *f = m->followers[i];
        m->followers[i] = m->followers[--m->n_followers];
        unlink (f->state_path);
        follower_free (f);
        break;
      }
  pthread_mutex_unlock (&m->lock);
  /* A state left by an earlier run that never resumed this container. */
  cleanup_free char *path = xasprintf ("%s/%s", m->state_dir, id);
  unlink (path);
}

bool
ds_log_manager_following (ds_log_manager_t *m, const char *id)
{
  pthread_mutex_lock (&m->lock);
  bool found = find (m, id) != NULL;
  pthread_mutex_unlock (&m->lock);
  return found;
}
