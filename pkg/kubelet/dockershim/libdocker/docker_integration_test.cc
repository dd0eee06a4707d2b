// Drives a real dockerd through libdocker: system calls, images from the
// loopback registry, and a container from create to removal with exec,
// stats, stop and wait on the way. pkg/kubelet/dockershim/libdocker/
// test-integration.sh starts a private dockerd and the registry and passes
// their names in the environment; without them every test fails.
#include <gtest/gtest.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <string>

extern "C" {
#include "pkg/kubelet/dockershim/libdocker/containers.h"
#include "pkg/kubelet/dockershim/libdocker/exec.h"
#include "pkg/kubelet/dockershim/libdocker/images.h"
#include "pkg/kubelet/dockershim/libdocker/system.h"
}

namespace {

const int64_t kSecond = 1000000000LL;

double
Now ()
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

std::string
Env (const char *name)
{
  const char *v = getenv (name);
  return v ? v : "";
}

// Prints how long a step took, for the script's log.
void
Took (const char *step, double start)
{
  printf ("  %-34s %7.3fs\n", step, Now () - start);
  fflush (stdout);
}

class DockerIntegrationTest : public ::testing::Test
{
protected:
  void
  SetUp () override
  {
    endpoint_ = Env ("KL_TEST_DOCKER_ENDPOINT");
    busybox_ = Env ("KL_TEST_BUSYBOX_IMAGE");
    ASSERT_FALSE (endpoint_.empty ()) << "KL_TEST_DOCKER_ENDPOINT is not set: run "
                                         "pkg/kubelet/dockershim/libdocker/test-integration.sh";
    ASSERT_FALSE (busybox_.empty ()) << "KL_TEST_BUSYBOX_IMAGE is not set";
    ASSERT_EQ (docker_client_new (endpoint_.c_str (), 30 * kSecond, &client_, &err_), 0)
        << kl_error_message (err_);
    name_ = "libdocker-it-" + std::to_string (getpid ());
  }

  void
  TearDown () override
  {
    if (!id_.empty ())
      {
        // Leave nothing behind even when an assertion failed half way.
        kl_error_t err = nullptr;
        docker_container_remove (client_, id_.c_str (), true, true, &err);
        kl_error_release (&err);
      }
    docker_client_free (client_);
    kl_error_release (&err_);
  }

  void
  Pull ()
  {
    double start = Now ();
    docker_pull_options_t opts = {};
    opts.timeout_ns = 120 * kSecond;
    opts.progress_timeout_ns = 60 * kSecond;
    char *digest = nullptr;
    ASSERT_EQ (docker_image_pull (client_, busybox_.c_str (), &opts, &digest, &err_), 0)
        << kl_error_message (err_);
    ASSERT_NE (digest, nullptr);
    EXPECT_EQ (strncmp (digest, "sha256:", 7), 0) << digest;
    free (digest);
    Took ("pull", start);
  }

