/* The dockershim: a CRI v1 server (RuntimeService and ImageService) over the Docker Engine API. */
#ifndef DS_DOCKERSHIM_H
#define DS_DOCKERSHIM_H

#include <stdint.h>

#include "pkg/util/error.h"

#ifdef __cplusplus
extern "C" {
#endif

#define DS_DEFAULT_RUNTIME_ENDPOINT "unix:///var/run/dockershim.sock"
#define DS_DEFAULT_DOCKER_ENDPOINT "unix:///var/run/docker.sock"
#define DS_DEFAULT_ROOT_DIR "/var/lib/dockershim"
#define DS_DEFAULT_CNI_BIN_DIR "/opt/cni/bin"
#define DS_DEFAULT_CNI_CONF_DIR "/etc/cni/net.d"
#define DS_DEFAULT_POD_INFRA_IMAGE "registry.k8s.io/pause:3.9"
/* Exec, Attach and PortForward URLs point here: an ephemeral loopback port. */
#define DS_DEFAULT_STREAMING_BIND_ADDR "127.0.0.1:0"

/* What the dockershim serves and how it reaches Docker. Strings are owned
   (ds_options_clear frees them) and never NULL after ds_options_init. */
struct ds_options_s
{
  char *runtime_endpoint;    /* the CRI socket served: "unix:///var/run/dockershim.sock" */
  char *docker_endpoint;     /* dockerd: "unix:///var/run/docker.sock" */
  char *pod_infra_image;     /* the sandbox (pause) image */
  char *root_dir;            /* checkpoints and log state: /var/lib/dockershim */
  char *network_plugin;      /* "" (Docker's default bridge) or "cni" */
  char *cni_bin_dir;         /* comma-separated directories of CNI plugin binaries */
  char *cni_conf_dir;        /* where the first *.conflist / *.conf is the pod network */
  int64_t docker_timeout_ns; /* per Docker API call (pulls excepted); 0: 2 minutes */
  char *streaming_bind_addr; /* the streaming server's "host:port" ("127.0.0.1:0") */
};
typedef struct ds_options_s ds_options_t;

/* Fills `opts` with the defaults above. */
void ds_options_init (ds_options_t *opts);

/* Frees the strings and zeroes `opts`. */
void ds_options_clear (ds_options_t *opts);

/* Checks values that would only fail later: the network plugin name, the
   endpoints' scheme. */
int ds_options_validate (const ds_options_t *opts, kl_error_t *err);

/* A running CRI server and the service behind it. */
typedef struct ds_server_s ds_server_t;

/* Connects to Docker (its info must answer), resumes the log copies of
   containers it already runs, starts the streaming server on
   opts->streaming_bind_addr and serves CRI on opts->runtime_endpoint. */
int ds_server_start (const ds_options_t *opts, ds_server_t **out, kl_error_t *err);

/* Stops serving, waits for calls in flight, ends the streams in flight,
   stops the log copies (their progress is saved) and frees the server.
   Containers keep running. */
void ds_server_stop (ds_server_t *server);

#ifdef __cplusplus
}
#endif

#endif
