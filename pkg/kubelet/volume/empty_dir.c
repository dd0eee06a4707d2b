/* The emptyDir volume plugin (pkg/volume/emptydir): a world-writable
   directory under the pod directory, a tmpfs for medium Memory, group
   ownership for the pod's fsGroup and a "ready" marker that makes SetUp
   idempotent. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pkg/kubelet/volume/volume-internal.h"
#include "pkg/util/log.h"
#include "pkg/util/utils.h"

/* emptyDir's perm: everyone may write, whatever user the container runs as. */
#define EMPTY_DIR_PERM 0777

/* SetVolumeOwnership's masks. */
#define RW_MASK 0660
#define EXEC_MASK 0110

/* How deep the fsGroup walk goes before it stops descending. */
#define MAX_OWNERSHIP_DEPTH 256

#define READY_FILE "ready"

char *
kl_empty_dir_path (const char *pod_dir, const char *name)
{
  return xasprintf ("%s/volumes/" KL_EMPTY_DIR_PLUGIN "/%s", pod_dir, name);
}

/* getMetaDir: <pod_dir>/plugins/kubernetes.io~empty-dir/<name>. */
static char *
meta_dir_path (const char *pod_dir, const char *name)
{
  return xasprintf ("%s/plugins/" KL_EMPTY_DIR_PLUGIN "/%s", pod_dir, name);
}

/* setupDir: create the directory and make its permission bits 0777 whatever
   the umask. */
static int
setup_dir (const char *dir, kl_error_t *err)
{
  int ret = kl_volume_mkdir_all (dir, EMPTY_DIR_PERM, err);
  if (ret < 0)
    return ret;
  struct stat st;
  if (lstat (dir, &st) < 0)
    return kl_make_error (err, errno, "stat %s", dir);
  if (!S_ISDIR (st.st_mode))
    return kl_make_error (err, ENOTDIR, "emptyDir %s", dir);
  if ((st.st_mode & 0777) != EMPTY_DIR_PERM && chmod (dir, EMPTY_DIR_PERM) < 0)
    return kl_make_error (err, errno, "chmod %s", dir);
  return 0;
}

/* setupTmpfs: a tmpfs on the directory unless one is mounted there already;
   its size is the volume's sizeLimit when set (else the kernel's half of
   RAM). nodev and nosuid: nothing in a scratch volume needs either. */
static int
setup_tmpfs (const char *dir, const kl_empty_dir_volume_source_t *source, kl_error_t *err)
{
  int ret = setup_dir (dir, err);
  if (ret < 0)
    return ret;
  bool is_mount_point, is_tmpfs;
  ret = kl_volume_mount_point_info (dir, &is_mount_point, &is_tmpfs, err);
  if (ret < 0)
    return ret;
  if (is_mount_point && is_tmpfs)
    return 0;

  cleanup_free char *options = NULL;
  if (source != NULL && source->has_size_limit_bytes && source->size_limit_bytes > 0)
    options = xasprintf ("size=%" PRId64, source->size_limit_bytes);
  KL_LOG_V (3, "mounting tmpfs on %s (%s)", dir, options ? options : "default size");
  if (mount ("tmpfs", dir, "tmpfs", MS_NODEV | MS_NOSUID, options) < 0)
    return kl_make_error (err, errno, "mount tmpfs on %s", dir);
  return 0;
}

/* changeFilePermission: group `gid`, group read/write (and execute plus
   setgid on directories); a symlink gets the group only, since chmod would
   reach its target. */
static int
change_permission (int parent_fd, const char *name, const struct stat *st, gid_t gid,
                   const char *path, kl_error_t *err)
{
  if (fchownat (parent_fd, name, (uid_t) -1, gid, AT_SYMLINK_NOFOLLOW) < 0)
    return kl_make_error (err, errno, "lchown %s", path);
  if (S_ISLNK (st->st_mode))
    return 0;
  mode_t mask = RW_MASK;
  if (S_ISDIR (st->st_mode))
    mask |= S_ISGID | EXEC_MASK;
  if (fchmodat (parent_fd, name, (st->st_mode & 07777) | mask, AT_SYMLINK_NOFOLLOW) < 0)
    return kl_make_error (err, errno, "chmod %s", path);
  return 0;
}

/* SetVolumeOwnership over the tree at `name` in parent_fd, never following a
   symlink and staying on device `dev`. */
