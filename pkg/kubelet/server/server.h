/* The kubelet's read-only HTTP API (/healthz, /pods, /metrics, /stats/summary) on libmicrohttpd. */
#ifndef KL_KUBELET_SERVER_SERVER_H
#define KL_KUBELET_SERVER_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pkg/kubelet/api/types.h"
#include "pkg/kubelet/metrics/kubelet_metrics.h"
#include "pkg/kubelet/status/types.h"
#include "pkg/util/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The bind address when the options leave it out (the config's default). */
#define KL_SERVER_DEFAULT_ADDRESS "127.0.0.1"

/* A port option of this value binds a free port the kernel picks (tests);
   kl_server_read_only_port () and kl_server_healthz_port () tell which. */
#define KL_SERVER_PORT_EPHEMERAL (-1)

/* Open connections per listener; more wait in the listen backlog. */
#define KL_SERVER_DEFAULT_CONNECTION_LIMIT 64
/* Connections idle this long are closed. */
#define KL_SERVER_DEFAULT_CONNECTION_TIMEOUT_SECONDS 30
/* Threads serving the read-only API (the healthz listener has one). */
#define KL_SERVER_DEFAULT_THREADS 4

/* ---- What the provider hands the server; the server frees each snapshot. ---- */

/* One pod of /pods with its status (NULL: no status computed yet). */
struct kl_server_pod_s
{
  kl_pod_t *pod;
  kl_pod_status_t *status;
};
typedef struct kl_server_pod_s kl_server_pod_t;

struct kl_server_pods_s
{
  kl_server_pod_t *items;
  size_t n_items;
};
typedef struct kl_server_pods_s kl_server_pods_t;

/* Takes ownership of `pod` and `status` (which may be NULL). */
void kl_server_pods_append (kl_server_pods_t *pods, kl_pod_t *pod, kl_pod_status_t *status);

/* Frees the pods and statuses and leaves the list empty. */
void kl_server_pods_clear (kl_server_pods_t *pods);

/* One named health check of /healthz: `error` NULL when it passes, else why
   not ("pleg was last seen active 3m20s ago; threshold is 3m0s"). */
struct kl_healthz_check_s
{
  char *name;
  char *error;
};
typedef struct kl_healthz_check_s kl_healthz_check_t;

struct kl_healthz_checks_s
{
  kl_healthz_check_t *items;
  size_t n_items;
};
typedef struct kl_healthz_checks_s kl_healthz_checks_t;

/* Appends a copy of `name` and `error` (NULL: the check passed). */
void kl_healthz_checks_add (kl_healthz_checks_t *checks, const char *name, const char *error);

void kl_healthz_checks_clear (kl_healthz_checks_t *checks);

/* /stats/summary: the kubelet Summary API (stats/v1alpha1), filled from the
   runtime's ListContainerStats / ListPodSandboxStats. Times are Unix ns and
   0 when unknown; an optional counter is `x` with `has_x`; an optional
   object is a pointer, NULL when absent. Everything is owned. */

struct kl_stats_cpu_s
{
  int64_t time;
  uint64_t usage_nano_cores;
  bool has_usage_nano_cores;
  uint64_t usage_core_nano_seconds;
  bool has_usage_core_nano_seconds;
};
typedef struct kl_stats_cpu_s kl_stats_cpu_t;

struct kl_stats_memory_s
{
  int64_t time;
  uint64_t available_bytes;
  bool has_available_bytes;
  uint64_t usage_bytes;
  bool has_usage_bytes;
  uint64_t working_set_bytes;
  bool has_working_set_bytes;
  uint64_t rss_bytes;
  bool has_rss_bytes;
  uint64_t page_faults;
  bool has_page_faults;
  uint64_t major_page_faults;
  bool has_major_page_faults;
};
typedef struct kl_stats_memory_s kl_stats_memory_t;

struct kl_stats_interface_s
{
  char *name;
  uint64_t rx_bytes;
  bool has_rx_bytes;
  uint64_t rx_errors;
  bool has_rx_errors;
  uint64_t tx_bytes;
  bool has_tx_bytes;
  uint64_t tx_errors;
  bool has_tx_errors;
};
typedef struct kl_stats_interface_s kl_stats_interface_t;

struct kl_stats_network_s
{
  int64_t time;
  kl_stats_interface_t default_interface; /* inlined in the JSON, as Go's */
  kl_stats_interface_t *interfaces;
  size_t n_interfaces;
};
typedef struct kl_stats_network_s kl_stats_network_t;

struct kl_stats_fs_s
{
  int64_t time;
  uint64_t available_bytes;
  bool has_available_bytes;
  uint64_t capacity_bytes;
  bool has_capacity_bytes;
  uint64_t used_bytes;
  bool has_used_bytes;
  uint64_t inodes_free;
  bool has_inodes_free;
  uint64_t inodes;
  bool has_inodes;
  uint64_t inodes_used;
  bool has_inodes_used;
};
typedef struct kl_stats_fs_s kl_stats_fs_t;

