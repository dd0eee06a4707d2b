/* Typed Docker Engine API results (API 1.41 field names) and their free functions. */
#ifndef DOCKER_TYPES_H
#define DOCKER_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Every string field is non-NULL ("" when dockerd sent nothing or null);
   every list may be empty. Times are nanoseconds since the Unix epoch, 0 for
   Docker's zero time ("0001-01-01T00:00:00Z"). */

typedef struct docker_strings_s
{
  char **items;
  size_t len;
} docker_strings_t;

typedef struct docker_label_s
{
  char *key;
  char *value;
} docker_label_t;

/* A JSON object of strings (labels, log options), in dockerd's order. */
typedef struct docker_labels_s
{
  docker_label_t *items;
  size_t len;
} docker_labels_t;

/* The value of `key`, or NULL. */
const char *docker_labels_get (const docker_labels_t *labels, const char *key);

/* True if `s` is one of the list's items. */
bool docker_strings_contain (const docker_strings_t *list, const char *s);

/* GET /_ping, from the response headers. */
typedef struct docker_ping_s
{
  char *api_version;     /* API-Version */
  char *os_type;         /* OSType: "linux" */
  bool experimental;     /* Docker-Experimental */
  char *builder_version; /* Builder-Version */
} docker_ping_t;

/* GET /version. */
typedef struct docker_version_s
{
  char *version;         /* "20.10.24" */
  char *api_version;     /* highest API version the daemon speaks: "1.41" */
  char *min_api_version; /* "1.12" */
  char *git_commit;
  char *go_version;
  char *os;
  char *arch;
  char *kernel_version;
} docker_version_t;

/* GET /info, the fields the kubelet uses. */
typedef struct docker_info_s
{
  char *id;
  char *name; /* host name */
  char *server_version;
  char *operating_system;
  char *os_type;
  char *kernel_version;
  char *cgroup_driver;  /* "cgroupfs" or "systemd" */
  char *cgroup_version; /* "1" or "2" */
  char *driver;         /* storage driver */
  char *docker_root_dir;
  char *default_runtime;             /* "runc" */
  docker_strings_t runtimes;         /* names of the configured OCI runtimes */
  docker_strings_t security_options; /* "name=seccomp,profile=default", ... */
  int64_t ncpu;
  int64_t mem_total;
  int64_t containers;
  int64_t containers_running;
  int64_t images;
} docker_info_t;

typedef struct docker_container_state_s
{
  char *status; /* created, running, paused, restarting, removing, exited, dead */
  bool running;
  bool paused;
  bool restarting;
  bool oom_killed;
  bool dead;
  int64_t pid;
  int64_t exit_code;
  char *error;
  int64_t started_at;  /* ns */
  int64_t finished_at; /* ns */
} docker_container_state_t;

typedef struct docker_container_config_s
{
  char *hostname;
  char *image;
  char *user;
  char *working_dir;
  bool tty;
  bool open_stdin;
  bool stdin_once;
  docker_strings_t env;
  docker_strings_t cmd;
  docker_strings_t entrypoint;
  docker_labels_t labels;
} docker_container_config_t;

typedef struct docker_log_config_s
{
  char *type; /* "json-file" */
  docker_labels_t config;
} docker_log_config_t;

/* HostConfig, with the Resources the kubelet sets. */
typedef struct docker_host_config_s
{
  char *network_mode;
  char *pid_mode;
  char *ipc_mode;
  char *uts_mode;
  char *cgroup_parent;
  docker_strings_t binds;
  docker_strings_t security_opt;
  docker_strings_t cap_add;
  docker_strings_t cap_drop;
  docker_log_config_t log_config;
  bool privileged;
  bool readonly_rootfs;
  int64_t oom_score_adj;
  int64_t memory; /* bytes, 0: unlimited */
  int64_t memory_swap;
  int64_t cpu_shares;
  int64_t cpu_period;
  int64_t cpu_quota;
  int64_t nano_cpus;
  int64_t pids_limit;
  char *cpuset_cpus;
  char *cpuset_mems;
} docker_host_config_t;

typedef struct docker_network_s
{
  char *name; /* key in NetworkSettings.Networks: "none", "bridge", ... */
  char *ip_address;
  char *gateway;
  char *mac_address;
} docker_network_t;

typedef struct docker_network_settings_s
{
  char *ip_address;
  char *sandbox_key; /* the network namespace: /var/run/docker/netns/... */
  docker_network_t *networks;
  size_t n_networks;
} docker_network_settings_t;

typedef struct docker_mount_point_s
{
  char *type; /* "bind", "volume", "tmpfs" */
  char *source;
  char *destination;
  char *mode;
  bool rw;
  char *propagation;
} docker_mount_point_t;

/* GET /containers/{id}/json. */
typedef struct docker_container_inspect_s
{
  char *id;
  char *name;      /* "/k8s_..." as dockerd returns it */
  int64_t created; /* ns */
  char *path;
  docker_strings_t args;
  docker_container_state_t state;
  char *image; /* image ID: "sha256:..." */
  char *resolv_conf_path;
  char *hostname_path;
  char *hosts_path;
  char *log_path;
  int64_t restart_count;
  char *driver;
  docker_container_config_t config;
  docker_host_config_t host_config;
  docker_network_settings_t network_settings;
  docker_mount_point_t *mounts;
  size_t n_mounts;
} docker_container_inspect_t;

