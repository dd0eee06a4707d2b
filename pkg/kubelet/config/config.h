/* The kubelet's configuration: defaults, a KubeletConfiguration file and command-line flags. */
#ifndef KL_KUBELET_CONFIG_CONFIG_H
#define KL_KUBELET_CONFIG_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "pkg/util/error.h"
#include "pkg/util/flags.h" /* kl_string_multimap_t, kl_flag_table_t */

#ifdef __cplusplus
extern "C" {
#endif

/* What main should do with a loaded configuration. */
enum kl_kubelet_action
{
  KL_KUBELET_ACTION_RUN = 0,
  KL_KUBELET_ACTION_HELP,    /* --help: print kl_kubelet_config_usage and exit 0 */
  KL_KUBELET_ACTION_VERSION, /* --version: print KL_KUBELET_VERSION and exit 0 */
};

/* The merged configuration: defaults < --config file < explicitly set flags,
   as the Go kubelet merges them. With --help or --version only `action`, the
   flags and the defaults are filled in: the file is not read and nothing is
   validated. Strings are never NULL; "" means unset. */
struct kl_kubelet_config_s
{
  enum kl_kubelet_action action;

  /* Command-line only: the Go kubelet's KubeletFlags. */
  char *config_file;               /* --config: KubeletConfiguration YAML, or "" */
  char *hostname_override;         /* --hostname-override */
  char *node_name;                 /* hostname-override or the hostname, trimmed and lower-cased */
  char *root_dir;                  /* --root-dir (/var/lib/kubelet) */
  char *container_runtime;         /* --container-runtime: "remote" (default) or "docker" */
  char *pod_infra_container_image; /* --pod-infra-container-image */
  int verbosity;                   /* --v */
  bool help;                       /* --help, -h */
  bool version;                    /* --version */

  /* KubeletConfiguration fields, settable by the file and by flags. */
  char *static_pod_path;                      /* staticPodPath, --pod-manifest-path */
  char *pod_logs_dir;                         /* podLogsDir (/var/log/pods); file only, as Go */
  char *static_pod_url;                       /* staticPodURL, --manifest-url */
  kl_string_multimap_t static_pod_url_header; /* staticPodURLHeader, --manifest-url-header */
  int64_t file_check_frequency_ns;            /* fileCheckFrequency (20s) */
  int64_t http_check_frequency_ns;            /* httpCheckFrequency (20s) */
  int64_t sync_frequency_ns;                  /* syncFrequency (1m) */
  char *address;                              /* address (127.0.0.1, not Go's 0.0.0.0) */
  int32_t read_only_port;                     /* readOnlyPort (10255; 0 disables) */
  int32_t healthz_port;                       /* healthzPort (10248; 0 disables) */
  char *healthz_bind_address;                 /* healthzBindAddress (127.0.0.1) */
  int32_t max_pods;                           /* maxPods (110) */
  int64_t runtime_request_timeout_ns;         /* runtimeRequestTimeout (2m) */
  char *container_runtime_endpoint;           /* containerRuntimeEndpoint */
  char *image_service_endpoint;               /* imageServiceEndpoint; "" means the runtime's */
  char *container_log_max_size;               /* containerLogMaxSize as written ("10Mi") */
  int64_t container_log_max_size_bytes;       /* containerLogMaxSize in bytes */
  int32_t container_log_max_files;            /* containerLogMaxFiles (5) */

  /* True when the file or a flag set containerRuntimeEndpoint, so that an
     in-process runtime knows whether it may pick its own socket. */
  bool container_runtime_endpoint_set;
};
typedef struct kl_kubelet_config_s kl_kubelet_config_t;

/* Parses main's argv, reads the --config file and validates the result into
 *out; errors name the flag, or the file and the field. */
int kl_kubelet_config_load (int argc, char **argv, kl_kubelet_config_t **out, kl_error_t *err);

/* As kl_kubelet_config_load, also accepting the flags of `extra` tables
   (in-process runtimes), whose values are written to their own structs. */
int kl_kubelet_config_load_with_flags (int argc, char **argv, const kl_flag_table_t *extra,
                                       size_t n_extra, kl_kubelet_config_t **out, kl_error_t *err);

void kl_kubelet_config_free (kl_kubelet_config_t *config);

void kl_kubelet_config_freep (kl_kubelet_config_t **config);
#define cleanup_kubelet_config __attribute__ ((cleanup (kl_kubelet_config_freep)))

/* Prints the --help text: a summary, "Usage:" and every flag with its default. */
void kl_kubelet_config_usage (FILE *out);

/* As kl_kubelet_config_usage, including the flags of `extra` tables. */
void kl_kubelet_config_usage_with_flags (FILE *out, const kl_flag_table_t *extra, size_t n_extra);

/* The node name as the Go kubelet's GetHostname computes it: the override or
   else the hostname, trimmed of white space and lower-cased. */
int kl_kubelet_config_node_name (const char *hostname_override, char **out, kl_error_t *err);

#ifdef __cplusplus
}
#endif

#endif
