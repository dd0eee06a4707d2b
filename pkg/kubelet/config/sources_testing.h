// Pod source test helpers: a recording callback, captured logs, a temp dir, a tiny HTTP server.
#ifndef KL_KUBELET_CONFIG_SOURCES_TESTING_H
#define KL_KUBELET_CONFIG_SOURCES_TESTING_H

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

extern "C" {
#include "pkg/kubelet/api/decode.h"
#include "pkg/kubelet/api/static.h"
#include "pkg/kubelet/api/types.h"
#include "pkg/kubelet/config/sources.h"
#include "pkg/util/log.h"
}

namespace kl_sources_testing {

// Generous: the tests also run under valgrind.
constexpr auto kDeadline = std::chrono::seconds (20);

// A pod manifest in YAML named `name` running `image`.
inline std::string
PodYaml (const std::string &name, const std::string &image = "busybox:1.36")
{
  return "apiVersion: v1\nkind: Pod\nmetadata:\n  name: " + name
         + "\nspec:\n  containers:\n    - name: app\n      image: " + image + "\n";
}

inline std::string
PodJson (const std::string &name, const std::string &image = "busybox:1.36")
{
  return "{\"apiVersion\": \"v1\", \"kind\": \"Pod\", \"metadata\": {\"name\": \"" + name
         + "\"}, \"spec\": {\"containers\": [{\"name\": \"app\", \"image\": \"" + image
         + "\"}]}}\n";
}

// What a test checks of a delivered pod.
struct PodInfo
{
  std::string full_name; // "<namespace>/<name>"
  std::string uid;
  std::string image;
  std::map<std::string, std::string> annotations;
};

// The update callback: keeps every delivered set; tests wait on it.
class Recorder
{
public:
  static void
  Update (void *ctx, kl_pod_list_t *pods)
  {
    auto *self = static_cast<Recorder *> (ctx);
    std::vector<PodInfo> set;
    for (size_t i = 0; i < pods->n_items; i++)
      {
        const kl_pod_t *pod = pods->items[i];
        PodInfo info;
        info.full_name = std::string (pod->metadata.namespace_ ? pod->metadata.namespace_ : "")
                         + "/" + (pod->metadata.name ? pod->metadata.name : "");
        info.uid = pod->metadata.uid ? pod->metadata.uid : "";
        if (pod->spec.n_containers > 0 && pod->spec.containers[0].image)
          info.image = pod->spec.containers[0].image;
        for (size_t j = 0; j < pod->metadata.n_annotations; j++)
          info.annotations[pod->metadata.annotations[j].key]
              = pod->metadata.annotations[j].value ? pod->metadata.annotations[j].value : "";
        set.push_back (info);
      }
    kl_pod_list_clear (pods);
    free (pods);
    std::lock_guard<std::mutex> lock (self->mu_);
    self->sets_.push_back (std::move (set));
    self->cv_.notify_all ();
  }

  // Waits until the latest set satisfies `pred`; false at the deadline.
  bool
  WaitFor (const std::function<bool (const std::vector<PodInfo> &)> &pred)
  {
    std::unique_lock<std::mutex> lock (mu_);
    return cv_.wait_for (lock, kDeadline, [&] { return !sets_.empty () && pred (sets_.back ()); });
  }

  // Waits until the latest set holds exactly `names` in this order.
  bool
  WaitForNames (const std::vector<std::string> &names)
  {
    return WaitFor ([&] (const std::vector<PodInfo> &set) { return Names (set) == names; });
  }

  static std::vector<std::string>
  Names (const std::vector<PodInfo> &set)
  {
    std::vector<std::string> names;
    for (const auto &p : set)
      names.push_back (p.full_name);
    return names;
  }

  std::vector<PodInfo>
  Latest ()
  {
    std::lock_guard<std::mutex> lock (mu_);
    return sets_.empty () ? std::vector<PodInfo> () : sets_.back ();
  }

  size_t
  Count ()
  {
    std::lock_guard<std::mutex> lock (mu_);
    return sets_.size ();
  }

private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::vector<PodInfo>> sets_;
};

// Log lines go to a temporary file the test reads back.
class LogCapture
{
public:
  LogCapture ()
  {
    file_ = tmpfile ();
    kl_log_init (0, file_);
  }

  ~LogCapture ()
  {
    kl_log_init (0, nullptr);
    fclose (file_);
  }

