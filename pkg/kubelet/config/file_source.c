/* The manifest directory source: reads static pod files on inotify events and every period. */
#include "pkg/kubelet/config/sources-internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "pkg/util/duration.h"
#include "pkg/util/log.h"
#include "pkg/util/utils.h"

#define WATCH_MASK                                                                                 \
  (IN_CREATE | IN_MODIFY | IN_DELETE | IN_MOVED_TO | IN_MOVED_FROM | IN_CLOSE_WRITE | IN_ATTRIB    \
   | IN_DELETE_SELF | IN_MOVE_SELF)

/* A file keeps changing: read it at the latest this many debounce periods
   after its first change. */
#define MAX_DEBOUNCE_FACTOR 10

/* A file some process modified and has not closed yet is read at the latest
   this long after its first modification. */
#define MAX_OPEN_WRITER_NS (60 * KL_SECOND)

/* A name some process modified (IN_MODIFY) and has not closed for writing
   since (IN_CLOSE_WRITE): most likely a manifest written in place. */
struct open_writer
{
  char *name; /* the entry's name; "" for the path itself (single-file mode) */
  int64_t since_ns;
};

/* What the source knows of one directory entry (or of the single manifest
   file): enough to read it again only when its content changed and to
   report each problem once. */
struct file_entry
{
  char *name;            /* the directory entry's name, or the path in single-file mode */
  bool read_ok;          /* the last read succeeded; content_hash and size hold */
  uint64_t content_hash; /* of the bytes last read */
  size_t size;
  char *error;           /* the last problem reported, NULL while the file is valid */
  kl_source_pods_t pods; /* what the last valid content gave */
  bool taken;            /* moved to the next scan's entries; only `name` is left */
};

struct kl_file_source_s
{
  /* Set by kl_file_source_new (), read-only afterwards. */
  char *path; /* without trailing slashes */
  char *node_name;
  int64_t period_ns;
  int64_t debounce_ns;
  size_t max_bytes;
  int stop_fd;
  kl_source_publish_fn publish;
  void *publish_ctx;
  int inotify_fd;

  /* `lock` serializes scans (the thread's and kl_file_source_sync ()'s) and
     guards everything below. */
  pthread_mutex_t lock;
  int watch;                  /* inotify watch descriptor of `path`, -1 when not watched */
  char *watch_error;          /* the last failure to watch `path` reported, or NULL */
  char *path_error;           /* the last failure to list `path` reported, or NULL */
  struct file_entry *entries; /* sorted by name */
  size_t n_entries;
  bool published; /* the first complete listing went to the merge */
  struct open_writer *writers;
  size_t n_writers;
  int64_t retry_at_ns; /* when a file left unread as still being written is due, or 0 */
};

static void
entry_release (struct file_entry *entry)
{
  free (entry->name);
  free (entry->error);
  kl_source_pods_clear (&entry->pods);
}

/* Records `msg` (taken) as the entry's problem; logs it unless it merely
   repeats the last one for content that did not change. */
static void
entry_set_error (struct file_entry *entry, char *msg, bool content_changed, bool *changed)
{
  if (content_changed || entry->error == NULL || strcmp (entry->error, msg) != 0)
    KL_LOG_ERROR ("Could not process manifest file: %s", msg);
  free (entry->error);
  entry->error = msg;
  if (entry->pods.n_items > 0)
    *changed = true;
  kl_source_pods_clear (&entry->pods);
}

/* As entry_set_error () for things that are not manifests at all
   (directories, devices): a warning, only when it is new. */
static void
entry_set_skipped (struct file_entry *entry, char *msg, bool *changed)
{
  if (entry->error == NULL || strcmp (entry->error, msg) != 0)
    KL_LOG_WARN ("%s", msg);
  free (entry->error);
  entry->error = msg;
  entry->read_ok = false;
  if (entry->pods.n_items > 0)
    *changed = true;
  kl_source_pods_clear (&entry->pods);
}

static struct open_writer *
find_writer (kl_file_source_t *src, const char *name)
{
  for (size_t i = 0; i < src->n_writers; i++)
    if (strcmp (src->writers[i].name, name) == 0)
      return &src->writers[i];
  return NULL;
}

