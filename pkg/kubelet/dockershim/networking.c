#include "pkg/kubelet/dockershim/networking.h"

#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pkg/kubelet/dockershim/command.h"
#include "pkg/util/fs.h"
#include "pkg/util/log.h"
#include "pkg/util/utils.h"

#define MAX_CONFIG (1024 * 1024)
#define MAX_PLUGIN_OUTPUT (4 * 1024 * 1024)
#define DEFAULT_PLUGIN_TIMEOUT_NS (120 * 1000000000LL)

ds_cni_t *
ds_cni_new (const char *bin_dirs, const char *conf_dir)
{
  ds_cni_t *cni = xmalloc0 (sizeof *cni);
  size_t n = 0;
  cni->bin_dirs = xmalloc (sizeof (char *));
  cni->bin_dirs[0] = NULL;
  const char *p = bin_dirs ? bin_dirs : "";
  while (*p)
    {
      const char *comma = strchr (p, ',');
      size_t len = comma ? (size_t) (comma - p) : strlen (p);
      if (len > 0)
        {
          cni->bin_dirs = xrealloc (cni->bin_dirs, (n + 2) * sizeof (char *));
          cni->bin_dirs[n++] = xstrndup (p, len);
          cni->bin_dirs[n] = NULL;
        }
      p += len;
      if (*p == ',')
        p++;
    }
  cni->conf_dir = xstrdup (conf_dir ? conf_dir : "");
  cni->timeout_ns = DEFAULT_PLUGIN_TIMEOUT_NS;
  return cni;
}

void
ds_cni_free (ds_cni_t *cni)
{
  if (cni == NULL)
    return;
  for (size_t i = 0; cni->bin_dirs[i]; i++)
    free (cni->bin_dirs[i]);
  free (cni->bin_dirs);
  free (cni->conf_dir);
  free (cni);
}

json_t *
ds_cni_conf_to_list (const json_t *conf)
{
  const json_t *version = json_object_get (conf, "cniVersion");
  const json_t *name = json_object_get (conf, "name");
  json_t *list = json_object ();
  json_object_set_new (list, "cniVersion",
                       json_string (json_is_string (version) ? json_string_value (version) : ""));
  json_object_set_new (list, "name",
                       json_string (json_is_string (name) ? json_string_value (name) : ""));
  json_t *plugins = json_array ();
  json_array_append_new (plugins, json_deep_copy (conf));
  json_object_set_new (list, "plugins", plugins);
  return list;
}

int
ds_cni_validate_list (const json_t *conflist, kl_error_t *err)
{
  if (!json_is_object (conflist))
    return kl_make_error_kind (err, KL_ERROR_INVALID, 0, "network config: want a JSON object");
  const json_t *name = json_object_get (conflist, "name");
  if (!json_is_string (name) || json_string_length (name) == 0)
    return kl_make_error_kind (err, KL_ERROR_INVALID, 0, "network config: no name");
  const json_t *version = json_object_get (conflist, "cniVersion");
  if (!json_is_string (version) || json_string_length (version) == 0)
    return kl_make_error_kind (err, KL_ERROR_INVALID, 0, "network config %s: no cniVersion",
                               json_string_value (name));
  const json_t *plugins = json_object_get (conflist, "plugins");
  if (!json_is_array (plugins) || json_array_size (plugins) == 0)
    return kl_make_error_kind (err, KL_ERROR_INVALID, 0, "network config %s: no plugins",
                               json_string_value (name));
  size_t i;
  const json_t *p;
  json_array_foreach (plugins, i, p)
    {
      const json_t *type = json_is_object (p) ? json_object_get (p, "type") : NULL;
      const char *t = json_is_string (type) ? json_string_value (type) : "";
      if (t[0] == '\0' || strchr (t, '/') || strcmp (t, "..") == 0)
        return kl_make_error_kind (err, KL_ERROR_INVALID, 0,
                                   "network config %s: plugins[%zu]: no valid type",
                                   json_string_value (name), i);
    }
  return 0;
}

static bool
has_suffix (const char *s, const char *suffix)
{
  size_t ls = strlen (s), lx = strlen (suffix);
  return ls >= lx && strcmp (s + ls - lx, suffix) == 0;
}

