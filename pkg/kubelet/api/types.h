/* The in-memory Pod model: the v1 Pod fields a standalone kubelet runs static pods from. */
#ifndef KL_KUBELET_API_TYPES_H
#define KL_KUBELET_API_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Conventions: every string is owned and NULL when the manifest leaves it out
   (treat NULL as ""); a list is `T *x; size_t n_x`; an optional scalar is
   `T x; bool has_x`; an optional object is a pointer, NULL when absent. Enum
   fields keep the API's spelling (the values below) and are checked by
   kl_pod_validate (), as the API server keeps and checks them. */

#define KL_RESTART_POLICY_ALWAYS "Always"
#define KL_RESTART_POLICY_ON_FAILURE "OnFailure"
#define KL_RESTART_POLICY_NEVER "Never"

#define KL_PULL_ALWAYS "Always"
#define KL_PULL_IF_NOT_PRESENT "IfNotPresent"
#define KL_PULL_NEVER "Never"

#define KL_PROTOCOL_TCP "TCP"
#define KL_PROTOCOL_UDP "UDP"
#define KL_PROTOCOL_SCTP "SCTP"

#define KL_DNS_CLUSTER_FIRST "ClusterFirst"
#define KL_DNS_CLUSTER_FIRST_WITH_HOST_NET "ClusterFirstWithHostNet"
#define KL_DNS_DEFAULT "Default"
#define KL_DNS_NONE "None"

#define KL_STORAGE_MEDIUM_DEFAULT ""
#define KL_STORAGE_MEDIUM_MEMORY "Memory"

#define KL_URI_SCHEME_HTTP "HTTP"
#define KL_URI_SCHEME_HTTPS "HTTPS"

#define KL_TERMINATION_MESSAGE_READ_FILE "File"
#define KL_TERMINATION_MESSAGE_FALLBACK_TO_LOGS "FallbackToLogsOnError"

/* A string map entry (labels, annotations, nodeSelector). Maps are arrays
   sorted by key with unique keys, whatever order the manifest used. */
struct kl_kv_s
{
  char *key;
  char *value;
};
typedef struct kl_kv_s kl_kv_t;

/* A name/value pair: env vars, sysctls, HTTP headers, DNS options. */
struct kl_name_value_s
{
  char *name;
  char *value;
};
typedef struct kl_name_value_s kl_name_value_t;
typedef struct kl_name_value_s kl_env_var_t; /* valueFrom is rejected */
typedef struct kl_name_value_s kl_sysctl_t;
typedef struct kl_name_value_s kl_http_header_t;
typedef struct kl_name_value_s kl_dns_option_t; /* value NULL when absent */

/* intstr.IntOrString: a port number or a container port's name. */
struct kl_int_or_string_s
{
  bool is_string;
  int32_t int_value;
  char *string_value;
};
typedef struct kl_int_or_string_s kl_int_or_string_t;

struct kl_object_meta_s
{
  char *name;
  char *namespace_; /* defaulted to "default" */
  char *uid;
  kl_kv_t *labels;
  size_t n_labels;
  kl_kv_t *annotations;
  size_t n_annotations;
};
typedef struct kl_object_meta_s kl_object_meta_t;

struct kl_container_port_s
{
  char *name;
  int32_t host_port;
  int32_t container_port;
  char *protocol; /* defaulted to "TCP" */
  char *host_ip;
};
typedef struct kl_container_port_s kl_container_port_t;

struct kl_volume_mount_s
{
  char *name;
  bool read_only;
  char *mount_path;
  char *sub_path;
  char *mount_propagation; /* None, HostToContainer, Bidirectional */
};
typedef struct kl_volume_mount_s kl_volume_mount_t;

/* requests or limits: only the resources a node kubelet enforces. */
struct kl_resource_list_s
{
  int64_t milli_cpu;
  bool has_milli_cpu;
  int64_t memory_bytes;
  bool has_memory_bytes;
  int64_t ephemeral_storage_bytes;
  bool has_ephemeral_storage_bytes;
};
typedef struct kl_resource_list_s kl_resource_list_t;

struct kl_resource_requirements_s
{
  kl_resource_list_t limits;
  kl_resource_list_t requests; /* defaulted from limits per resource */
};
typedef struct kl_resource_requirements_s kl_resource_requirements_t;

struct kl_capabilities_s
{
  char **add;
  size_t n_add;
  char **drop;
  size_t n_drop;
};
typedef struct kl_capabilities_s kl_capabilities_t;

struct kl_seccomp_profile_s
{
  char *type; /* RuntimeDefault, Unconfined, Localhost */
  char *localhost_profile;
};
typedef struct kl_seccomp_profile_s kl_seccomp_profile_t;

