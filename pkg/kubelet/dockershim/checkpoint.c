#include "pkg/kubelet/dockershim/checkpoint.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pkg/util/fs.h"
#include "pkg/util/utils.h"

#define CHECKPOINT_VERSION "v1"
#define MAX_CHECKPOINT (4 * 1024 * 1024)

ds_checkpoint_t *
ds_checkpoint_new (void)
{
  ds_checkpoint_t *cp = xmalloc0 (sizeof *cp);
  cp->name = xstrdup ("");
  cp->ns = xstrdup ("");
  cp->uid = xstrdup ("");
  cp->network = xstrdup ("");
  cp->runtime_handler = xstrdup ("");
  cp->ip = xstrdup ("");
  return cp;
}

void
ds_checkpoint_free (ds_checkpoint_t *cp)
{
  if (cp == NULL)
    return;
  free (cp->name);
  free (cp->ns);
  free (cp->uid);
  free (cp->network);
  free (cp->runtime_handler);
  free (cp->ip);
  for (size_t i = 0; i < cp->n_ports; i++)
    free (cp->ports[i].host_ip);
  free (cp->ports);
  json_decref (cp->cni_config);
  json_decref (cp->cni_result);
  free (cp);
}

void
ds_checkpoint_freep (ds_checkpoint_t **cp)
{
  ds_checkpoint_free (*cp);
}

void
ds_checkpoint_set (char **field, const char *value)
{
  free (*field);
  *field = xstrdup (value ? value : "");
}

void
ds_checkpoint_add_port (ds_checkpoint_t *cp, int protocol, int32_t container_port,
                        int32_t host_port, const char *host_ip)
{
  cp->ports = xrealloc (cp->ports, (cp->n_ports + 1) * sizeof *cp->ports);
  ds_checkpoint_port_t *p = &cp->ports[cp->n_ports++];
  p->protocol = protocol;
  p->container_port = container_port;
  p->host_port = host_port;
  p->host_ip = xstrdup (host_ip ? host_ip : "");
}

json_t *
ds_checkpoint_to_json (const ds_checkpoint_t *cp)
{
  json_t *ports = json_array ();
  for (size_t i = 0; i < cp->n_ports; i++)
    json_array_append_new (
        ports, json_pack ("{s:i, s:i, s:i, s:s}", "protocol", cp->ports[i].protocol,
                          "container_port", (int) cp->ports[i].container_port, "host_port",
                          (int) cp->ports[i].host_port, "host_ip", cp->ports[i].host_ip));
  json_t *data
      = json_pack ("{s:s, s:s, s:s, s:I, s:s, s:i, s:i, s:o, s:s, s:b}", "name", cp->name,
                   "namespace", cp->ns, "uid", cp->uid, "attempt", (json_int_t) cp->attempt,
                   "network", cp->network, "pid_mode", cp->pid_mode, "ipc_mode", cp->ipc_mode,
                   "port_mappings", ports, "ip", cp->ip, "network_ready", (int) cp->network_ready);
  if (cp->runtime_handler[0])
    json_object_set_new (data, "runtime_handler", json_string (cp->runtime_handler));
  if (cp->cni_config)
    json_object_set (data, "cni_config", cp->cni_config);
  if (cp->cni_result)
    json_object_set (data, "cni_result", cp->cni_result);
  return json_pack ("{s:s, s:o}", "version", CHECKPOINT_VERSION, "data", data);
}

static int
get_string (const json_t *obj, const char *key, char **field, kl_error_t *err)
{
  const json_t *v = json_object_get (obj, key);
  if (v == NULL)
    return 0;
  if (!json_is_string (v))
    return kl_make_error_kind (err, KL_ERROR_INVALID, 0, "checkpoint: %s: want a string", key);
  ds_checkpoint_set (field, json_string_value (v));
  return 0;
}

