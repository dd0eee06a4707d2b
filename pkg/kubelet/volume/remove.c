/* Recursive removal that stays on one mount and never follows a symlink
   (the Go kubelet's removeall.RemoveAllOneFilesystem, made race-free with
   openat): whatever a volume or a failed unmount left inside a pod
   directory, host data outside it can't be reached. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "pkg/kubelet/volume/volume-internal.h"
#include "pkg/util/log.h"
#include "pkg/util/utils.h"

/* One open directory per level: a subtree deeper than this is moved up to
   the top directory and removed from there, so no tree is too deep. */
#define MAX_DEPTH 128

/* Reading a directory again finds entries created while it was emptied. */
#define MAX_PASSES 4

/* Where a directory lives: its device and mount. */
struct fs_identity
{
  dev_t dev;
  uint64_t mnt_id;
  bool has_mnt_id;
  bool is_mount_root;
};

struct remove_ctx
{
  struct fs_identity fs; /* the mount everything removed must be on */
  int top_fd;            /* the directory being removed */
  unsigned long moved;   /* subtrees moved up to top_fd */
  size_t failures;
  kl_error_t first; /* the first failure; later ones are logged */
};

static int
fd_identity (int fd, struct fs_identity *id)
{
  struct statx stx;
  if (statx (fd, "", AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW, STATX_TYPE | STATX_MNT_ID, &stx) < 0)
    return -1;
  id->dev = makedev (stx.stx_dev_major, stx.stx_dev_minor);
  id->has_mnt_id = (stx.stx_mask & STATX_MNT_ID) != 0;
  id->mnt_id = id->has_mnt_id ? stx.stx_mnt_id : 0;
  id->is_mount_root = (stx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT)
                      && (stx.stx_attributes & STATX_ATTR_MOUNT_ROOT);
  return 0;
}

/* True if a directory with identity `id` is on the same mount as `fs` and
   not the root of a mount: a bind mount of the same filesystem has the same
   device, so the mount ID and mount-root flag decide where the kernel has
   them (5.8+); older kernels fall back to the device, as Go. */
static bool
same_mount (const struct fs_identity *fs, const struct fs_identity *id)
{
  if (id->dev != fs->dev || id->is_mount_root)
    return false;
  return !(fs->has_mnt_id && id->has_mnt_id) || fs->mnt_id == id->mnt_id;
}

static void fail (struct remove_ctx *ctx, int status, const char *fmt, ...)
    __attribute__ ((format (printf, 3, 4)));

static void
fail (struct remove_ctx *ctx, int status, const char *fmt, ...)
{
  cleanup_free char *msg = NULL;
  va_list ap;
  va_start (ap, fmt);
  if (vasprintf (&msg, fmt, ap) < 0)
    kl_oom ();
  va_end (ap);
  ctx->failures++;
  if (ctx->first == NULL)
    kl_make_error (&ctx->first, status, "%s", msg);
  else
    KL_LOG_WARN ("%s%s%s", msg, status > 0 ? ": " : "", status > 0 ? strerror (status) : "");
}

static bool remove_contents (struct remove_ctx *ctx, int fd, const char *path, int depth);

/* Moves a too-deep directory up to the top directory under a fresh name. */
static void
move_up (struct remove_ctx *ctx, int parent_fd, const char *name, const char *path)
{
  for (int tries = 0; tries < 100; tries++)
    {
      char fresh[64];
      snprintf (fresh, sizeof fresh, ".kl-removing-%lu", ctx->moved++);
      if (renameat2 (parent_fd, name, ctx->top_fd, fresh, RENAME_NOREPLACE) == 0)
        return;
      if (errno != EEXIST)
        break;
    }
  fail (ctx, errno, "move %s up for removal", path);
}

/* Removes entry `name` of parent_fd (whose path is parent_path) and, if it
   is a directory on our mount, everything in it. */