/* The container's securityContext. */
struct kl_security_context_s
{
  kl_capabilities_t *capabilities;
  bool privileged;
  bool has_privileged;
  int64_t run_as_user;
  bool has_run_as_user;
  int64_t run_as_group;
  bool has_run_as_group;
  bool run_as_non_root;
  bool has_run_as_non_root;
  bool read_only_root_filesystem;
  bool has_read_only_root_filesystem;
  bool allow_privilege_escalation;
  bool has_allow_privilege_escalation;
  kl_seccomp_profile_t *seccomp_profile;
};
typedef struct kl_security_context_s kl_security_context_t;

struct kl_exec_action_s
{
  char **command;
  size_t n_command;
};
typedef struct kl_exec_action_s kl_exec_action_t;

struct kl_http_get_action_s
{
  char *path; /* defaulted to "/" */
  kl_int_or_string_t port;
  char *host;
  char *scheme; /* defaulted to "HTTP" */
  kl_http_header_t *http_headers;
  size_t n_http_headers;
};
typedef struct kl_http_get_action_s kl_http_get_action_t;

struct kl_tcp_socket_action_s
{
  kl_int_or_string_t port;
  char *host;
};
typedef struct kl_tcp_socket_action_s kl_tcp_socket_action_t;

struct kl_grpc_action_s
{
  int32_t port;
  char *service;
};
typedef struct kl_grpc_action_s kl_grpc_action_t;

/* Liveness, readiness or startup probe: exactly one handler is set. */
struct kl_probe_s
{
  kl_exec_action_t *exec;
  kl_http_get_action_t *http_get;
  kl_tcp_socket_action_t *tcp_socket;
  kl_grpc_action_t *grpc;
  int32_t initial_delay_seconds;
  int32_t timeout_seconds;   /* defaulted to 1 */
  int32_t period_seconds;    /* defaulted to 10 */
  int32_t success_threshold; /* defaulted to 1 */
  int32_t failure_threshold; /* defaulted to 3 */
  int64_t termination_grace_period_seconds;
  bool has_termination_grace_period_seconds;
};
typedef struct kl_probe_s kl_probe_t;

/* A postStart or preStop hook: exactly one handler is set. */
struct kl_lifecycle_handler_s
{
  kl_exec_action_t *exec;
  kl_http_get_action_t *http_get;
  kl_tcp_socket_action_t *tcp_socket;
};
typedef struct kl_lifecycle_handler_s kl_lifecycle_handler_t;

struct kl_lifecycle_s
{
  kl_lifecycle_handler_t *post_start;
  kl_lifecycle_handler_t *pre_stop;
};
typedef struct kl_lifecycle_s kl_lifecycle_t;

struct kl_container_s
{
  char *name;
  char *image;
  char **command;
  size_t n_command;
  char **args;
  size_t n_args;
  char *working_dir;
  kl_container_port_t *ports;
  size_t n_ports;
  kl_env_var_t *env;
  size_t n_env;
  kl_resource_requirements_t resources;
  kl_volume_mount_t *volume_mounts;
  size_t n_volume_mounts;
  kl_probe_t *liveness_probe;
  kl_probe_t *readiness_probe;
  kl_probe_t *startup_probe;
  kl_lifecycle_t *lifecycle;
  char *termination_message_path;   /* defaulted to "/dev/termination-log" */
  char *termination_message_policy; /* defaulted to "File" */
  char *image_pull_policy;          /* defaulted from the image's tag */
  kl_security_context_t *security_context;
  bool stdin_; /* "stdin"; stdin is a macro in <stdio.h> */
  bool stdin_once;
  bool tty;
};
typedef struct kl_container_s kl_container_t;

struct kl_host_path_volume_source_s
{
  char *path;
  char *type; /* "" (no check), DirectoryOrCreate, Directory, FileOrCreate, ... */
};
typedef struct kl_host_path_volume_source_s kl_host_path_volume_source_t;

struct kl_empty_dir_volume_source_s
{
  char *medium; /* "" or "Memory" */
  int64_t size_limit_bytes;
  bool has_size_limit_bytes;
};
typedef struct kl_empty_dir_volume_source_s kl_empty_dir_volume_source_t;

/* A volume: exactly one source is set (none in the manifest means emptyDir). */
struct kl_volume_s
{
  char *name;
  kl_host_path_volume_source_t *host_path;
  kl_empty_dir_volume_source_t *empty_dir;
};
typedef struct kl_volume_s kl_volume_t;

