/* Fuzzes the dockershim's CRI handlers with arbitrary request bytes against
   a fake dockerd answering from memory: the first byte picks the method (as
   the server's method table maps gRPC paths), the second how the fake
   answers, the rest is the protobuf request, unpacked as the gRPC server
   unpacks it. A handler fails cleanly or returns a response that packs and
   unpacks again. */
#include <ftw.h>
#include <stdlib.h>
#include <string.h>

#include "pkg/kubelet/dockershim/libdocker/testing/memory_docker.h"
#include "pkg/kubelet/dockershim/service-internal.h"
#include "pkg/util/grpc/grpc.h"
#include "pkg/util/log.h"
#include "pkg/util/utils.h"
#include "test/fuzz/fuzz.h"

typedef int (*handler_fn) (ds_service_t *ds, const ProtobufCMessage *request,
                           ProtobufCMessage **response, kl_error_t *err);

/* Untyped adapters, as server.c's. */
#define ADAPTER(fn, Method, Service, Request, Response, desc)                                      \
  static int handle_##fn (ds_service_t *ds, const ProtobufCMessage *request,                       \
                          ProtobufCMessage **response, kl_error_t *err)                            \
  {                                                                                                \
    Runtime__V1__##Response *resp = NULL;                                                          \
    int ret = ds_##fn (ds, (const Runtime__V1__##Request *) request, &resp, err);                  \
    *response = resp ? &resp->base : NULL;                                                         \
    return ret;                                                                                    \
  }
KL_CRI_UNARY_METHODS (ADAPTER)
ADAPTER (exec_sync, ExecSync, RuntimeService, ExecSyncRequest, ExecSyncResponse, exec_sync_response)
ADAPTER (pull_image, PullImage, ImageService, PullImageRequest, PullImageResponse,
         pull_image_response)
#undef ADAPTER

static const struct method
{
  const char *path;
  const ProtobufCMessageDescriptor *request;
  const ProtobufCMessageDescriptor *response;
  handler_fn handle;
} methods[] = {
#define METHOD(fn, Method, Service, Request, Response, desc)                                       \
  { "/runtime.v1." #Service "/" #Method, &runtime__v1__##fn##_request__descriptor,                 \
    &runtime__v1__##desc##__descriptor, handle_##fn },
  KL_CRI_UNARY_METHODS (METHOD) METHOD (exec_sync, ExecSync, RuntimeService, ExecSyncRequest,
                                        ExecSyncResponse, exec_sync_response)
      METHOD (pull_image, PullImage, ImageService, PullImageRequest, PullImageResponse,
              pull_image_response)
#undef METHOD
};

static docker_memory_t fake;
static ds_service_t *service;
static char root[] = "/tmp/kl-cri-fuzz-XXXXXX";

static int
remove_entry (const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
  return remove (path);
}

static void
remove_root (void)
{
  ds_service_free (service);
  nftw (root, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* The service as ds_service_new builds it, its Docker client answered by
   `fake`, its state under a scratch root, the network Docker's bridge (no
   CNI plugin runs) and no streaming server. */
static ds_service_t *
new_service (void)
{
  kl_error_t err = NULL;
  if (mkdtemp (root) == NULL)
    abort ();
  ds_service_t *ds = xmalloc0 (sizeof *ds);
  ds_options_init (&ds->options);
  free (ds->options.root_dir);
  ds->options.root_dir = xstrdup (root);
  free (ds->options.docker_endpoint);
  ds->options.docker_endpoint = xstrdup ("unix:///nonexistent/kl-memory-docker.sock");
  pthread_mutex_init (&ds->lock, NULL);
  pthread_mutex_init (&ds->network_lock, NULL);
  ds->pod_cidr = xstrdup ("");
  ds->checkpoint_dir = xasprintf ("%s/sandbox", root);
  ds->network = DS_NETWORK_BRIDGE;
  ds->docker_root_dir = xstrdup ("/var/lib/docker");
  ds->cgroup_driver = xstrdup ("cgroupfs");
  cleanup_free char *log_state = xasprintf ("%s/logs", root);
  if (docker_memory_client (&fake, &ds->docker, &err) < 0
      || ds_log_manager_new (log_state, 100 * 1000000LL, &ds->logs, &err) < 0)
    {
      fprintf (stderr, "cri_fuzz: %s\n", kl_error_message (err));
      abort ();
    }
  return ds;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  if (service == NULL)
    {
      /* The handlers log every call: format the lines, keep them quiet. */
      kl_log_init (0, fopen ("/dev/null", "we"));
      service = new_service ();
      atexit (remove_root);
    }
  if (size < 2)
    return 0;
  const struct method *m = &methods[data[0] % KL_ARRAY_SIZE (methods)];
  fake.mode = (enum docker_memory_mode) (data[1] % DOCKER_MEMORY_N_MODES);

  ProtobufCMessage *request = protobuf_c_message_unpack (m->request, NULL, size - 2, data + 2);
  if (request == NULL)
    return 0; /* the gRPC server answers INVALID_ARGUMENT */
  kl_error_t err = NULL;
  if (kl_grpc_check_utf8 (request, &err) < 0)
    {
      /* So does it for strings that are not UTF-8; the regression input
         utf8-checkpoint-abort is one, which aborted RunPodSandbox before. */
      kl_error_release (&err);
      protobuf_c_message_free_unpacked (request, NULL);
      return 0;
    }
  ProtobufCMessage *response = NULL;
  int ret = m->handle (service, request, &response, &err);
  if (ret < 0)
    {
      KL_FUZZ_CHECK (err != NULL && response == NULL, "%s failed: error %p, response %p", m->path,
                     (void *) err, (void *) response);
      kl_error_release (&err);
    }
  else
    {
      KL_FUZZ_CHECK (err == NULL, "%s succeeded with an error: %s", m->path,
                     kl_error_message (err));
      KL_FUZZ_CHECK (response != NULL && response->descriptor == m->response,
                     "%s: no response or one of another type", m->path);
      KL_FUZZ_CHECK (protobuf_c_message_check (response), "%s: response fails its check", m->path);
      /* What the server sends: it must pack and unpack to a message again. */
      size_t len = protobuf_c_message_get_packed_size (response);
      cleanup_free uint8_t *packed = xmalloc (len ? len : 1);
      KL_FUZZ_CHECK (protobuf_c_message_pack (response, packed) == len, "%s: pack", m->path);
      ProtobufCMessage *back = protobuf_c_message_unpack (m->response, NULL, len, packed);
      KL_FUZZ_CHECK (back != NULL, "%s: the packed response does not unpack", m->path);
      protobuf_c_message_free_unpacked (back, NULL);
      protobuf_c_message_free_unpacked (response, NULL);
    }
  protobuf_c_message_free_unpacked (request, NULL);
  return 0;
}
