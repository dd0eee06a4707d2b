#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <grpc/grpc.h>
#include <grpc/grpc_security.h>
#include <grpc/slice.h>
#include <grpc/support/time.h>

#include "pkg/util/grpc/grpc-internal.h"
#include "pkg/util/grpc/grpc.h"
#include "pkg/util/log.h"
#include "pkg/util/utils.h"

/* One call moves NEW (waiting for a client) -> RECV (reading the request)
   -> SEND (handler done, reply on the wire) and is freed when SEND completes.
   The dispatcher thread owns every call except while a worker thread runs its
   handler between RECV and SEND. */
enum call_stage
{
  CALL_NEW,
  CALL_RECV,
  CALL_SEND,
};

struct call_s
{
  kl_grpc_server_t *server;
  enum call_stage stage;
  grpc_call *call;
  grpc_call_details details;
  grpc_metadata_array request_metadata;
  grpc_byte_buffer *request;
  grpc_byte_buffer *response;
  grpc_slice status_details;
  int cancelled;
  const kl_grpc_method_t *method;
};

struct kl_grpc_server_s
{
  grpc_server *server;
  grpc_completion_queue *cq;
  const kl_grpc_method_t *methods;
  size_t n_methods;
  void *ctx;
  char *socket_path;
  pthread_t dispatcher;
  int shutdown_tag; /* its address tags the shutdown notification */

  pthread_mutex_t lock; /* guards the fields below */
  pthread_cond_t cond;
  size_t outstanding; /* calls allocated and not yet freed */
  int stopping;
  int shutdown_done;
};

static void
call_free (struct call_s *c)
{
  kl_grpc_server_t *s = c->server;
  if (c->call)
    grpc_call_unref (c->call);
  grpc_call_details_destroy (&c->details);
  grpc_metadata_array_destroy (&c->request_metadata);
  if (c->request)
    grpc_byte_buffer_destroy (c->request);
  if (c->response)
    grpc_byte_buffer_destroy (c->response);
  grpc_slice_unref (c->status_details);
  free (c);

  pthread_mutex_lock (&s->lock);
  s->outstanding--;
  pthread_cond_broadcast (&s->cond);
  pthread_mutex_unlock (&s->lock);
}

static void
request_new_call (kl_grpc_server_t *s)
{
  pthread_mutex_lock (&s->lock);
  if (s->stopping)
    {
      pthread_mutex_unlock (&s->lock);
      return;
    }
  s->outstanding++;
  pthread_mutex_unlock (&s->lock);

  struct call_s *c = xmalloc0 (sizeof *c);
  c->server = s;
  c->stage = CALL_NEW;
  c->status_details = grpc_empty_slice ();
  grpc_call_details_init (&c->details);
  grpc_metadata_array_init (&c->request_metadata);
  if (grpc_server_request_call (s->server, &c->call, &c->details, &c->request_metadata, s->cq,
                                s->cq, c)
      != GRPC_CALL_OK)
    {
      KL_LOG_ERROR ("grpc_server_request_call failed");
      call_free (c);
    }
}

/* Sends the reply (message if any, then status); the dispatcher frees the
   call when the batch completes. `c` must not be touched afterwards. */
static void
send_reply (struct call_s *c, int status, const char *message)
{
  grpc_op ops[4];
  size_t n = 0;
  memset (ops, 0, sizeof ops);
  ops[n++].op = GRPC_OP_SEND_INITIAL_METADATA;
  if (status == KL_GRPC_OK && c->response)
    {
      ops[n].op = GRPC_OP_SEND_MESSAGE;
      ops[n++].data.send_message.send_message = c->response;
    }
  c->status_details = grpc_slice_from_copied_string (message ? message : "");
  ops[n].op = GRPC_OP_SEND_STATUS_FROM_SERVER;
  ops[n].data.send_status_from_server.status = (grpc_status_code) status;
  ops[n++].data.send_status_from_server.status_details = &c->status_details;
  ops[n].op = GRPC_OP_RECV_CLOSE_ON_SERVER;
  ops[n++].data.recv_close_on_server.cancelled = &c->cancelled;
  c->stage = CALL_SEND;
  if (grpc_call_start_batch (c->call, ops, n, c, NULL) != GRPC_CALL_OK)
    {
      KL_LOG_ERROR ("grpc reply batch failed");
      call_free (c);
    }
}

