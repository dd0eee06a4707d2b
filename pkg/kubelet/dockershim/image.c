/* ImageService: list, status, pull (with registry auth), remove, image filesystem usage. */
#include <errno.h>
#include <string.h>
#include <sys/statvfs.h>
#include <time.h>

#include "pkg/kubelet/dockershim/convert.h"
#include "pkg/kubelet/dockershim/libdocker/images.h"
#include "pkg/kubelet/dockershim/pb.h"
#include "pkg/kubelet/dockershim/service-internal.h"
#include "pkg/util/log.h"
#include "pkg/util/utils.h"

static bool
is_pinned (ds_service_t *ds, const docker_strings_t *tags)
{
  return docker_strings_contain (tags, ds->options.pod_infra_image);
}

static const char *
image_name (const Runtime__V1__ImageSpec *spec)
{
  return spec && spec->image ? spec->image : "";
}

int
ds_list_images (ds_service_t *ds, const Runtime__V1__ListImagesRequest *req,
                Runtime__V1__ListImagesResponse **resp, kl_error_t *err)
{
  const char *reference = NULL;
  if (req->filter && req->filter->image && image_name (req->filter->image)[0])
    reference = req->filter->image->image;
  cleanup_docker (docker_image_list) docker_image_list_t *list = NULL;
  int ret = docker_image_list (ds->docker, reference, &list, err);
  if (ret < 0)
    return ret;
  Runtime__V1__ListImagesResponse *r
      = DS_PB_NEW (Runtime__V1__ListImagesResponse, runtime__v1__list_images_response__init);
  for (size_t i = 0; i < list->len; i++)
    DS_PB_APPEND (
        r->images, r->n_images,
        ds_image_from_summary (&list->items[i], is_pinned (ds, &list->items[i].repo_tags)));
  *resp = r;
  return 0;
}

int
ds_image_status (ds_service_t *ds, const Runtime__V1__ImageStatusRequest *req,
                 Runtime__V1__ImageStatusResponse **resp, kl_error_t *err)
{
  const char *name = image_name (req->image);
  if (name[0] == '\0')
    return kl_make_error_kind (err, KL_ERROR_INVALID, 0, "ImageStatus: no image given");
  Runtime__V1__ImageStatusResponse *r
      = DS_PB_NEW (Runtime__V1__ImageStatusResponse, runtime__v1__image_status_response__init);
  cleanup_docker (docker_image_inspect) docker_image_inspect_t *image = NULL;
  int ret = docker_image_inspect (ds->docker, name, &image, err);
  if (ret < 0)
    {
      if (!kl_error_is (*err, KL_ERROR_NOT_FOUND))
        {
          protobuf_c_message_free_unpacked (&r->base, NULL);
          return ret;
        }
      /* An absent image is an empty answer, not an error. */
      kl_error_release (err);
      *resp = r;
      return 0;
    }
  r->image = ds_image_from_inspect (image, is_pinned (ds, &image->repo_tags));
  if (req->verbose)
    {
      json_t *info = json_pack ("{s:s, s:s, s:s, s:s}", "user", image->config.user, "workingDir",
                                image->config.working_dir, "os", image->os, "architecture",
                                image->architecture);
      cleanup_free char *text = json_dumps (info, JSON_COMPACT);
      json_decref (info);
      ds_pb_map_add (&r->info, &r->n_info,
                     &runtime__v1__image_status_response__info_entry__descriptor, "info", text);
    }
  *resp = r;
  return 0;
}

int
ds_pull_image (ds_service_t *ds, const Runtime__V1__PullImageRequest *req,
               Runtime__V1__PullImageResponse **resp, kl_error_t *err)
{
  const char *name = image_name (req->image);
  if (name[0] == '\0')
    return kl_make_error_kind (err, KL_ERROR_INVALID, 0, "PullImage: no image given");
  docker_auth_config_t auth = { 0 };
  docker_pull_options_t opts = { 0 };
  if (req->auth)
    {
      auth.username = req->auth->username;
      auth.password = req->auth->password;
      auth.auth = req->auth->auth;
      auth.server_address = req->auth->server_address;
      auth.identity_token = req->auth->identity_token;
      auth.registry_token = req->auth->registry_token;
      opts.auth = &auth;
    }
  int ret = docker_image_pull (ds->docker, name, &opts, NULL, err);
  if (ret < 0)
    return kl_error_wrap (err, "failed to pull image %s", name);
  cleanup_docker (docker_image_inspect) docker_image_inspect_t *image = NULL;
  ret = docker_image_inspect (ds->docker, name, &image, err);
  if (ret < 0)
    return kl_error_wrap (err, "pulled image %s, but cannot inspect it", name);
  Runtime__V1__PullImageResponse *r
      = DS_PB_NEW (Runtime__V1__PullImageResponse, runtime__v1__pull_image_response__init);
  r->image_ref = xstrdup (image->id);
  *resp = r;
  return 0;
}

