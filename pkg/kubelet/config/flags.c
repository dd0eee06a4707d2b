/* The kubelet's command-line flags, their defaults and the --help text. */
#include <stddef.h>
#include <string.h>

#include "pkg/kubelet/config/config-internal.h"
#include "pkg/util/duration.h"
#include "pkg/util/utils.h"

#define FIELD(name) offsetof (kl_kubelet_config_t, name)

/* Usage texts follow the Go kubelet's (cmd/kubelet/app/options), minus what
   only applies to Windows or to API server mode. */
const kl_flag_t kl_kubelet_flags[] = {
  { "address", 0, KL_FLAG_IP, FIELD (address),
    "The IP address for the Kubelet to serve on (set to '0.0.0.0' or '::' for listening on all "
    "interfaces and IP address families)",
    NULL },
  { "config", 0, KL_FLAG_STRING, FIELD (config_file),
    "The Kubelet will load its initial configuration from this file. The path may be absolute or "
    "relative; relative paths start at the Kubelet's current working directory. Omit this flag to "
    "use the built-in default configuration values. Command-line flags override configuration "
    "from this file.",
    NULL },
  { "container-log-max-files", 0, KL_FLAG_INT32, FIELD (container_log_max_files),
    "Set the maximum number of container log files that can be present for a container. The "
    "number must be >= 2.",
    NULL },
  { "container-log-max-size", 0, KL_FLAG_QUANTITY, FIELD (container_log_max_size),
    "Set the maximum size (e.g. 10Mi) of container log file before it is rotated.", NULL },
  { "container-runtime", 0, KL_FLAG_STRING, FIELD (container_runtime),
    "The container runtime to use. Possible values: 'docker', 'remote'. 'docker' runs the "
    "dockershim in-process when this kubelet was built with it.",
    NULL },
  { "container-runtime-endpoint", 0, KL_FLAG_STRING, FIELD (container_runtime_endpoint),
    "The endpoint of container runtime service. Unix Domain Sockets are supported on Linux. "
    "Examples: 'unix:///path/to/runtime.sock'",
    NULL },
  { "file-check-frequency", 0, KL_FLAG_DURATION, FIELD (file_check_frequency_ns),
    "Duration between checking config files for new data", NULL },
  { "healthz-bind-address", 0, KL_FLAG_IP, FIELD (healthz_bind_address),
    "The IP address for the healthz server to serve on (set to '0.0.0.0' or '::' for listening "
    "on all interfaces and IP address families)",
    NULL },
  { "healthz-port", 0, KL_FLAG_PORT, FIELD (healthz_port),
    "The port of the localhost healthz endpoint (set to 0 to disable)", NULL },
  { "help", 'h', KL_FLAG_BOOL, FIELD (help), "help for kubelet", NULL },
  { "hostname-override", 0, KL_FLAG_STRING, FIELD (hostname_override),
    "If non-empty, will use this string as identification instead of the actual hostname.", NULL },
  { "http-check-frequency", 0, KL_FLAG_DURATION, FIELD (http_check_frequency_ns),
    "Duration between checking http for new data", NULL },
  { "image-service-endpoint", 0, KL_FLAG_STRING, FIELD (image_service_endpoint),
    "The endpoint of container image service. If not specified, it will be the same with "
    "--container-runtime-endpoint by default. Unix Domain Socket are supported on Linux. "
    "Examples: 'unix:///path/to/runtime.sock'",
    NULL },
  { "manifest-url", 0, KL_FLAG_STRING, FIELD (static_pod_url),
    "URL for accessing additional Pod specifications to run", NULL },
  { "manifest-url-header", 0, KL_FLAG_MULTIMAP, FIELD (static_pod_url_header),
    "Comma-separated list of HTTP headers to use when accessing the url provided to "
    "--manifest-url. Multiple headers with the same name will be added in the same order "
    "provided. This flag can be repeatedly invoked. For example: --manifest-url-header "
    "'a:hello,b:again,c:world' --manifest-url-header 'b:beautiful'",
    NULL },
  { "max-pods", 0, KL_FLAG_INT32, FIELD (max_pods), "Number of Pods that can run on this Kubelet.",
    NULL },
  { "pod-infra-container-image", 0, KL_FLAG_STRING, FIELD (pod_infra_container_image),
    "Specified image will not be pruned by the image garbage collector. When container-runtime is "
    "set to 'docker', all containers in each pod will use the network/ipc namespaces from this "
    "image. Other CRI implementations have their own configuration to set this image.",
    NULL },
  { "pod-manifest-path", 0, KL_FLAG_STRING, FIELD (static_pod_path),
    "Path to the directory containing static pod files to run, or the path to a single static "
    "pod file. Files starting with dots will be ignored.",
    NULL },
  { "read-only-port", 0, KL_FLAG_PORT, FIELD (read_only_port),
    "The read-only port for the Kubelet to serve on with no authentication/authorization (set to "
    "0 to disable)",
    NULL },
  { "root-dir", 0, KL_FLAG_STRING, FIELD (root_dir),
    "Directory path for managing kubelet files (volume mounts,etc).", NULL },
  { "runtime-request-timeout", 0, KL_FLAG_DURATION, FIELD (runtime_request_timeout_ns),
    "Timeout of all runtime requests except long running request - pull, logs, exec and attach. "
    "When timeout exceeded, kubelet will cancel the request, throw out an error and retry later.",
    NULL },
  { "sync-frequency", 0, KL_FLAG_DURATION, FIELD (sync_frequency_ns),
    "Max period between synchronizing running containers and config", NULL },
  { "v", 'v', KL_FLAG_INT, FIELD (verbosity), "number for the log level verbosity", "Level" },
  { "version", 0, KL_FLAG_BOOL, FIELD (version), "Print version information and quit", NULL },
};