struct kl_stats_volume_s
{
  char *name;
  kl_stats_fs_t fs;
};
typedef struct kl_stats_volume_s kl_stats_volume_t;

struct kl_stats_container_s
{
  char *name;
  int64_t start_time;
  kl_stats_cpu_t *cpu;
  kl_stats_memory_t *memory;
  kl_stats_fs_t *rootfs;
  kl_stats_fs_t *logs;
};
typedef struct kl_stats_container_s kl_stats_container_t;

struct kl_stats_pod_s
{
  char *name; /* podRef */
  char *namespace_;
  char *uid;
  int64_t start_time;
  kl_stats_container_t *containers;
  size_t n_containers;
  kl_stats_cpu_t *cpu;
  kl_stats_memory_t *memory;
  kl_stats_network_t *network;
  kl_stats_volume_t *volumes;
  size_t n_volumes;
  kl_stats_fs_t *ephemeral_storage;
  uint64_t process_count;
  bool has_process_count;
};
typedef struct kl_stats_pod_s kl_stats_pod_t;

struct kl_stats_node_s
{
  char *node_name;
  kl_stats_container_t *system_containers;
  size_t n_system_containers;
  int64_t start_time;
  kl_stats_cpu_t *cpu;
  kl_stats_memory_t *memory;
  kl_stats_network_t *network;
  kl_stats_fs_t *fs;
  kl_stats_fs_t *image_fs; /* runtime.imageFs */
};
typedef struct kl_stats_node_s kl_stats_node_t;

struct kl_stats_summary_s
{
  kl_stats_node_t node;
  kl_stats_pod_t *pods;
  size_t n_pods;
};
typedef struct kl_stats_summary_s kl_stats_summary_t;

/* Frees everything the summary owns and zeroes it. */
void kl_stats_summary_clear (kl_stats_summary_t *summary);

/* ---- The provider: the kubelet side of the API. ---- */

/* The server calls these from its own threads, possibly several at once;
   each fills an empty `out` that the server then frees, or fails with *err
   set (a 500 response naming the error). A NULL operation means nothing to
   report: /pods lists no pods, /healthz runs only "ping", /stats/summary
   answers 404. */
struct kl_server_provider_ops_s
{
  /* A snapshot of the pods the kubelet runs and their statuses. */
  int (*pods) (void *ctx, kl_server_pods_t *out, kl_error_t *err);

  /* Runs the health checks (after the server's own "ping"). */
  int (*healthz) (void *ctx, kl_healthz_checks_t *out, kl_error_t *err);

  /* The stats summary; with `only_cpu_and_memory` the provider may leave
     out everything else, which the server drops anyway. */
  int (*stats_summary) (void *ctx, bool only_cpu_and_memory, kl_stats_summary_t *out,
                        kl_error_t *err);

  /* The metrics /metrics renders and HTTP requests are counted in, NULL
     for none; called once by kl_server_start () and must outlive the server. */
  kl_kubelet_metrics_t *(*metrics) (void *ctx);
};
typedef struct kl_server_provider_ops_s kl_server_provider_ops_t;

struct kl_server_options_s
{
  const char *address;              /* read-only API; NULL or "" for KL_SERVER_DEFAULT_ADDRESS */
  int32_t read_only_port;           /* 0 disables; KL_SERVER_PORT_EPHEMERAL */
  const char *healthz_bind_address; /* NULL or "" for KL_SERVER_DEFAULT_ADDRESS */
  int32_t healthz_port;             /* 0 disables; KL_SERVER_PORT_EPHEMERAL */
  unsigned int connection_limit;    /* 0 for the default */
  unsigned int connection_timeout_seconds; /* 0 for the default */
  unsigned int threads;                    /* 0 for the default */
  const kl_server_provider_ops_t *ops;
  void *ctx; /* passed to every operation */
};
typedef struct kl_server_options_s kl_server_options_t;

typedef struct kl_server_s kl_server_t;

/* Starts the listeners the options enable, each served by its own threads:
   the read-only API (every endpoint) on address:read_only_port and the
   healthz listener (/healthz only) on healthz_bind_address:healthz_port,
   as the Go kubelet's ports 10255 and 10248. Only GET and HEAD are served.
   Fails, with nothing left running, on a bad address or port or when a
   listener cannot bind ("listen on 127.0.0.1:10255: Address already in use"). */
int kl_server_start (const kl_server_options_t *opts, kl_server_t **out, kl_error_t *err);

/* The port the read-only API listens on, 0 when disabled. */
int kl_server_read_only_port (const kl_server_t *srv);

/* The port the healthz listener listens on, 0 when disabled. */
int kl_server_healthz_port (const kl_server_t *srv);

/* Closes the listeners and open connections, waits for requests being
   handled to finish and frees the server; NULL is fine. */
void kl_server_stop (kl_server_t *srv);

static inline void
kl_server_stopp (kl_server_t **srv)
{
  kl_server_stop (*srv);
}

#define cleanup_server __attribute__ ((cleanup (kl_server_stopp)))

#ifdef __cplusplus
}
#endif

#endif
