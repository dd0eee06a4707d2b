/* Loading the kubelet configuration: defaults < --config file < explicitly set flags. */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <string.h>
#include <unistd.h>

#include "pkg/kubelet/config/config-internal.h"
#include "pkg/util/utils.h"

void
kl_kubelet_config_free (kl_kubelet_config_t *config)
{
  if (config == NULL)
    return;
  /* Every owned value but the derived node name and the file-only
     podLogsDir belongs to a flag. */
  kl_flag_table_t table = { kl_kubelet_flags, kl_kubelet_n_flags, config };
  kl_flag_values_free (&table);
  free (config->node_name);
  free (config->pod_logs_dir);
  free (config);
}

void
kl_kubelet_config_freep (kl_kubelet_config_t **config)
{
  kl_kubelet_config_free (*config);
  *config = NULL;
}

int
kl_kubelet_config_node_name (const char *hostname_override, char **out, kl_error_t *err)
{
  char host[HOST_NAME_MAX + 1];
  const char *name = hostname_override;
  if (name == NULL || name[0] == '\0')
    {
      if (gethostname (host, sizeof host) < 0)
        return kl_make_error (err, errno, "couldn't determine hostname");
      host[sizeof host - 1] = '\0';
      name = host;
    }
  size_t len = strlen (name);
  while (len > 0 && isspace ((unsigned char) name[0]))
    name++, len--;
  while (len > 0 && isspace ((unsigned char) name[len - 1]))
    len--;
  if (len == 0)
    return kl_make_error_kind (err, KL_ERROR_INVALID, 0, "empty hostname is invalid");
  char *lower = xstrndup (name, len);
  for (char *p = lower; *p; p++)
    *p = (char) tolower ((unsigned char) *p);
  *out = lower;
  return 0;
}

/* Parses the command line onto `config` and the extra tables' structs. */
static int
parse_command_line (kl_kubelet_config_t *config, int argc, char **argv,
                    const kl_flag_table_t *extra, size_t n_extra, kl_error_t *err)
{
  cleanup_flag_set kl_flag_set_t *set = kl_flag_set_new ();
  kl_flag_table_t table = { kl_kubelet_flags, kl_kubelet_n_flags, config };
  int ret = kl_flag_set_add_table (set, &table, err);
  for (size_t i = 0; ret == 0 && i < n_extra; i++)
    ret = kl_flag_set_add_table (set, &extra[i], err);
  if (ret < 0)
    return ret;
  ret = kl_flag_set_parse (set, argc, argv, err);
  if (ret < 0)
    return ret;
  if (kl_flag_set_n_args (set) > 0)
    {
      const char *arg = kl_flag_set_arg (set, 0);
      cleanup_free char *q = kl_quote (arg, strlen (arg));
      return kl_make_error_kind (err, KL_ERROR_INVALID, 0, "unknown command %s", q);
    }
  if (kl_flag_set_changed (set, "container-runtime-endpoint"))
    config->container_runtime_endpoint_set = true;
  return 0;
}

int
kl_kubelet_config_load_with_flags (int argc, char **argv, const kl_flag_table_t *extra,
                                   size_t n_extra, kl_kubelet_config_t **out, kl_error_t *err)
{
  cleanup_kubelet_config kl_kubelet_config_t *config = kl_kubelet_config_new_default ();
  int ret = parse_command_line (config, argc, argv, extra, n_extra, err);
  if (ret < 0)
    return ret;
  if (config->help || config->version)
    {
      config->action = config->help ? KL_KUBELET_ACTION_HELP : KL_KUBELET_ACTION_VERSION;
      *out = steal_pointer (&config);
      return 0;
    }

  if (config->config_file[0] != '\0')
    {
      /* As the Go kubelet does: the file replaces the defaults, then the same
         command line is parsed again on top, so exactly the flags given
         explicitly override the file. */
      cleanup_kubelet_config kl_kubelet_config_t *merged = kl_kubelet_config_new_default ();
      ret = kl_kubelet_config_apply_file (merged, config->config_file, err);
      if (ret < 0)
        return ret;
      ret = parse_command_line (merged, argc, argv, extra, n_extra, err);
      if (ret < 0)
        return ret;
      kl_kubelet_config_free (config);
      config = steal_pointer (&merged);
    }

  char *node_name = NULL;
  ret = kl_kubelet_config_node_name (config->hostname_override, &node_name, err);
  if (ret < 0)
    return ret;
  free (config->node_name);
  config->node_name = node_name;

  ret = kl_kubelet_config_validate (config, err);
  if (ret < 0)
    return ret;
  *out = steal_pointer (&config);
  return 0;
}

int
kl_kubelet_config_load (int argc, char **argv, kl_kubelet_config_t **out, kl_error_t *err)
{
  return kl_kubelet_config_load_with_flags (argc, argv, NULL, 0, out, err);
}