static int
compare_strings (const void *a, const void *b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

int
ds_cni_load_network (const ds_cni_t *cni, json_t **conflist, kl_error_t *err)
{
  *conflist = NULL;
  DIR *d = opendir (cni->conf_dir);
  if (d == NULL)
    return kl_make_error_kind (err, KL_ERROR_NOT_FOUND, errno, "no network config in %s: %s",
                               cni->conf_dir, strerror (errno));
  char **names = NULL;
  size_t n = 0;
  struct dirent *e;
  while ((e = readdir (d)) != NULL)
    if (e->d_name[0] != '.'
        && (has_suffix (e->d_name, ".conflist") || has_suffix (e->d_name, ".conf")
            || has_suffix (e->d_name, ".json")))
      {
        names = xrealloc (names, (n + 1) * sizeof *names);
        names[n++] = xstrdup (e->d_name);
      }
  closedir (d);
  if (n > 1)
    qsort (names, n, sizeof *names, compare_strings);
  for (size_t i = 0; i < n && *conflist == NULL; i++)
    {
      cleanup_free char *path = xasprintf ("%s/%s", cni->conf_dir, names[i]);
      cleanup_free char *data = NULL;
      size_t len = 0;
      kl_error_t file_err = NULL;
      json_t *doc = NULL;
      json_error_t jerr;
      if (kl_read_file (path, MAX_CONFIG, &data, &len, &file_err) < 0)
        {
          KL_LOG_WARN ("skipping network config %s: %s", path, kl_error_message (file_err));
          kl_error_release (&file_err);
          continue;
        }
      if ((doc = json_loadb (data, len, 0, &jerr)) == NULL)
        {
          KL_LOG_WARN ("skipping network config %s: %s", path, jerr.text);
          continue;
        }
      if (!has_suffix (names[i], ".conflist"))
        {
          json_t *list = ds_cni_conf_to_list (doc);
          json_decref (doc);
          doc = list;
        }
      if (ds_cni_validate_list (doc, &file_err) < 0)
        {
          KL_LOG_WARN ("skipping network config %s: %s", path, kl_error_message (file_err));
          kl_error_release (&file_err);
          json_decref (doc);
          continue;
        }
      *conflist = doc;
    }
  for (size_t i = 0; i < n; i++)
    free (names[i]);
  free (names);
  if (*conflist == NULL)
    return kl_make_error_kind (err, KL_ERROR_NOT_FOUND, 0, "no valid network config in %s",
                               cni->conf_dir);
  return 0;
}

/* "0.4.0" >= "major.minor"? */
static bool
version_at_least (const char *version, int major, int minor)
{
  int vmaj = 0, vmin = 0;
  if (sscanf (version ? version : "", "%d.%d", &vmaj, &vmin) < 1)
    return false;
  return vmaj > major || (vmaj == major && vmin >= minor);
}

json_t *
ds_cni_plugin_config (const json_t *conflist, size_t index, const json_t *prev_result,
                      const ds_cni_runtime_t *rt)
{
  const json_t *plugin = json_array_get (json_object_get (conflist, "plugins"), index);
  json_t *conf = json_deep_copy (plugin);
  json_object_set (conf, "name", json_object_get (conflist, "name"));
  json_object_set (conf, "cniVersion", json_object_get (conflist, "cniVersion"));
  if (prev_result)
    json_object_set (conf, "prevResult", (json_t *) prev_result);
  const json_t *caps = json_object_get (plugin, "capabilities");
  if (rt && rt->n_ports > 0 && json_is_true (json_object_get (caps, "portMappings")))
    {
      json_t *ports = json_array ();
      for (size_t i = 0; i < rt->n_ports; i++)
        {
          const ds_cni_port_t *p = &rt->ports[i];
          json_t *m
              = json_pack ("{s:i, s:i, s:s}", "hostPort", (int) p->host_port, "containerPort",
                           (int) p->container_port, "protocol", p->protocol ? p->protocol : "tcp");
          if (p->host_ip && p->host_ip[0])
            json_object_set_new (m, "hostIP", json_string (p->host_ip));
          json_array_append_new (ports, m);
        }
      json_t *runtime_config = json_object ();
      json_object_set_new (runtime_config, "portMappings", ports);
      json_object_set_new (conf, "runtimeConfig", runtime_config);
    }
  return conf;
}

char *
ds_cni_args (const ds_cni_runtime_t *rt)
{
  return xasprintf ("IgnoreUnknown=1;K8S_POD_NAMESPACE=%s;K8S_POD_NAME=%s;"
                    "K8S_POD_INFRA_CONTAINER_ID=%s;K8S_POD_UID=%s",
                    rt->pod_namespace ? rt->pod_namespace : "", rt->pod_name ? rt->pod_name : "",
                    rt->container_id ? rt->container_id : "", rt->pod_uid ? rt->pod_uid : "");
}

int
ds_cni_parse_output (const char *plugin, const char *out, size_t len, int exit_status,
                     const char *stderr_text, json_t **result, kl_error_t *err)
{
  *result = NULL;
  size_t start = 0;
  while (start < len
         && (out[start] == ' ' || out[start] == '\n' || out[start] == '\t' || out[start] == '\r'))
    start++;
  json_t *doc = NULL;
  json_error_t jerr;
  if (start < len)
    doc = json_loadb (out + start, len - start, 0, &jerr);
  if (exit_status != 0)
    {
      const json_t *msg = json_object_get (doc, "msg");
      const json_t *details = json_object_get (doc, "details");
      const json_t *code = json_object_get (doc, "code");
      int ret;
      if (json_is_string (msg))
        ret = kl_make_error_kind (
            err, KL_ERROR_GENERIC, 0, "plugin %s failed (code %lld): %s%s%s", plugin,
            (long long) json_integer_value (code), json_string_value (msg),
            json_is_string (details) && json_string_length (details) ? ": " : "",
            json_is_string (details) ? json_string_value (details) : "");
      else
        ret = kl_make_error_kind (err, KL_ERROR_GENERIC, 0, "plugin %s failed with status %d: %s",
                                  plugin, exit_status,
                                  stderr_text && stderr_text[0] ? stderr_text : "no output");
      json_decref (doc);
      return ret;
    }
  if (start == len)
    return 0;
  if (doc == NULL || !json_is_object (doc))
    {
      json_decref (doc);
      return kl_make_error_kind (err, KL_ERROR_INVALID, 0, "plugin %s: result is not a JSON object",
                                 plugin);
    }
  *result = doc;
  return 0;
}

/* `address` ("10.1.0.5/24") without its prefix length. */
static char *
strip_prefix (const char *address)
{
  const char *slash = strchr (address, '/');
  return slash ? xstrndup (address, (size_t) (slash - address)) : xstrdup (address);
}

int
ds_cni_result_ip (const json_t *result, char **ip, kl_error_t *err)
{
  *ip = NULL;
  if (result == NULL)
    {
      *ip = xstrdup ("");
      return 0;
    }
  if (!json_is_object (result))
    return kl_make_error_kind (err, KL_ERROR_INVALID, 0, "CNI result: want a JSON object");
  const json_t *ips = json_object_get (result, "ips");
  const json_t *interfaces = json_object_get (result, "interfaces");
  const char *v4 = NULL, *v6 = NULL;
  if (ips != NULL)
    {
      if (!json_is_array (ips))
        return kl_make_error_kind (err, KL_ERROR_INVALID, 0, "CNI result: ips: want an array");
      size_t i;
      const json_t *e;
      json_array_foreach (ips, i, e)
        {
          const json_t *address = json_object_get (e, "address");
          if (!json_is_string (address))
            return kl_make_error_kind (err, KL_ERROR_INVALID, 0,
                                       "CNI result: ips[%zu].address: want a string", i);
          /* Only addresses on the sandbox's side count (an interface with a
             "sandbox"), or those that name no interface. */
          const json_t *index = json_object_get (e, "interface");
          if (json_is_integer (index))
            {
              const json_t *iface
                  = json_array_get (interfaces, (size_t) json_integer_value (index));
              const json_t *sandbox = json_object_get (iface, "sandbox");
              if (iface && (!json_is_string (sandbox) || json_string_length (sandbox) == 0))
                continue;
            }
          const char *a = json_string_value (address);
          if (strchr (a, ':'))
            v6 = v6 ? v6 : a;
          else
            v4 = v4 ? v4 : a;
        }
    }
  else
    {
      const json_t *ip4 = json_object_get (json_object_get (result, "ip4"), "ip");
      const json_t *ip6 = json_object_get (json_object_get (result, "ip6"), "ip");
      v4 = json_is_string (ip4) ? json_string_value (ip4) : NULL;
      v6 = json_is_string (ip6) ? json_string_value (ip6) : NULL;
    }
  *ip = v4 ? strip_prefix (v4) : v6 ? strip_prefix (v6) : xstrdup ("");
  return 0;
}

/* The executable of plugin `type` in the first bin dir that has it. */
static int
find_plugin (const ds_cni_t *cni, const char *type, char **path, kl_error_t *err)
{
  for (size_t i = 0; cni->bin_dirs[i]; i++)
    {
      char *p = xasprintf ("%s/%s", cni->bin_dirs[i], type);
      if (access (p, X_OK) == 0)
        {
          *path = p;
          return 0;
        }
      free (p);
    }
  return kl_make_error_kind (err, KL_ERROR_NOT_FOUND, 0,
                             "failed to find plugin %s in the CNI bin dirs", type);
}

static int
exec_plugin (const ds_cni_t *cni, const char *command, const json_t *conf,
             const ds_cni_runtime_t *rt, json_t **result, kl_error_t *err)
{
  const char *type = json_string_value (json_object_get (conf, "type"));
  cleanup_free char *path = NULL;
  int ret = find_plugin (cni, type, &path, err);
  if (ret < 0)
    return ret;
  size_t path_len = 1;
  for (size_t i = 0; cni->bin_dirs[i]; i++)
    path_len += strlen (cni->bin_dirs[i]) + 1;
  cleanup_free char *cni_path = xmalloc0 (path_len);
  for (size_t i = 0; cni->bin_dirs[i]; i++)
    {
      if (i)
        strcat (cni_path, ":");
      strcat (cni_path, cni->bin_dirs[i]);
    }
  const char *sys_path = getenv ("PATH");
  cleanup_free char *args = ds_cni_args (rt);
  char *env[] = {
    xasprintf ("CNI_COMMAND=%s", command),
    xasprintf ("CNI_CONTAINERID=%s", rt->container_id),
    xasprintf ("CNI_NETNS=%s", rt->netns ? rt->netns : ""),
    xasprintf ("CNI_IFNAME=%s", rt->ifname ? rt->ifname : DS_CNI_IFNAME),
    xasprintf ("CNI_ARGS=%s", args),
    xasprintf ("CNI_PATH=%s", cni_path),
    xasprintf ("PATH=%s", sys_path && sys_path[0] ? sys_path
                                                  : "/usr/local/sbin:/usr/local/bin:/usr/sbin:"
                                                    "/usr/bin:/sbin:/bin"),
    NULL,
  };
  char *argv[] = { (char *) type, NULL };
  cleanup_free char *input = json_dumps (conf, JSON_COMPACT);
  ds_command_result_t out;
  ret = ds_command_run (path, argv, env, input, strlen (input), cni->timeout_ns, MAX_PLUGIN_OUTPUT,
                        &out, err);
  for (size_t i = 0; env[i]; i++)
    free (env[i]);
  if (ret == 0)
    ret = ds_cni_parse_output (type, out.out, out.out_len, out.exit_status, out.err, result, err);
  KL_LOG_V (4, "CNI %s %s for %s: %s", command, type, rt->container_id,
            ret == 0 ? "ok" : kl_error_message (*err));
  ds_command_result_release (&out);
  return ret;
}

int
ds_cni_add (const ds_cni_t *cni, const json_t *conflist, const ds_cni_runtime_t *rt,
            json_t **result, kl_error_t *err)
{
  *result = NULL;
  int ret = ds_cni_validate_list (conflist, err);
  if (ret < 0)
    return ret;
  json_t *prev = NULL;
  size_t n = json_array_size (json_object_get (conflist, "plugins"));
  for (size_t i = 0; i < n; i++)
    {
      json_t *conf = ds_cni_plugin_config (conflist, i, prev, rt);
      json_t *out = NULL;
      ret = exec_plugin (cni, "ADD", conf, rt, &out, err);
      json_decref (conf);
      if (ret < 0)
        {
          json_decref (prev);
          return kl_error_wrap (err, "CNI ADD on network %s",
                                json_string_value (json_object_get (conflist, "name")));
        }
      if (out)
        {
          json_decref (prev);
          prev = out;
        }
    }
  *result = prev;
  return 0;
}

int
ds_cni_del (const ds_cni_t *cni, const json_t *conflist, const ds_cni_runtime_t *rt,
            const json_t *prev_result, kl_error_t *err)
{
  int ret = ds_cni_validate_list (conflist, err);
  if (ret < 0)
    return ret;
  const char *version = json_string_value (json_object_get (conflist, "cniVersion"));
  const json_t *prev = version_at_least (version, 0, 4) ? prev_result : NULL;
  size_t n = json_array_size (json_object_get (conflist, "plugins"));
  for (size_t i = n; i-- > 0;)
    {
      json_t *conf = ds_cni_plugin_config (conflist, i, prev, rt);
      json_t *out = NULL;
      ret = exec_plugin (cni, "DEL", conf, rt, &out, err);
      json_decref (conf);
      json_decref (out);
      if (ret < 0)
        return kl_error_wrap (err, "CNI DEL on network %s",
                              json_string_value (json_object_get (conflist, "name")));
    }
  return 0;
}
