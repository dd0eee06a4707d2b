/* Docker container names and labels for sandboxes and containers, as the Go dockershim wrote them.
 */
#ifndef DS_NAMING_H
#define DS_NAMING_H

#include <jansson.h>               /* json_t: the Labels object of a create body */
#include <protobuf-c/protobuf-c.h> /* ProtobufCMessage: CRI map entries */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pkg/kubelet/dockershim/libdocker/types.h"
#include "pkg/util/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Names: k8s_POD_<pod>_<namespace>_<uid>_<attempt> for a sandbox and
   k8s_<container>_<pod>_<namespace>_<uid>_<attempt> for a container. */
#define DS_KUBE_PREFIX "k8s"
#define DS_SANDBOX_CONTAINER_NAME "POD"

/* Labels the dockershim keeps for itself (not shown through CRI). */
#define DS_LABEL_CONTAINER_TYPE "io.kubernetes.docker.type"
#define DS_CONTAINER_TYPE_SANDBOX "podsandbox"
#define DS_CONTAINER_TYPE_CONTAINER "container"
#define DS_LABEL_LOG_PATH "io.kubernetes.container.logpath"
#define DS_LABEL_SANDBOX_ID "io.kubernetes.sandbox.id"
/* The sandbox's container name label, added for the summary API. */
#define DS_LABEL_CONTAINER_NAME "io.kubernetes.container.name"
/* CRI annotations live in Docker labels under this prefix. */
#define DS_ANNOTATION_PREFIX "annotation."

/* A string to string map entry of a protobuf-c message: every CRI
   map<string, string> entry type has this layout. */
typedef struct ds_pb_kv_s
{
  ProtobufCMessage base;
  char *key;
  char *value;
} ds_pb_kv_t;

/* Borrowed key/value pairs. */
typedef struct ds_kv_s
{
  const char *key;
  const char *value;
} ds_kv_t;

typedef struct ds_kv_list_s
{
  ds_kv_t *items; /* owned array of borrowed strings */
  size_t len;
} ds_kv_list_t;

void ds_kv_list_add (ds_kv_list_t *list, const char *key, const char *value);
void ds_kv_list_clear (ds_kv_list_t *list);

/* The names; every part must be non-empty and free of '_' except the
   pod UID's, which Kubernetes never gives one. */
char *ds_make_sandbox_name (const char *pod, const char *ns, const char *uid, uint32_t attempt);
char *ds_make_container_name (const char *container, const char *pod, const char *ns,
                              const char *uid, uint32_t attempt);

/* Parsed names; each string is owned. */
typedef struct ds_name_s
{
  char *container; /* "POD" for a sandbox */
  char *pod;
  char *ns;
  char *uid;
  uint32_t attempt;
} ds_name_t;

/* Parses a name with or without Docker's leading '/', tolerating a random
   suffix (a 7th part) as the Go dockershim did. KL_ERROR_INVALID if it is not
   one of ours. */
int ds_parse_name (const char *name, ds_name_t *out, kl_error_t *err);
void ds_name_clear (ds_name_t *name);

/* Docker labels for CRI `labels` and `annotations` (map entries, see
   ds_pb_kv_t): labels as they are, annotations with DS_ANNOTATION_PREFIX. */
json_t *ds_make_labels (ds_pb_kv_t *const *labels, size_t n_labels, ds_pb_kv_t *const *annotations,
                        size_t n_annotations);

/* Splits Docker labels back into CRI labels and annotations, leaving out
   the dockershim's own (and, for a sandbox, the container name label). */
void ds_split_labels (const docker_labels_t *docker, bool sandbox, ds_kv_list_t *labels,
                      ds_kv_list_t *annotations);

/* True if `key` is a label the dockershim sets for itself. */
bool ds_is_internal_label (const char *key);

#ifdef __cplusplus
}
#endif

#endif
