/* Private to pkg/kubelet/volume: the volume plugins, mount table and safe removal. */
#ifndef KL_KUBELET_VOLUME_INTERNAL_H
#define KL_KUBELET_VOLUME_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "pkg/kubelet/api/types.h"
#include "pkg/util/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The Go kubelet's plugin directory names under volumes/ and plugins/. */
#define KL_EMPTY_DIR_PLUGIN "kubernetes.io~empty-dir"

/* ---- fs.c: small filesystem helpers ---- */

/* mkdir -p with `mode` for every directory it creates (os.MkdirAll): an
   existing directory, or a symlink to one, is fine; anything else is
   ENOTDIR. */
int kl_volume_mkdir_all (const char *path, mode_t mode, kl_error_t *err);

/* Whether `path` (not followed if a symlink) is the root of a mount and
   whether its filesystem is a tmpfs. A missing path is neither. */
int kl_volume_mount_point_info (const char *path, bool *is_mount_point, bool *is_tmpfs,
                                kl_error_t *err);

/* ---- host_path.c ---- */

/* The hostPath plugin's SetUp: the path may not hold "..", then the type
   check (and creation for the *OrCreate types) exactly as Kubernetes. */
int kl_host_path_setup (const kl_host_path_volume_source_t *source, kl_error_t *err);

/* ---- empty_dir.c ---- */

/* <pod_dir>/volumes/kubernetes.io~empty-dir/<name>; the caller frees it. */
char *kl_empty_dir_path (const char *pod_dir, const char *name);

/* The emptyDir plugin's SetUp for volume `v` of `pod` (v->empty_dir may be
   NULL: the default medium). Idempotent. */
int kl_empty_dir_setup (const char *pod_dir, const kl_pod_t *pod, const kl_volume_t *v,
                        kl_error_t *err);

/* ---- mount.c: /proc/self/mountinfo ---- */

/* The mount points at or under `dir` (a canonical absolute path) listed in
   `mountinfo`, deepest first (a mount stacked n times appears n times);
   free with kl_volume_mounts_free. */
int kl_volume_mounts_under (const char *mountinfo, const char *dir, char ***out, size_t *n_out,
                            kl_error_t *err);

/* Unmounts everything at or under `dir` (canonical), deepest first. A mount
   that stays busy is detached lazily; the first failure is reported after
   trying every mount. */
int kl_volume_unmount_all_under (const char *mountinfo, const char *dir, kl_error_t *err);

void kl_volume_mounts_free (char **list, size_t n);

/* ---- remove.c ---- */

/* Removes `dir` and everything beneath it without following a symlink and
   without entering another mount: a mount point found inside (or `dir`
   itself being one) is left alone and reported as the error after the rest
   is removed. A missing `dir` is fine. */
int kl_volume_remove_all_one_filesystem (const char *dir, kl_error_t *err);

#ifdef __cplusplus
}
#endif

#endif
