/* Message <-> byte buffer conversion shared by the client and the server. */
#ifndef KL_UTIL_GRPC_INTERNAL_H
#define KL_UTIL_GRPC_INTERNAL_H

#include <grpc/byte_buffer.h>
#include <protobuf-c/protobuf-c.h>

#include "pkg/util/error.h"

/* Serializes `message` into a new byte buffer. */
grpc_byte_buffer *kl_grpc_pack (const ProtobufCMessage *message);

/* Parses `buffer` as `desc`; a malformed or oversized message is an
   INVALID error. */
int kl_grpc_unpack (grpc_byte_buffer *buffer, const ProtobufCMessageDescriptor *desc,
                    ProtobufCMessage **out, kl_error_t *err);

#endif
