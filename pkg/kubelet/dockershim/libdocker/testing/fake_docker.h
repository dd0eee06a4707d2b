// A fake dockerd for tests: libmicrohttpd on a unix socket, answering each
// request with what the test's handler returns, hijacked streams included.
#ifndef DOCKER_TESTING_FAKE_DOCKER_H
#define DOCKER_TESTING_FAKE_DOCKER_H

#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

struct MHD_Daemon;

namespace fakedocker {

struct Request
{
  std::string method;
  std::string path;                           // "/v1.41/containers/json", no query
  std::map<std::string, std::string> query;   // decoded
  std::map<std::string, std::string> headers; // names lower-cased
  std::string body;
};

struct Response
{
  int status = 200;
  std::string body;
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;
  int delay_ms = 0; // before answering

  // Hijack: answer 101 (Upgrade: tcp), write `stream` raw, then echo what
  // the client sends (as stdout frames, or raw when echo_raw) until it shuts
  // its side down, or hold the connection `hold_ms` before closing it.
  bool upgrade = false;
  std::string stream;
  bool echo_stdin = false;
  bool echo_raw = false;
  int hold_ms = 0;
};

using Handler = std::function<Response (const Request &)>;

// dockerd's answer to GET /version with `api_version`.
Response VersionResponse (const std::string &api_version);

// One frame of dockerd's multiplexed stream.
std::string Frame (int stream, const std::string &payload);

class Server
{
public:
  explicit Server (Handler handler);
  ~Server ();
  Server (const Server &) = delete;
  Server &operator= (const Server &) = delete;

  // Listens on a fresh socket under /tmp; false with *error on failure.
  bool Start (std::string *error);
  void Stop ();

  std::string
  endpoint () const
  {
    return "unix://" + socket_path_;
  }
  std::string
  socket_path () const
  {
    return socket_path_;
  }
  std::vector<Request> requests ();
  // Requests whose path ends with `suffix`.
  int CountRequests (const std::string &suffix);

  // libmicrohttpd's callbacks; not for tests.
  Response Handle (const Request &request);
  void Record (const Request &request);

private:
  Handler handler_;
  std::string dir_;
  std::string socket_path_;
  MHD_Daemon *daemon_ = nullptr;
  std::mutex lock_; // guards requests_
  std::vector<Request> requests_;
};

} // namespace fakedocker

#endif