  // Everything logged so far (every line is flushed as written).
  std::string
  Text ()
  {
    std::string text;
    char buf[4096];
    off_t off = 0;
    ssize_t n;
    while ((n = pread (fileno (file_), buf, sizeof buf, off)) > 0)
      {
        text.append (buf, (size_t) n);
        off += n;
      }
    return text;
  }

  // Lines holding every one of `parts`.
  size_t
  Count (const std::vector<std::string> &parts)
  {
    std::string text = Text ();
    size_t count = 0, start = 0;
    while (start < text.size ())
      {
        size_t end = text.find ('\n', start);
        if (end == std::string::npos)
          end = text.size ();
        std::string line = text.substr (start, end - start);
        bool all = true;
        for (const auto &p : parts)
          all = all && line.find (p) != std::string::npos;
        count += all ? 1 : 0;
        start = end + 1;
      }
    return count;
  }

  // Waits until Count (parts) reaches `n`; false at the deadline.
  bool
  WaitForCount (const std::vector<std::string> &parts, size_t n)
  {
    auto deadline = std::chrono::steady_clock::now () + kDeadline;
    while (Count (parts) < n)
      {
        if (std::chrono::steady_clock::now () > deadline)
          return false;
        std::this_thread::sleep_for (std::chrono::milliseconds (5)); // a poll, not a wait for time
      }
    return true;
  }

private:
  FILE *file_;
};

// A temp dir for manifests.
class TempDir
{
public:
  TempDir ()
  {
    const char *base = getenv ("TEST_TMPDIR");
    std::string tmpl = std::string (base ? base : "/tmp") + "/pod-sources-XXXXXX";
    if (mkdtemp (&tmpl[0]) == nullptr)
      abort ();
    path_ = tmpl;
  }

  ~TempDir () { std::filesystem::remove_all (path_); }

  const std::string &
  path () const
  {
    return path_;
  }

  std::string
  Path (const std::string &name) const
  {
    return path_ + "/" + name;
  }

  // Writes through a hidden temporary file and a rename, as tools do.
  std::string
  Write (const std::string &name, const std::string &content) const
  {
    std::string tmp = Path ("." + name + ".tmp");
    {
      std::ofstream f (tmp, std::ios::binary);
      f << content;
    }
    std::filesystem::rename (tmp, Path (name));
    return Path (name);
  }

  // Writes in place (open, truncate, write, close).
  std::string
  WriteInPlace (const std::string &name, const std::string &content) const
  {
    std::ofstream f (Path (name), std::ios::binary | std::ios::trunc);
    f << content;
    return Path (name);
  }

  void
  Remove (const std::string &name) const
  {
    std::filesystem::remove (Path (name));
  }

private:
  std::string path_;
};

// A test clock for config.seen: starts at 2024-05-01T10:00:00Z, advanced by hand.
struct FakeClock
{
  std::mutex mu;
  struct timespec now = { 1714557600, 0 };

  static void
  Read (void *ctx, struct timespec *out)
  {
    auto *self = static_cast<FakeClock *> (ctx);
    std::lock_guard<std::mutex> lock (self->mu);
    *out = self->now;
  }

  void
  Advance (long seconds)
  {
    std::lock_guard<std::mutex> lock (mu);
    now.tv_sec += seconds;
  }
};

// libmicrohttpd on 127.0.0.1 and an ephemeral port, serving canned responses
// and recording the headers each request carried.
class HttpServer
{
public:
  HttpServer ()
  {
    struct sockaddr_in addr = {};
    addr.sin_family = AF_INET;
    addr.sin_port = 0;
    addr.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
    daemon_ = MHD_start_daemon (MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG, 0, nullptr,
                                nullptr, &HttpServer::Handle, this, MHD_OPTION_SOCK_ADDR, &addr,
                                MHD_OPTION_END);
    if (daemon_ == nullptr)
      abort ();
    port_ = MHD_get_daemon_info (daemon_, MHD_DAEMON_INFO_BIND_PORT)->port;
  }

  ~HttpServer () { MHD_stop_daemon (daemon_); }

  std::string
  Url (const std::string &path) const
  {
    return "http://127.0.0.1:" + std::to_string (port_) + path;
  }

  void
  Serve (const std::string &path, unsigned status, const std::string &body)
  {
    std::lock_guard<std::mutex> lock (mu_);
    routes_[path] = { status, body };
  }

  // Every request's headers (name lower-cased, values joined with ",").
  std::vector<std::multimap<std::string, std::string>>
  Requests ()
  {
    std::lock_guard<std::mutex> lock (mu_);
    return requests_;
  }

private:
  struct Route
  {
    unsigned status;
    std::string body;
  };

