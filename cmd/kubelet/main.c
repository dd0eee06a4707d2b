/* kubelet: flags and config file -> a running node agent until SIGTERM. */
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pkg/kubelet/config/config.h"
#include "pkg/kubelet/kubelet.h"
#include "pkg/kubelet/runtime_registry.h"
#include "pkg/util/log.h"
#include "pkg/version/version.h"

/* Each linked in-process runtime's options, so its flags parse with ours. */
struct runtime_options_s
{
  const kl_inprocess_runtime_t *runtime;
  void *options;
};

static void
free_runtime_options (struct runtime_options_s *opts, size_t n)
{
  for (size_t i = 0; i < n; i++)
    opts[i].runtime->options_free (opts[i].options);
  free (opts);
}

static int
fail (kl_error_t *err)
{
  fprintf (stderr, "kubelet: %s\n", kl_error_message (*err));
  kl_error_release (err);
  return 1;
}

int
main (int argc, char **argv)
{
  cleanup_error kl_error_t err = NULL;
  /* A thread per pod would otherwise get a malloc arena each, which keeps
     memory after the pods are gone. */
  mallopt (M_ARENA_MAX, 2);
  size_t n_runtimes = 0;
  while (kl_inprocess_runtimes[n_runtimes])
    n_runtimes++;
  struct runtime_options_s *opts = calloc (n_runtimes + 1, sizeof *opts);
  kl_flag_table_t *tables = calloc (n_runtimes + 1, sizeof *tables);
  if (opts == NULL || tables == NULL)
    return 1;
  for (size_t i = 0; i < n_runtimes; i++)
    {
      opts[i].runtime = kl_inprocess_runtimes[i];
      opts[i].options = opts[i].runtime->options_new ();
      opts[i].runtime->flags (opts[i].options, &tables[i]);
    }

  int status = 0;
  kl_kubelet_config_t *config = NULL;
  if (kl_kubelet_config_load_with_flags (argc, argv, tables, n_runtimes, &config, &err) < 0)
    {
      fprintf (stderr, "kubelet: %s\nRun 'kubelet --help' for usage.\n", kl_error_message (err));
      status = 1;
      goto out;
    }
  if (config->action == KL_KUBELET_ACTION_HELP)
    {
      kl_kubelet_config_usage_with_flags (stdout, tables, n_runtimes);
      goto out;
    }
  if (config->action == KL_KUBELET_ACTION_VERSION)
    {
      printf ("Kubernetes %s\n", KL_KUBELET_VERSION);
      goto out;
    }
  kl_log_init (config->verbosity, NULL);
  KL_LOG_INFO ("kubelet %s starting, node name %s", KL_KUBELET_VERSION, config->node_name);

  /* SIGTERM and SIGINT are taken here with sigwait; every thread the kubelet
     starts inherits them blocked. */
  sigset_t stop_signals;
  sigemptyset (&stop_signals);
  sigaddset (&stop_signals, SIGTERM);
  sigaddset (&stop_signals, SIGINT);
  pthread_sigmask (SIG_BLOCK, &stop_signals, NULL);
  signal (SIGPIPE, SIG_IGN);

  const kl_inprocess_runtime_t *inprocess = NULL;
  void *inprocess_options = NULL, *inprocess_handle = NULL;
  if (strcmp (config->container_runtime, "remote") != 0)
    {
      for (size_t i = 0; i < n_runtimes; i++)
        if (strcmp (opts[i].runtime->name, config->container_runtime) == 0)
          {
            inprocess = opts[i].runtime;
            inprocess_options = opts[i].options;
          }
      if (inprocess == NULL)
        {
          fprintf (stderr,
                   "kubelet: --container-runtime=%s: this kubelet was built without %s support "
                   "(a dockerless build); run a CRI runtime such as containerd and use "
                   "--container-runtime=remote --container-runtime-endpoint=unix:///run/"
                   "containerd/containerd.sock\n",
                   config->container_runtime, config->container_runtime);
          status = 1;
          goto out;
        }
      if (inprocess->start (config, inprocess_options, &inprocess_handle, &err) < 0)
        {
          kl_error_wrap (&err, "start in-process runtime %s", inprocess->name);
          status = fail (&err);
          goto out;
        }
    }

  kl_kubelet_t *kubelet = NULL;
  if (kl_kubelet_new (config, &kubelet, &err) < 0 || kl_kubelet_start (kubelet, &err) < 0)
    {
      status = fail (&err);
      kl_kubelet_free (kubelet);
      if (inprocess)
        inprocess->stop (inprocess_handle);
      goto out;
    }

  int sig = 0;
  sigwait (&stop_signals, &sig);
  KL_LOG_INFO ("received %s, shutting down (pods keep running)", strsignal (sig));
  kl_kubelet_stop (kubelet);
  kl_kubelet_free (kubelet);
  if (inprocess)
    inprocess->stop (inprocess_handle);

out:
  kl_kubelet_config_free (config);
  free_runtime_options (opts, n_runtimes);
  free (tables);
  return status;
}