  std::string endpoint_, busybox_, name_, id_;
  docker_client_t *client_ = nullptr;
  kl_error_t err_ = nullptr;
};

TEST_F (DockerIntegrationTest, PingVersionInfo)
{
  double start = Now ();
  cleanup_docker (docker_ping) docker_ping_t *ping = nullptr;
  ASSERT_EQ (docker_ping (client_, &ping, &err_), 0) << kl_error_message (err_);
  EXPECT_STREQ (ping->os_type, "linux");
  EXPECT_NE (ping->api_version[0], '\0');
  Took ("ping", start);

  start = Now ();
  cleanup_docker (docker_version) docker_version_t *version = nullptr;
  ASSERT_EQ (docker_version (client_, &version, &err_), 0) << kl_error_message (err_);
  EXPECT_STREQ (version->os, "linux");
  EXPECT_NE (version->version[0], '\0');
  EXPECT_NE (version->kernel_version[0], '\0');
  printf ("  dockerd %s, API %s, %s/%s, kernel %s\n", version->version, version->api_version,
          version->os, version->arch, version->kernel_version);
  char *negotiated = nullptr;
  ASSERT_EQ (docker_client_api_version (client_, &negotiated, &err_), 0);
  // min(server, 1.41).
  int major = 0, minor = 0;
  ASSERT_EQ (sscanf (version->api_version, "%d.%d", &major, &minor), 2);
  std::string want = major == 1 && minor < 41 ? version->api_version : "1.41";
  EXPECT_EQ (want, negotiated);
  free (negotiated);
  Took ("version", start);

  start = Now ();
  cleanup_docker (docker_info) docker_info_t *info = nullptr;
  ASSERT_EQ (docker_info (client_, &info, &err_), 0) << kl_error_message (err_);
  EXPECT_NE (info->server_version[0], '\0');
  EXPECT_TRUE (strcmp (info->cgroup_driver, "cgroupfs") == 0
               || strcmp (info->cgroup_driver, "systemd") == 0)
      << info->cgroup_driver;
  EXPECT_TRUE (strcmp (info->cgroup_version, "1") == 0 || strcmp (info->cgroup_version, "2") == 0);
  EXPECT_NE (info->docker_root_dir[0], '\0');
  EXPECT_STREQ (info->default_runtime, "runc");
  EXPECT_TRUE (docker_strings_contain (&info->runtimes, "runc"));
  printf ("  info: %s, cgroup %s v%s, storage %s, root %s\n", info->name, info->cgroup_driver,
          info->cgroup_version, info->driver, info->docker_root_dir);
  Took ("info", start);
}

TEST_F (DockerIntegrationTest, PullListAndInspectImages)
{
  Pull ();
  double start = Now ();
  cleanup_docker (docker_image_list) docker_image_list_t *list = nullptr;
  ASSERT_EQ (docker_image_list (client_, nullptr, &list, &err_), 0) << kl_error_message (err_);
  std::string id;
  for (size_t i = 0; i < list->len; i++)
    if (docker_strings_contain (&list->items[i].repo_tags, busybox_.c_str ()))
      id = list->items[i].id;
  EXPECT_EQ (id.substr (0, 7), "sha256:") << busybox_ << " not listed";
  cleanup_docker (docker_image_list) docker_image_list_t *filtered = nullptr;
  ASSERT_EQ (docker_image_list (client_, busybox_.c_str (), &filtered, &err_), 0);
  ASSERT_EQ (filtered->len, 1u);
  EXPECT_EQ (id, filtered->items[0].id);
  Took ("image list", start);

  start = Now ();
  cleanup_docker (docker_image_inspect) docker_image_inspect_t *image = nullptr;
  ASSERT_EQ (docker_image_inspect (client_, busybox_.c_str (), &image, &err_), 0)
      << kl_error_message (err_);
  EXPECT_EQ (id, image->id);
  EXPECT_TRUE (docker_strings_contain (&image->repo_tags, busybox_.c_str ()));
  EXPECT_GT (image->size, 100000); // busybox alone is ~1 MB
  ASSERT_GE (image->config.cmd.len, 1u);
  EXPECT_STREQ (image->config.cmd.items[0], "/bin/sh");
  docker_image_inspect_t *missing = nullptr;
  ASSERT_LT (docker_image_inspect (client_, "libdocker-no-such-image:1", &missing, &err_), 0);
  EXPECT_TRUE (kl_error_is (err_, KL_ERROR_NOT_FOUND)) << kl_error_message (err_);
  Took ("image inspect", start);
}

TEST_F (DockerIntegrationTest, PullOfAMissingImageFails)
{
  std::string missing = busybox_.substr (0, busybox_.find ('/')) + "/no-such-image:1";
  double start = Now ();
  ASSERT_LT (docker_image_pull (client_, missing.c_str (), nullptr, nullptr, &err_), 0);
  printf ("  %s\n", kl_error_message (err_));
  EXPECT_NE (strstr (kl_error_message (err_), "no-such-image"), nullptr) << kl_error_message (err_);
  EXPECT_EQ (strncmp (kl_error_message (err_), "docker: POST /images/create: ", 29), 0);
  Took ("pull (missing)", start);
}

TEST_F (DockerIntegrationTest, ContainerLifecycle)
{
  Pull ();

  // Create.
  double start = Now ();
  json_t *config = json_pack ("{s:s, s:[s,s,s], s:{s:s}, s:{s:s}}", "Image", busybox_.c_str (),
                              "Cmd", "sh", "-c", "echo out; echo err >&2; sleep 300", "Labels",
                              "k8s-test", "1", "HostConfig", "NetworkMode", "none");
  docker_container_create_result_t *created = nullptr;
  int ret = docker_container_create (client_, name_.c_str (), config, &created, &err_);
  ASSERT_EQ (ret, 0) << kl_error_message (err_);
  id_ = created->id;
  docker_container_create_result_free (created);
  // The name is taken now.
  ASSERT_LT (docker_container_create (client_, name_.c_str (), config, &created, &err_), 0);
  EXPECT_TRUE (kl_error_is (err_, KL_ERROR_ALREADY_EXISTS)) << kl_error_message (err_);
  EXPECT_EQ (err_->status, 409);
  kl_error_release (&err_);
  json_decref (config);
  Took ("create", start);

  // Start; again is "not modified".
  start = Now ();
  ASSERT_EQ (docker_container_start (client_, id_.c_str (), &err_), 0) << kl_error_message (err_);
  EXPECT_EQ (docker_container_start (client_, id_.c_str (), &err_), DOCKER_NOT_MODIFIED)
      << kl_error_message (err_);
  Took ("start", start);

  // Inspect.
  start = Now ();
  {
    cleanup_docker (docker_container_inspect) docker_container_inspect_t *c = nullptr;
    ASSERT_EQ (docker_container_inspect (client_, name_.c_str (), &c, &err_), 0)
        << kl_error_message (err_);
    EXPECT_EQ (id_, c->id);
    EXPECT_EQ ("/" + name_, c->name);
    EXPECT_TRUE (c->state.running);
    EXPECT_STREQ (c->state.status, "running");
    EXPECT_GT (c->state.pid, 0);
    EXPECT_GT (c->state.started_at, c->created);
    EXPECT_EQ (c->state.finished_at, 0);
    EXPECT_STREQ (docker_labels_get (&c->config.labels, "k8s-test"), "1");
    EXPECT_STREQ (c->host_config.network_mode, "none");
    EXPECT_STREQ (c->config.image, busybox_.c_str ());
    EXPECT_NE (c->log_path[0], '\0');
  }
  Took ("inspect", start);

  // List with a label filter.
  start = Now ();
  {
    const char *labels[] = { "k8s-test=1", nullptr };
    docker_container_list_options_t opts = {};
    opts.all = true;
    opts.labels = labels;
    cleanup_docker (docker_container_list) docker_container_list_t *list = nullptr;
    ASSERT_EQ (docker_container_list (client_, &opts, &list, &err_), 0) << kl_error_message (err_);
    bool found = false;
    for (size_t i = 0; i < list->len; i++)
      if (id_ == list->items[i].id)
        {
          found = true;
          EXPECT_STREQ (list->items[i].state, "running");
          EXPECT_TRUE (docker_strings_contain (&list->items[i].names, ("/" + name_).c_str ()));
          EXPECT_STREQ (docker_labels_get (&list->items[i].labels, "k8s-test"), "1");
        }
    EXPECT_TRUE (found);
    const char *other[] = { "k8s-test=2", nullptr };
    const char *running[] = { "running", nullptr };
    opts.labels = other;
    opts.statuses = running;
    cleanup_docker (docker_container_list) docker_container_list_t *none = nullptr;
    ASSERT_EQ (docker_container_list (client_, &opts, &none, &err_), 0);
    for (size_t i = 0; i < none->len; i++)
      EXPECT_NE (id_, none->items[i].id);
  }
  Took ("list (label filter)", start);

  // Exec: output demultiplexed, exit code from exec inspect.
  start = Now ();
  {
    const char *cmd[] = { "sh", "-c", "echo hi; echo there >&2; exit 3", nullptr };
    docker_exec_config_t exec = {};
    exec.cmd = cmd;
    exec.attach_stdout = exec.attach_stderr = true;
    char *exec_id = nullptr;
    ASSERT_EQ (docker_exec_create (client_, id_.c_str (), &exec, &exec_id, &err_), 0)
        << kl_error_message (err_);
    docker_exec_output_t out;
    ret = docker_exec_start_collect (client_, exec_id, false, 10 * kSecond, 0, &out, &err_);
    ASSERT_EQ (ret, 0) << kl_error_message (err_);
    EXPECT_STREQ (out.stdout_data, "hi\n");
    EXPECT_STREQ (out.stderr_data, "there\n");
    docker_exec_output_release (&out);
    // dockerd may report the exec running for a moment after its streams close.
    docker_exec_inspect_t *inspect = nullptr;
    for (int i = 0; i < 50; i++)
      {
        docker_exec_inspect_free (inspect);
        inspect = nullptr;
        ASSERT_EQ (docker_exec_inspect (client_, exec_id, &inspect, &err_), 0)
            << kl_error_message (err_);
        if (!inspect->running)
          break;
        usleep (100 * 1000);
      }
    EXPECT_FALSE (inspect->running);
    EXPECT_EQ (inspect->exit_code, 3);
    EXPECT_EQ (id_, inspect->container_id);
    docker_exec_inspect_free (inspect);
    free (exec_id);
  }
  Took ("exec (stdout, stderr, exit 3)", start);

  // Exec with input: stdin reaches the process, EOF ends it.
  start = Now ();
  {
    const char *cmd[] = { "cat", nullptr };
    docker_exec_config_t exec = {};
    exec.cmd = cmd;
    exec.attach_stdin = exec.attach_stdout = exec.attach_stderr = true;
    char *exec_id = nullptr;
    ASSERT_EQ (docker_exec_create (client_, id_.c_str (), &exec, &exec_id, &err_), 0);
    int in[2], out[2];
    ASSERT_EQ (pipe (in), 0);
    ASSERT_EQ (pipe (out), 0);
    ASSERT_EQ (write (in[1], "hello stdin\n", 12), 12);
    close (in[1]);
    docker_stream_io_t io = DOCKER_STREAM_IO_INIT;
    io.stdin_fd = in[0];
    io.stdout_fd = out[1];
    io.timeout_ns = 10 * kSecond;
    ret = docker_exec_start (client_, exec_id, &io, &err_);
    close (in[0]);
    close (out[1]);
    ASSERT_EQ (ret, 0) << kl_error_message (err_);
    char buf[64] = "";
    ssize_t n = read (out[0], buf, sizeof buf - 1);
    close (out[0]);
    EXPECT_EQ (std::string (buf, n > 0 ? (size_t) n : 0), "hello stdin\n");
    free (exec_id);
  }
  Took ("exec (stdin)", start);

  // Exec past its deadline: KL_ERROR_TIMEOUT after ~1 s.
  start = Now ();
  {
    const char *cmd[] = { "sh", "-c", "echo started; sleep 10", nullptr };
    docker_exec_config_t exec = {};
    exec.cmd = cmd;
    exec.attach_stdout = exec.attach_stderr = true;
    char *exec_id = nullptr;
    ASSERT_EQ (docker_exec_create (client_, id_.c_str (), &exec, &exec_id, &err_), 0);
    docker_exec_output_t out;
    double exec_start = Now ();
    ret = docker_exec_start_collect (client_, exec_id, false, kSecond, 0, &out, &err_);
    double took = Now () - exec_start;
    ASSERT_LT (ret, 0);
    EXPECT_TRUE (kl_error_is (err_, KL_ERROR_TIMEOUT)) << kl_error_message (err_);
    EXPECT_STREQ (out.stdout_data, "started\n"); // what came before the deadline
    EXPECT_GE (took, 0.95);
    EXPECT_LT (took, 2.0);
    printf ("  exec deadline 1s: returned after %.3fs: %s\n", took, kl_error_message (err_));
    kl_error_release (&err_);
    docker_exec_output_release (&out);
    free (exec_id);
  }
  Took ("exec (1s deadline, sleep 10)", start);

  // Update the resources in place.
  start = Now ();
  {
    json_t *resources = json_pack ("{s:I}", "CpuShares", (json_int_t) 256);
    ASSERT_EQ (docker_container_update (client_, id_.c_str (), resources, &err_), 0)
        << kl_error_message (err_);
    json_decref (resources);
    cleanup_docker (docker_container_inspect) docker_container_inspect_t *c = nullptr;
    ASSERT_EQ (docker_container_inspect (client_, id_.c_str (), &c, &err_), 0);
    EXPECT_EQ (c->host_config.cpu_shares, 256);
  }
  Took ("update (CpuShares)", start);

  // Stats, one shot.
  start = Now ();
  {
    cleanup_docker (docker_container_stats) docker_container_stats_t *stats = nullptr;
    ASSERT_EQ (docker_container_stats (client_, id_.c_str (), &stats, &err_), 0)
        << kl_error_message (err_);
    EXPECT_GT (stats->read, 0);
    EXPECT_GT (stats->cpu_total_usage, 0u);
    EXPECT_GT (stats->memory_usage, 0u);
    EXPECT_LE (stats->memory_working_set, stats->memory_usage);
    printf ("  stats: cpu %lluns, memory %llu (working set %llu), pids %llu\n",
            (unsigned long long) stats->cpu_total_usage, (unsigned long long) stats->memory_usage,
            (unsigned long long) stats->memory_working_set,
            (unsigned long long) stats->pids_current);
  }
  Took ("stats (one shot)", start);

  // Stop: sh as PID 1 ignores SIGTERM, so SIGKILL after 2 s. Again: 304.
  start = Now ();
  ASSERT_EQ (docker_container_stop (client_, id_.c_str (), 2, &err_), 0) << kl_error_message (err_);
  double stop_took = Now () - start;
  EXPECT_GE (stop_took, 1.9);
  EXPECT_LT (stop_took, 10.0);
  Took ("stop (t=2)", start);
  start = Now ();
  EXPECT_EQ (docker_container_stop (client_, id_.c_str (), 2, &err_), DOCKER_NOT_MODIFIED)
      << kl_error_message (err_);
  EXPECT_EQ (err_, nullptr);
  Took ("stop again (not modified)", start);

  // Wait returns at once with the exit status.
  start = Now ();
  int64_t status = -1;
  ASSERT_EQ (docker_container_wait (client_, id_.c_str (), nullptr, 10 * kSecond, &status, &err_),
             0)
      << kl_error_message (err_);
  EXPECT_EQ (status, 137);
  {
    cleanup_docker (docker_container_inspect) docker_container_inspect_t *c = nullptr;
    ASSERT_EQ (docker_container_inspect (client_, id_.c_str (), &c, &err_), 0);
    EXPECT_FALSE (c->state.running);
    EXPECT_STREQ (c->state.status, "exited");
    EXPECT_EQ (c->state.exit_code, 137);
    EXPECT_GE (c->state.finished_at, c->state.started_at);
  }
  // Kill of a stopped container: a conflict.
  ASSERT_LT (docker_container_kill (client_, id_.c_str (), nullptr, &err_), 0);
  EXPECT_EQ (err_->status, 409);
  kl_error_release (&err_);
  Took ("wait", start);

  // Remove; then it is gone.
  start = Now ();
  ASSERT_EQ (docker_container_remove (client_, id_.c_str (), false, true, &err_), 0)
      << kl_error_message (err_);
  docker_container_inspect_t *gone = nullptr;
  ASSERT_LT (docker_container_inspect (client_, id_.c_str (), &gone, &err_), 0);
  EXPECT_TRUE (kl_error_is (err_, KL_ERROR_NOT_FOUND)) << kl_error_message (err_);
  EXPECT_EQ (err_->status, 404);
  printf ("  after remove: %s\n", kl_error_message (err_));
  id_.clear ();
  Took ("remove + inspect (not found)", start);
}

TEST_F (DockerIntegrationTest, CreateFromAMissingImage)
{
  json_t *config = json_pack ("{s:s}", "Image", "busybox:9");
  docker_container_create_result_t *created = nullptr;
  ASSERT_LT (docker_container_create (client_, name_.c_str (), config, &created, &err_), 0);
  json_decref (config);
  EXPECT_TRUE (kl_error_is (err_, KL_ERROR_NOT_FOUND));
  EXPECT_STREQ (kl_error_message (err_),
                "docker: POST /containers/create: 404: No such image: busybox:9");
}

} // namespace
