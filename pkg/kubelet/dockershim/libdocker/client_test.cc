// The transport against a fake dockerd on a unix socket: API version
// negotiation, status -> error mapping, deadlines, caps and threads.
#include <errno.h>
#include <gtest/gtest.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

extern "C" {
#include "pkg/kubelet/dockershim/libdocker/containers.h"
#include "pkg/kubelet/dockershim/libdocker/system.h"
}
#include "pkg/kubelet/dockershim/libdocker/testing/fake_docker.h"

namespace {

using fakedocker::Request;
using fakedocker::Response;

const int64_t kSecond = 1000000000LL;

double
Now ()
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

const char kInspect[] = "{\"Id\":\"abc\",\"State\":{\"Status\":\"running\",\"Running\":true}}";

class ClientTest : public ::testing::Test
{
protected:
  // Serves /version with `api_version` and everything else with `handler`.
  void
  Serve (const std::string &api_version, fakedocker::Handler handler)
  {
    server_.reset (new fakedocker::Server ([api_version, handler] (const Request &r) {
      if (r.path == "/version")
        return fakedocker::VersionResponse (api_version);
      return handler (r);
    }));
    std::string error;
    ASSERT_TRUE (server_->Start (&error)) << error;
    ASSERT_EQ (docker_client_new (server_->endpoint ().c_str (), 5 * kSecond, &client_, &err_), 0)
        << kl_error_message (err_);
  }

  void
  TearDown () override
  {
    docker_client_free (client_);
    kl_error_release (&err_);
    if (server_)
      server_->Stop ();
  }