/* Records (`open` true) or forgets an open writer of `name`. Called with
   `lock` held. */
static void
track_writer (kl_file_source_t *src, const char *name, bool open, int64_t now)
{
  struct open_writer *w = find_writer (src, name);
  if (open && w == NULL)
    {
      src->writers = xrealloc (src->writers, (src->n_writers + 1) * sizeof *src->writers);
      src->writers[src->n_writers++] = (struct open_writer){ xstrdup (name), now };
    }
  else if (!open && w != NULL)
    {
      free (w->name);
      *w = src->writers[--src->n_writers];
    }
}

static void
forget_writers (kl_file_source_t *src)
{
  for (size_t i = 0; i < src->n_writers; i++)
    free (src->writers[i].name);
  free (src->writers);
  src->writers = NULL;
  src->n_writers = 0;
}

/* How long to leave the file of `st` (entry `name`) unread because it is
   still being written, 0 to read it now: a writer holds it open since it
   modified it (until MAX_OPEN_WRITER_NS), or it was modified less than a
   debounce period ago. Reading it then could find a prefix of the new
   content, which may well be a valid pod. */
static int64_t
unsettled_ns (kl_file_source_t *src, const char *name, const struct stat *st)
{
  int64_t wait = 0;
  struct timespec now;
  clock_gettime (CLOCK_REALTIME, &now);
  int64_t age = (int64_t) (now.tv_sec - st->st_mtim.tv_sec) * KL_SECOND
                + (now.tv_nsec - st->st_mtim.tv_nsec);
  /* A modification time in the future (a clock step) never holds a file back. */
  if (age >= 0 && age < src->debounce_ns)
    wait = src->debounce_ns - age;
  struct open_writer *w = find_writer (src, name);
  if (w)
    {
      int64_t open_for = kl_source_monotonic_ns () - w->since_ns;
      if (open_for < MAX_OPEN_WRITER_NS && MAX_OPEN_WRITER_NS - open_for > wait)
        wait = MAX_OPEN_WRITER_NS - open_for;
    }
  return wait;
}

/* Reads the regular file `name` under `dir_fd` (AT_FDCWD for a path),
   refusing `max_bytes` or more (as Go's ReadAtMost with maxConfigLength). */