  static enum MHD_Result
  Header (void *cls, enum MHD_ValueKind, const char *key, const char *value)
  {
    auto *headers = static_cast<std::multimap<std::string, std::string> *> (cls);
    std::string k (key);
    for (auto &c : k)
      c = (char) tolower ((unsigned char) c);
    headers->emplace (k, value ? value : "");
    return MHD_YES;
  }

  static enum MHD_Result
  Handle (void *cls, struct MHD_Connection *connection, const char *url, const char *method,
          const char *, const char *, size_t *, void **)
  {
    auto *self = static_cast<HttpServer *> (cls);
    std::multimap<std::string, std::string> headers;
    MHD_get_connection_values (connection, MHD_HEADER_KIND, &HttpServer::Header, &headers);
    Route route = { 404, "not found\n" };
    {
      std::lock_guard<std::mutex> lock (self->mu_);
      self->requests_.push_back (headers);
      auto it = self->routes_.find (url);
      if (it != self->routes_.end () && std::string (method) == "GET")
        route = it->second;
    }
    struct MHD_Response *response = MHD_create_response_from_buffer (
        route.body.size (), (void *) route.body.data (), MHD_RESPMEM_MUST_COPY);
    enum MHD_Result ret = MHD_queue_response (connection, route.status, response);
    MHD_destroy_response (response);
    return ret;
  }

  struct MHD_Daemon *daemon_ = nullptr;
  uint16_t port_ = 0;
  std::mutex mu_;
  std::map<std::string, Route> routes_;
  std::vector<std::multimap<std::string, std::string>> requests_;
};

// A listening socket that never answers: fetches from it hang.
class HangingServer
{
public:
  HangingServer ()
  {
    fd_ = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in addr = {};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
    if (fd_ < 0 || bind (fd_, (struct sockaddr *) &addr, sizeof addr) < 0 || listen (fd_, 16) < 0)
      abort ();
    socklen_t len = sizeof addr;
    getsockname (fd_, (struct sockaddr *) &addr, &len);
    port_ = ntohs (addr.sin_port);
  }

  ~HangingServer () { close (fd_); }

  std::string
  Url () const
  {
    return "http://127.0.0.1:" + std::to_string (port_) + "/pods";
  }

private:
  int fd_ = -1;
  uint16_t port_ = 0;
};

// Starts and stops a kl_pod_config_t around a test.
class PodConfigTestBase : public ::testing::Test
{
protected:
  void
  SetUp () override
  {
    opts.node_name = "node1";
    opts.file_check_period_ns = 3600LL * 1000000000LL; // only inotify or sync_now
    opts.http_check_period_ns = 3600LL * 1000000000LL;
    opts.file_debounce_ns = 20LL * 1000000LL;
    opts.clock = FakeClock::Read;
    opts.clock_ctx = &clock;
  }

  void
  TearDown () override
  {
    kl_pod_config_stop (config);
    kl_string_multimap_clear (&headers);
    kl_error_release (&err);
  }

  // Starts with the manifest dir as path unless a path was set.
  void
  Start ()
  {
    if (opts.manifest_path == nullptr && !no_path)
      opts.manifest_path = dir.path ().c_str ();
    ASSERT_EQ (kl_pod_config_start (&opts, Recorder::Update, &recorder, &config, &err), 0)
        << kl_error_message (err);
  }

  // Readiness follows the delivery of the set that completes it, so a test
  // that saw the set polls for it.
  bool
  WaitReady (int kind = -1)
  {
    auto ready = [&] {
      return kind < 0 ? kl_pod_config_ready (config)
                      : kl_pod_config_source_ready (config, (enum kl_pod_source_kind) kind);
    };
    auto deadline = std::chrono::steady_clock::now () + kDeadline;
    while (!ready ())
      {
        if (std::chrono::steady_clock::now () > deadline)
          return false;
        std::this_thread::sleep_for (std::chrono::milliseconds (5)); // a poll, not a wait for time
      }
    return true;
  }

  // The static pod name of manifest name `name`.
  static std::string
  Static (const std::string &name)
  {
    return "default/" + name + "-node1";
  }

  LogCapture logs;
  TempDir dir;
  FakeClock clock;
  Recorder recorder;
  kl_pod_config_options_t opts = {};
  kl_string_multimap_t headers = { nullptr, 0 };
  bool no_path = false;
  kl_pod_config_t *config = nullptr;
  kl_error_t err = nullptr;
};

} // namespace kl_sources_testing

#endif
