/* Small filesystem helpers for the volume plugins. */
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>

#include "pkg/kubelet/volume/volume-internal.h"
#include "pkg/util/utils.h"

int
kl_volume_mkdir_all (const char *path, mode_t mode, kl_error_t *err)
{
  struct stat st;
  if (stat (path, &st) == 0)
    {
      if (S_ISDIR (st.st_mode))
        return 0;
      return kl_make_error (err, ENOTDIR, "mkdir %s", path);
    }

  cleanup_free char *parent = xstrdup (path);
  size_t len = strlen (parent);
  while (len > 1 && parent[len - 1] == '/')
    parent[--len] = '\0';
  char *slash = strrchr (parent, '/');
  if (slash != NULL && slash != parent)
    {
      *slash = '\0';
      int ret = kl_volume_mkdir_all (parent, mode, err);
      if (ret < 0)
        return ret;
    }

  if (mkdir (path, mode) < 0)
    {
      int saved = errno;
      /* Lost a race with another creator, or the path is "/": fine if it is
         a directory now, as os.MkdirAll. */
      if (stat (path, &st) == 0 && S_ISDIR (st.st_mode))
        return 0;
      return kl_make_error (err, saved, "mkdir %s", path);
    }
  return 0;
}

int
kl_volume_mount_point_info (const char *path, bool *is_mount_point, bool *is_tmpfs, kl_error_t *err)
{
  *is_mount_point = false;
  *is_tmpfs = false;

  struct statx stx;
  if (statx (AT_FDCWD, path, AT_SYMLINK_NOFOLLOW, STATX_TYPE, &stx) < 0)
    {
      if (errno == ENOENT)
        return 0;
      return kl_make_error (err, errno, "stat %s", path);
    }
  if (S_ISLNK (stx.stx_mode))
    return 0;

  if (stx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT)
    *is_mount_point = (stx.stx_attributes & STATX_ATTR_MOUNT_ROOT) != 0;
  else
    {
      /* Kernels before 5.8: a different device than the parent's, as the Go
         kubelet's IsLikelyNotMountPoint (blind to bind mounts). */
      struct stat self, parent;
      cleanup_free char *dotdot = xasprintf ("%s/..", path);
      if (lstat (path, &self) < 0)
        return kl_make_error (err, errno, "stat %s", path);
      if (stat (dotdot, &parent) < 0)
        return kl_make_error (err, errno, "stat %s", dotdot);
      *is_mount_point = self.st_dev != parent.st_dev;
    }

  struct statfs fs;
  if (statfs (path, &fs) < 0)
    return kl_make_error (err, errno, "statfs %s", path);
  *is_tmpfs = fs.f_type == TMPFS_MAGIC;
  return 0;
}