static void *
handle_call (void *arg)
{
  struct call_s *c = arg;
  kl_grpc_server_t *s = c->server;
  cleanup_error kl_error_t err = NULL;
  ProtobufCMessage *request = NULL;
  ProtobufCMessage *response = NULL;

  int ret = kl_grpc_unpack (c->request, c->method->request_desc, &request, &err);
  if (ret == 0)
    ret = c->method->handler (s->ctx, request, &response, &err);
  if (ret == 0 && response == NULL)
    ret = kl_make_error_kind (&err, KL_ERROR_GENERIC, KL_GRPC_INTERNAL,
                              "handler returned no response");
  if (request)
    protobuf_c_message_free_unpacked (request, NULL);

  if (ret < 0)
    {
      KL_LOG_V (4, "%s: %s", c->method->path, kl_error_message (err));
      send_reply (c, kl_grpc_status_from_error (err), kl_error_message (err));
      return NULL;
    }
  c->response = kl_grpc_pack (response);
  protobuf_c_message_free_unpacked (response, NULL);
  send_reply (c, KL_GRPC_OK, NULL);
  return NULL;
}

static const kl_grpc_method_t *
find_method (kl_grpc_server_t *s, grpc_slice path)
{
  for (size_t i = 0; i < s->n_methods; i++)
    if (grpc_slice_str_cmp (path, s->methods[i].path) == 0)
      return &s->methods[i];
  return NULL;
}

static void
on_event (kl_grpc_server_t *s, struct call_s *c, int success)
{
  switch (c->stage)
    {
    case CALL_NEW:
      if (!success)
        {
          call_free (c);
          return;
        }
      request_new_call (s);
      c->method = find_method (s, c->details.method);
      if (c->method == NULL)
        {
          cleanup_free char *path = grpc_slice_to_c_string (c->details.method);
          cleanup_free char *msg = xasprintf ("unknown method %s", path);
          send_reply (c, KL_GRPC_UNIMPLEMENTED, msg);
          return;
        }
      {
        grpc_op op;
        memset (&op, 0, sizeof op);
        op.op = GRPC_OP_RECV_MESSAGE;
        op.data.recv_message.recv_message = &c->request;
        c->stage = CALL_RECV;
        if (grpc_call_start_batch (c->call, &op, 1, c, NULL) != GRPC_CALL_OK)
          call_free (c);
      }
      return;

    case CALL_RECV:
      if (!success || c->request == NULL)
        {
          send_reply (c, KL_GRPC_INVALID_ARGUMENT, "no request message");
          return;
        }
      {
        pthread_t worker;
        pthread_attr_t attr;
        pthread_attr_init (&attr);
        pthread_attr_setdetachstate (&attr, PTHREAD_CREATE_DETACHED);
        if (pthread_create (&worker, &attr, handle_call, c) != 0)
          send_reply (c, KL_GRPC_UNAVAILABLE, "cannot start a handler thread");
        pthread_attr_destroy (&attr);
      }
      return;

    case CALL_SEND:
      call_free (c);
      return;
    }
}

static void *
dispatch (void *arg)
{
  kl_grpc_server_t *s = arg;
  for (;;)
    {
      grpc_event ev = grpc_completion_queue_next (s->cq, gpr_inf_future (GPR_CLOCK_REALTIME), NULL);
      if (ev.type == GRPC_QUEUE_SHUTDOWN)
        return NULL;
      if (ev.type != GRPC_OP_COMPLETE)
        continue;
      if (ev.tag == &s->shutdown_tag)
        {
          pthread_mutex_lock (&s->lock);
          s->shutdown_done = 1;
          pthread_cond_broadcast (&s->cond);
          pthread_mutex_unlock (&s->lock);
          continue;
        }
      on_event (s, ev.tag, ev.success);
    }
}

static const char *
unix_socket_path (const char *address)
{
  if (strncmp (address, "unix://", 7) == 0)
    return address + 7;
  if (strncmp (address, "unix:", 5) == 0)
    return address + 5;
  return NULL;
}

