/* Pod networking through CNI plugins: network config loading, the exec protocol (ADD/DEL), results.
 */
#ifndef DS_NETWORKING_H
#define DS_NETWORKING_H

#include <jansson.h> /* json_t: network configs and results */
#include <stddef.h>
#include <stdint.h>

#include "pkg/util/error.h"

#ifdef __cplusplus
extern "C" {
#endif

#define DS_CNI_IFNAME "eth0"

/* Where plugins and network configs are. */
typedef struct ds_cni_s
{
  char **bin_dirs; /* NULL-terminated */
  char *conf_dir;
  int64_t timeout_ns; /* per plugin call */
} ds_cni_t;

/* `bin_dirs` is comma-separated (the kubelet's --cni-bin-dir). */
ds_cni_t *ds_cni_new (const char *bin_dirs, const char *conf_dir);
void ds_cni_free (ds_cni_t *cni);

/* The pod network: the lexically first *.conflist, *.conf or *.json in
   conf_dir, a single-plugin .conf made into a list {cniVersion, name,
   plugins: [conf]}. Fails (KL_ERROR_NOT_FOUND) when there is none. */
int ds_cni_load_network (const ds_cni_t *cni, json_t **conflist, kl_error_t *err);

/* Checks a network list: name, cniVersion and plugins each with a type. */
int ds_cni_validate_list (const json_t *conflist, kl_error_t *err);

/* A .conf document (one plugin) as a list. */
json_t *ds_cni_conf_to_list (const json_t *conf);

typedef struct ds_cni_port_s
{
  int32_t host_port;
  int32_t container_port;
  const char *protocol; /* "tcp", "udp", "sctp" */
  const char *host_ip;
} ds_cni_port_t;

/* The runtime side of a call. */
typedef struct ds_cni_runtime_s
{
  const char *container_id;
  const char *netns;  /* /proc/<pid>/ns/net; "" on a DEL after the sandbox died */
  const char *ifname; /* NULL: DS_CNI_IFNAME */
  const char *pod_name;
  const char *pod_namespace;
  const char *pod_uid;
  const ds_cni_port_t *ports; /* for plugins with the portMappings capability */
  size_t n_ports;
} ds_cni_runtime_t;

/* The stdin of plugin `index` of the list: its config plus the list's name
   and cniVersion, `prev_result` (may be NULL) and the runtimeConfig of the
   capabilities it declares. */
json_t *ds_cni_plugin_config (const json_t *conflist, size_t index, const json_t *prev_result,
                              const ds_cni_runtime_t *rt);

/* CNI_ARGS for `rt`: "IgnoreUnknown=1;K8S_POD_NAMESPACE=...;...". */
char *ds_cni_args (const ds_cni_runtime_t *rt);

/* A plugin's stdout and exit status -> its result (NULL for an empty
   output), or the error it reported ({"code", "msg", "details"}). */
int ds_cni_parse_output (const char *plugin, const char *out, size_t len, int exit_status,
                         const char *stderr_text, json_t **result, kl_error_t *err);

/* The pod's IP from a result: the first IPv4 address on the sandbox's
   interface (CNI 0.3+ "ips", 0.1/0.2 "ip4"), else the first IPv6, without
   the prefix length; "" if it holds none. */
int ds_cni_result_ip (const json_t *result, char **ip, kl_error_t *err);

/* ADD: runs each plugin in order, chaining results; the last is *result. */
int ds_cni_add (const ds_cni_t *cni, const json_t *conflist, const ds_cni_runtime_t *rt,
                json_t **result, kl_error_t *err);

/* DEL: runs each plugin in reverse order with `prev_result` (the ADD
   result, may be NULL). A missing netns is fine. */
int ds_cni_del (const ds_cni_t *cni, const json_t *conflist, const ds_cni_runtime_t *rt,
                const json_t *prev_result, kl_error_t *err);

#ifdef __cplusplus
}
#endif

#endif
