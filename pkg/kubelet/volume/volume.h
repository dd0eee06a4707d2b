/* Pod volumes on the host (the volume manager's part for emptyDir and
   hostPath): set up under <root-dir>/pods/<uid> before the pod's containers
   start, torn down with the pod directory after they are gone. */
#ifndef KL_KUBELET_VOLUME_VOLUME_H
#define KL_KUBELET_VOLUME_VOLUME_H

#include "pkg/kubelet/api/types.h"
#include "pkg/util/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Prepares every volume of `pod` in `pod_dir` (<root-dir>/pods/<uid>,
   created 0750 with its volumes/ and plugins/ directories): an emptyDir is
   <pod_dir>/volumes/kubernetes.io~empty-dir/<name>, mode 0777, a tmpfs
   (nodev,nosuid, size= its sizeLimit) for medium Memory, group-owned by the
   pod's fsGroup; a hostPath is checked against its type (DirectoryOrCreate
   and FileOrCreate create it) as Kubernetes does. Idempotent. Errors name
   the volume: `volume "data": hostPath type check failed: /x is not a
   directory, it's a File`. */
int kl_volumes_setup (const char *pod_dir, const kl_pod_t *pod, kl_error_t *err);

/* Sets *out to where volume `volume_name` of `pod` lives on the host: the
   emptyDir directory or the hostPath path. KL_ERROR_NOT_FOUND if the pod
   has no such volume. */
int kl_volume_host_path (const char *pod_dir, const kl_pod_t *pod, const char *volume_name,
                         char **out, kl_error_t *err);

/* Unmounts everything at or under `pod_dir` (deepest first, per
   /proc/self/mountinfo) and removes the directory without following
   symlinks or entering a mount that is still there, so host data behind a
   hostPath, a symlink or a failed unmount is never touched. Refuses a path
   not shaped like /<root-dir>/pods/<uid>; a missing directory is fine. */
int kl_volumes_teardown (const char *pod_dir, kl_error_t *err);

#ifdef __cplusplus
}
#endif

#endif
