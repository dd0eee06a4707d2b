/* The field tables of the Pod model (schema-internal.h), in the API's order. */
#include "pkg/kubelet/api/schema-internal.h"

#include "pkg/util/utils.h"

/* clang-format off */
/* 0, or a compile error when T's `member` is not of `type`: the tables'
   offsets and the struct definitions cannot drift apart silently. */
#define TYPE_CHECK(T, member, type)                                                                \
  (0 * sizeof (char[_Generic (((T *) 0)->member, type: 1, default: -1)]))
#define AT(T, member, type) (offsetof (T, member) + TYPE_CHECK (T, member, type))

#define F_STRING(T, json, m) { json, KL_FIELD_STRING, AT (T, m, char *), KL_NO_AUX, NULL, NULL, 0 }
#define F_BOOL(T, json, m) { json, KL_FIELD_BOOL, AT (T, m, bool), KL_NO_AUX, NULL, NULL, 0 }
#define F_OPT_BOOL(T, json, m)                                                                     \
  { json, KL_FIELD_BOOL, AT (T, m, bool), AT (T, has_##m, bool), NULL, NULL, 0 }
#define F_INT32(T, json, m) { json, KL_FIELD_INT32, AT (T, m, int32_t), KL_NO_AUX, NULL, NULL, 0 }
#define F_OPT_INT32(T, json, m)                                                                    \
  { json, KL_FIELD_INT32, AT (T, m, int32_t), AT (T, has_##m, bool), NULL, NULL, 0 }
#define F_OPT_INT64(T, json, m)                                                                    \
  { json, KL_FIELD_INT64, AT (T, m, int64_t), AT (T, has_##m, bool), NULL, NULL, 0 }
#define F_STRINGS(T, json, m)                                                                      \
  { json, KL_FIELD_STRING_LIST, AT (T, m, char **), AT (T, n_##m, size_t), NULL, NULL, 0 }
#define F_INT64S(T, json, m)                                                                       \
  { json, KL_FIELD_INT64_LIST, AT (T, m, int64_t *), AT (T, n_##m, size_t), NULL, NULL, 0 }
#define F_MAP(T, json, m)                                                                          \
  { json, KL_FIELD_STRING_MAP, AT (T, m, kl_kv_t *), AT (T, n_##m, size_t), NULL, NULL, 0 }
#define F_OBJECT(T, json, m, S, schema)                                                            \
  { json, KL_FIELD_OBJECT, AT (T, m, S), KL_NO_AUX, &schema, NULL, 0 }
#define F_OBJECT_PTR(T, json, m, S, schema)                                                        \
  { json, KL_FIELD_OBJECT_PTR, AT (T, m, S *), KL_NO_AUX, &schema, NULL, 0 }
#define F_LIST(T, json, m, S, schema, max)                                                         \
  { json, KL_FIELD_OBJECT_LIST, AT (T, m, S *), AT (T, n_##m, size_t), &schema, NULL, max }
#define F_INT_OR_STRING(T, json, m)                                                                \
  { json, KL_FIELD_INT_OR_STRING, AT (T, m, kl_int_or_string_t), KL_NO_AUX, NULL, NULL, 0 }
#define F_MILLI_CPU(T, json, m)                                                                    \
  { json, KL_FIELD_MILLI_CPU, AT (T, m, int64_t), AT (T, has_##m, bool), NULL, NULL, 0 }
#define F_BYTES(T, json, m)                                                                        \
  { json, KL_FIELD_BYTES, AT (T, m, int64_t), AT (T, has_##m, bool), NULL, NULL, 0 }
#define F_IGNORED(json) { json, KL_FIELD_IGNORED, 0, KL_NO_AUX, NULL, NULL, 0 }
#define F_FORBIDDEN(json, reason) { json, KL_FIELD_FORBIDDEN, 0, KL_NO_AUX, NULL, reason, 0 }

/* A schema; decoding tracks the fields it saw in a bitmap of KL_SCHEMA_MAX_FIELDS. */
#define SCHEMA(T, fields, keyed)                                                                   \
  {                                                                                                \
    sizeof (T), fields,                                                                            \
        KL_ARRAY_SIZE (fields)                                                                     \
            + 0 * sizeof (char[KL_ARRAY_SIZE (fields) <= KL_SCHEMA_MAX_FIELDS ? 1 : -1]),          \
        keyed                                                                                      \
  }

/* clang-format on */

#define NOT_FOR_STATIC_PODS "not supported for static pods"
#define VOLUME_NOT_FOR_STATIC_PODS                                                                 \
  "not supported for static pods: use a hostPath or emptyDir volume"

static const struct kl_field_s name_value_fields[] = {
  F_STRING (kl_name_value_t, "name", name),
  F_STRING (kl_name_value_t, "value", value),
};
static const kl_schema_t name_value_schema = SCHEMA (kl_name_value_t, name_value_fields, false);

static const struct kl_field_s env_var_fields[] = {
  F_STRING (kl_env_var_t, "name", name),
  F_STRING (kl_env_var_t, "value", value),
  F_FORBIDDEN ("valueFrom", NOT_FOR_STATIC_PODS),
};
static const kl_schema_t env_var_schema = SCHEMA (kl_env_var_t, env_var_fields, false);

static const struct kl_field_s object_meta_fields[] = {
  F_STRING (kl_object_meta_t, "name", name),
  F_STRING (kl_object_meta_t, "namespace", namespace_),
  F_STRING (kl_object_meta_t, "uid", uid),
  F_MAP (kl_object_meta_t, "labels", labels),
  F_MAP (kl_object_meta_t, "annotations", annotations),
  F_IGNORED ("creationTimestamp"),
  F_IGNORED ("generation"),
  F_IGNORED ("resourceVersion"),
  F_IGNORED ("selfLink"),
  F_IGNORED ("managedFields"),
};
static const kl_schema_t object_meta_schema = SCHEMA (kl_object_meta_t, object_meta_fields, false);

static const struct kl_field_s container_port_fields[] = {
  F_STRING (kl_container_port_t, "name", name),
  F_INT32 (kl_container_port_t, "hostPort", host_port),
  F_INT32 (kl_container_port_t, "containerPort", container_port),
  F_STRING (kl_container_port_t, "protocol", protocol),
  F_STRING (kl_container_port_t, "hostIP", host_ip),
};
static const kl_schema_t container_port_schema
    = SCHEMA (kl_container_port_t, container_port_fields, false);

static const struct kl_field_s volume_mount_fields[] = {
  F_STRING (kl_volume_mount_t, "name", name),
  F_BOOL (kl_volume_mount_t, "readOnly", read_only),
  F_STRING (kl_volume_mount_t, "mountPath", mount_path),
  F_STRING (kl_volume_mount_t, "subPath", sub_path),
  F_STRING (kl_volume_mount_t, "mountPropagation", mount_propagation),
};
static const kl_schema_t volume_mount_schema
    = SCHEMA (kl_volume_mount_t, volume_mount_fields, false);

static const struct kl_field_s resource_list_fields[] = {
  F_MILLI_CPU (kl_resource_list_t, "cpu", milli_cpu),
  F_BYTES (kl_resource_list_t, "memory", memory_bytes),
  F_BYTES (kl_resource_list_t, "ephemeral-storage", ephemeral_storage_bytes),
};
static const kl_schema_t resource_list_schema
    = SCHEMA (kl_resource_list_t, resource_list_fields, true);

static const struct kl_field_s resource_requirements_fields[] = {
  F_OBJECT (kl_resource_requirements_t, "limits", limits, kl_resource_list_t, resource_list_schema),
  F_OBJECT (kl_resource_requirements_t, "requests", requests, kl_resource_list_t,
            resource_list_schema),
};
static const kl_schema_t resource_requirements_schema
    = SCHEMA (kl_resource_requirements_t, resource_requirements_fields, false);

static const struct kl_field_s capabilities_fields[] = {
  F_STRINGS (kl_capabilities_t, "add", add),
  F_STRINGS (kl_capabilities_t, "drop", drop),
};
static const kl_schema_t capabilities_schema
    = SCHEMA (kl_capabilities_t, capabilities_fields, false);

static const struct kl_field_s seccomp_profile_fields[] = {
  F_STRING (kl_seccomp_profile_t, "type", type),
  F_STRING (kl_seccomp_profile_t, "localhostProfile", localhost_profile),
};
static const kl_schema_t seccomp_profile_schema
    = SCHEMA (kl_seccomp_profile_t, seccomp_profile_fields, false);

static const struct kl_field_s security_context_fields[] = {
  F_OBJECT_PTR (kl_security_context_t, "capabilities", capabilities, kl_capabilities_t,
                capabilities_schema),
  F_OPT_BOOL (kl_security_context_t, "privileged", privileged),
  F_OPT_INT64 (kl_security_context_t, "runAsUser", run_as_user),
  F_OPT_INT64 (kl_security_context_t, "runAsGroup", run_as_group),
  F_OPT_BOOL (kl_security_context_t, "runAsNonRoot", run_as_non_root),
  F_OPT_BOOL (kl_security_context_t, "readOnlyRootFilesystem", read_only_root_filesystem),
  F_OPT_BOOL (kl_security_context_t, "allowPrivilegeEscalation", allow_privilege_escalation),
  F_OBJECT_PTR (kl_security_context_t, "seccompProfile", seccomp_profile, kl_seccomp_profile_t,
                seccomp_profile_schema),
};
static const kl_schema_t security_context_schema
    = SCHEMA (kl_security_context_t, security_context_fields, false);

static const struct kl_field_s exec_action_fields[] = {
  F_STRINGS (kl_exec_action_t, "command", command),
};
static const kl_schema_t exec_action_schema = SCHEMA (kl_exec_action_t, exec_action_fields, false);

static const struct kl_field_s http_get_action_fields[] = {
  F_STRING (kl_http_get_action_t, "path", path),
  F_INT_OR_STRING (kl_http_get_action_t, "port", port),
  F_STRING (kl_http_get_action_t, "host", host),
  F_STRING (kl_http_get_action_t, "scheme", scheme),
  F_LIST (kl_http_get_action_t, "httpHeaders", http_headers, kl_http_header_t, name_value_schema,
          0),
};
static const kl_schema_t http_get_action_schema
    = SCHEMA (kl_http_get_action_t, http_get_action_fields, false);

static const struct kl_field_s tcp_socket_action_fields[] = {
  F_INT_OR_STRING (kl_tcp_socket_action_t, "port", port),
  F_STRING (kl_tcp_socket_action_t, "host", host),
};
static const kl_schema_t tcp_socket_action_schema
    = SCHEMA (kl_tcp_socket_action_t, tcp_socket_action_fields, false);

static const struct kl_field_s grpc_action_fields[] = {
  F_INT32 (kl_grpc_action_t, "port", port),
  F_STRING (kl_grpc_action_t, "service", service),
};
static const kl_schema_t grpc_action_schema = SCHEMA (kl_grpc_action_t, grpc_action_fields, false);

static const struct kl_field_s probe_fields[] = {
  F_OBJECT_PTR (kl_probe_t, "exec", exec, kl_exec_action_t, exec_action_schema),
  F_OBJECT_PTR (kl_probe_t, "httpGet", http_get, kl_http_get_action_t, http_get_action_schema),
  F_OBJECT_PTR (kl_probe_t, "tcpSocket", tcp_socket, kl_tcp_socket_action_t,
                tcp_socket_action_schema),
  F_OBJECT_PTR (kl_probe_t, "grpc", grpc, kl_grpc_action_t, grpc_action_schema),
  F_INT32 (kl_probe_t, "initialDelaySeconds", initial_delay_seconds),
  F_INT32 (kl_probe_t, "timeoutSeconds", timeout_seconds),
  F_INT32 (kl_probe_t, "periodSeconds", period_seconds),
  F_INT32 (kl_probe_t, "successThreshold", success_threshold),
  F_INT32 (kl_probe_t, "failureThreshold", failure_threshold),
  F_OPT_INT64 (kl_probe_t, "terminationGracePeriodSeconds", termination_grace_period_seconds),
};
static const kl_schema_t probe_schema = SCHEMA (kl_probe_t, probe_fields, false);

static const struct kl_field_s lifecycle_handler_fields[] = {
  F_OBJECT_PTR (kl_lifecycle_handler_t, "exec", exec, kl_exec_action_t, exec_action_schema),
  F_OBJECT_PTR (kl_lifecycle_handler_t, "httpGet", http_get, kl_http_get_action_t,
                http_get_action_schema),
  F_OBJECT_PTR (kl_lifecycle_handler_t, "tcpSocket", tcp_socket, kl_tcp_socket_action_t,
                tcp_socket_action_schema),
};
static const kl_schema_t lifecycle_handler_schema
    = SCHEMA (kl_lifecycle_handler_t, lifecycle_handler_fields, false);

static const struct kl_field_s lifecycle_fields[] = {
  F_OBJECT_PTR (kl_lifecycle_t, "postStart", post_start, kl_lifecycle_handler_t,
                lifecycle_handler_schema),
  F_OBJECT_PTR (kl_lifecycle_t, "preStop", pre_stop, kl_lifecycle_handler_t,
                lifecycle_handler_schema),
};
static const kl_schema_t lifecycle_schema = SCHEMA (kl_lifecycle_t, lifecycle_fields, false);

static const struct kl_field_s container_fields[] = {
  F_STRING (kl_container_t, "name", name),
  F_STRING (kl_container_t, "image", image),
  F_STRINGS (kl_container_t, "command", command),
  F_STRINGS (kl_container_t, "args", args),
  F_STRING (kl_container_t, "workingDir", working_dir),
  F_LIST (kl_container_t, "ports", ports, kl_container_port_t, container_port_schema, 0),
  F_FORBIDDEN ("envFrom", NOT_FOR_STATIC_PODS),
  F_LIST (kl_container_t, "env", env, kl_env_var_t, env_var_schema, 0),
  F_OBJECT (kl_container_t, "resources", resources, kl_resource_requirements_t,
            resource_requirements_schema),
  F_LIST (kl_container_t, "volumeMounts", volume_mounts, kl_volume_mount_t, volume_mount_schema, 0),
  F_OBJECT_PTR (kl_container_t, "livenessProbe", liveness_probe, kl_probe_t, probe_schema),
  F_OBJECT_PTR (kl_container_t, "readinessProbe", readiness_probe, kl_probe_t, probe_schema),
  F_OBJECT_PTR (kl_container_t, "startupProbe", startup_probe, kl_probe_t, probe_schema),
  F_OBJECT_PTR (kl_container_t, "lifecycle", lifecycle, kl_lifecycle_t, lifecycle_schema),
  F_STRING (kl_container_t, "terminationMessagePath", termination_message_path),
  F_STRING (kl_container_t, "terminationMessagePolicy", termination_message_policy),
  F_STRING (kl_container_t, "imagePullPolicy", image_pull_policy),
  F_OBJECT_PTR (kl_container_t, "securityContext", security_context, kl_security_context_t,
                security_context_schema),
  F_BOOL (kl_container_t, "stdin", stdin_),
  F_BOOL (kl_container_t, "stdinOnce", stdin_once),
  F_BOOL (kl_container_t, "tty", tty),
};
const kl_schema_t kl_schema_container = SCHEMA (kl_container_t, container_fields, false);

static const struct kl_field_s host_path_fields[] = {
  F_STRING (kl_host_path_volume_source_t, "path", path),
  F_STRING (kl_host_path_volume_source_t, "type", type),
};
static const kl_schema_t host_path_schema
    = SCHEMA (kl_host_path_volume_source_t, host_path_fields, false);

static const struct kl_field_s empty_dir_fields[] = {
  F_STRING (kl_empty_dir_volume_source_t, "medium", medium),
  F_BYTES (kl_empty_dir_volume_source_t, "sizeLimit", size_limit_bytes),
};
static const kl_schema_t empty_dir_schema
    = SCHEMA (kl_empty_dir_volume_source_t, empty_dir_fields, false);

static const struct kl_field_s volume_fields[] = {
  F_STRING (kl_volume_t, "name", name),
  F_OBJECT_PTR (kl_volume_t, "hostPath", host_path, kl_host_path_volume_source_t, host_path_schema),
  F_OBJECT_PTR (kl_volume_t, "emptyDir", empty_dir, kl_empty_dir_volume_source_t, empty_dir_schema),
  F_FORBIDDEN ("configMap", VOLUME_NOT_FOR_STATIC_PODS),
  F_FORBIDDEN ("secret", VOLUME_NOT_FOR_STATIC_PODS),
  F_FORBIDDEN ("projected", VOLUME_NOT_FOR_STATIC_PODS),
  F_FORBIDDEN ("downwardAPI", VOLUME_NOT_FOR_STATIC_PODS),
  F_FORBIDDEN ("persistentVolumeClaim", VOLUME_NOT_FOR_STATIC_PODS),
  F_FORBIDDEN ("csi", VOLUME_NOT_FOR_STATIC_PODS),
  F_FORBIDDEN ("ephemeral", VOLUME_NOT_FOR_STATIC_PODS),
  F_FORBIDDEN ("nfs", VOLUME_NOT_FOR_STATIC_PODS),
};
static const kl_schema_t volume_schema = SCHEMA (kl_volume_t, volume_fields, false);

static const struct kl_field_s pod_security_context_fields[] = {
  F_OPT_INT64 (kl_pod_security_context_t, "runAsUser", run_as_user),
  F_OPT_INT64 (kl_pod_security_context_t, "runAsGroup", run_as_group),
  F_OPT_BOOL (kl_pod_security_context_t, "runAsNonRoot", run_as_non_root),
  F_INT64S (kl_pod_security_context_t, "supplementalGroups", supplemental_groups),
  F_OPT_INT64 (kl_pod_security_context_t, "fsGroup", fs_group),
  F_LIST (kl_pod_security_context_t, "sysctls", sysctls, kl_sysctl_t, name_value_schema, 0),
  F_OBJECT_PTR (kl_pod_security_context_t, "seccompProfile", seccomp_profile, kl_seccomp_profile_t,
                seccomp_profile_schema),
};
static const kl_schema_t pod_security_context_schema
    = SCHEMA (kl_pod_security_context_t, pod_security_context_fields, false);

static const struct kl_field_s toleration_fields[] = {
  F_STRING (kl_toleration_t, "key", key),
  F_STRING (kl_toleration_t, "operator", operator_),
  F_STRING (kl_toleration_t, "value", value),
  F_STRING (kl_toleration_t, "effect", effect),
  F_OPT_INT64 (kl_toleration_t, "tolerationSeconds", toleration_seconds),
};
static const kl_schema_t toleration_schema = SCHEMA (kl_toleration_t, toleration_fields, false);

static const struct kl_field_s dns_config_fields[] = {
  F_STRINGS (kl_dns_config_t, "nameservers", nameservers),
  F_STRINGS (kl_dns_config_t, "searches", searches),
  F_LIST (kl_dns_config_t, "options", options, kl_dns_option_t, name_value_schema, 0),
};
static const kl_schema_t dns_config_schema = SCHEMA (kl_dns_config_t, dns_config_fields, false);

static const struct kl_field_s host_alias_fields[] = {
  F_STRING (kl_host_alias_t, "ip", ip),
  F_STRINGS (kl_host_alias_t, "hostnames", hostnames),
};
static const kl_schema_t host_alias_schema = SCHEMA (kl_host_alias_t, host_alias_fields, false);

static const struct kl_field_s pod_spec_fields[] = {
  F_LIST (kl_pod_spec_t, "volumes", volumes, kl_volume_t, volume_schema, 0),
  F_LIST (kl_pod_spec_t, "initContainers", init_containers, kl_container_t, kl_schema_container,
          KL_POD_MAX_CONTAINERS),
  F_LIST (kl_pod_spec_t, "containers", containers, kl_container_t, kl_schema_container,
          KL_POD_MAX_CONTAINERS),
  F_FORBIDDEN ("ephemeralContainers", NOT_FOR_STATIC_PODS),
  F_STRING (kl_pod_spec_t, "restartPolicy", restart_policy),
  F_OPT_INT64 (kl_pod_spec_t, "terminationGracePeriodSeconds", termination_grace_period_seconds),
  F_OPT_INT64 (kl_pod_spec_t, "activeDeadlineSeconds", active_deadline_seconds),
  F_STRING (kl_pod_spec_t, "dnsPolicy", dns_policy),
  F_MAP (kl_pod_spec_t, "nodeSelector", node_selector),
  F_FORBIDDEN ("serviceAccountName", NOT_FOR_STATIC_PODS),
  F_FORBIDDEN ("serviceAccount", NOT_FOR_STATIC_PODS),
  F_STRING (kl_pod_spec_t, "nodeName", node_name),
  F_BOOL (kl_pod_spec_t, "hostNetwork", host_network),
  F_BOOL (kl_pod_spec_t, "hostPID", host_pid),
  F_BOOL (kl_pod_spec_t, "hostIPC", host_ipc),
  F_BOOL (kl_pod_spec_t, "shareProcessNamespace", share_process_namespace),
  F_OBJECT (kl_pod_spec_t, "securityContext", security_context, kl_pod_security_context_t,
            pod_security_context_schema),
  F_FORBIDDEN ("imagePullSecrets", NOT_FOR_STATIC_PODS),
  F_STRING (kl_pod_spec_t, "hostname", hostname),
  F_STRING (kl_pod_spec_t, "subdomain", subdomain),
  F_STRING (kl_pod_spec_t, "schedulerName", scheduler_name),
  F_LIST (kl_pod_spec_t, "tolerations", tolerations, kl_toleration_t, toleration_schema, 0),
  F_LIST (kl_pod_spec_t, "hostAliases", host_aliases, kl_host_alias_t, host_alias_schema, 0),
  F_STRING (kl_pod_spec_t, "priorityClassName", priority_class_name),
  F_OPT_INT32 (kl_pod_spec_t, "priority", priority),
  F_OBJECT_PTR (kl_pod_spec_t, "dnsConfig", dns_config, kl_dns_config_t, dns_config_schema),
  F_STRING (kl_pod_spec_t, "runtimeClassName", runtime_class_name),
  F_OPT_BOOL (kl_pod_spec_t, "enableServiceLinks", enable_service_links),
};
static const kl_schema_t pod_spec_schema = SCHEMA (kl_pod_spec_t, pod_spec_fields, false);

/* apiVersion and kind are checked before the pod is decoded (decode.c). */
static const struct kl_field_s pod_fields[] = {
  F_IGNORED ("apiVersion"),
  F_IGNORED ("kind"),
  F_OBJECT (kl_pod_t, "metadata", metadata, kl_object_meta_t, object_meta_schema),
  F_OBJECT (kl_pod_t, "spec", spec, kl_pod_spec_t, pod_spec_schema),
  F_IGNORED ("status"),
};
const kl_schema_t kl_schema_pod = SCHEMA (kl_pod_t, pod_fields, false);
