#include "pkg/util/grpc/grpc.h"

const char *
kl_grpc_status_name (int status)
{
  static const char *const names[] = {
    "OK",       "Canceled",        "Unknown",          "InvalidArgument",   "DeadlineExceeded",
    "NotFound", "AlreadyExists",   "PermissionDenied", "ResourceExhausted", "FailedPrecondition",
    "Aborted",  "OutOfRange",      "Unimplemented",    "Internal",          "Unavailable",
    "DataLoss", "Unauthenticated",
  };
  if (status < 0 || status >= (int) (sizeof names / sizeof names[0]))
    return "Unknown";
  return names[status];
}

int
kl_grpc_status_from_error (kl_error_t err)
{
  if (err == NULL)
    return KL_GRPC_UNKNOWN;
  switch (err->kind)
    {
    case KL_ERROR_NOT_FOUND:
      return KL_GRPC_NOT_FOUND;
    case KL_ERROR_INVALID:
      return KL_GRPC_INVALID_ARGUMENT;
    case KL_ERROR_UNAVAILABLE:
      return KL_GRPC_UNAVAILABLE;
    case KL_ERROR_TIMEOUT:
      return KL_GRPC_DEADLINE_EXCEEDED;
    case KL_ERROR_ALREADY_EXISTS:
      return KL_GRPC_ALREADY_EXISTS;
    case KL_ERROR_UNIMPLEMENTED:
      return KL_GRPC_UNIMPLEMENTED;
    case KL_ERROR_GENERIC:
    default:
      return KL_GRPC_UNKNOWN;
    }
}

enum kl_error_kind
kl_grpc_error_kind_from_status (int status)
{
  switch (status)
    {
    case KL_GRPC_NOT_FOUND:
      return KL_ERROR_NOT_FOUND;
    case KL_GRPC_INVALID_ARGUMENT:
      return KL_ERROR_INVALID;
    case KL_GRPC_UNAVAILABLE:
      return KL_ERROR_UNAVAILABLE;
    case KL_GRPC_DEADLINE_EXCEEDED:
      return KL_ERROR_TIMEOUT;
    case KL_GRPC_ALREADY_EXISTS:
      return KL_ERROR_ALREADY_EXISTS;
    case KL_GRPC_UNIMPLEMENTED:
      return KL_ERROR_UNIMPLEMENTED;
    default:
      return KL_ERROR_GENERIC;
    }
}

void
kl_pb_message_freep (void *p)
{
  ProtobufCMessage **m = (ProtobufCMessage **) p;
  if (*m)
    protobuf_c_message_free_unpacked (*m, NULL);
}