const size_t kl_kubelet_n_flags = KL_ARRAY_SIZE (kl_kubelet_flags);

kl_kubelet_config_t *
kl_kubelet_config_new_default (void)
{
  kl_kubelet_config_t *c = xmalloc0 (sizeof *c);
  c->action = KL_KUBELET_ACTION_RUN;
  c->config_file = xstrdup ("");
  c->hostname_override = xstrdup ("");
  c->node_name = xstrdup ("");
  c->root_dir = xstrdup ("/var/lib/kubelet");
  c->container_runtime = xstrdup ("remote");
  c->pod_infra_container_image = xstrdup ("registry.k8s.io/pause:3.9");
  c->static_pod_path = xstrdup ("");
  c->pod_logs_dir = xstrdup ("/var/log/pods");
  c->static_pod_url = xstrdup ("");
  c->file_check_frequency_ns = 20 * KL_SECOND;
  c->http_check_frequency_ns = 20 * KL_SECOND;
  c->sync_frequency_ns = KL_MINUTE;
  c->address = xstrdup ("127.0.0.1");
  c->read_only_port = 10255;
  c->healthz_port = 10248;
  c->healthz_bind_address = xstrdup ("127.0.0.1");
  c->max_pods = 110;
  c->runtime_request_timeout_ns = 2 * KL_MINUTE;
  c->container_runtime_endpoint = xstrdup ("unix:///run/containerd/containerd.sock");
  c->image_service_endpoint = xstrdup ("");
  c->container_log_max_size = xstrdup ("10Mi");
  c->container_log_max_size_bytes = 10 * 1024 * 1024;
  c->container_log_max_files = 5;
  return c;
}

void
kl_kubelet_config_usage_with_flags (FILE *out, const kl_flag_table_t *extra, size_t n_extra)
{
  cleanup_kubelet_config kl_kubelet_config_t *defaults = kl_kubelet_config_new_default ();
  cleanup_flag_set kl_flag_set_t *set = kl_flag_set_new ();
  kl_flag_table_t table = { kl_kubelet_flags, kl_kubelet_n_flags, defaults };
  kl_error_t err = NULL;
  /* The kubelet's own names are distinct; a clashing extra table is left out
     of the help here and reported by kl_kubelet_config_load_with_flags. */
  kl_flag_set_add_table (set, &table, &err);
  kl_error_release (&err);
  for (size_t i = 0; i < n_extra; i++)
    {
      kl_flag_set_add_table (set, &extra[i], &err);
      kl_error_release (&err);
    }
  cleanup_free char *usages = kl_flag_set_usages (set);
  fputs ("The kubelet is the primary \"node agent\" that runs on each node. This kubelet runs\n"
         "standalone: it starts the pods described by static pod manifests, from a directory\n"
         "(--pod-manifest-path) or a URL (--manifest-url), through a CRI container runtime\n"
         "and keeps them running.\n"
         "\n"
         "Usage:\n"
         "  kubelet [flags]\n"
         "\n"
         "Flags:\n",
         out);
  fputs (usages, out);
}

void
kl_kubelet_config_usage (FILE *out)
{
  kl_kubelet_config_usage_with_flags (out, NULL, 0);
}
