/* Sandbox checkpoints: what tearing a sandbox's network down needs, kept on disk under
 * <root>/sandbox/<id>. */
#ifndef DS_CHECKPOINT_H
#define DS_CHECKPOINT_H

#include <jansson.h> /* json_t: the CNI config and result kept verbatim */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pkg/util/error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ds_checkpoint_port_s
{
  int protocol; /* Runtime__V1__Protocol */
  int32_t container_port;
  int32_t host_port;
  char *host_ip;
} ds_checkpoint_port_t;

/* Written before the pause container starts and again once its network is
   set up or torn down, so StopPodSandbox and RemovePodSandbox can undo the
   network after dockerd or the dockershim restarted. */
typedef struct ds_checkpoint_s
{
  char *name;
  char *ns;
  char *uid;
  uint32_t attempt;
  char *network;         /* "host", "bridge" or "cni" */
  char *runtime_handler; /* Docker runtime of the sandbox and its containers, or "" */
  int pid_mode;          /* Runtime__V1__NamespaceMode the sandbox asked for */
  int ipc_mode;
  ds_checkpoint_port_t *ports;
  size_t n_ports;
  json_t *cni_config; /* the network list ADD ran with (owned), or NULL */
  json_t *cni_result; /* ADD's result (owned), or NULL */
  char *ip;           /* the pod IP the network gave, or "" */
  bool network_ready; /* CNI ADD succeeded and no DEL ran since */
} ds_checkpoint_t;

ds_checkpoint_t *ds_checkpoint_new (void);
void ds_checkpoint_free (ds_checkpoint_t *cp);
void ds_checkpoint_freep (ds_checkpoint_t **cp);
#define cleanup_checkpoint __attribute__ ((cleanup (ds_checkpoint_freep)))

void ds_checkpoint_add_port (ds_checkpoint_t *cp, int protocol, int32_t container_port,
                             int32_t host_port, const char *host_ip);

/* Replaces a string field (`*field` is freed). */
void ds_checkpoint_set (char **field, const char *value);

/* The JSON document, {"version": "v1", "data": {...}} (NULL when a string
   is not UTF-8), and back; decoding fails with KL_ERROR_INVALID on anything
   malformed. */
json_t *ds_checkpoint_to_json (const ds_checkpoint_t *cp);
int ds_checkpoint_from_json (const json_t *doc, ds_checkpoint_t **out, kl_error_t *err);

/* <dir>/<id>, written atomically. `id` must be a plain file name. */
int ds_checkpoint_write (const char *dir, const char *id, const ds_checkpoint_t *cp,
                         kl_error_t *err);

/* KL_ERROR_NOT_FOUND when there is none, KL_ERROR_INVALID when corrupt. */
int ds_checkpoint_read (const char *dir, const char *id, ds_checkpoint_t **out, kl_error_t *err);

/* A missing checkpoint is not an error. */
int ds_checkpoint_remove (const char *dir, const char *id, kl_error_t *err);

/* The IDs of every checkpoint in `dir` (a missing dir has none). */
int ds_checkpoint_list (const char *dir, char ***ids, size_t *n, kl_error_t *err);

#ifdef __cplusplus
}
#endif

#endif