int
kl_grpc_server_start (const char *address, const kl_grpc_method_t *methods, size_t n, void *ctx,
                      kl_grpc_server_t **out, kl_error_t *err)
{
  const char *path = unix_socket_path (address);
  if (path == NULL || path[0] != '/')
    return kl_make_error_kind (err, KL_ERROR_INVALID, 0,
                               "invalid listen address \"%s\": want unix:///path/to/socket",
                               address);
  struct stat st;
  if (lstat (path, &st) == 0)
    {
      if (!S_ISSOCK (st.st_mode))
        return kl_make_error_kind (err, KL_ERROR_ALREADY_EXISTS, 0, "%s exists and is not a socket",
                                   path);
      if (unlink (path) < 0)
        return kl_make_error (err, errno, "remove stale socket %s", path);
    }

  grpc_init ();
  kl_grpc_server_t *s = xmalloc0 (sizeof *s);
  s->methods = methods;
  s->n_methods = n;
  s->ctx = ctx;
  s->socket_path = xstrdup (path);
  pthread_mutex_init (&s->lock, NULL);
  pthread_cond_init (&s->cond, NULL);

  grpc_arg args[] = {
    { .type = GRPC_ARG_INTEGER,
      .key = (char *) GRPC_ARG_MAX_RECEIVE_MESSAGE_LENGTH,
      .value.integer = KL_GRPC_MAX_MESSAGE_SIZE },
    { .type = GRPC_ARG_INTEGER,
      .key = (char *) GRPC_ARG_MAX_SEND_MESSAGE_LENGTH,
      .value.integer = KL_GRPC_MAX_MESSAGE_SIZE },
  };
  grpc_channel_args server_args = { .num_args = KL_ARRAY_SIZE (args), .args = args };
  s->server = grpc_server_create (&server_args, NULL);
  s->cq = grpc_completion_queue_create_for_next (NULL);
  grpc_server_register_completion_queue (s->server, s->cq, NULL);
  grpc_server_credentials *creds = grpc_insecure_server_credentials_create ();
  int port = grpc_server_add_http2_port (s->server, address, creds);
  grpc_server_credentials_release (creds);
  if (port == 0)
    {
      grpc_server_destroy (s->server);
      grpc_completion_queue_shutdown (s->cq);
      grpc_completion_queue_destroy (s->cq);
      pthread_mutex_destroy (&s->lock);
      pthread_cond_destroy (&s->cond);
      free (s->socket_path);
      free (s);
      grpc_shutdown ();
      return kl_make_error_kind (err, KL_ERROR_UNAVAILABLE, 0, "cannot listen on %s", address);
    }
  /* Only root and the socket's group may talk to a runtime. */
  if (chmod (path, 0660) < 0)
    KL_LOG_WARN ("chmod 0660 %s: %s", path, strerror (errno));
  grpc_server_start (s->server);
  request_new_call (s);
  if (pthread_create (&s->dispatcher, NULL, dispatch, s) != 0)
    kl_oom ();
  *out = s;
  return 0;
}

void
kl_grpc_server_stop (kl_grpc_server_t *s)
{
  if (s == NULL)
    return;
  pthread_mutex_lock (&s->lock);
  s->stopping = 1;
  pthread_mutex_unlock (&s->lock);

  grpc_server_shutdown_and_notify (s->server, s->cq, &s->shutdown_tag);
  grpc_server_cancel_all_calls (s->server);

  pthread_mutex_lock (&s->lock);
  while (!s->shutdown_done || s->outstanding > 0)
    pthread_cond_wait (&s->cond, &s->lock);
  pthread_mutex_unlock (&s->lock);

  grpc_completion_queue_shutdown (s->cq);
  pthread_join (s->dispatcher, NULL);
  grpc_server_destroy (s->server);
  grpc_completion_queue_destroy (s->cq);
  unlink (s->socket_path);
  free (s->socket_path);
  pthread_mutex_destroy (&s->lock);
  pthread_cond_destroy (&s->cond);
  free (s);
  grpc_shutdown ();
}
