/* The dockershim as the kubelet's in-process runtime "docker" (--container-runtime=docker). */
#include <stddef.h>
#include <string.h>

#include "pkg/kubelet/dockershim/dockershim.h"
#include "pkg/kubelet/runtime_registry.h"
#include "pkg/util/log.h"
#include "pkg/util/utils.h"

/* The kubelet flags of the Go kubelet's dockershim (the pod infra image is
   the kubelet's own --pod-infra-container-image). */
typedef struct inprocess_options_s
{
  char *docker_endpoint;
  char *network_plugin;
  char *cni_bin_dir;
  char *cni_conf_dir;
  char *root_dir;
} inprocess_options_t;

#define FIELD(name) offsetof (inprocess_options_t, name)

static const kl_flag_t inprocess_flags[] = {
  { "cni-bin-dir", 0, KL_FLAG_STRING, FIELD (cni_bin_dir),
    "A comma-separated list of full paths of directories in which to search for CNI plugin "
    "binaries. This docker-specific flag only works when container-runtime is set to docker.",
    NULL },
  { "cni-conf-dir", 0, KL_FLAG_STRING, FIELD (cni_conf_dir),
    "The full path of the directory in which to search for CNI config files. This docker-specific "
    "flag only works when container-runtime is set to docker.",
    NULL },
  { "docker-endpoint", 0, KL_FLAG_STRING, FIELD (docker_endpoint),
    "Use this for the docker endpoint to communicate with. This docker-specific flag only works "
    "when container-runtime is set to docker.",
    NULL },
  { "experimental-dockershim-root-directory", 0, KL_FLAG_STRING, FIELD (root_dir),
    "Path to the dockershim root directory (sandbox checkpoints, log copy progress).", NULL },
  { "network-plugin", 0, KL_FLAG_STRING, FIELD (network_plugin),
    "The name of the network plugin to be invoked for various events in kubelet/pod lifecycle: "
    "\"cni\", or empty for Docker's default bridge. This docker-specific flag only works when "
    "container-runtime is set to docker.",
    NULL },
};

static void *
options_new (void)
{
  inprocess_options_t *o = xmalloc0 (sizeof *o);
  o->docker_endpoint = xstrdup (DS_DEFAULT_DOCKER_ENDPOINT);
  o->network_plugin = xstrdup ("");
  o->cni_bin_dir = xstrdup (DS_DEFAULT_CNI_BIN_DIR);
  o->cni_conf_dir = xstrdup (DS_DEFAULT_CNI_CONF_DIR);
  o->root_dir = xstrdup (DS_DEFAULT_ROOT_DIR);
  return o;
}

static void
flags (void *options, kl_flag_table_t *out)
{
  out->flags = inprocess_flags;
  out->n_flags = KL_ARRAY_SIZE (inprocess_flags);
  out->base = options;
}

static void
options_free (void *options)
{
  if (options == NULL)
    return;
  kl_flag_table_t table;
  flags (options, &table);
  kl_flag_values_free (&table);
  free (options);
}

static int
start (kl_kubelet_config_t *config, void *options, void **handle, kl_error_t *err)
{
  const inprocess_options_t *o = options;
  /* Left at its (containerd) default, the endpoint becomes the dockershim's. */
  if (!config->container_runtime_endpoint_set)
    {
      free (config->container_runtime_endpoint);
      config->container_runtime_endpoint = xstrdup (DS_DEFAULT_RUNTIME_ENDPOINT);
    }
  ds_options_t opts;
  ds_options_init (&opts);
  free (opts.runtime_endpoint);
  opts.runtime_endpoint = xstrdup (config->container_runtime_endpoint);
  free (opts.docker_endpoint);
  opts.docker_endpoint = xstrdup (o->docker_endpoint);
  free (opts.pod_infra_image);
  opts.pod_infra_image = xstrdup (config->pod_infra_container_image);
  free (opts.root_dir);
  opts.root_dir = xstrdup (o->root_dir);
  free (opts.network_plugin);
  opts.network_plugin = xstrdup (o->network_plugin);
  free (opts.cni_bin_dir);
  opts.cni_bin_dir = xstrdup (o->cni_bin_dir);
  free (opts.cni_conf_dir);
  opts.cni_conf_dir = xstrdup (o->cni_conf_dir);
  opts.docker_timeout_ns = config->runtime_request_timeout_ns;
  ds_server_t *server = NULL;
  int ret = ds_server_start (&opts, &server, err);
  ds_options_clear (&opts);
  if (ret < 0)
    return ret;
  *handle = server;
  return 0;
}

static void
stop (void *handle)
{
  ds_server_stop (handle);
}

static const kl_inprocess_runtime_t docker_runtime = {
  .name = "docker",
  .options_new = options_new,
  .options_free = options_free,
  .flags = flags,
  .start = start,
  .stop = stop,
};

const kl_inprocess_runtime_t *const kl_inprocess_runtimes[] = { &docker_runtime, NULL };