static int
get_int (const json_t *obj, const char *key, int64_t min, int64_t max, int64_t *out,
         kl_error_t *err)
{
  const json_t *v = json_object_get (obj, key);
  if (v == NULL)
    return 0;
  if (!json_is_integer (v) || json_integer_value (v) < min || json_integer_value (v) > max)
    return kl_make_error_kind (err, KL_ERROR_INVALID, 0,
                               "checkpoint: %s: want an integer in [%lld, %lld]", key,
                               (long long) min, (long long) max);
  *out = json_integer_value (v);
  return 0;
}

int
ds_checkpoint_from_json (const json_t *doc, ds_checkpoint_t **out, kl_error_t *err)
{
  const json_t *version = json_object_get (doc, "version");
  if (!json_is_string (version) || strcmp (json_string_value (version), CHECKPOINT_VERSION) != 0)
    return kl_make_error_kind (err, KL_ERROR_INVALID, 0, "checkpoint: unknown version");
  const json_t *data = json_object_get (doc, "data");
  if (!json_is_object (data))
    return kl_make_error_kind (err, KL_ERROR_INVALID, 0, "checkpoint: data: want an object");
  cleanup_checkpoint ds_checkpoint_t *cp = ds_checkpoint_new ();
  int64_t attempt = 0, pid_mode = 0, ipc_mode = 0;
  int ret;
  if ((ret = get_string (data, "name", &cp->name, err)) < 0
      || (ret = get_string (data, "namespace", &cp->ns, err)) < 0
      || (ret = get_string (data, "uid", &cp->uid, err)) < 0
      || (ret = get_string (data, "network", &cp->network, err)) < 0
      || (ret = get_string (data, "ip", &cp->ip, err)) < 0
      || (ret = get_string (data, "runtime_handler", &cp->runtime_handler, err)) < 0
      || (ret = get_int (data, "attempt", 0, UINT32_MAX, &attempt, err)) < 0
      || (ret = get_int (data, "pid_mode", 0, 3, &pid_mode, err)) < 0
      || (ret = get_int (data, "ipc_mode", 0, 3, &ipc_mode, err)) < 0)
    return ret;
  cp->attempt = (uint32_t) attempt;
  cp->pid_mode = (int) pid_mode;
  cp->ipc_mode = (int) ipc_mode;
  const json_t *ready = json_object_get (data, "network_ready");
  if (ready && !json_is_boolean (ready))
    return kl_make_error_kind (err, KL_ERROR_INVALID, 0,
                               "checkpoint: network_ready: want a boolean");
  cp->network_ready = json_is_true (ready);
  const json_t *ports = json_object_get (data, "port_mappings");
  if (ports && !json_is_array (ports))
    return kl_make_error_kind (err, KL_ERROR_INVALID, 0,
                               "checkpoint: port_mappings: want an array");
  size_t i;
  const json_t *p;
  json_array_foreach (ports, i, p)
    {
      int64_t protocol = 0, container_port = 0, host_port = 0;
      cleanup_free char *host_ip = xstrdup ("");
      if (!json_is_object (p))
        return kl_make_error_kind (err, KL_ERROR_INVALID, 0, "checkpoint: port_mappings[%zu]", i);
      if ((ret = get_int (p, "protocol", 0, 2, &protocol, err)) < 0
          || (ret = get_int (p, "container_port", 0, 65535, &container_port, err)) < 0
          || (ret = get_int (p, "host_port", 0, 65535, &host_port, err)) < 0
          || (ret = get_string (p, "host_ip", &host_ip, err)) < 0)
        return ret;
      ds_checkpoint_add_port (cp, (int) protocol, (int32_t) container_port, (int32_t) host_port,
                              host_ip);
    }
  const json_t *config = json_object_get (data, "cni_config");
  if (config)
    {
      if (!json_is_object (config))
        return kl_make_error_kind (err, KL_ERROR_INVALID, 0,
                                   "checkpoint: cni_config: want an object");
      cp->cni_config = json_deep_copy (config);
    }
  const json_t *result = json_object_get (data, "cni_result");
  if (result)
    {
      if (!json_is_object (result))
        return kl_make_error_kind (err, KL_ERROR_INVALID, 0,
                                   "checkpoint: cni_result: want an object");
      cp->cni_result = json_deep_copy (result);
    }
  *out = steal_pointer (&cp);
  return 0;
}

