#include <grpc/byte_buffer_reader.h>
#include <grpc/slice.h>

#include "pkg/util/grpc/grpc-internal.h"
#include "pkg/util/grpc/grpc.h"
#include "pkg/util/utils.h"

grpc_byte_buffer *
kl_grpc_pack (const ProtobufCMessage *message)
{
  size_t len = protobuf_c_message_get_packed_size (message);
  grpc_slice slice = grpc_slice_malloc (len);
  protobuf_c_message_pack (message, GRPC_SLICE_START_PTR (slice));
  grpc_byte_buffer *buffer = grpc_raw_byte_buffer_create (&slice, 1);
  grpc_slice_unref (slice);
  return buffer;
}

int
kl_grpc_unpack (grpc_byte_buffer *buffer, const ProtobufCMessageDescriptor *desc,
                ProtobufCMessage **out, kl_error_t *err)
{
  grpc_byte_buffer_reader reader;
  if (!grpc_byte_buffer_reader_init (&reader, buffer))
    return kl_make_error_kind (err, KL_ERROR_INVALID, 0, "cannot read %s message", desc->name);
  grpc_slice slice = grpc_byte_buffer_reader_readall (&reader);
  grpc_byte_buffer_reader_destroy (&reader);
  size_t len = GRPC_SLICE_LENGTH (slice);
  ProtobufCMessage *message = NULL;
  if (len <= KL_GRPC_MAX_MESSAGE_SIZE)
    message = protobuf_c_message_unpack (desc, NULL, len, GRPC_SLICE_START_PTR (slice));
  grpc_slice_unref (slice);
  if (message == NULL)
    return kl_make_error_kind (err, KL_ERROR_INVALID, 0, "malformed %s message (%zu bytes)",
                               desc->name, len);
  int ret = kl_grpc_check_utf8 (message, err);
  if (ret < 0)
    {
      protobuf_c_message_free_unpacked (message, NULL);
      return ret;
    }
  *out = message;
  return 0;
}