/* Removes `ref`; an already absent one is fine. */
static int
remove_ref (ds_service_t *ds, const char *ref, kl_error_t *err)
{
  int ret = docker_image_remove (ds->docker, ref, false, err);
  if (ret < 0 && kl_error_is (*err, KL_ERROR_NOT_FOUND))
    {
      kl_error_release (err);
      return 0;
    }
  return ret;
}

int
ds_remove_image (ds_service_t *ds, const Runtime__V1__RemoveImageRequest *req,
                 Runtime__V1__RemoveImageResponse **resp, kl_error_t *err)
{
  const char *name = image_name (req->image);
  if (name[0] == '\0')
    return kl_make_error_kind (err, KL_ERROR_INVALID, 0, "RemoveImage: no image given");
  cleanup_docker (docker_image_inspect) docker_image_inspect_t *image = NULL;
  int ret = docker_image_inspect (ds->docker, name, &image, err);
  if (ret < 0)
    {
      if (!kl_error_is (*err, KL_ERROR_NOT_FOUND))
        return ret;
      kl_error_release (err);
      *resp
          = DS_PB_NEW (Runtime__V1__RemoveImageResponse, runtime__v1__remove_image_response__init);
      return 0;
    }
  /* Every tag and digest goes, then the image itself: the CRI removes the
     image, not one of its names. */
  for (size_t i = 0; i < image->repo_tags.len && ret == 0; i++)
    ret = remove_ref (ds, image->repo_tags.items[i], err);
  for (size_t i = 0; i < image->repo_digests.len && ret == 0; i++)
    ret = remove_ref (ds, image->repo_digests.items[i], err);
  if (ret == 0)
    ret = remove_ref (ds, image->id, err);
  if (ret < 0)
    return kl_error_wrap (err, "failed to remove image %s", name);
  *resp = DS_PB_NEW (Runtime__V1__RemoveImageResponse, runtime__v1__remove_image_response__init);
  return 0;
}

int
ds_image_fs_info (ds_service_t *ds, const Runtime__V1__ImageFsInfoRequest *req,
                  Runtime__V1__ImageFsInfoResponse **resp, kl_error_t *err)
{
  struct statvfs st;
  if (statvfs (ds->docker_root_dir, &st) < 0)
    return kl_make_error_kind (err, KL_ERROR_GENERIC, errno, "statvfs %s: %s", ds->docker_root_dir,
                               strerror (errno));
  struct timespec now;
  clock_gettime (CLOCK_REALTIME, &now);
  Runtime__V1__FilesystemUsage *u
      = DS_PB_NEW (Runtime__V1__FilesystemUsage, runtime__v1__filesystem_usage__init);
  u->timestamp = (int64_t) now.tv_sec * 1000000000LL + now.tv_nsec;
  u->fs_id
      = DS_PB_NEW (Runtime__V1__FilesystemIdentifier, runtime__v1__filesystem_identifier__init);
  u->fs_id->mountpoint = xstrdup (ds->docker_root_dir);
  u->used_bytes = DS_PB_NEW (Runtime__V1__UInt64Value, runtime__v1__uint64_value__init);
  u->used_bytes->value = (uint64_t) (st.f_blocks - st.f_bfree) * st.f_frsize;
  u->inodes_used = DS_PB_NEW (Runtime__V1__UInt64Value, runtime__v1__uint64_value__init);
  u->inodes_used->value = (uint64_t) (st.f_files - st.f_ffree);
  Runtime__V1__ImageFsInfoResponse *r
      = DS_PB_NEW (Runtime__V1__ImageFsInfoResponse, runtime__v1__image_fs_info_response__init);
  DS_PB_APPEND (r->image_filesystems, r->n_image_filesystems, u);
  *resp = r;
  return 0;
}