struct kl_pod_security_context_s
{
  int64_t run_as_user;
  bool has_run_as_user;
  int64_t run_as_group;
  bool has_run_as_group;
  bool run_as_non_root;
  bool has_run_as_non_root;
  int64_t fs_group;
  bool has_fs_group;
  int64_t *supplemental_groups;
  size_t n_supplemental_groups;
  kl_sysctl_t *sysctls;
  size_t n_sysctls;
  kl_seccomp_profile_t *seccomp_profile;
};
typedef struct kl_pod_security_context_s kl_pod_security_context_t;

struct kl_toleration_s
{
  char *key;
  char *operator_; /* "operator"; Equal (when empty) or Exists */
  char *value;
  char *effect;
  int64_t toleration_seconds;
  bool has_toleration_seconds;
};
typedef struct kl_toleration_s kl_toleration_t;

struct kl_dns_config_s
{
  char **nameservers;
  size_t n_nameservers;
  char **searches;
  size_t n_searches;
  kl_dns_option_t *options;
  size_t n_options;
};
typedef struct kl_dns_config_s kl_dns_config_t;

struct kl_host_alias_s
{
  char *ip;
  char **hostnames;
  size_t n_hostnames;
};
typedef struct kl_host_alias_s kl_host_alias_t;

struct kl_pod_spec_s
{
  kl_volume_t *volumes;
  size_t n_volumes;
  kl_container_t *init_containers;
  size_t n_init_containers;
  kl_container_t *containers;
  size_t n_containers;
  char *restart_policy;                     /* defaulted to "Always" */
  int64_t termination_grace_period_seconds; /* defaulted to 30 */
  bool has_termination_grace_period_seconds;
  int64_t active_deadline_seconds;
  bool has_active_deadline_seconds;
  char *dns_policy; /* defaulted to "ClusterFirst" */
  kl_kv_t *node_selector;
  size_t n_node_selector;
  char *node_name;
  bool host_network;
  bool host_pid;
  bool host_ipc;
  bool share_process_namespace;
  kl_pod_security_context_t security_context;
  char *hostname;
  char *subdomain;
  char *scheduler_name; /* defaulted to "default-scheduler" */
  kl_toleration_t *tolerations;
  size_t n_tolerations;
  kl_host_alias_t *host_aliases;
  size_t n_host_aliases;
  char *priority_class_name;
  int32_t priority;
  bool has_priority;
  kl_dns_config_t *dns_config;
  char *runtime_class_name;
  bool enable_service_links; /* defaulted to true */
  bool has_enable_service_links;
};
typedef struct kl_pod_spec_s kl_pod_spec_t;

/* A v1 Pod: apiVersion and kind are checked while decoding, status ignored. */
struct kl_pod_s
{
  kl_object_meta_t metadata;
  kl_pod_spec_t spec;
};
typedef struct kl_pod_s kl_pod_t;

/* The pods one manifest source holds, in document order; owns the pods. */
struct kl_pod_list_s
{
  kl_pod_t **items;
  size_t n_items;
};
typedef struct kl_pod_list_s kl_pod_list_t;

/* Frees the pod and everything it owns; NULL is fine. */
void kl_pod_free (kl_pod_t *pod);

/* A deep copy of `pod`. */
kl_pod_t *kl_pod_copy (const kl_pod_t *pod);

/* Frees the list's pods and leaves it empty. */
void kl_pod_list_clear (kl_pod_list_t *list);

/* Takes ownership of `pod`, appending it to the list. */
void kl_pod_list_append (kl_pod_list_t *list, kl_pod_t *pod);

/* The value for `key` in a sorted string map, or NULL. */
const char *kl_kv_get (const kl_kv_t *map, size_t n, const char *key);

/* Sets `key` to `value` in a sorted string map, keeping it sorted. */
void kl_kv_set (kl_kv_t **map, size_t *n, const char *key, const char *value);

/* True if the pods have the same fields set to the same values (a string
   left out and an empty one count as the same). */
bool kl_pod_equal (const kl_pod_t *a, const kl_pod_t *b);

/* An unambiguous text of every set field of `pod` in a fixed order, the
   input of the static pod UID; *len gets its length, the caller frees it. */
char *kl_pod_canonical (const kl_pod_t *pod, size_t *len);

/* The container named `name` among the pod's containers or, failing that,
   its init containers; NULL if none. */
const kl_container_t *kl_pod_find_container (const kl_pod_t *pod, const char *name);

static inline void
kl_pod_freep (kl_pod_t **pod)
{
  kl_pod_free (*pod);
}

#define cleanup_pod __attribute__ ((cleanup (kl_pod_freep)))
#define cleanup_pod_list __attribute__ ((cleanup (kl_pod_list_clear)))

#ifdef __cplusplus
}
#endif

#endif
