/* The dockershim service: its context and the CRI handlers the server dispatches to. */
#ifndef DS_SERVICE_INTERNAL_H
#define DS_SERVICE_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>

#include "api/cri/v1/api.pb-c.h"
#include "api/cri/v1/methods.h"
#include "pkg/kubelet/cri/streaming/streaming.h"
#include "pkg/kubelet/dockershim/docker_config.h"
#include "pkg/kubelet/dockershim/dockershim.h"
#include "pkg/kubelet/dockershim/libdocker/client.h"
#include "pkg/kubelet/dockershim/libdocker/types.h"
#include "pkg/kubelet/dockershim/logs.h"
#include "pkg/kubelet/dockershim/naming.h"
#include "pkg/kubelet/dockershim/networking.h"

#ifdef __cplusplus
extern "C" {
#endif

#define DS_RUNTIME_NAME "docker"
#define DS_RUNTIME_API_VERSION "v1"
/* The CRI "version" field: the kubelet's runtime API version the Go
   dockershim reported. */
#define DS_KUBE_API_VERSION "0.1.0"
/* Grace period for the pause container's stop. */
#define DS_SANDBOX_STOP_TIMEOUT_S 10

/* The context every handler gets. Fields are set by ds_service_new and
   read-only afterwards, except those under `lock`. Thread-safe: the gRPC
   server calls handlers from several threads. */
typedef struct ds_service_s
{
  ds_options_t options;
  docker_client_t *docker; /* thread-safe */
  char *docker_root_dir;   /* from docker info */
  char *cgroup_driver;     /* from docker info: "cgroupfs" or "systemd" */
  int oom_floor;           /* the lowest oom_score_adj we may ask for */
  enum ds_network_mode network;
  ds_cni_t *cni;          /* NULL unless the network plugin is "cni" */
  char *checkpoint_dir;   /* <root>/sandbox */
  ds_log_manager_t *logs; /* thread-safe */

  /* Serializes network setup/teardown bookkeeping in checkpoints, so that
     one sandbox's network is never torn down twice at once. */
  pthread_mutex_t network_lock;

  pthread_mutex_t lock; /* guards pod_cidr */
  char *pod_cidr;       /* from UpdateRuntimeConfig */

  /* Serves Exec, Attach and PortForward URLs; set by ds_server_start
     before the CRI server starts, NULL in a service without one. */
  kl_stream_server_t *streaming;
} ds_service_t;

/* Connects to Docker at opts->docker_endpoint (its info must answer),
   detects the oom_score_adj floor, and resumes the log copies of the
   containers it finds. */
int ds_service_new (const ds_options_t *opts, ds_service_t **out, kl_error_t *err);
void ds_service_free (ds_service_t *ds);

/* The translation context for create bodies. */
void ds_service_create_context (const ds_service_t *ds, ds_create_context_t *ctx);

/* One handler per CRI method, typed: (service, request, &response, err). */
#define DS_DECLARE_HANDLER(fn, Method, Service, Request, Response, desc)                           \
  int ds_##fn (ds_service_t *ds, const Runtime__V1__##Request *req,                                \
               Runtime__V1__##Response **resp, kl_error_t *err);
KL_CRI_UNARY_METHODS (DS_DECLARE_HANDLER)
DS_DECLARE_HANDLER (exec_sync, ExecSync, RuntimeService, ExecSyncRequest, ExecSyncResponse,
                    exec_sync_response)
DS_DECLARE_HANDLER (pull_image, PullImage, ImageService, PullImageRequest, PullImageResponse,
                    pull_image_response)
#undef DS_DECLARE_HANDLER

/* ---- helpers shared by the handler files ---- */

/* Inspects `id` and checks it is one of ours of `type`
   (DS_CONTAINER_TYPE_SANDBOX or _CONTAINER): anything else is
   KL_ERROR_NOT_FOUND, as an unknown ID is. */
int ds_inspect_typed (ds_service_t *ds, const char *id, const char *type,
                      docker_container_inspect_t **out, kl_error_t *err);

/* Which of our containers ds_list_typed lists, as a CRI filter narrows
   them. Unset fields (NULL, "", 0) do not narrow. */
typedef struct ds_list_query_s
{
  const char *type;                  /* DS_CONTAINER_TYPE_SANDBOX or _CONTAINER */
  bool all;                          /* stopped ones too, not only running */
  const char *const *statuses;       /* NULL-terminated Docker states */
  const char *id;                    /* an ID or ID prefix */
  const char *sandbox_id;            /* containers of this sandbox */
  ds_pb_kv_t *const *label_selector; /* every pair must match (a CRI map field) */
  size_t n_label_selector;
} ds_list_query_t;

/* Lists our containers that `q` selects, through Docker's filters. */
int ds_list_typed (ds_service_t *ds, const ds_list_query_t *q, docker_container_list_t **out,
                   kl_error_t *err);

/* Stops following and forgets the logs of container `id`. */
void ds_forget_container_logs (ds_service_t *ds, const char *id);

/* Starts copying the logs of an inspected, started container. */
int ds_follow_container_logs (ds_service_t *ds, const docker_container_inspect_t *c,
                              kl_error_t *err);

/* After an exec's streams closed: its exit code once Docker recorded the
   end, or -1 if it still runs after a few seconds. */
int ds_exec_wait_exit (ds_service_t *ds, const char *exec_id, int64_t *exit_code, kl_error_t *err);

/* The runtime the streaming server calls back (streaming_runtime.c):
   exec, attach and port forward over Docker, with `ds` as context. */
void ds_stream_runtime_init (ds_service_t *ds, kl_stream_runtime_t *out);

/* The pod IP of a sandbox: from its checkpoint with CNI, from Docker's
   network settings on Docker's bridge, "" for the node's network. */
char *ds_sandbox_ip (ds_service_t *ds, const docker_container_inspect_t *c);

#ifdef __cplusplus
}
#endif

#endif
