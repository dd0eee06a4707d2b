#include "pkg/util/grpc/grpc.h"

#include <string.h>

#include <grpc/byte_buffer.h>
#include <grpc/byte_buffer_reader.h>
#include <grpc/grpc.h>
#include <grpc/grpc_security.h>
#include <grpc/slice.h>
#include <grpc/support/time.h>

#include "pkg/util/grpc/grpc-internal.h"
#include "pkg/util/utils.h"

struct kl_grpc_client_s
{
  char *target;
  grpc_channel *channel; /* thread-safe; every call has its own queue */
};

int
kl_grpc_client_new (const char *target, kl_grpc_client_t **out, kl_error_t *err)
{
  if (target == NULL || strncmp (target, "unix:", 5) != 0 || target[5] == '\0')
    return kl_make_error_kind (err, KL_ERROR_INVALID, 0,
                               "invalid endpoint \"%s\": want unix:///path/to/socket",
                               target ? target : "");
  grpc_init ();
  grpc_arg args[] = {
    { .type = GRPC_ARG_INTEGER,
      .key = (char *) GRPC_ARG_MAX_RECEIVE_MESSAGE_LENGTH,
      .value.integer = KL_GRPC_MAX_MESSAGE_SIZE },
    { .type = GRPC_ARG_INTEGER,
      .key = (char *) GRPC_ARG_MAX_SEND_MESSAGE_LENGTH,
      .value.integer = KL_GRPC_MAX_MESSAGE_SIZE },
  };
  grpc_channel_args channel_args = { .num_args = KL_ARRAY_SIZE (args), .args = args };
  grpc_channel_credentials *creds = grpc_insecure_credentials_create ();
  grpc_channel *channel = grpc_channel_create (target, creds, &channel_args);
  grpc_channel_credentials_release (creds);

  kl_grpc_client_t *client = xmalloc0 (sizeof *client);
  client->target = xstrdup (target);
  client->channel = channel;
  *out = client;
  return 0;
}

void
kl_grpc_client_free (kl_grpc_client_t *client)
{
  if (client == NULL)
    return;
  grpc_channel_destroy (client->channel);
  free (client->target);
  free (client);
  grpc_shutdown ();
}

const char *
kl_grpc_client_target (const kl_grpc_client_t *client)
{
  return client->target;
}

int
kl_grpc_unary_call (kl_grpc_client_t *client, const char *method, const ProtobufCMessage *request,
                    const ProtobufCMessageDescriptor *response_desc, int64_t timeout_ns,
                    ProtobufCMessage **response, kl_error_t *err)
{
  grpc_byte_buffer *send_buffer = kl_grpc_pack (request);
  grpc_completion_queue *cq = grpc_completion_queue_create_for_pluck (NULL);
  gpr_timespec deadline = gpr_time_add (gpr_now (GPR_CLOCK_MONOTONIC),
                                        gpr_time_from_nanos (timeout_ns, GPR_TIMESPAN));
  grpc_slice method_slice = grpc_slice_from_copied_string (method);
  grpc_call *call = grpc_channel_create_call (client->channel, NULL, GRPC_PROPAGATE_DEFAULTS, cq,
                                              method_slice, NULL, deadline, NULL);
  grpc_slice_unref (method_slice);

  grpc_metadata_array initial_md, trailing_md;
  grpc_metadata_array_init (&initial_md);
  grpc_metadata_array_init (&trailing_md);
  grpc_byte_buffer *recv_buffer = NULL;
  grpc_status_code status = GRPC_STATUS_UNKNOWN;
  grpc_slice details = grpc_empty_slice ();

  grpc_op ops[6];
  memset (ops, 0, sizeof ops);
  ops[0].op = GRPC_OP_SEND_INITIAL_METADATA;
  ops[1].op = GRPC_OP_SEND_MESSAGE;
  ops[1].data.send_message.send_message = send_buffer;
  ops[2].op = GRPC_OP_SEND_CLOSE_FROM_CLIENT;
  ops[3].op = GRPC_OP_RECV_INITIAL_METADATA;
  ops[3].data.recv_initial_metadata.recv_initial_metadata = &initial_md;
  ops[4].op = GRPC_OP_RECV_MESSAGE;
  ops[4].data.recv_message.recv_message = &recv_buffer;
  ops[5].op = GRPC_OP_RECV_STATUS_ON_CLIENT;
  ops[5].data.recv_status_on_client.status = &status;
  ops[5].data.recv_status_on_client.status_details = &details;
  ops[5].data.recv_status_on_client.trailing_metadata = &trailing_md;

  int ret = 0;
  grpc_call_error call_err = grpc_call_start_batch (call, ops, KL_ARRAY_SIZE (ops), call, NULL);
  if (call_err != GRPC_CALL_OK)
    ret = kl_make_error_kind (err, KL_ERROR_GENERIC, KL_GRPC_INTERNAL,
                              "%s: grpc_call_start_batch failed (%d)", method, (int) call_err);
  else
    {
      grpc_event ev
          = grpc_completion_queue_pluck (cq, call, gpr_inf_future (GPR_CLOCK_REALTIME), NULL);
      if (ev.type != GRPC_OP_COMPLETE)
        ret = kl_make_error_kind (err, KL_ERROR_GENERIC, KL_GRPC_INTERNAL,
                                  "%s: completion queue failed", method);
      else if (status != GRPC_STATUS_OK)
        {
          cleanup_free char *desc = grpc_slice_to_c_string (details);
          ret = kl_make_error_kind (err, kl_grpc_error_kind_from_status (status), status,
                                    "%s: rpc error: code = %s desc = %s", method,
                                    kl_grpc_status_name (status), desc);
        }
      else if (recv_buffer == NULL)
        ret = kl_make_error_kind (err, KL_ERROR_GENERIC, KL_GRPC_INTERNAL,
                                  "%s: no response message", method);
      else
        {
          ret = kl_grpc_unpack (recv_buffer, response_desc, response, err);
          if (ret < 0)
            kl_error_wrap (err, "%s: response", method);
        }
    }

  grpc_slice_unref (details);
  grpc_metadata_array_destroy (&initial_md);
  grpc_metadata_array_destroy (&trailing_md);
  if (recv_buffer)
    grpc_byte_buffer_destroy (recv_buffer);
  grpc_byte_buffer_destroy (send_buffer);
  grpc_call_unref (call);
  grpc_completion_queue_shutdown (cq);
  while (grpc_completion_queue_pluck (cq, NULL, gpr_inf_future (GPR_CLOCK_REALTIME), NULL).type
         != GRPC_QUEUE_SHUTDOWN)
    ;
  grpc_completion_queue_destroy (cq);
  return ret;
}