static void
remove_entry (struct remove_ctx *ctx, int parent_fd, const char *parent_path, const char *name,
              int depth)
{
  struct stat st;
  if (fstatat (parent_fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
    {
      if (errno != ENOENT)
        fail (ctx, errno, "stat %s/%s", parent_path, name);
      return;
    }
  if (!S_ISDIR (st.st_mode))
    {
      /* Files, sockets, devices and symlinks: unlinking the name never
         touches what a symlink points to. */
      if (unlinkat (parent_fd, name, 0) < 0 && errno != ENOENT)
        fail (ctx, errno, "remove %s/%s", parent_path, name);
      return;
    }

  cleanup_free char *path = xasprintf ("%s/%s", parent_path, name);
  if (depth >= MAX_DEPTH)
    {
      move_up (ctx, parent_fd, name, path);
      return;
    }
  int fd = openat (parent_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    {
      if (errno == ENOENT)
        return;
      if (errno == ENOTDIR || errno == ELOOP)
        {
          /* Replaced by a file or a symlink since the stat: remove the name. */
          if (unlinkat (parent_fd, name, 0) < 0 && errno != ENOENT)
            fail (ctx, errno, "remove %s", path);
          return;
        }
      fail (ctx, errno, "open %s", path);
      return;
    }
  struct fs_identity id;
  if (fd_identity (fd, &id) < 0)
    {
      fail (ctx, errno, "stat %s", path);
      close (fd);
      return;
    }
  if (!same_mount (&ctx->fs, &id))
    {
      close (fd);
      fail (ctx, 0, "%s is a mount point; not removing it", path);
      return;
    }
  if (!remove_contents (ctx, fd, path, depth + 1))
    return;
  if (unlinkat (parent_fd, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
    fail (ctx, errno, "remove %s", path);
}

/* Empties the directory open as `fd` (taken over and closed); true if it
   is empty now. The top directory keeps reading while subtrees are moved
   up into it. */
static bool
remove_contents (struct remove_ctx *ctx, int fd, const char *path, int depth)
{
  DIR *d = fdopendir (fd);
  if (d == NULL)
    {
      fail (ctx, errno, "opendir %s", path);
      close (fd);
      return false;
    }
  size_t failures_before = ctx->failures;
  bool empty = false;
  for (unsigned long pass = 0; pass < MAX_PASSES + (depth == 0 ? ctx->moved : 0); pass++)
    {
      bool found = false;
      rewinddir (d);
      struct dirent *de;
      errno = 0;
      while ((de = readdir (d)) != NULL)
        {
          if (strcmp (de->d_name, ".") == 0 || strcmp (de->d_name, "..") == 0)
            continue;
          found = true;
          remove_entry (ctx, dirfd (d), path, de->d_name, depth);
          errno = 0;
        }
      if (errno != 0)
        {
          fail (ctx, errno, "read directory %s", path);
          break;
        }
      if (!found)
        {
          empty = true;
          break;
        }
      if (ctx->failures != failures_before)
        break;
    }
  closedir (d);
  return empty;
}

int
kl_volume_remove_all_one_filesystem (const char *dir, kl_error_t *err)
{
  cleanup_free char *path = xstrdup (dir);
  size_t len = strlen (path);
  while (len > 1 && path[len - 1] == '/')
    path[--len] = '\0';
  char *slash = strrchr (path, '/');
  const char *base = slash ? slash + 1 : path;
  cleanup_free char *parent = slash == NULL   ? xstrdup (".")
                              : slash == path ? xstrdup ("/")
                                              : xstrndup (path, (size_t) (slash - path));
  if (*base == '\0' || strcmp (base, ".") == 0 || strcmp (base, "..") == 0)
    return kl_make_error_kind (err, KL_ERROR_INVALID, 0, "refusing to remove %s", dir);

  cleanup_close int parent_fd = open (parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (parent_fd < 0)
    {
      if (errno == ENOENT)
        return 0;
      return kl_make_error (err, errno, "open %s", parent);
    }
  struct stat st;
  if (fstatat (parent_fd, base, &st, AT_SYMLINK_NOFOLLOW) < 0)
    {
      if (errno == ENOENT)
        return 0;
      return kl_make_error (err, errno, "stat %s", path);
    }
  if (!S_ISDIR (st.st_mode))
    return kl_make_error (err, ENOTDIR, "refusing to remove %s", path);

  struct remove_ctx ctx = { .top_fd = -1 };
  if (fd_identity (parent_fd, &ctx.fs) < 0)
    return kl_make_error (err, errno, "stat %s", parent);
  ctx.fs.is_mount_root = false;

  int fd = openat (parent_fd, base, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    return kl_make_error (err, errno, "open %s", path);
  struct fs_identity id;
  if (fd_identity (fd, &id) < 0)
    {
      int saved = errno;
      close (fd);
      return kl_make_error (err, saved, "stat %s", path);
    }
  if (!same_mount (&ctx.fs, &id))
    {
      close (fd);
      return kl_make_error_kind (err, KL_ERROR_GENERIC, EBUSY,
                                 "%s is a mount point; not removing it", path);
    }

  ctx.top_fd = fd;
  if (remove_contents (&ctx, fd, path, 0) && unlinkat (parent_fd, base, AT_REMOVEDIR) < 0
      && errno != ENOENT)
    fail (&ctx, errno, "remove %s", path);
  if (ctx.first != NULL)
    {
      if (ctx.failures > 1)
        kl_error_wrap (&ctx.first, "removing %s (%zu errors, the first shown)", path, ctx.failures);
      if (err == NULL)
        {
          kl_error_release (&ctx.first);
          return -1;
        }
      kl_error_release (err);
      *err = ctx.first;
      return -1;
    }
  return 0;
}