static int
set_ownership_at (int parent_fd, const char *name, const char *path, gid_t gid, dev_t dev,
                  int depth, kl_error_t *err)
{
  struct stat st;
  if (fstatat (parent_fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
    {
      if (errno == ENOENT)
        return 0;
      return kl_make_error (err, errno, "stat %s", path);
    }
  int ret = change_permission (parent_fd, name, &st, gid, path, err);
  if (ret < 0)
    return ret;
  if (!S_ISDIR (st.st_mode) || st.st_dev != dev)
    return 0;
  if (depth >= MAX_OWNERSHIP_DEPTH)
    {
      KL_LOG_WARN ("fsGroup: not descending below %s: deeper than %d levels", path,
                   MAX_OWNERSHIP_DEPTH);
      return 0;
    }

  int fd = openat (parent_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    return kl_make_error (err, errno, "open %s", path);
  struct stat opened;
  if (fstat (fd, &opened) < 0 || opened.st_dev != st.st_dev || opened.st_ino != st.st_ino)
    {
      close (fd);
      return kl_make_error (err, EAGAIN, "%s changed while walking it", path);
    }
  DIR *d = fdopendir (fd);
  if (d == NULL)
    {
      close (fd);
      return kl_make_error (err, errno, "opendir %s", path);
    }
  struct dirent *de;
  ret = 0;
  while (ret == 0 && (de = readdir (d)) != NULL)
    {
      if (strcmp (de->d_name, ".") == 0 || strcmp (de->d_name, "..") == 0)
        continue;
      cleanup_free char *child = xasprintf ("%s/%s", path, de->d_name);
      ret = set_ownership_at (dirfd (d), de->d_name, child, gid, dev, depth + 1, err);
    }
  closedir (d);
  return ret;
}

static int
set_volume_ownership (const char *dir, gid_t gid, kl_error_t *err)
{
  struct stat st;
  if (lstat (dir, &st) < 0)
    return kl_make_error (err, errno, "stat %s", dir);
  return set_ownership_at (AT_FDCWD, dir, dir, gid, st.st_dev, 0, err);
}

/* volumeutil.SetReady: failures are only logged, the volume works anyway. */
static void
set_ready (const char *meta_dir)
{
  kl_error_t err = NULL;
  if (kl_volume_mkdir_all (meta_dir, 0750, &err) < 0)
    {
      KL_LOG_WARN ("can't mark emptyDir ready: %s", kl_error_message (err));
      kl_error_release (&err);
      return;
    }
  cleanup_free char *ready = xasprintf ("%s/" READY_FILE, meta_dir);
  int fd = open (ready, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      KL_LOG_WARN ("can't create %s: %s", ready, strerror (errno));
      return;
    }
  close (fd);
}

int
kl_empty_dir_setup (const char *pod_dir, const kl_pod_t *pod, const kl_volume_t *v, kl_error_t *err)
{
  const kl_empty_dir_volume_source_t *source = v->empty_dir;
  const char *medium = source && source->medium ? source->medium : KL_STORAGE_MEDIUM_DEFAULT;
  bool memory = strcmp (medium, KL_STORAGE_MEDIUM_MEMORY) == 0;
  if (!memory && strcmp (medium, KL_STORAGE_MEDIUM_DEFAULT) != 0)
    return kl_make_error_kind (err, KL_ERROR_INVALID, 0, "unknown storage medium \"%s\"", medium);

  cleanup_free char *dir = kl_empty_dir_path (pod_dir, v->name);
  cleanup_free char *meta_dir = meta_dir_path (pod_dir, v->name);
  cleanup_free char *ready = xasprintf ("%s/" READY_FILE, meta_dir);

  bool is_mount_point, is_tmpfs;
  int ret = kl_volume_mount_point_info (dir, &is_mount_point, &is_tmpfs, err);
  if (ret < 0)
    return ret;

  struct stat st;
  if (lstat (ready, &st) == 0)
    {
      if (memory && is_mount_point)
        return 0;
      if (!memory)
        {
          if (stat (dir, &st) == 0)
            return 0;
          /* Only if someone removed the volume by hand. */
          KL_LOG_WARN ("emptyDir ready file %s exists but %s does not; setting it up again", ready,
                       dir);
          unlink (ready);
        }
    }

  ret = memory ? setup_tmpfs (dir, source, err) : setup_dir (dir, err);
  if (ret < 0)
    return ret;
  if (pod->spec.security_context.has_fs_group)
    {
      ret = set_volume_ownership (dir, (gid_t) pod->spec.security_context.fs_group, err);
      if (ret < 0)
        return ret;
    }
  set_ready (meta_dir);
  return 0;
}
