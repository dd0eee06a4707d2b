/* Decoders for image responses: list and inspect. */
#include <stdio.h>
#include <string.h>

#include "pkg/kubelet/dockershim/libdocker/decode-internal.h"
#include "pkg/kubelet/dockershim/libdocker/decode.h"
#include "pkg/util/utils.h"

/* Drops dockerd's placeholders for untagged images ("<none>:<none>",
   "<none>@<none>"): they name nothing. */
static void
drop_placeholders (docker_strings_t *list)
{
  size_t kept = 0;
  for (size_t i = 0; i < list->len; i++)
    {
      if (strncmp (list->items[i], "<none>", 6) == 0)
        {
          free (list->items[i]);
          continue;
        }
      list->items[kept++] = list->items[i];
    }
  list->len = kept;
}

int
docker_decode_image_list (const char *json, size_t len, docker_image_list_t **out, kl_error_t *err)
{
  json_t *root = NULL;
  int ret = dec_load (json, len, JSON_ARRAY, "image list", &root, err);
  if (ret < 0)
    return ret;
  dec_t d;
  dec_init (&d, "image list", err);
  docker_image_list_t *list = xmalloc0 (sizeof *list);
  list->items = xmalloc0 (sizeof (docker_image_summary_t) * (json_array_size (root) + 1));
  size_t i;
  json_t *item;
  json_array_foreach (root, i, item)
    {
      docker_image_summary_t *image = &list->items[list->len++];
      snprintf (d.where, sizeof d.where, "[%zu].", i);
      if (!json_is_object (item))
        dec_fail (&d, "", "want an object");
      image->id = dec_string (&d, item, "Id");
      image->parent_id = dec_string (&d, item, "ParentId");
      dec_strings (&d, item, "RepoTags", &image->repo_tags);
      dec_strings (&d, item, "RepoDigests", &image->repo_digests);
      image->created = dec_int (&d, item, "Created");
      image->size = dec_int (&d, item, "Size");
      dec_labels (&d, item, "Labels", &image->labels);
      drop_placeholders (&image->repo_tags);
      drop_placeholders (&image->repo_digests);
      if (!d.failed && image->id[0] == '\0')
        dec_fail (&d, "Id", "missing");
    }
  json_decref (root);
  if (dec_finish (&d) < 0)
    {
      docker_image_list_free (list);
      return -1;
    }
  *out = list;
  return 0;
}

int
docker_decode_image_inspect (const char *json, size_t len, docker_image_inspect_t **out,
                             kl_error_t *err)
{
  json_t *root = NULL;
  int ret = dec_load (json, len, JSON_OBJECT, "image inspect", &root, err);
  if (ret < 0)
    return ret;
  dec_t d;
  dec_init (&d, "image inspect", err);
  docker_image_inspect_t *image = xmalloc0 (sizeof *image);
  image->id = dec_string (&d, root, "Id");
  dec_strings (&d, root, "RepoTags", &image->repo_tags);
  dec_strings (&d, root, "RepoDigests", &image->repo_digests);
  drop_placeholders (&image->repo_tags);
  drop_placeholders (&image->repo_digests);
  image->parent = dec_string (&d, root, "Parent");
  image->created = dec_time (&d, root, "Created");
  image->os = dec_string (&d, root, "Os");
  image->architecture = dec_string (&d, root, "Architecture");
  image->size = dec_int (&d, root, "Size");
  image->config.user = dec_string (&d, root, "Config.User");
  image->config.working_dir = dec_string (&d, root, "Config.WorkingDir");
  image->config.stop_signal = dec_string (&d, root, "Config.StopSignal");
  dec_strings (&d, root, "Config.Env", &image->config.env);
  dec_strings (&d, root, "Config.Entrypoint", &image->config.entrypoint);
  dec_strings (&d, root, "Config.Cmd", &image->config.cmd);
  dec_keys (&d, root, "Config.Volumes", &image->config.volumes);
  dec_labels (&d, root, "Config.Labels", &image->config.labels);
  if (!d.failed && image->id[0] == '\0')
    dec_fail (&d, "Id", "missing");
  json_decref (root);
  if (dec_finish (&d) < 0)
    {
      docker_image_inspect_free (image);
      return -1;
    }
  *out = image;
  return 0;
}
