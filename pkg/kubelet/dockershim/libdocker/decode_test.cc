// Decoders against responses captured from dockerd 20.10.24 (API 1.41) in
// testdata/, and against malformed input.
#include <gtest/gtest.h>
#include <string.h>

#include <fstream>
#include <sstream>
#include <string>

extern "C" {
#include "pkg/kubelet/dockershim/libdocker/decode.h"
}

namespace {

std::string
Fixture (const std::string &name)
{
  std::ifstream in ("pkg/kubelet/dockershim/libdocker/testdata/" + name);
  EXPECT_TRUE (in.good ()) << name;
  std::stringstream ss;
  ss << in.rdbuf ();
  return ss.str ();
}

class DecodeTest : public ::testing::Test
{
protected:
  void
  TearDown () override
  {
    kl_error_release (&err_);
  }
  kl_error_t err_ = nullptr;
};

TEST_F (DecodeTest, Version)
{
  std::string json = Fixture ("version.json");
  cleanup_docker (docker_version) docker_version_t *v = nullptr;
  ASSERT_EQ (docker_decode_version (json.data (), json.size (), &v, &err_), 0)
      << kl_error_message (err_);
  EXPECT_STREQ (v->version, "20.10.24+dfsg1");
  EXPECT_STREQ (v->api_version, "1.41");
  EXPECT_STREQ (v->min_api_version, "1.12");
  EXPECT_STREQ (v->os, "linux");
  EXPECT_STREQ (v->arch, "amd64");
  EXPECT_STREQ (v->kernel_version, "6.18.44-fc-v782");
  EXPECT_STREQ (v->go_version, "go1.19.8");
}

TEST_F (DecodeTest, Info)
{
  std::string json = Fixture ("info.json");
  cleanup_docker (docker_info) docker_info_t *info = nullptr;
  ASSERT_EQ (docker_decode_info (json.data (), json.size (), &info, &err_), 0)
      << kl_error_message (err_);
  EXPECT_STREQ (info->name, "vm");
  EXPECT_STREQ (info->server_version, "20.10.24+dfsg1");
  EXPECT_STREQ (info->cgroup_driver, "cgroupfs");
  EXPECT_STREQ (info->cgroup_version, "1");
  EXPECT_STREQ (info->docker_root_dir, "/var/lib/docker");
  EXPECT_STREQ (info->default_runtime, "runc");
  EXPECT_STREQ (info->driver, "overlay2");
  EXPECT_TRUE (docker_strings_contain (&info->runtimes, "runc"));
  EXPECT_TRUE (docker_strings_contain (&info->runtimes, "io.containerd.runc.v2"));
  ASSERT_EQ (info->security_options.len, 1u);
  EXPECT_STREQ (info->security_options.items[0], "name=seccomp,profile=default");
  EXPECT_EQ (info->ncpu, 2);
  EXPECT_EQ (info->mem_total, 25276063744LL);
}

TEST_F (DecodeTest, ContainerInspectRunning)
{
  std::string json = Fixture ("container_inspect.json");
  cleanup_docker (docker_container_inspect) docker_container_inspect_t *c = nullptr;
  ASSERT_EQ (docker_decode_container_inspect (json.data (), json.size (), &c, &err_), 0)
      << kl_error_message (err_);
  EXPECT_STREQ (c->id, "620c0a68b99807565d77b5f1ef844bc7a3a5df966b3167a53905d406387b1e6d");
  EXPECT_STREQ (c->name, "/fx1");
  EXPECT_EQ (c->created, 1795892254183240255LL);
  EXPECT_STREQ (c->path, "sh");
  ASSERT_EQ (c->args.len, 2u);
  EXPECT_STREQ (c->args.items[1], "echo out; echo err >&2; sleep 300");
  EXPECT_STREQ (c->state.status, "running");
  EXPECT_TRUE (c->state.running);
  EXPECT_FALSE (c->state.paused);
  EXPECT_FALSE (c->state.oom_killed);
  EXPECT_EQ (c->state.pid, 3574);
  EXPECT_EQ (c->state.started_at, 1795892255001182896LL);
  EXPECT_EQ (c->state.finished_at, 0); // Go's zero time
  EXPECT_STREQ (c->image,
                "sha256:956865cbe04f05896bfb8e58cd6dec6c8dc1007bf212875cbb0a8e8f15dc512f");
  EXPECT_NE (strstr (c->log_path, "-json.log"), nullptr);
  EXPECT_STREQ (c->config.image, "127.0.0.1:5000/busybox:1.36");
  EXPECT_STREQ (docker_labels_get (&c->config.labels, "k8s-test"), "1");
  EXPECT_STREQ (docker_labels_get (&c->config.labels, "io.kubernetes.pod.name"), "web");
  EXPECT_EQ (docker_labels_get (&c->config.labels, "missing"), nullptr);
  EXPECT_TRUE (docker_strings_contain (&c->config.env, "FOO=bar"));
  ASSERT_EQ (c->config.cmd.len, 3u);
  EXPECT_EQ (c->config.entrypoint.len, 0u); // null
  EXPECT_FALSE (c->config.tty);
  EXPECT_STREQ (c->host_config.network_mode, "none");
  EXPECT_STREQ (c->host_config.ipc_mode, "private");
  EXPECT_STREQ (c->host_config.pid_mode, "");
  ASSERT_EQ (c->host_config.binds.len, 1u);
  EXPECT_STREQ (c->host_config.binds.items[0], "/tmp:/host-tmp:ro");
  EXPECT_STREQ (c->host_config.log_config.type, "json-file");
  EXPECT_STREQ (docker_labels_get (&c->host_config.log_config.config, "max-size"), "10m");
  EXPECT_FALSE (c->host_config.privileged);
  EXPECT_EQ (c->host_config.memory, 67108864);
  EXPECT_EQ (c->host_config.memory_swap, 134217728);
  EXPECT_EQ (c->host_config.cpu_shares, 512);
  EXPECT_EQ (c->host_config.cpu_quota, 50000);
  EXPECT_EQ (c->host_config.cpu_period, 100000);
  EXPECT_EQ (c->host_config.pids_limit, 0); // null
  EXPECT_STREQ (c->network_settings.ip_address, "");
  ASSERT_EQ (c->network_settings.n_networks, 1u);
  EXPECT_STREQ (c->network_settings.networks[0].name, "none");
  ASSERT_EQ (c->n_mounts, 1u);
  EXPECT_STREQ (c->mounts[0].source, "/tmp");
  EXPECT_STREQ (c->mounts[0].destination, "/host-tmp");
  EXPECT_FALSE (c->mounts[0].rw);
  EXPECT_STREQ (c->mounts[0].propagation, "rslave");
}

TEST_F (DecodeTest, ContainerInspectExited)
{
  std::string json = Fixture ("container_inspect_exited.json");
  cleanup_docker (docker_container_inspect) docker_container_inspect_t *c = nullptr;
  ASSERT_EQ (docker_decode_container_inspect (json.data (), json.size (), &c, &err_), 0)
      << kl_error_message (err_);
  EXPECT_STREQ (c->state.status, "exited");
  EXPECT_FALSE (c->state.running);
  EXPECT_EQ (c->state.pid, 0);
  EXPECT_EQ (c->state.exit_code, 137);
  EXPECT_EQ (c->state.finished_at, 1795892261165682698LL);
}

TEST_F (DecodeTest, ContainerInspectBridgeNetwork)
{
  std::string json = Fixture ("container_inspect_bridge.json");
  cleanup_docker (docker_container_inspect) docker_container_inspect_t *c = nullptr;
  ASSERT_EQ (docker_decode_container_inspect (json.data (), json.size (), &c, &err_), 0)
      << kl_error_message (err_);
  EXPECT_STREQ (c->host_config.network_mode, "bridge");
  EXPECT_STREQ (c->network_settings.ip_address, "172.17.0.2");
  ASSERT_EQ (c->network_settings.n_networks, 1u);
  EXPECT_STREQ (c->network_settings.networks[0].name, "bridge");
  EXPECT_STREQ (c->network_settings.networks[0].ip_address, "172.17.0.2");
  EXPECT_STREQ (c->network_settings.networks[0].gateway, "172.17.0.1");
}

TEST_F (DecodeTest, ContainerList)
{
  std::string json = Fixture ("container_list.json");
  cleanup_docker (docker_container_list) docker_container_list_t *list = nullptr;
  ASSERT_EQ (docker_decode_container_list (json.data (), json.size (), &list, &err_), 0)
      << kl_error_message (err_);
  ASSERT_EQ (list->len, 1u);
  docker_container_summary_t *c = &list->items[0];
  EXPECT_STREQ (c->id, "620c0a68b99807565d77b5f1ef844bc7a3a5df966b3167a53905d406387b1e6d");
  ASSERT_EQ (c->names.len, 1u);
  EXPECT_STREQ (c->names.items[0], "/fx1");
  EXPECT_STREQ (c->image, "127.0.0.1:5000/busybox:1.36");
  EXPECT_STREQ (c->image_id,
                "sha256:956865cbe04f05896bfb8e58cd6dec6c8dc1007bf212875cbb0a8e8f15dc512f");
  EXPECT_EQ (c->created, 1795892254);
  EXPECT_STREQ (c->state, "running");
  EXPECT_STREQ (c->status, "Up Less than a second");
  EXPECT_STREQ (docker_labels_get (&c->labels, "k8s-test"), "1");
}

TEST_F (DecodeTest, EmptyContainerList)
{
  cleanup_docker (docker_container_list) docker_container_list_t *list = nullptr;
  ASSERT_EQ (docker_decode_container_list ("[]", 2, &list, &err_), 0);
  EXPECT_EQ (list->len, 0u);
}

TEST_F (DecodeTest, ContainerCreate)
{
  std::string json = Fixture ("container_create.json");
  cleanup_docker (docker_container_create_result) docker_container_create_result_t *r = nullptr;
  ASSERT_EQ (docker_decode_container_create (json.data (), json.size (), &r, &err_), 0);
  EXPECT_STREQ (r->id, "620c0a68b99807565d77b5f1ef844bc7a3a5df966b3167a53905d406387b1e6d");
  EXPECT_EQ (r->warnings.len, 0u);

  const char *warned = "{\"Id\":\"abc\",\"Warnings\":[\"Your kernel does not support swap\"]}";
  cleanup_docker (docker_container_create_result) docker_container_create_result_t *w = nullptr;
  ASSERT_EQ (docker_decode_container_create (warned, strlen (warned), &w, &err_), 0);
  ASSERT_EQ (w->warnings.len, 1u);
  EXPECT_STREQ (w->warnings.items[0], "Your kernel does not support swap");
}

TEST_F (DecodeTest, ContainerStatsCgroupV1)
{
  std::string json = Fixture ("container_stats.json");
  cleanup_docker (docker_container_stats) docker_container_stats_t *s = nullptr;
  ASSERT_EQ (docker_decode_container_stats (json.data (), json.size (), &s, &err_), 0)
      << kl_error_message (err_);
  EXPECT_EQ (s->read, 1795892255110647076LL);
  EXPECT_EQ (s->preread, 0);
  EXPECT_EQ (s->cpu_total_usage, 49610221u);
  EXPECT_EQ (s->cpu_usage_in_kernelmode, 20000000u);
  EXPECT_EQ (s->system_cpu_usage, 3061880000000u);
  EXPECT_EQ (s->online_cpus, 2u);
  EXPECT_EQ (s->memory_usage, 344064u);
  EXPECT_EQ (s->memory_limit, 67108864u);
  EXPECT_EQ (s->memory_working_set, 344064u); // total_inactive_file is 0
  EXPECT_EQ (s->memory_rss, 49152u);
  EXPECT_EQ (s->pids_current, 1u);
}

TEST_F (DecodeTest, ContainerStatsCgroupV2)
{
  std::string json = Fixture ("container_stats_cgroup2.json");
  cleanup_docker (docker_container_stats) docker_container_stats_t *s = nullptr;
  ASSERT_EQ (docker_decode_container_stats (json.data (), json.size (), &s, &err_), 0)
      << kl_error_message (err_);
  EXPECT_EQ (s->memory_usage, 8781824u);
  EXPECT_EQ (s->memory_working_set, 8781824u - 5799936u);
  EXPECT_EQ (s->memory_rss, 1101824u);
  EXPECT_EQ (s->memory_limit, 9223372036854771712u);
}

TEST_F (DecodeTest, IntegersBeyondInt64AreRead)
{
  const char *json = "{\"read\":\"2024-01-02T03:04:05Z\",\"memory_stats\":{\"usage\":1,"
                     "\"limit\":18446744073709551615}}";
  cleanup_docker (docker_container_stats) docker_container_stats_t *s = nullptr;
  ASSERT_EQ (docker_decode_container_stats (json, strlen (json), &s, &err_), 0)
      << kl_error_message (err_);
  EXPECT_EQ (s->memory_usage, 1u);
  EXPECT_GT (s->memory_limit, 9223372036854775807ULL);
}

TEST_F (DecodeTest, ContainerWait)
{
  std::string json = Fixture ("container_wait.json");
  int64_t code = -1;
  ASSERT_EQ (docker_decode_container_wait (json.data (), json.size (), &code, &err_), 0);
  EXPECT_EQ (code, 137);
  const char *failed
      = "{\"Error\":{\"Message\":\"container stopped unexpectedly\"},\"StatusCode\":0}";
  ASSERT_LT (docker_decode_container_wait (failed, strlen (failed), &code, &err_), 0);
  EXPECT_STREQ (kl_error_message (err_), "waiting failed: container stopped unexpectedly");
}

TEST_F (DecodeTest, ExecInspectAndId)
{
  std::string json = Fixture ("exec_inspect.json");
  cleanup_docker (docker_exec_inspect) docker_exec_inspect_t *e = nullptr;
  ASSERT_EQ (docker_decode_exec_inspect (json.data (), json.size (), &e, &err_), 0);
  EXPECT_FALSE (e->running);
  EXPECT_EQ (e->exit_code, 3);
  EXPECT_EQ (e->pid, 3743);
  EXPECT_STREQ (e->container_id,
                "620c0a68b99807565d77b5f1ef844bc7a3a5df966b3167a53905d406387b1e6d");
  EXPECT_TRUE (e->open_stdout);
  EXPECT_FALSE (e->open_stdin);

  std::string created = Fixture ("exec_create.json");
  char *id = nullptr;
  ASSERT_EQ (docker_decode_id (created.data (), created.size (), &id, &err_), 0);
  EXPECT_STREQ (id, "6eb8c7ce83bf5215148e5cea37ee04bf68a5fa02bd0b14db62778c24da18430d");
  free (id);
  ASSERT_LT (docker_decode_id ("{}", 2, &id, &err_), 0);
  EXPECT_STREQ (kl_error_message (err_), "decoding ID response: Id: missing");
}

TEST_F (DecodeTest, ImageListDropsPlaceholders)
{
  std::string json = Fixture ("image_list.json");
  cleanup_docker (docker_image_list) docker_image_list_t *list = nullptr;
  ASSERT_EQ (docker_decode_image_list (json.data (), json.size (), &list, &err_), 0)
      << kl_error_message (err_);
  ASSERT_EQ (list->len, 2u);
  EXPECT_STREQ (list->items[0].id,
                "sha256:956865cbe04f05896bfb8e58cd6dec6c8dc1007bf212875cbb0a8e8f15dc512f");
  ASSERT_EQ (list->items[0].repo_tags.len, 1u);
  EXPECT_STREQ (list->items[0].repo_tags.items[0], "127.0.0.1:5000/busybox:1.36");
  ASSERT_EQ (list->items[0].repo_digests.len, 1u);
  EXPECT_EQ (list->items[0].size, 1982903);
  EXPECT_EQ (list->items[1].repo_tags.len, 0u);
  EXPECT_EQ (list->items[1].repo_digests.len, 0u);
  EXPECT_STREQ (docker_labels_get (&list->items[1].labels, "org.opencontainers.image.title"),
                "untagged");
}

TEST_F (DecodeTest, ImageInspect)
{
  std::string json = Fixture ("image_inspect.json");
  cleanup_docker (docker_image_inspect) docker_image_inspect_t *image = nullptr;
  ASSERT_EQ (docker_decode_image_inspect (json.data (), json.size (), &image, &err_), 0)
      << kl_error_message (err_);
  EXPECT_STREQ (image->id,
                "sha256:956865cbe04f05896bfb8e58cd6dec6c8dc1007bf212875cbb0a8e8f15dc512f");
  EXPECT_EQ (image->size, 1982903);
  EXPECT_EQ (image->created, 0); // the epoch: a reproducible build
  EXPECT_STREQ (image->os, "linux");
  ASSERT_EQ (image->config.cmd.len, 1u);
  EXPECT_STREQ (image->config.cmd.items[0], "/bin/sh");
  EXPECT_EQ (image->config.entrypoint.len, 0u);
  EXPECT_EQ (image->config.labels.len, 0u);
}

TEST_F (DecodeTest, ImageInspectConfig)
{
  std::string json = Fixture ("image_inspect_config.json");
  cleanup_docker (docker_image_inspect) docker_image_inspect_t *image = nullptr;
  ASSERT_EQ (docker_decode_image_inspect (json.data (), json.size (), &image, &err_), 0)
      << kl_error_message (err_);
  EXPECT_STREQ (image->config.user, "nobody");
  EXPECT_STREQ (image->config.working_dir, "/data");
  ASSERT_EQ (image->config.entrypoint.len, 2u);
  EXPECT_STREQ (image->config.entrypoint.items[1], "-c");
  ASSERT_EQ (image->config.cmd.len, 1u);
  EXPECT_STREQ (image->config.cmd.items[0], "echo hello");
  EXPECT_TRUE (docker_strings_contain (&image->config.env, "GREETING=hi"));
  EXPECT_STREQ (docker_labels_get (&image->config.labels, "maintainer"), "sig-node");
  ASSERT_EQ (image->config.volumes.len, 1u);
  EXPECT_STREQ (image->config.volumes.items[0], "/data");
  EXPECT_EQ (image->repo_digests.len, 0u);
  EXPECT_STREQ (image->parent,
                "sha256:956865cbe04f05896bfb8e58cd6dec6c8dc1007bf212875cbb0a8e8f15dc512f");
}

TEST_F (DecodeTest, WrongTypeNamesTheField)
{
  const char *json = "{\"Id\":\"abc\",\"State\":{\"Pid\":\"12\"}}";
  docker_container_inspect_t *c = nullptr;
  ASSERT_LT (docker_decode_container_inspect (json, strlen (json), &c, &err_), 0);
  EXPECT_TRUE (kl_error_is (err_, KL_ERROR_INVALID));
  EXPECT_STREQ (kl_error_message (err_),
                "decoding container inspect: State.Pid: want an integer, got string");
  EXPECT_EQ (c, nullptr);
}

TEST_F (DecodeTest, WrongTypeInAListNamesTheElement)
{
  const char *json = "[{\"Id\":\"a\"},{\"Id\":\"b\",\"Labels\":{\"k\":1}}]";
  docker_container_list_t *list = nullptr;
  ASSERT_LT (docker_decode_container_list (json, strlen (json), &list, &err_), 0);
  EXPECT_STREQ (kl_error_message (err_),
                "decoding container list: [1].Labels: \"k\": want a string, got integer");
}

TEST_F (DecodeTest, IntermediateNonObject)
{
  const char *json = "{\"Id\":\"abc\",\"State\":[1]}";
  docker_container_inspect_t *c = nullptr;
  ASSERT_LT (docker_decode_container_inspect (json, strlen (json), &c, &err_), 0);
  EXPECT_STREQ (kl_error_message (err_),
                "decoding container inspect: State.Status: want an object at State, got array");
}

TEST_F (DecodeTest, MalformedAndTruncatedJson)
{
  std::string json = Fixture ("container_inspect.json");
  docker_container_inspect_t *c = nullptr;
  // Every truncation of a real response is refused, never read past.
  for (size_t n = 0; n < json.size () - 2; n += 97)
    {
      std::string cut = json.substr (0, n);
      ASSERT_LT (docker_decode_container_inspect (cut.data (), cut.size (), &c, &err_), 0) << n;
      EXPECT_TRUE (kl_error_is (err_, KL_ERROR_INVALID));
      kl_error_release (&err_);
    }
  ASSERT_LT (docker_decode_container_inspect ("[]", 2, &c, &err_), 0);
  EXPECT_STREQ (kl_error_message (err_),
                "decoding container inspect: want a JSON object, got array");
  kl_error_release (&err_);
  ASSERT_LT (docker_decode_container_inspect (nullptr, 0, &c, &err_), 0);
  kl_error_release (&err_);
  // The length bounds the input: the bytes after it are never read.
  const char *padded = "{\"Id\":\"x\"}garbage";
  ASSERT_EQ (docker_decode_container_inspect (padded, 10, &c, &err_), 0) << kl_error_message (err_);
  docker_container_inspect_free (c);
}

TEST_F (DecodeTest, MissingIdIsAnError)
{
  docker_container_inspect_t *c = nullptr;
  ASSERT_LT (docker_decode_container_inspect ("{}", 2, &c, &err_), 0);
  EXPECT_STREQ (kl_error_message (err_), "decoding container inspect: Id: missing");
}

TEST_F (DecodeTest, ParseTime)
{
  struct
  {
    const char *in;
    int64_t want;
  } ok[] = {
    { "0001-01-01T00:00:00Z", 0 },
    { "1970-01-01T00:00:00Z", 0 },
    { "1970-01-01T00:00:01.5Z", 1500000000 },
    { "2026-11-28T18:57:35.001182896Z", 1795892255001182896LL },
    { "2026-11-28T18:57:35.0011828961234Z", 1795892255001182896LL }, // beyond ns: dropped
    { "2009-11-10T23:00:00+01:30", 1257888600000000000LL },
    { "1969-12-31T23:59:59Z", -1000000000LL },
  };
  for (auto &c : ok)
    {
      int64_t ns = 42;
      ASSERT_EQ (docker_parse_time (c.in, strlen (c.in), &ns, &err_), 0)
          << c.in << ": " << kl_error_message (err_);
      EXPECT_EQ (ns, c.want) << c.in;
    }
  const char *bad[] = {
    "",
    "2026-11-28",
    "2026-11-28T18:57:35",
    "2026-11-28 18:57:35Z",
    "2026-13-28T18:57:35Z",
    "2026-11-28T18:57:35.Z",
    "2026-11-28T18:57:35Zjunk",
    "2026-11-28T18:57:35+0100",
    "9999-01-01T00:00:00Z",
  };
  for (const char *s : bad)
    {
      int64_t ns;
      EXPECT_LT (docker_parse_time (s, strlen (s), &ns, &err_), 0) << s;
      kl_error_release (&err_);
    }
  // The length bounds the input.
  int64_t ns;
  EXPECT_EQ (docker_parse_time ("1970-01-01T00:00:02Zxyz", 20, &ns, &err_), 0);
  EXPECT_EQ (ns, 2000000000);
}

} // namespace