static int
check_id (const char *id, kl_error_t *err)
{
  if (id == NULL || id[0] == '\0' || id[0] == '.' || strchr (id, '/'))
    return kl_make_error_kind (err, KL_ERROR_INVALID, 0, "invalid sandbox id %s", id ? id : "");
  return 0;
}

int
ds_checkpoint_write (const char *dir, const char *id, const ds_checkpoint_t *cp, kl_error_t *err)
{
  int ret = check_id (id, err);
  if (ret < 0)
    return ret;
  ret = kl_mkdir_p (dir, 0700, err);
  if (ret < 0)
    return ret;
  json_t *doc = ds_checkpoint_to_json (cp);
  /* jansson refuses strings that are not UTF-8: bad input, not a lack of memory. */
  if (doc == NULL)
    return kl_make_error_kind (err, KL_ERROR_INVALID, 0,
                               "checkpoint of sandbox %s: a field is not valid UTF-8", id);
  cleanup_free char *text = json_dumps (doc, JSON_COMPACT);
  json_decref (doc);
  if (text == NULL)
    kl_oom ();
  cleanup_free char *path = xasprintf ("%s/%s", dir, id);
  ret = kl_write_file_atomic (path, text, strlen (text), 0600, err);
  if (ret < 0)
    return kl_error_wrap (err, "write checkpoint of sandbox %s", id);
  return 0;
}

int
ds_checkpoint_read (const char *dir, const char *id, ds_checkpoint_t **out, kl_error_t *err)
{
  int ret = check_id (id, err);
  if (ret < 0)
    return ret;
  cleanup_free char *path = xasprintf ("%s/%s", dir, id);
  cleanup_free char *data = NULL;
  size_t len = 0;
  ret = kl_read_file (path, MAX_CHECKPOINT, &data, &len, err);
  if (ret < 0)
    {
      if ((*err)->status == ENOENT)
        {
          kl_error_release (err);
          return kl_make_error_kind (err, KL_ERROR_NOT_FOUND, 0, "no checkpoint for sandbox %s",
                                     id);
        }
      return ret;
    }
  json_error_t jerr;
  json_t *doc = json_loadb (data, len, 0, &jerr);
  if (doc == NULL)
    return kl_make_error_kind (err, KL_ERROR_INVALID, 0, "checkpoint %s is corrupt: %s", path,
                               jerr.text);
  ret = ds_checkpoint_from_json (doc, out, err);
  json_decref (doc);
  if (ret < 0)
    return kl_error_wrap (err, "checkpoint %s is corrupt", path);
  return 0;
}

int
ds_checkpoint_remove (const char *dir, const char *id, kl_error_t *err)
{
  int ret = check_id (id, err);
  if (ret < 0)
    return ret;
  cleanup_free char *path = xasprintf ("%s/%s", dir, id);
  if (unlink (path) < 0 && errno != ENOENT)
    return kl_make_error (err, errno, "remove checkpoint %s", path);
  return 0;
}

static int
compare_strings (const void *a, const void *b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

int
ds_checkpoint_list (const char *dir, char ***ids, size_t *n, kl_error_t *err)
{
  *ids = NULL;
  *n = 0;
  DIR *d = opendir (dir);
  if (d == NULL)
    {
      if (errno == ENOENT)
        return 0;
      return kl_make_error (err, errno, "open %s", dir);
    }
  struct dirent *e;
  while ((e = readdir (d)) != NULL)
    {
      if (e->d_name[0] == '.' || strstr (e->d_name, ".tmp."))
        continue;
      *ids = xrealloc (*ids, (*n + 1) * sizeof **ids);
      (*ids)[(*n)++] = xstrdup (e->d_name);
    }
  closedir (d);
  if (*n > 1)
    qsort (*ids, *n, sizeof **ids, compare_strings);
  return 0;
}
