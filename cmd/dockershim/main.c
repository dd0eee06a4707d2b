/* dockershim: the standalone CRI server over Docker, until SIGTERM or SIGINT. */
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pkg/kubelet/dockershim/dockershim.h"
#include "pkg/util/flags.h"
#include "pkg/util/log.h"
#include "pkg/util/utils.h"
#include "pkg/version/version.h"

/* The flag names cri-dockerd users know. */
typedef struct cli_s
{
  char *runtime_endpoint;
  char *docker_endpoint;
  char *pod_infra_image;
  char *network_plugin;
  char *cni_bin_dir;
  char *cni_conf_dir;
  char *root_dir;
  char *streaming_bind_addr;
  int verbosity;
  bool help;
  bool version;
} cli_t;

#define FIELD(name) offsetof (cli_t, name)

static const kl_flag_t cli_flags[] = {
  { "cni-bin-dir", 0, KL_FLAG_STRING, FIELD (cni_bin_dir),
    "A comma-separated list of full paths of directories in which to search for CNI plugin "
    "binaries.",
    NULL },
  { "cni-conf-dir", 0, KL_FLAG_STRING, FIELD (cni_conf_dir),
    "The full path of the directory in which to search for CNI config files", NULL },
  { "container-runtime-endpoint", 0, KL_FLAG_STRING, FIELD (runtime_endpoint),
    "The endpoint of the CRI server this dockershim serves.", NULL },
  { "docker-endpoint", 0, KL_FLAG_STRING, FIELD (docker_endpoint),
    "Use this for the docker endpoint to communicate with.", NULL },
  { "help", 'h', KL_FLAG_BOOL, FIELD (help), "help for dockershim", NULL },
  { "network-plugin", 0, KL_FLAG_STRING, FIELD (network_plugin),
    "The name of the network plugin to be invoked for various events in kubelet/pod lifecycle: "
    "\"cni\", or empty for Docker's default bridge.",
    NULL },
  { "pod-infra-container-image", 0, KL_FLAG_STRING, FIELD (pod_infra_image),
    "The image whose network/ipc namespaces containers in each pod will use", NULL },
  { "root-directory", 0, KL_FLAG_STRING, FIELD (root_dir),
    "Path to the dockershim root directory (sandbox checkpoints, log copy progress).", NULL },
  { "streaming-bind-addr", 0, KL_FLAG_STRING, FIELD (streaming_bind_addr),
    "The address to bind the CRI streaming server to. If not specified, it will bind to "
    "127.0.0.1 on an ephemeral port.",
    NULL },
  { "v", 'v', KL_FLAG_INT, FIELD (verbosity), "number for the log level verbosity", "Level" },
  { "version", 0, KL_FLAG_BOOL, FIELD (version), "Prints the version of dockershim.", NULL },
};

int
main (int argc, char **argv)
{
  cli_t cli = {
    .runtime_endpoint = xstrdup (DS_DEFAULT_RUNTIME_ENDPOINT),
    .docker_endpoint = xstrdup (DS_DEFAULT_DOCKER_ENDPOINT),
    .pod_infra_image = xstrdup (DS_DEFAULT_POD_INFRA_IMAGE),
    .network_plugin = xstrdup (""),
    .cni_bin_dir = xstrdup (DS_DEFAULT_CNI_BIN_DIR),
    .cni_conf_dir = xstrdup (DS_DEFAULT_CNI_CONF_DIR),
    .root_dir = xstrdup (DS_DEFAULT_ROOT_DIR),
    .streaming_bind_addr = xstrdup (DS_DEFAULT_STREAMING_BIND_ADDR),
  };
  kl_flag_table_t table = { cli_flags, KL_ARRAY_SIZE (cli_flags), &cli };
  int status = 0;
  cleanup_error kl_error_t err = NULL;
  cleanup_flag_set kl_flag_set_t *set = kl_flag_set_new ();
  if (kl_flag_set_add_table (set, &table, &err) < 0
      || kl_flag_set_parse (set, argc, argv, &err) < 0)
    {
      fprintf (stderr, "dockershim: %s\nRun 'dockershim --help' for usage.\n",
               kl_error_message (err));
      status = 1;
      goto out;
    }
  if (cli.help)
    {
      cleanup_free char *usages = kl_flag_set_usages (set);
      printf ("dockershim serves the Kubernetes CRI (v1) over the Docker Engine API.\n\n"
              "Usage:\n  dockershim [flags]\n\nFlags:\n%s",
              usages);
      goto out;
    }
  if (cli.version)
    {
      printf ("dockershim %s\n", KL_KUBELET_VERSION);
      goto out;
    }
  if (kl_flag_set_n_args (set) > 0)
    {
      fprintf (stderr, "dockershim: unexpected argument %s\n", kl_flag_set_arg (set, 0));
      status = 1;
      goto out;
    }
  kl_log_init (cli.verbosity, NULL);

  /* Taken with sigwait; the server's threads inherit them blocked. */
  sigset_t stop_signals;
  sigemptyset (&stop_signals);
  sigaddset (&stop_signals, SIGTERM);
  sigaddset (&stop_signals, SIGINT);
  pthread_sigmask (SIG_BLOCK, &stop_signals, NULL);
  signal (SIGPIPE, SIG_IGN);

  ds_options_t opts = {
    .runtime_endpoint = cli.runtime_endpoint,
    .docker_endpoint = cli.docker_endpoint,
    .pod_infra_image = cli.pod_infra_image,
    .root_dir = cli.root_dir,
    .network_plugin = cli.network_plugin,
    .cni_bin_dir = cli.cni_bin_dir,
    .cni_conf_dir = cli.cni_conf_dir,
    .streaming_bind_addr = cli.streaming_bind_addr,
  };
  ds_server_t *server = NULL;
  if (ds_server_start (&opts, &server, &err) < 0)
    {
      fprintf (stderr, "dockershim: %s\n", kl_error_message (err));
      status = 1;
      goto out;
    }
  int sig = 0;
  sigwait (&stop_signals, &sig);
  KL_LOG_INFO ("dockershim: received %s, shutting down (containers keep running)", strsignal (sig));
  ds_server_stop (server);

out:
  kl_flag_values_free (&table);
  return status;
}
