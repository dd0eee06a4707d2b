/* Unary gRPC over grpc core's C API with protobuf-c messages: one generic
   client call and a generic server dispatching a method table. */
#ifndef KL_UTIL_GRPC_H
#define KL_UTIL_GRPC_H

#include <stddef.h>
#include <stdint.h>

#include <protobuf-c/protobuf-c.h>

#include "pkg/util/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* gRPC status codes we produce or branch on (grpc/status.h values). */
enum
{
  KL_GRPC_OK = 0,
  KL_GRPC_CANCELLED = 1,
  KL_GRPC_UNKNOWN = 2,
  KL_GRPC_INVALID_ARGUMENT = 3,
  KL_GRPC_DEADLINE_EXCEEDED = 4,
  KL_GRPC_NOT_FOUND = 5,
  KL_GRPC_ALREADY_EXISTS = 6,
  KL_GRPC_UNIMPLEMENTED = 12,
  KL_GRPC_INTERNAL = 13,
  KL_GRPC_UNAVAILABLE = 14,
};

/* Largest message either side accepts (the kubelet's 16 MiB). */
#define KL_GRPC_MAX_MESSAGE_SIZE (16 * 1024 * 1024)

/* ---- client ---- */

typedef struct kl_grpc_client_s kl_grpc_client_t;

/* Opens a channel to `target` ("unix:///path" or "unix:/path"); connecting is
   lazy, so this fails only on a malformed target. */
int kl_grpc_client_new (const char *target, kl_grpc_client_t **out, kl_error_t *err);

void kl_grpc_client_free (kl_grpc_client_t *client);

const char *kl_grpc_client_target (const kl_grpc_client_t *client);

/* Calls `method` ("/pkg.Service/Method") with `request` and waits at most
   timeout_ns for the reply, unpacked as `response_desc` into *response (free
   with protobuf_c_message_free_unpacked). A non-OK status becomes an error
   whose `status` is the gRPC code and whose message reads like Go's
   "rpc error: code = NotFound desc = ...". Safe from any thread. */
int kl_grpc_unary_call (kl_grpc_client_t *client, const char *method,
                        const ProtobufCMessage *request,
                        const ProtobufCMessageDescriptor *response_desc, int64_t timeout_ns,
                        ProtobufCMessage **response, kl_error_t *err);

/* ---- server ---- */

/* Handles one request. On success *response is a message the server packs and
   then frees with protobuf_c_message_free_unpacked (so build it from malloc'd
   parts). On failure the error's kind picks the gRPC status. */
typedef int (*kl_grpc_handler_fn) (void *ctx, const ProtobufCMessage *request,
                                   ProtobufCMessage **response, kl_error_t *err);

struct kl_grpc_method_s
{
  const char *path; /* "/runtime.v1.RuntimeService/Version" */
  const ProtobufCMessageDescriptor *request_desc;
  kl_grpc_handler_fn handler;
};
typedef struct kl_grpc_method_s kl_grpc_method_t;

typedef struct kl_grpc_server_s kl_grpc_server_t;

/* Listens on `address` ("unix:///path") and serves `methods` (n entries, kept
   by reference) on background threads, each handler called with `ctx`.
   Unknown methods answer UNIMPLEMENTED. */
int kl_grpc_server_start (const char *address, const kl_grpc_method_t *methods, size_t n, void *ctx,
                          kl_grpc_server_t **out, kl_error_t *err);

/* Stops accepting calls, cancels those in flight, waits for every handler to
   return and frees the server. */
void kl_grpc_server_stop (kl_grpc_server_t *server);

/* The gRPC status a failed call maps to, and the error kind a status maps to. */
int kl_grpc_status_from_error (kl_error_t err);
enum kl_error_kind kl_grpc_error_kind_from_status (int status);

/* Go's name of a status code ("NotFound"). */
const char *kl_grpc_status_name (int status);

/* Fails (KL_ERROR_INVALID, status KL_GRPC_INVALID_ARGUMENT) when a string
   field of `message`, at any depth, is not valid UTF-8: proto3 strings must
   be, and Go's gRPC refuses such a request as malformed. The server checks
   every request it unpacks. */
int kl_grpc_check_utf8 (const ProtobufCMessage *message, kl_error_t *err);

/* Frees a protobuf-c message pointed to by p (for cleanup attributes). */
void kl_pb_message_freep (void *p);
#define cleanup_pb __attribute__ ((cleanup (kl_pb_message_freep)))

#ifdef __cplusplus
}
#endif

#endif