static int
read_manifest (int dir_fd, const char *name, const char *path, size_t max_bytes, char **data,
               size_t *len, kl_error_t *err)
{
  cleanup_close int fd = openat (dir_fd, name, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  if (fd < 0)
    return kl_make_error (err, errno, "%s: open", path);
  struct stat st;
  if (fstat (fd, &st) < 0)
    return kl_make_error (err, errno, "%s: stat", path);
  if (!S_ISREG (st.st_mode))
    return kl_make_error_kind (err, KL_ERROR_INVALID, 0, "%s: not a regular file", path);
  if ((uint64_t) st.st_size >= max_bytes)
    {
      cleanup_free char *limit = kl_source_format_limit (max_bytes);
      return kl_make_error_kind (err, KL_ERROR_INVALID, 0,
                                 "%s: file is %lld bytes, at or over the limit of %s", path,
                                 (long long) st.st_size, limit);
    }

  size_t cap = (size_t) st.st_size + 1;
  cleanup_free char *buf = xmalloc (cap + 1);
  size_t n = 0;
  for (;;)
    {
      if (n == cap)
        {
          if (cap > max_bytes)
            {
              /* It grew while being read. */
              cleanup_free char *limit = kl_source_format_limit (max_bytes);
              return kl_make_error_kind (err, KL_ERROR_INVALID, 0,
                                         "%s: file is more than %zu bytes, the limit of %s", path,
                                         max_bytes, limit);
            }
          cap = cap * 2 > max_bytes + 1 ? max_bytes + 1 : cap * 2;
          buf = xrealloc (buf, cap + 1);
        }
      ssize_t r = read (fd, buf + n, cap - n);
      if (r < 0 && errno == EINTR)
        continue;
      if (r < 0)
        return kl_make_error (err, errno, "%s: read", path);
      if (r == 0)
        break;
      n += (size_t) r;
    }
  if (n >= max_bytes)
    {
      cleanup_free char *limit = kl_source_format_limit (max_bytes);
      return kl_make_error_kind (err, KL_ERROR_INVALID, 0,
                                 "%s: file grew to %zu bytes while being read, at or over the "
                                 "limit of %s",
                                 path, n, limit);
    }
  buf[n] = '\0';
  *len = n;
  *data = steal_pointer (&buf);
  return 0;
}

/* Brings `entry` (`writer_name` in the writers' table, `st` its status) up
   to date with the file's content, unless the file is still being written:
   then the entry keeps what it had and a retry is scheduled. Sets *changed
   when its pods may differ from before, *deferred when it was left unread. */
static void
refresh_entry (kl_file_source_t *src, int dir_fd, struct file_entry *entry, const char *path,
               const char *writer_name, const struct stat *st, bool *changed, bool *deferred)
{
  int64_t wait = unsettled_ns (src, writer_name, st);
  if (wait > 0)
    {
      int64_t due = kl_source_monotonic_ns () + wait;
      if (src->retry_at_ns == 0 || due < src->retry_at_ns)
        src->retry_at_ns = due;
      *deferred = true;
      KL_LOG_V (4, "Manifest file %s is being written, reading it later", path);
      return;
    }
  cleanup_error kl_error_t err = NULL;
  cleanup_free char *data = NULL;
  size_t len = 0;
  int ret = read_manifest (dir_fd, entry->name, path, src->max_bytes, &data, &len, &err);
  if (ret < 0)
    {
      if (kl_error_is (err, KL_ERROR_NOT_FOUND))
        return; /* removed since the listing; the next scan drops it */
      bool was_read = entry->read_ok;
      entry->read_ok = false;
      entry_set_error (entry, xstrdup (kl_error_message (err)), was_read, changed);
      return;
    }

  uint64_t hash = kl_source_hash_bytes (data, len);
  if (entry->read_ok && entry->content_hash == hash && entry->size == len)
    return;
  entry->read_ok = true;
  entry->content_hash = hash;
  entry->size = len;

  kl_source_pods_t pods = { NULL, 0 };
  ret = kl_source_pods_from_manifest (data, len, KL_POD_SOURCE_FILE, path, src->node_name,
                                      src->max_bytes, &pods, &err);
  if (ret < 0)
    {
      entry_set_error (entry, xstrdup (kl_error_message (err)), true, changed);
      return;
    }
  if (entry->error)
    KL_LOG_INFO ("Manifest file %s is valid again: %zu pod(s)", path, pods.n_items);
  else
    KL_LOG_V (2, "Read manifest file %s: %zu pod(s)", path, pods.n_items);
  free (entry->error);
  entry->error = NULL;
  kl_source_pods_clear (&entry->pods);
  entry->pods = pods;
  *changed = true;
}

static int
compare_names (const void *a, const void *b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

/* The names in `dir` that may be manifests, sorted: no "." prefix. */
static int
list_names (int dir_fd, const char *path, char ***out, size_t *n_out, kl_error_t *err)
{
  int fd = dup (dir_fd);
  if (fd < 0)
    return kl_make_error (err, errno, "%s: dup", path);
  DIR *dir = fdopendir (fd);
  if (dir == NULL)
    {
      int saved = errno;
      close (fd);
      return kl_make_error (err, saved, "%s: opendir", path);
    }
  char **names = NULL;
  size_t n = 0;
  for (;;)
    {
      errno = 0;
      struct dirent *de = readdir (dir);
      if (de == NULL)
        {
          if (errno != 0)
            {
              int saved = errno;
              for (size_t i = 0; i < n; i++)
                free (names[i]);
              free (names);
              closedir (dir);
              return kl_make_error (err, saved, "%s: readdir", path);
            }
          break;
        }
      if (de->d_name[0] == '.')
        continue;
      names = xrealloc (names, (n + 1) * sizeof *names);
      names[n++] = xstrdup (de->d_name);
    }
  closedir (dir);
  if (n > 1)
    qsort (names, n, sizeof *names, compare_names);
  *out = names;
  *n_out = n;
  return 0;
}

/* Moves the state of the old entry named `name` (or a fresh state) to a new
   entry at the end of `entries`. Names come sorted, as the old entries are,
   so `*cursor` walks the old entries once. */
static struct file_entry *
take_entry (kl_file_source_t *src, const char *name, size_t *cursor, struct file_entry **entries,
            size_t *n)
{
  *entries = xrealloc (*entries, (*n + 1) * sizeof **entries);
  struct file_entry *entry = &(*entries)[(*n)++];
  while (*cursor < src->n_entries && strcmp (src->entries[*cursor].name, name) < 0)
    (*cursor)++;
  if (*cursor < src->n_entries && strcmp (src->entries[*cursor].name, name) == 0)
    {
      struct file_entry *old = &src->entries[(*cursor)++];
      *entry = *old;
      entry->name = xstrdup (name);
      old->taken = true;
      old->error = NULL;
      old->pods = (kl_source_pods_t){ NULL, 0 };
      return entry;
    }
  memset (entry, 0, sizeof *entry);
  entry->name = xstrdup (name);
  return entry;
}

/* Replaces the entries with `entries`; an old entry left behind (its file is
   gone) that held pods is a change. */
static void
replace_entries (kl_file_source_t *src, struct file_entry *entries, size_t n, bool *changed)
{
  for (size_t i = 0; i < src->n_entries; i++)
    {
      if (!src->entries[i].taken)
        {
          if (src->entries[i].pods.n_items > 0)
            *changed = true;
          KL_LOG_V (2, "Manifest %s is gone", src->entries[i].name);
        }
      entry_release (&src->entries[i]);
    }
  free (src->entries);
  src->entries = entries;
  src->n_entries = n;
}

/* Reports a problem with the path itself (`msg`, taken) once per distinct
   message. */
static void
set_path_error (kl_file_source_t *src, char *msg, bool warning)
{
  if (src->path_error == NULL || strcmp (src->path_error, msg) != 0)
    {
      if (warning)
        KL_LOG_WARN ("Unable to read config path: %s", msg);
      else
        KL_LOG_ERROR ("Unable to read config path: %s", msg);
    }
  free (src->path_error);
  src->path_error = msg;
}

static void
clear_path_error (kl_file_source_t *src)
{
  if (src->path_error == NULL)
    return;
  KL_LOG_INFO ("Config path %s is readable again", src->path);
  free (src->path_error);
  src->path_error = NULL;
}

static void
scan_directory (kl_file_source_t *src, int dir_fd, bool *changed, bool *listed, bool *deferred)
{
  cleanup_error kl_error_t err = NULL;
  char **names = NULL;
  size_t n_names = 0;
  if (list_names (dir_fd, src->path, &names, &n_names, &err) < 0)
    {
      set_path_error (src, xstrdup (kl_error_message (err)), false);
      return;
    }
  clear_path_error (src);

  struct file_entry *entries = NULL;
  size_t n = 0, cursor = 0;
  for (size_t i = 0; i < n_names; i++)
    {
      cleanup_free char *name = names[i];
      cleanup_free char *path = xasprintf ("%s/%s", src->path, name);
      struct stat st;
      if (fstatat (dir_fd, name, &st, 0) < 0)
        {
          int saved = errno;
          if (saved == ENOENT && fstatat (dir_fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
            continue; /* removed since the listing; a dangling symlink is reported */
          struct file_entry *entry = take_entry (src, name, &cursor, &entries, &n);
          entry->read_ok = false;
          entry_set_skipped (
              entry,
              xasprintf ("Could not get metadata of manifest %s: %s", path, strerror (saved)),
              changed);
          continue;
        }
      struct file_entry *entry = take_entry (src, name, &cursor, &entries, &n);
      if (S_ISDIR (st.st_mode))
        entry_set_skipped (
            entry, xasprintf ("Manifest %s is a directory, not recursing into it", path), changed);
      else if (!S_ISREG (st.st_mode))
        entry_set_skipped (
            entry, xasprintf ("Manifest %s is not a regular file, ignoring it", path), changed);
      else
        refresh_entry (src, dir_fd, entry, path, name, &st, changed, deferred);
    }
  free (names);
  replace_entries (src, entries, n, changed);
  *listed = true;
}

static void
scan_single_file (kl_file_source_t *src, const struct stat *st, bool *changed, bool *listed,
                  bool *deferred)
{
  clear_path_error (src);
  struct file_entry *entries = NULL;
  size_t n = 0, cursor = 0;
  struct file_entry *entry = take_entry (src, src->path, &cursor, &entries, &n);
  refresh_entry (src, AT_FDCWD, entry, src->path, "", st, changed, deferred);
  replace_entries (src, entries, n, changed);
  *listed = true;
}

/* Watches `path` unless it is watched already; a failure is reported once. */
static void
ensure_watch (kl_file_source_t *src)
{
  if (src->watch >= 0)
    return;
  src->watch = inotify_add_watch (src->inotify_fd, src->path, WATCH_MASK);
  if (src->watch >= 0)
    {
      free (src->watch_error);
      src->watch_error = NULL;
      return;
    }
  /* A missing path is reported by the scan; the periodic rescan retries. */
  if (errno == ENOENT || errno == ENOTDIR)
    return;
  cleanup_free char *msg = xasprintf ("%s: inotify_add_watch: %s", src->path, strerror (errno));
  if (src->watch_error == NULL || strcmp (src->watch_error, msg) != 0)
    KL_LOG_ERROR ("Unable to watch config path, relying on periodic rescans: %s", msg);
  free (src->watch_error);
  src->watch_error = steal_pointer (&msg);
}

/* One full listing of the path, then the pods go to the merge if they may
   have changed or were never published. Called with `lock` held. */
static void
scan_locked (kl_file_source_t *src)
{
  ensure_watch (src);

  bool changed = false, listed = false, deferred = false;
  src->retry_at_ns = 0;
  struct stat st;
  if (stat (src->path, &st) < 0)
    {
      int saved = errno;
      if (saved != ENOENT)
        {
          /* As the Go kubelet: no update, the pods stay as they were. */
          set_path_error (src, xasprintf ("%s: %s", src->path, strerror (saved)), false);
          return;
        }
      /* As the Go kubelet: a missing path holds no pods but counts as seen. */
      set_path_error (src, xasprintf ("%s: path does not exist, ignoring", src->path), true);
      replace_entries (src, NULL, 0, &changed);
      listed = true;
    }
  else if (S_ISDIR (st.st_mode))
    {
      cleanup_close int dir_fd = open (src->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      if (dir_fd < 0)
        {
          set_path_error (src, xasprintf ("%s: open: %s", src->path, strerror (errno)), false);
          return;
        }
      scan_directory (src, dir_fd, &changed, &listed, &deferred);
    }
  else if (S_ISREG (st.st_mode))
    scan_single_file (src, &st, &changed, &listed, &deferred);
  else
    {
      set_path_error (src, xasprintf ("%s: path is not a directory or file", src->path), false);
      return;
    }

  /* The first listing waits for files still being written (at most a
     debounce period at start-up, when no writer is known): published
     without them, it would make the kubelet remove their running pods. */
  if (!listed || (!changed && src->published) || (deferred && !src->published))
    return;
  kl_source_pods_t pods = { NULL, 0 };
  for (size_t i = 0; i < src->n_entries; i++)
    kl_source_pods_append_copies (&pods, &src->entries[i].pods);
  src->published = true;
  src->publish (src->publish_ctx, KL_POD_SOURCE_FILE, &pods);
  kl_source_pods_clear (&pods);
}

void
kl_file_source_sync (kl_file_source_t *src)
{
  pthread_mutex_lock (&src->lock);
  scan_locked (src);
  pthread_mutex_unlock (&src->lock);
}

/* Drains the inotify queue; true when an event may concern a manifest. */
static bool
read_events (kl_file_source_t *src)
{
  bool relevant = false;
  /* Aligned as inotify(7) asks. */
  char buf[4096] __attribute__ ((aligned (__alignof__(struct inotify_event))));
  for (;;)
    {
      ssize_t len = read (src->inotify_fd, buf, sizeof buf);
      if (len < 0 && errno == EINTR)
        continue;
      if (len <= 0)
        return relevant; /* EAGAIN: drained */
      for (char *p = buf; p < buf + len;)
        {
          const struct inotify_event *ev = (const struct inotify_event *) p;
          p += sizeof *ev + ev->len;
          if (ev->mask & IN_Q_OVERFLOW)
            {
              /* Events were lost: which files are open is unknown now. */
              pthread_mutex_lock (&src->lock);
              forget_writers (src);
              pthread_mutex_unlock (&src->lock);
              relevant = true;
              continue;
            }
          if (ev->mask & IN_IGNORED)
            {
              /* The path was removed or replaced: watch it again at the
                 next scan. */
              pthread_mutex_lock (&src->lock);
              if (ev->wd == src->watch)
                src->watch = -1;
              pthread_mutex_unlock (&src->lock);
              relevant = true;
              continue;
            }
          /* Editors' and tools' hidden temporary files are not manifests. */
          if (ev->len > 0 && ev->name[0] == '.')
            continue;
          if (ev->mask & (IN_MODIFY | IN_CLOSE_WRITE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO))
            {
              /* A name modified stays "being written" until closed; deleted
                 or renamed, the name means another file now. */
              pthread_mutex_lock (&src->lock);
              track_writer (src, ev->len > 0 ? ev->name : "",
                            (ev->mask & IN_MODIFY) && !(ev->mask & IN_CLOSE_WRITE),
                            kl_source_monotonic_ns ());
              pthread_mutex_unlock (&src->lock);
            }
          relevant = true;
        }
    }
}

void *
kl_file_source_run (void *arg)
{
  kl_file_source_t *src = arg;
  int64_t next_rescan = kl_source_monotonic_ns ();
  int64_t first_change = 0, read_at = 0;
  bool pending = false;
  for (;;)
    {
      int64_t now = kl_source_monotonic_ns ();
      if (now >= next_rescan || (pending && now >= read_at))
        {
          kl_file_source_sync (src);
          pending = false;
          if (now >= next_rescan)
            next_rescan = now + src->period_ns;
          /* A file left unread while being written: look again when due. */
          pthread_mutex_lock (&src->lock);
          int64_t retry = src->retry_at_ns;
          pthread_mutex_unlock (&src->lock);
          if (retry > 0)
            {
              pending = true;
              first_change = read_at = retry;
            }
        }

      int64_t wake = pending && read_at < next_rescan ? read_at : next_rescan;
      if (kl_source_wait (src->stop_fd, src->inotify_fd, wake - now) == 1)
        break;
      if (!read_events (src))
        continue;
      /* Debounce: read once the writes have stopped for debounce_ns, or at
         the latest MAX_DEBOUNCE_FACTOR periods after the first one. */
      now = kl_source_monotonic_ns ();
      if (!pending)
        first_change = now;
      pending = true;
      read_at = now + src->debounce_ns;
      if (read_at > first_change + MAX_DEBOUNCE_FACTOR * src->debounce_ns)
        read_at = first_change + MAX_DEBOUNCE_FACTOR * src->debounce_ns;
    }
  return NULL;
}

int
kl_file_source_new (const char *path, int64_t debounce_ns, const kl_source_options_t *opts,
                    kl_file_source_t **out, kl_error_t *err)
{
  int fd = inotify_init1 (IN_NONBLOCK | IN_CLOEXEC);
  if (fd < 0)
    return kl_make_error (err, errno, "inotify_init1");

  kl_file_source_t *src = xmalloc0 (sizeof *src);
  src->path = xstrdup (path);
  for (size_t len = strlen (src->path); len > 1 && src->path[len - 1] == '/'; len--)
    src->path[len - 1] = '\0';
  src->node_name = xstrdup (opts->node_name);
  src->period_ns = opts->period_ns;
  src->debounce_ns = debounce_ns;
  src->max_bytes = opts->max_bytes;
  src->stop_fd = opts->stop_fd;
  src->publish = opts->publish;
  src->publish_ctx = opts->publish_ctx;
  src->inotify_fd = fd;
  src->watch = -1;
  pthread_mutex_init (&src->lock, NULL);
  *out = src;
  return 0;
}

void
kl_file_source_free (kl_file_source_t *src)
{
  if (src == NULL)
    return;
  for (size_t i = 0; i < src->n_entries; i++)
    entry_release (&src->entries[i]);
  free (src->entries);
  forget_writers (src);
  close (src->inotify_fd);
  pthread_mutex_destroy (&src->lock);
  free (src->watch_error);
  free (src->path_error);
  free (src->node_name);
  free (src->path);
  free (src);
}