/* One entry of GET /containers/json. */
typedef struct docker_container_summary_s
{
  char *id;
  docker_strings_t names; /* "/name" */
  char *image;            /* as the container was created: name or ID */
  char *image_id;         /* "sha256:..." */
  char *command;
  int64_t created; /* seconds since the epoch, as dockerd sends it */
  char *state;     /* "running", "exited", ... */
  char *status;    /* "Up 2 minutes", "Exited (0) 3 seconds ago" */
  docker_labels_t labels;
} docker_container_summary_t;

typedef struct docker_container_list_s
{
  docker_container_summary_t *items;
  size_t len;
} docker_container_list_t;

/* POST /containers/create. */
typedef struct docker_container_create_result_s
{
  char *id;
  docker_strings_t warnings;
} docker_container_create_result_t;

/* GET /containers/{id}/stats?stream=false: one sample. */
typedef struct docker_container_stats_s
{
  int64_t read;             /* ns, when dockerd sampled */
  int64_t preread;          /* ns, previous sample; 0 on a one-shot read */
  uint64_t cpu_total_usage; /* ns of CPU time, cumulative */
  uint64_t cpu_usage_in_kernelmode;
  uint64_t cpu_usage_in_usermode;
  uint64_t system_cpu_usage; /* ns, host */
  uint64_t online_cpus;
  uint64_t memory_usage; /* bytes, page cache included */
  uint64_t memory_limit;
  /* usage - inactive file pages (cgroup v1 total_inactive_file, v2
     inactive_file), as cAdvisor and the kubelet compute it. */
  uint64_t memory_working_set;
  uint64_t memory_rss; /* v1 total_rss, v2 anon */
  uint64_t pids_current;
} docker_container_stats_t;

/* One entry of GET /images/json. */
typedef struct docker_image_summary_s
{
  char *id;
  char *parent_id;
  docker_strings_t repo_tags;    /* "busybox:1.36"; dockerd's "<none>:<none>" dropped */
  docker_strings_t repo_digests; /* "busybox@sha256:..."; "<none>@<none>" dropped */
  int64_t created;               /* seconds */
  int64_t size;
  docker_labels_t labels;
} docker_image_summary_t;

typedef struct docker_image_list_s
{
  docker_image_summary_t *items;
  size_t len;
} docker_image_list_t;

typedef struct docker_image_config_s
{
  char *user;
  char *working_dir;
  char *stop_signal;
  docker_strings_t env;
  docker_strings_t entrypoint;
  docker_strings_t cmd;
  docker_strings_t volumes; /* keys of Config.Volumes */
  docker_labels_t labels;
} docker_image_config_t;

/* GET /images/{name}/json. */
typedef struct docker_image_inspect_s
{
  char *id;
  docker_strings_t repo_tags;
  docker_strings_t repo_digests;
  char *parent;
  int64_t created; /* ns */
  char *os;
  char *architecture;
  int64_t size;
  docker_image_config_t config;
} docker_image_inspect_t;

/* GET /exec/{id}/json. */
typedef struct docker_exec_inspect_s
{
  char *id;
  char *container_id;
  bool running;
  int64_t exit_code; /* meaningful once running is false */
  int64_t pid;
  bool open_stdin;
  bool open_stdout;
  bool open_stderr;
} docker_exec_inspect_t;

/* Free functions: each takes NULL and frees the whole result. */
void docker_ping_free (docker_ping_t *p);
void docker_version_free (docker_version_t *v);
void docker_info_free (docker_info_t *info);
void docker_container_inspect_free (docker_container_inspect_t *c);
void docker_container_list_free (docker_container_list_t *list);
void docker_container_create_result_free (docker_container_create_result_t *r);
void docker_container_stats_free (docker_container_stats_t *s);
void docker_image_list_free (docker_image_list_t *list);
void docker_image_inspect_free (docker_image_inspect_t *image);
void docker_exec_inspect_free (docker_exec_inspect_t *e);

/* Clears a list or map embedded in another struct. */
void docker_strings_clear (docker_strings_t *list);
void docker_labels_clear (docker_labels_t *labels);

#define DOCKER_DEFINE_CLEANUP(type, fn)                                                            \
  static inline void fn##p (type **p) { fn (*p); }
DOCKER_DEFINE_CLEANUP (docker_ping_t, docker_ping_free)
DOCKER_DEFINE_CLEANUP (docker_version_t, docker_version_free)
DOCKER_DEFINE_CLEANUP (docker_info_t, docker_info_free)
DOCKER_DEFINE_CLEANUP (docker_container_inspect_t, docker_container_inspect_free)
DOCKER_DEFINE_CLEANUP (docker_container_list_t, docker_container_list_free)
DOCKER_DEFINE_CLEANUP (docker_container_create_result_t, docker_container_create_result_free)
DOCKER_DEFINE_CLEANUP (docker_container_stats_t, docker_container_stats_free)
DOCKER_DEFINE_CLEANUP (docker_image_list_t, docker_image_list_free)
DOCKER_DEFINE_CLEANUP (docker_image_inspect_t, docker_image_inspect_free)
DOCKER_DEFINE_CLEANUP (docker_exec_inspect_t, docker_exec_inspect_free)
#undef DOCKER_DEFINE_CLEANUP

/* `cleanup_docker (docker_container_inspect) docker_container_inspect_t *c = NULL;` */
#define cleanup_docker(kind) __attribute__ ((cleanup (kind##_freep)))

#ifdef __cplusplus
}
#endif

#endif
