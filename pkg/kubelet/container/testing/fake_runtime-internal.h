/* The fake CRI runtime's state, shared by its files: fake_runtime.c (the CRI
   methods), fake_runtime_state.c (the table and the response builders) and
   fake_runtime_hooks.c (what tests script and inspect). */
#ifndef KL_KUBELET_CONTAINER_TESTING_FAKE_RUNTIME_INTERNAL_H
#define KL_KUBELET_CONTAINER_TESTING_FAKE_RUNTIME_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "pkg/kubelet/container/testing/fake_runtime.h"
#include "pkg/util/grpc/grpc.h"
#include "pkg/util/utils.h"

#define DEFAULT_STOP_EXIT_CODE 137
#define DEFAULT_STOP_REASON "Error"

/* protobuf-c generates one entry type per map field, all laid out alike. */
typedef struct
{
  ProtobufCMessage base;
  char *key;
  char *value;
} map_entry_t;

struct sandbox_s
{
  char *id;
  Runtime__V1__PodSandboxConfig *config; /* a deep copy, metadata set */
  char *runtime_handler;
  Runtime__V1__PodSandboxState state;
  int64_t created_at;
  char *ip; /* "" on the host network and once stopped */
};

struct container_s
{
  char *id;
  char *sandbox_id;
  Runtime__V1__ContainerConfig *config; /* a deep copy, metadata and image set */
  char *image_ref;
  char *log_path;
  Runtime__V1__ContainerState state;
  int64_t created_at, started_at, finished_at;
  int32_t exit_code;
  int64_t stop_timeout; /* of the last StopContainer, -1 if none */
  char *reason;
  char *message;
};

struct image_s
{
  char *name;
  char *id;
};

struct pull_error_s
{
  char *image;
  enum kl_error_kind kind;
  char *message;
};

struct exec_result_s
{
  char *command;
  int exit_code;
  char *out;
  char *err_out;
};

struct stop_result_s
{
  char *name; /* NULL: the default */
  int exit_code;
  char *reason;
};

struct pending_failure_s
{
  char *method;
  enum kl_error_kind kind;
};

struct fake_runtime_s
{
  struct kl_runtime_ops_s ops;

  pthread_mutex_t lock; /* guards every field below */
  fake_runtime_clock_fn now;
  void *clock_ctx;
  int64_t last_created; /* created_at strictly increases */
  bool down;
  bool reverse_lists;
  uint64_t sandbox_seq, container_seq;

  struct sandbox_s **sandboxes; /* creation order */
  size_t n_sandboxes;
  struct container_s **containers; /* creation order */
  size_t n_containers;
  struct image_s *images;
  size_t n_images;
  struct pull_error_s *pull_errors;
  size_t n_pull_errors;
  struct exec_result_s *exec_results;
  size_t n_exec_results;
  struct stop_result_s *stop_results;
  size_t n_stop_results;
  struct pending_failure_s *failures;
  size_t n_failures;
  char **calls;
  size_t n_calls;
};

#define APPEND(array, n, item)                                                                     \
  do                                                                                               \
    {                                                                                              \
      (array) = xrealloc ((array), ((n) + 1) * sizeof *(array));                                   \
      (array)[(n)++] = (item);                                                                     \
    }                                                                                              \
  while (0)

/* An error of `kind` with the gRPC status a real runtime would answer. */
#define fake_error(err, kind, ...)                                                                 \
  kl_make_error_kind ((err), (kind), fake_grpc_status_for (kind), __VA_ARGS__)

/* ---- strings, messages, maps ---- */

char *fake_dup_str (const char *s);
bool fake_str_eq (const char *a, const char *b);

/* A deep copy that protobuf_c_message_free_unpacked () frees. */
void *fake_pb_dup (const ProtobufCMessage *m);
void fake_pb_free (void *m);

/* A malloc'd copy of map entries as entries of type `desc`. */
void *fake_map_copy (void *const *src, size_t n, const ProtobufCMessageDescriptor *desc);

/* Every selector entry has its value among the labels. */
bool fake_labels_match (void *const *labels, size_t n_labels, void *const *selector,
                        size_t n_selector);

/* The gRPC status a real runtime answers for an error of `kind`. */
int fake_grpc_status_for (enum kl_error_kind kind);

/* ---- the table (callers hold f->lock) ---- */

int64_t fake_clock_now (fake_runtime_t *f);

/* A creation time later than every one before it. */
int64_t fake_creation_stamp (fake_runtime_t *f);

/* 64 hex digits whose first twelve (what logs show) tell them apart. */
char *fake_new_id (const char *tag, uint64_t seq);

struct sandbox_s *fake_find_sandbox (fake_runtime_t *f, const char *id, size_t *index);
struct container_s *fake_find_container (fake_runtime_t *f, const char *id, size_t *index);
struct image_s *fake_find_image (fake_runtime_t *f, const char *name_or_id);
struct image_s *fake_add_image_locked (fake_runtime_t *f, const char *name);
void fake_sandbox_free (struct sandbox_s *s);
void fake_container_free (struct container_s *c);
void fake_remove_container_at (fake_runtime_t *f, size_t i);

/* The container exits now; reason NULL: "Completed" or "Error". */
void fake_set_exited (fake_runtime_t *f, struct container_s *c, int exit_code, const char *reason);

/* Stops a running container as StopContainer does (the scripted exit). */
void fake_stop_container_locked (fake_runtime_t *f, struct container_s *c);

bool fake_host_network (const Runtime__V1__PodSandboxConfig *config);

/* Logs the call and decides whether it fails before doing anything. */
int fake_begin_call (fake_runtime_t *f, const char *method, kl_error_t *err);

/* ---- responses, every part malloc'd ---- */

Runtime__V1__PodSandbox *fake_build_sandbox_item (const struct sandbox_s *s);
Runtime__V1__PodSandboxStatus *fake_build_sandbox_status (const struct sandbox_s *s);
Runtime__V1__Container *fake_build_container_item (const struct container_s *c);
Runtime__V1__ContainerStatus *fake_build_container_status (const struct container_s *c);

#endif
