#include "pkg/kubelet/dockershim/libdocker/testing/fake_docker.h"

#include <errno.h>
#include <microhttpd.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <chrono>
#include <thread>

namespace fakedocker {

namespace {

struct ConnectionState
{
  Request request;
  Response response;
};

MHD_Result
collect_value (void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
  auto *map = static_cast<std::map<std::string, std::string> *> (cls);
  std::string k = key;
  if (kind == MHD_HEADER_KIND)
    for (auto &c : k)
      c = (char) tolower ((unsigned char) c);
  (*map)[k] = value ? value : "";
  return MHD_YES;
}

// MHD hands over a non-blocking socket: these wait for it.
void
send_all (int sock, const std::string &data)
{
  size_t off = 0;
  while (off < data.size ())
    {
      ssize_t n = send (sock, data.data () + off, data.size () - off, MSG_NOSIGNAL);
      if (n < 0 && (errno == EAGAIN || errno == EINTR))
        {
          struct pollfd p = { sock, POLLOUT, 0 };
          poll (&p, 1, 100);
          continue;
        }
      if (n <= 0)
        return;
      off += (size_t) n;
    }
}

// Receives what is there within 10 s: > 0 bytes, 0 at EOF, < 0 on error.
ssize_t
recv_wait (int sock, char *buf, size_t len)
{
  for (int i = 0; i < 1000; i++)
    {
      ssize_t n = recv (sock, buf, len, 0);
      if (n >= 0 || (errno != EAGAIN && errno != EINTR))
        return n;
      struct pollfd p = { sock, POLLIN, 0 };
      poll (&p, 1, 10);
    }
  return -1;
}

void
upgrade_handler (void *cls, struct MHD_Connection *, void *, const char *extra_in,
                 size_t extra_in_size, MHD_socket sock, struct MHD_UpgradeResponseHandle *urh)
{
  auto *state = static_cast<ConnectionState *> (cls);
  const Response &r = state->response;
  send_all (sock, r.stream);
  if (r.echo_stdin)
    {
      std::string pending (extra_in ? extra_in : "", extra_in_size);
      char buf[4096];
      for (;;)
        {
          if (!pending.empty ())
            send_all (sock, r.echo_raw ? pending : Frame (1, pending));
          pending.clear ();
          ssize_t n = recv_wait (sock, buf, sizeof buf);
          if (n <= 0)
            break;
          pending.assign (buf, (size_t) n);
        }
    }
  else if (r.hold_ms > 0)
    {
      // Until the client goes away or the time is up.
      auto end = std::chrono::steady_clock::now () + std::chrono::milliseconds (r.hold_ms);
      char buf[4096];
      while (std::chrono::steady_clock::now () < end)
        {
          struct pollfd p = { sock, POLLIN, 0 };
          if (poll (&p, 1, 20) <= 0)
            continue;
          ssize_t n = recv (sock, buf, sizeof buf, 0);
          if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
            break;
        }
    }
  // Close gracefully: end our side, then let the client read everything and
  // close first (closing with unread data would reset the connection).
  shutdown (sock, SHUT_WR);
  char drain[4096];
  for (int i = 0; i < 100; i++)
    {
      struct pollfd p = { sock, POLLIN, 0 };
      if (poll (&p, 1, 20) > 0 && recv (sock, drain, sizeof drain, 0) <= 0)
        break;
    }
  MHD_upgrade_action (urh, MHD_UPGRADE_ACTION_CLOSE);
}

MHD_Result
access_handler (void *cls, struct MHD_Connection *connection, const char *url, const char *method,
                const char *, const char *upload_data, size_t *upload_data_size, void **con_cls)
{
  auto *server = static_cast<Server *> (cls);
  if (*con_cls == nullptr)
    {
      auto *state = new ConnectionState;
      state->request.method = method;
      state->request.path = url;
      MHD_get_connection_values (connection, MHD_GET_ARGUMENT_KIND, collect_value,
                                 &state->request.query);
      MHD_get_connection_values (connection, MHD_HEADER_KIND, collect_value,
                                 &state->request.headers);
      *con_cls = state;
      return MHD_YES;
    }
  auto *state = static_cast<ConnectionState *> (*con_cls);
  if (*upload_data_size > 0)
    {
      state->request.body.append (upload_data, *upload_data_size);
      *upload_data_size = 0;
      return MHD_YES;
    }
  server->Record (state->request);
  state->response = server->Handle (state->request);
  const Response &r = state->response;
  if (r.delay_ms > 0)
    std::this_thread::sleep_for (std::chrono::milliseconds (r.delay_ms));
  struct MHD_Response *response;
  unsigned status = (unsigned) r.status;
  if (r.upgrade)
    {
      response = MHD_create_response_for_upgrade (upgrade_handler, state);
      MHD_add_response_header (response, MHD_HTTP_HEADER_UPGRADE, "tcp");
      MHD_add_response_header (response, MHD_HTTP_HEADER_CONTENT_TYPE,
                               "application/vnd.docker.raw-stream");
      status = MHD_HTTP_SWITCHING_PROTOCOLS;
    }
  else
    {
      response = MHD_create_response_from_buffer (r.body.size (), (void *) r.body.data (),
                                                  MHD_RESPMEM_MUST_COPY);
      if (!r.content_type.empty ())
        MHD_add_response_header (response, MHD_HTTP_HEADER_CONTENT_TYPE, r.content_type.c_str ());
    }
  MHD_add_response_header (response, "Api-Version", "1.41");
  MHD_add_response_header (response, "Ostype", "linux");
  for (const auto &h : r.headers)
    MHD_add_response_header (response, h.first.c_str (), h.second.c_str ());
  MHD_Result ret = MHD_queue_response (connection, status, response);
  MHD_destroy_response (response);
  return ret;
}

void
request_completed (void *, struct MHD_Connection *, void **con_cls, enum MHD_RequestTerminationCode)
{
  delete static_cast<ConnectionState *> (*con_cls);
  *con_cls = nullptr;
}

} // namespace

Response
VersionResponse (const std::string &api_version)
{
  Response r;
  r.body = "{\"Version\":\"20.10.24\",\"ApiVersion\":\"" + api_version
           + "\",\"MinAPIVersion\":\"1.12\",\"Os\":\"linux\",\"Arch\":\"amd64\","
             "\"KernelVersion\":\"6.1.0\"}";
  return r;
}

std::string
Frame (int stream, const std::string &payload)
{
  std::string f (8, '\0');
  f[0] = (char) stream;
  uint32_t n = (uint32_t) payload.size ();
  f[4] = (char) (n >> 24);
  f[5] = (char) (n >> 16);
  f[6] = (char) (n >> 8);
  f[7] = (char) n;
  return f + payload;
}

Server::Server (Handler handler) : handler_ (std::move (handler)) {}

Server::~Server () { Stop (); }

bool
Server::Start (std::string *error)
{
  char tmpl[] = "/tmp/fake_docker.XXXXXX";
  if (mkdtemp (tmpl) == nullptr)
    {
      *error = std::string ("mkdtemp: ") + strerror (errno);
      return false;
    }
  dir_ = tmpl;
  socket_path_ = dir_ + "/docker.sock";
  int fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  struct sockaddr_un addr = {};
  addr.sun_family = AF_UNIX;
  strncpy (addr.sun_path, socket_path_.c_str (), sizeof addr.sun_path - 1);
  if (fd < 0 || bind (fd, (struct sockaddr *) &addr, sizeof addr) < 0 || listen (fd, 64) < 0)
    {
      *error = std::string ("listening on ") + socket_path_ + ": " + strerror (errno);
      if (fd >= 0)
        close (fd);
      return false;
    }
  daemon_ = MHD_start_daemon (
      MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD | MHD_ALLOW_UPGRADE, 0,
      nullptr, nullptr, access_handler, this, MHD_OPTION_LISTEN_SOCKET, fd,
      MHD_OPTION_NOTIFY_COMPLETED, request_completed, nullptr, MHD_OPTION_END);
  if (daemon_ == nullptr)
    {
      close (fd);
      *error = "MHD_start_daemon failed";
      return false;
    }
  return true;
}

void
Server::Stop ()
{
  if (daemon_)
    {
      MHD_stop_daemon (daemon_); // closes the listening socket
      daemon_ = nullptr;
    }
  if (!dir_.empty ())
    {
      unlink (socket_path_.c_str ());
      rmdir (dir_.c_str ());
      dir_.clear ();
    }
}

Response
Server::Handle (const Request &request)
{
  return handler_ (request);
}

void
Server::Record (const Request &request)
{
  std::lock_guard<std::mutex> g (lock_);
  requests_.push_back (request);
}

std::vector<Request>
Server::requests ()
{
  std::lock_guard<std::mutex> g (lock_);
  return requests_;
}

int
Server::CountRequests (const std::string &suffix)
{
  std::lock_guard<std::mutex> g (lock_);
  int n = 0;
  for (const auto &r : requests_)
    if (r.path.size () >= suffix.size ()
        && r.path.compare (r.path.size () - suffix.size (), suffix.size (), suffix) == 0)
      n++;
  return n;
}

} // namespace fakedocker