  std::unique_ptr<fakedocker::Server> server_;
  docker_client_t *client_ = nullptr;
  kl_error_t err_ = nullptr;
};

Response
Json (int status, const std::string &body)
{
  Response r;
  r.status = status;
  r.body = body;
  return r;
}

TEST_F (ClientTest, NegotiatesTheServersOlderVersion)
{
  Serve ("1.40", [] (const Request &) { return Json (200, kInspect); });
  cleanup_docker (docker_container_inspect) docker_container_inspect_t *c = nullptr;
  ASSERT_EQ (docker_container_inspect (client_, "abc", &c, &err_), 0) << kl_error_message (err_);
  EXPECT_TRUE (c->state.running);
  auto requests = server_->requests ();
  ASSERT_EQ (requests.size (), 2u);
  EXPECT_EQ (requests[0].path, "/version");
  EXPECT_EQ (requests[1].path, "/v1.40/containers/abc/json");
  char *version = nullptr;
  ASSERT_EQ (docker_client_api_version (client_, &version, &err_), 0);
  EXPECT_STREQ (version, "1.40");
  free (version);
  // Negotiated once.
  cleanup_docker (docker_container_inspect) docker_container_inspect_t *again = nullptr;
  ASSERT_EQ (docker_container_inspect (client_, "abc", &again, &err_), 0);
  EXPECT_EQ (server_->CountRequests ("/version"), 1);
}

TEST_F (ClientTest, CapsANewerServerAt141)
{
  Serve ("1.43", [] (const Request &) { return Json (200, kInspect); });
  char *version = nullptr;
  ASSERT_EQ (docker_client_api_version (client_, &version, &err_), 0);
  EXPECT_STREQ (version, "1.41");
  free (version);
}

TEST_F (ClientTest, RefusesTooOldOrGarbledVersions)
{
  Serve ("1.12", [] (const Request &) { return Json (200, kInspect); });
  docker_container_inspect_t *c = nullptr;
  ASSERT_LT (docker_container_inspect (client_, "abc", &c, &err_), 0);
  EXPECT_TRUE (kl_error_is (err_, KL_ERROR_INVALID));
  EXPECT_NE (strstr (kl_error_message (err_), "API 1.12, older than the minimum 1.26"), nullptr)
      << kl_error_message (err_);
  EXPECT_EQ (server_->CountRequests ("/json"), 0);
  kl_error_release (&err_);
  docker_client_free (client_);
  client_ = nullptr;
  server_->Stop ();

  Serve ("v2", [] (const Request &) { return Json (200, kInspect); });
  ASSERT_LT (docker_container_inspect (client_, "abc", &c, &err_), 0);
  EXPECT_STREQ (kl_error_message (err_), "docker: GET /version: bad ApiVersion \"v2\"");
}

TEST_F (ClientTest, PingAndVersionNeedNoNegotiation)
{
  Serve ("1.41", [] (const Request &r) {
    Response resp = Json (200, "OK");
    resp.content_type = "text/plain; charset=utf-8";
    resp.headers = { { "Docker-Experimental", "true" }, { "Builder-Version", "2" } };
    return resp;
  });
  cleanup_docker (docker_ping) docker_ping_t *ping = nullptr;
  ASSERT_EQ (docker_ping (client_, &ping, &err_), 0) << kl_error_message (err_);
  EXPECT_STREQ (ping->api_version, "1.41");
  EXPECT_STREQ (ping->os_type, "linux");
  EXPECT_TRUE (ping->experimental);
  EXPECT_STREQ (ping->builder_version, "2");
  auto requests = server_->requests ();
  ASSERT_EQ (requests.size (), 1u);
  EXPECT_EQ (requests[0].path, "/_ping");

  cleanup_docker (docker_version) docker_version_t *v = nullptr;
  ASSERT_EQ (docker_version (client_, &v, &err_), 0);
  EXPECT_STREQ (v->version, "20.10.24");
  EXPECT_STREQ (v->kernel_version, "6.1.0");
}

TEST_F (ClientTest, StatusesMapToKinds)
{
  struct
  {
    int status;
    std::string body;
    enum kl_error_kind kind;
    const char *message;
  } cases[] = {
    { 404, "{\"message\":\"No such image: busybox:9\"}", KL_ERROR_NOT_FOUND,
      "docker: POST /containers/create: 404: No such image: busybox:9" },
    { 409, "{\"message\":\"Conflict. The container name \\\"/web\\\" is already in use\"}",
      KL_ERROR_ALREADY_EXISTS,
      "docker: POST /containers/create: 409: Conflict. The container name \"/web\" is already in "
      "use" },
    { 400, "{\"message\":\"invalid reference format\"}", KL_ERROR_INVALID,
      "docker: POST /containers/create: 400: invalid reference format" },
    { 500, "plain text from a proxy\n", KL_ERROR_GENERIC,
      "docker: POST /containers/create: 500: plain text from a proxy" },
    { 503, "", KL_ERROR_UNAVAILABLE, "docker: POST /containers/create: 503: service unavailable" },
    { 404, "{}", KL_ERROR_NOT_FOUND, "docker: POST /containers/create: 404: {}" },
    { 500,
      "bad\x01"
      "bytes",
      KL_ERROR_GENERIC, "docker: POST /containers/create: 500: \"bad\\x01bytes\"" },
  };
  for (auto &c : cases)
    {
      Serve ("1.41", [&c] (const Request &) { return Json (c.status, c.body); });
      json_t *config = json_pack ("{s:s}", "Image", "busybox:9");
      docker_container_create_result_t *r = nullptr;
      ASSERT_LT (docker_container_create (client_, "web", config, &r, &err_), 0);
      json_decref (config);
      EXPECT_EQ (err_->kind, c.kind) << c.status;
      EXPECT_EQ (err_->status, c.status);
      EXPECT_STREQ (kl_error_message (err_), c.message);
      kl_error_release (&err_);
      docker_client_free (client_);
      client_ = nullptr;
      server_->Stop ();
    }
}

TEST_F (ClientTest, LongMessagesAreCut)
{
  std::string huge (100000, 'x');
  Serve ("1.41",
         [&huge] (const Request &) { return Json (500, "{\"message\":\"" + huge + "\"}"); });
  docker_container_inspect_t *c = nullptr;
  ASSERT_LT (docker_container_inspect (client_, "abc", &c, &err_), 0);
  EXPECT_LT (strlen (kl_error_message (err_)), 4200u);
}

TEST_F (ClientTest, NotModifiedIsReportedDistinctly)
{
  Serve ("1.41", [] (const Request &r) {
    if (r.path.find ("/start") != std::string::npos)
      return Json (304, "");
    return Json (204, "");
  });
  EXPECT_EQ (docker_container_start (client_, "abc", &err_), DOCKER_NOT_MODIFIED);
  EXPECT_EQ (docker_container_stop (client_, "abc", 2, &err_), 0);
  EXPECT_EQ (err_, nullptr);
  auto requests = server_->requests ();
  EXPECT_EQ (requests.back ().path, "/v1.41/containers/abc/stop");
  EXPECT_EQ (requests.back ().query.at ("t"), "2");
}

TEST_F (ClientTest, NoDaemon)
{
  // A socket file nobody listens on: connection refused.
  char tmpl[] = "/tmp/libdocker_test.XXXXXX";
  ASSERT_NE (mkdtemp (tmpl), nullptr);
  std::string path = std::string (tmpl) + "/docker.sock";
  int fd = socket (AF_UNIX, SOCK_STREAM, 0);
  struct sockaddr_un addr = {};
  addr.sun_family = AF_UNIX;
  strncpy (addr.sun_path, path.c_str (), sizeof addr.sun_path - 1);
  ASSERT_EQ (bind (fd, (struct sockaddr *) &addr, sizeof addr), 0);
  close (fd);
  std::string endpoint = "unix://" + path;
  ASSERT_EQ (docker_client_new (endpoint.c_str (), kSecond, &client_, &err_), 0);
  docker_ping_t *ping = nullptr;
  ASSERT_LT (docker_ping (client_, &ping, &err_), 0);
  EXPECT_TRUE (kl_error_is (err_, KL_ERROR_UNAVAILABLE));
  EXPECT_EQ (err_->status, ECONNREFUSED);
  EXPECT_EQ (std::string (kl_error_message (err_)),
             "docker: GET /_ping: cannot connect to the Docker daemon at " + endpoint
                 + ": Connection refused");
  kl_error_release (&err_);
  // Through negotiation too.
  docker_container_inspect_t *c = nullptr;
  ASSERT_LT (docker_container_inspect (client_, "abc", &c, &err_), 0);
  EXPECT_TRUE (kl_error_is (err_, KL_ERROR_UNAVAILABLE));
  EXPECT_NE (strstr (kl_error_message (err_), "negotiating the API version"), nullptr);
  kl_error_release (&err_);
  unlink (path.c_str ());
  // No socket at all.
  ASSERT_LT (docker_ping (client_, &ping, &err_), 0);
  EXPECT_TRUE (kl_error_is (err_, KL_ERROR_UNAVAILABLE));
  EXPECT_EQ (err_->status, ENOENT);
  rmdir (tmpl);
}

TEST_F (ClientTest, SlowAnswerTimesOut)
{
  Serve ("1.41", [] (const Request &) {
    Response r = Json (200, kInspect);
    r.delay_ms = 1500;
    return r;
  });
  docker_client_free (client_);
  ASSERT_EQ (docker_client_new (server_->endpoint ().c_str (), kSecond / 4, &client_, &err_), 0);
  char *version = nullptr;
  ASSERT_EQ (docker_client_api_version (client_, &version, &err_), 0);
  free (version);
  double start = Now ();
  docker_container_inspect_t *c = nullptr;
  ASSERT_LT (docker_container_inspect (client_, "abc", &c, &err_), 0);
  double took = Now () - start;
  EXPECT_TRUE (kl_error_is (err_, KL_ERROR_TIMEOUT)) << kl_error_message (err_);
  EXPECT_STREQ (kl_error_message (err_),
                "docker: GET /containers/abc/json: no answer within 0.25s");
  EXPECT_LT (took, 1.0);
}

TEST_F (ClientTest, StopDeadlineIncludesTheGracePeriod)
{
  Serve ("1.41", [] (const Request &) {
    Response r = Json (204, "");
    r.delay_ms = 600; // dockerd waits out the grace period before answering
    return r;
  });
  docker_client_free (client_);
  ASSERT_EQ (docker_client_new (server_->endpoint ().c_str (), kSecond / 4, &client_, &err_), 0);
  EXPECT_EQ (docker_container_stop (client_, "abc", 1, &err_), 0) << kl_error_message (err_);
}

TEST_F (ClientTest, ResponseSizeIsCapped)
{
  Serve ("1.41", [] (const Request &) { return Json (200, "[" + std::string (4096, ' ') + "]"); });
  docker_client_set_max_response (client_, 1024);
  docker_container_list_t *list = nullptr;
  ASSERT_LT (docker_container_list (client_, nullptr, &list, &err_), 0);
  EXPECT_TRUE (kl_error_is (err_, KL_ERROR_INVALID));
  EXPECT_STREQ (kl_error_message (err_),
                "docker: GET /containers/json: response larger than 1024 bytes");
}

TEST_F (ClientTest, BadBodyNamesTheCall)
{
  Serve ("1.41", [] (const Request &) { return Json (200, "{\"Id\":\"abc\",\"State\":7}"); });
  docker_container_inspect_t *c = nullptr;
  ASSERT_LT (docker_container_inspect (client_, "abc", &c, &err_), 0);
  EXPECT_STREQ (kl_error_message (err_),
                "docker: GET /containers/abc/json: decoding container inspect: State.Status: want "
                "an object at State, got integer");
}

TEST_F (ClientTest, IdsAreEscaped)
{
  Serve ("1.41", [] (const Request &) { return Json (200, kInspect); });
  docker_container_inspect_t *c = nullptr;
  ASSERT_EQ (docker_container_inspect (client_, "../images/x?y", &c, &err_), 0);
  docker_container_inspect_free (c);
  // The server decodes the path: one segment, nothing walked or queried.
  auto requests = server_->requests ();
  EXPECT_EQ (requests.back ().path, "/v1.41/containers/../images/x?y/json");
  EXPECT_TRUE (requests.back ().query.empty ());
  ASSERT_LT (docker_container_inspect (client_, "", &c, &err_), 0);
  EXPECT_STREQ (kl_error_message (err_), "docker: empty container ID");
}

TEST_F (ClientTest, BadEndpoints)
{
  const char *bad[] = { "tcp://127.0.0.1:2375", "unix://relative.sock", "/var/run/docker.sock" };
  std::string too_long = "unix:///" + std::string (200, 'x');
  for (const char *e : bad)
    {
      EXPECT_LT (docker_client_new (e, kSecond, &client_, &err_), 0) << e;
      EXPECT_TRUE (kl_error_is (err_, KL_ERROR_INVALID)) << e;
      kl_error_release (&err_);
    }
  EXPECT_LT (docker_client_new (too_long.c_str (), kSecond, &client_, &err_), 0);
  kl_error_release (&err_);
  ASSERT_EQ (docker_client_new (nullptr, kSecond, &client_, &err_), 0);
  EXPECT_STREQ (docker_client_endpoint (client_), "unix:///var/run/docker.sock");
}

TEST_F (ClientTest, ManyThreadsShareOneClient)
{
  Serve ("1.40", [] (const Request &r) {
    std::string id = r.path.substr (strlen ("/v1.40/containers/"));
    id = id.substr (0, id.find ('/'));
    return Json (200, "{\"Id\":\"" + id + "\"}");
  });
  std::atomic<int> ok (0);
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; t++)
    threads.emplace_back ([this, t, &ok] {
      for (int i = 0; i < 25; i++)
        {
          std::string id = "c" + std::to_string (t) + "-" + std::to_string (i);
          docker_container_inspect_t *c = nullptr;
          kl_error_t err = nullptr;
          if (docker_container_inspect (client_, id.c_str (), &c, &err) == 0 && id == c->id)
            ok++;
          docker_container_inspect_free (c);
          kl_error_release (&err);
        }
    });
  for (auto &t : threads)
    t.join ();
  EXPECT_EQ (ok.load (), 200);
  EXPECT_GE (server_->CountRequests ("/version"), 1);
  EXPECT_LE (server_->CountRequests ("/version"), 8);
}

} // namespace
