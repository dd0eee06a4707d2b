// Docker inspect and list results -> CRI statuses and list entries.
#include <gtest/gtest.h>
#include <string.h>
#include <unistd.h>

#include <map>
#include <string>

extern "C" {
#include "pkg/kubelet/dockershim/checkpoint.h"
#include "pkg/kubelet/dockershim/convert.h"
#include "pkg/kubelet/dockershim/libdocker/decode.h"
#include "pkg/util/grpc/grpc.h"
}

namespace {

const char *kId = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

docker_container_inspect_t *
Inspect (const std::string &json)
{
  docker_container_inspect_t *c = nullptr;
  kl_error_t err = nullptr;
  EXPECT_EQ (docker_decode_container_inspect (json.c_str (), json.size (), &c, &err), 0)
      << kl_error_message (err);
  kl_error_release (&err);
  return c;
}

std::string
ContainerJson (const std::string &name, const std::string &state, const std::string &extra = "")
{
  return std::string ("{\"Id\": \"") + kId + "\", \"Name\": \"" + name
         + "\", \"Created\": \"2024-05-01T10:00:00.5Z\", \"Image\": \"sha256:feed\", "
           "\"State\": "
         + state
         + ", \"Config\": {\"Image\": \"busybox:1.36\", \"Labels\": {"
           "\"io.kubernetes.docker.type\": \"container\", \"io.kubernetes.sandbox.id\": \"sb\", "
           "\"io.kubernetes.container.logpath\": \"/logs/c/0.log\", \"app\": \"x\", "
           "\"annotation.hash\": \"42\"}}, "
           "\"HostConfig\": {\"NetworkMode\": \"container:sb\", \"CpuShares\": 100, "
           "\"Memory\": 1048576, \"OomScoreAdj\": 5}, "
           "\"Mounts\": [{\"Type\": \"bind\", \"Source\": \"/h\", \"Destination\": \"/c\", "
           "\"RW\": false, \"Propagation\": \"rslave\"}]"
         + extra + "}";
}

TEST (ConvertTest, RunningContainerStatus)
{
  docker_container_inspect_t *c = Inspect (ContainerJson (
      "/k8s_app_web_default_uid_2",
      "{\"Status\": \"running\", \"Running\": true, \"Pid\": 42, "
      "\"StartedAt\": \"2024-05-01T10:00:01Z\", \"FinishedAt\": \"0001-01-01T00:00:00Z\"}"));
  ASSERT_NE (c, nullptr);
  Runtime__V1__ContainerStatus *s = nullptr;
  kl_error_t err = nullptr;
  ASSERT_EQ (ds_container_status_from_inspect (c, &s, &err), 0) << kl_error_message (err);
  EXPECT_STREQ (s->id, kId);
  EXPECT_STREQ (s->metadata->name, "app");
  EXPECT_EQ (s->metadata->attempt, 2u);
  EXPECT_EQ (s->state, RUNTIME__V1__CONTAINER_STATE__CONTAINER_RUNNING);
  EXPECT_EQ (s->created_at, 1714557600500000000LL);
  EXPECT_EQ (s->started_at, 1714557601000000000LL);
  EXPECT_EQ (s->finished_at, 0);
  EXPECT_STREQ (s->reason, "");
  EXPECT_STREQ (s->image->image, "busybox:1.36");
  EXPECT_STREQ (s->image_ref, "sha256:feed");
  EXPECT_STREQ (s->log_path, "/logs/c/0.log");
  ASSERT_EQ (s->n_mounts, 1u);
  EXPECT_STREQ (s->mounts[0]->host_path, "/h");
  EXPECT_TRUE (s->mounts[0]->readonly);
  EXPECT_EQ (s->mounts[0]->propagation,
             RUNTIME__V1__MOUNT_PROPAGATION__PROPAGATION_HOST_TO_CONTAINER);
  ASSERT_EQ (s->n_labels, 1u);
  EXPECT_STREQ (s->labels[0]->key, "app");
  ASSERT_EQ (s->n_annotations, 1u);
  EXPECT_STREQ (s->annotations[0]->key, "hash");
  EXPECT_EQ (s->resources->linux->cpu_shares, 100);
  EXPECT_EQ (s->resources->linux->memory_limit_in_bytes, 1048576);
  EXPECT_EQ (s->resources->linux->oom_score_adj, 5);
  protobuf_c_message_free_unpacked (&s->base, nullptr);
  docker_container_inspect_free (c);
}

struct ExitCase
{
  const char *state;
  int want_state;
  const char *want_reason;
  int want_exit;
};

TEST (ConvertTest, ExitReasons)
{
  const ExitCase cases[] = {
    { "{\"Status\": \"exited\", \"ExitCode\": 0, \"StartedAt\": \"2024-05-01T10:00:01Z\", "
      "\"FinishedAt\": \"2024-05-01T10:00:02Z\"}",
      RUNTIME__V1__CONTAINER_STATE__CONTAINER_EXITED, "Completed", 0 },
    { "{\"Status\": \"exited\", \"ExitCode\": 137, \"StartedAt\": \"2024-05-01T10:00:01Z\", "
      "\"FinishedAt\": \"2024-05-01T10:00:02Z\"}",
      RUNTIME__V1__CONTAINER_STATE__CONTAINER_EXITED, "Error", 137 },
    { "{\"Status\": \"exited\", \"OOMKilled\": true, \"ExitCode\": 137, "
      "\"StartedAt\": \"2024-05-01T10:00:01Z\", \"FinishedAt\": \"2024-05-01T10:00:02Z\"}",
      RUNTIME__V1__CONTAINER_STATE__CONTAINER_EXITED, "OOMKilled", 137 },
    { "{\"Status\": \"created\", \"ExitCode\": 127, \"Error\": \"exec: not found\", "
      "\"StartedAt\": \"0001-01-01T00:00:00Z\", \"FinishedAt\": \"0001-01-01T00:00:00Z\"}",
      RUNTIME__V1__CONTAINER_STATE__CONTAINER_EXITED, "ContainerCannotRun", 127 },
    { "{\"Status\": \"created\", \"StartedAt\": \"0001-01-01T00:00:00Z\", "
      "\"FinishedAt\": \"0001-01-01T00:00:00Z\"}",
      RUNTIME__V1__CONTAINER_STATE__CONTAINER_CREATED, "", 0 },
  };
  for (const auto &tc : cases)
    {
      docker_container_inspect_t *c
          = Inspect (ContainerJson ("/k8s_app_web_default_uid_0", tc.state));
      ASSERT_NE (c, nullptr);
      Runtime__V1__ContainerStatus *s = nullptr;
      kl_error_t err = nullptr;
      ASSERT_EQ (ds_container_status_from_inspect (c, &s, &err), 0);
      EXPECT_EQ ((int) s->state, tc.want_state) << tc.state;
      EXPECT_STREQ (s->reason, tc.want_reason) << tc.state;
      EXPECT_EQ (s->exit_code, tc.want_exit) << tc.state;
      if (strcmp (tc.want_reason, "ContainerCannotRun") == 0)
        {
          EXPECT_STREQ (s->message, "exec: not found");
          EXPECT_EQ (s->finished_at, s->created_at);
        }
      protobuf_c_message_free_unpacked (&s->base, nullptr);
      docker_container_inspect_free (c);
    }
}

TEST (ConvertTest, ForeignNamesAreRejected)
{
  docker_container_inspect_t *c
      = Inspect (ContainerJson ("/my-own-container", "{\"Running\": true}"));
  Runtime__V1__ContainerStatus *s = nullptr;
  kl_error_t err = nullptr;
  EXPECT_LT (ds_container_status_from_inspect (c, &s, &err), 0);
  EXPECT_TRUE (kl_error_is (err, KL_ERROR_INVALID));
  kl_error_release (&err);
  docker_container_inspect_free (c);
}

TEST (ConvertTest, SandboxStatusNamespaces)
{
  std::string json = std::string ("{\"Id\": \"") + kId
                     + "\", \"Name\": \"/k8s_POD_web_default_uid_1\", "
                       "\"Created\": \"2024-05-01T10:00:00Z\", \"State\": {\"Running\": true}, "
                       "\"Config\": {\"Labels\": {\"io.kubernetes.docker.type\": \"podsandbox\", "
                       "\"io.kubernetes.container.name\": \"POD\", \"app\": \"web\", "
                       "\"annotation.a\": \"b\"}}, "
                       "\"HostConfig\": {\"NetworkMode\": \"host\", \"PidMode\": \"\", "
                       "\"IpcMode\": \"host\"}}";
  docker_container_inspect_t *c = Inspect (json);
  ds_checkpoint_t *cp = ds_checkpoint_new ();
  cp->pid_mode = RUNTIME__V1__NAMESPACE_MODE__POD;
  ds_checkpoint_set (&cp->runtime_handler, "kata");
  Runtime__V1__PodSandboxStatus *s = nullptr;
  kl_error_t err = nullptr;
  ASSERT_EQ (ds_sandbox_status_from_inspect (c, cp, "", &s, &err), 0) << kl_error_message (err);
  EXPECT_EQ (s->state, RUNTIME__V1__POD_SANDBOX_STATE__SANDBOX_READY);
  EXPECT_STREQ (s->metadata->name, "web");
  EXPECT_STREQ (s->metadata->namespace_, "default");
  EXPECT_STREQ (s->metadata->uid, "uid");
  EXPECT_EQ (s->metadata->attempt, 1u);
  EXPECT_EQ (s->created_at, 1714557600000000000LL);
  auto *ns = s->linux->namespaces->options;
  EXPECT_EQ (ns->network, RUNTIME__V1__NAMESPACE_MODE__NODE);
  EXPECT_EQ (ns->pid, RUNTIME__V1__NAMESPACE_MODE__POD);
  EXPECT_EQ (ns->ipc, RUNTIME__V1__NAMESPACE_MODE__NODE);
  EXPECT_STREQ (s->runtime_handler, "kata");
  ASSERT_EQ (s->n_labels, 1u) << "the container name label is the dockershim's";
  EXPECT_STREQ (s->labels[0]->key, "app");
  ASSERT_EQ (s->n_annotations, 1u);
  protobuf_c_message_free_unpacked (&s->base, nullptr);
  ds_checkpoint_free (cp);
  docker_container_inspect_free (c);
}

TEST (ConvertTest, ListEntries)
{
  std::string json
      = std::string ("[{\"Id\": \"") + kId
        + "\", \"Names\": [\"/k8s_app_web_default_uid_3\"], \"Image\": \"busybox\", "
          "\"ImageID\": \"sha256:feed\", \"Created\": 1714557600, \"State\": \"exited\", "
          "\"Labels\": {\"io.kubernetes.sandbox.id\": \"sb\", "
          "\"io.kubernetes.docker.type\": \"container\", \"k\": \"v\"}}, "
          "{\"Id\": \"s1\", \"Names\": [\"/k8s_POD_web_default_uid_0\"], "
          "\"Created\": 1714557600, \"State\": \"running\", \"Labels\": {}}]";
  docker_container_list_t *list = nullptr;
  kl_error_t err = nullptr;
  ASSERT_EQ (docker_decode_container_list (json.c_str (), json.size (), &list, &err), 0);
  Runtime__V1__Container *c = nullptr;
  ASSERT_EQ (ds_container_from_summary (&list->items[0], &c, &err), 0);
  EXPECT_STREQ (c->pod_sandbox_id, "sb");
  EXPECT_STREQ (c->metadata->name, "app");
  EXPECT_EQ (c->metadata->attempt, 3u);
  EXPECT_EQ (c->state, RUNTIME__V1__CONTAINER_STATE__CONTAINER_EXITED);
  EXPECT_EQ (c->created_at, 1714557600000000000LL);
  EXPECT_STREQ (c->image->image, "busybox");
  EXPECT_STREQ (c->image_ref, "sha256:feed");
  ASSERT_EQ (c->n_labels, 1u);
  protobuf_c_message_free_unpacked (&c->base, nullptr);
  Runtime__V1__PodSandbox *s = nullptr;
  ASSERT_EQ (ds_sandbox_from_summary (&list->items[1], &s, &err), 0);
  EXPECT_EQ (s->state, RUNTIME__V1__POD_SANDBOX_STATE__SANDBOX_READY);
  EXPECT_STREQ (s->metadata->name, "web");
  protobuf_c_message_free_unpacked (&s->base, nullptr);
  docker_container_list_free (list);

  EXPECT_EQ (ds_container_state_from_docker ("running"),
             RUNTIME__V1__CONTAINER_STATE__CONTAINER_RUNNING);
  EXPECT_EQ (ds_container_state_from_docker ("created"),
             RUNTIME__V1__CONTAINER_STATE__CONTAINER_CREATED);
  EXPECT_EQ (ds_container_state_from_docker ("dead"),
             RUNTIME__V1__CONTAINER_STATE__CONTAINER_EXITED);
  EXPECT_EQ (ds_container_state_from_docker ("removing"),
             RUNTIME__V1__CONTAINER_STATE__CONTAINER_UNKNOWN);
}

TEST (ConvertTest, ImageUsers)
{
  struct
  {
    const char *user;
    bool has_uid;
    int64_t uid;
    const char *name;
  } cases[] = {
    { "", false, 0, nullptr },
    { "1000", true, 1000, nullptr },
    { "1000:2000", true, 1000, nullptr },
    { "nobody", false, 0, "nobody" },
    { "www-data:www", false, 0, "www-data" },
    { "0", true, 0, nullptr },
  };
  for (const auto &tc : cases)
    {
      bool has_uid = true;
      int64_t uid = -1;
      char *name = nullptr;
      ds_image_user (tc.user, &has_uid, &uid, &name);
      EXPECT_EQ (has_uid, tc.has_uid) << tc.user;
      if (tc.has_uid)
        {
          EXPECT_EQ (uid, tc.uid) << tc.user;
        }
      if (tc.name)
        {
          EXPECT_STREQ (name, tc.name) << tc.user;
        }
      else
        {
          EXPECT_EQ (name, nullptr) << tc.user;
        }
      free (name);
    }

  std::string json = "{\"Id\": \"sha256:abc\", \"RepoTags\": [\"a:1\", \"b:2\"], "
                     "\"RepoDigests\": [\"a@sha256:def\"], \"Size\": 1234, "
                     "\"Config\": {\"User\": \"65534:65534\"}}";
  docker_image_inspect_t *image = nullptr;
  kl_error_t err = nullptr;
  ASSERT_EQ (docker_decode_image_inspect (json.c_str (), json.size (), &image, &err), 0);
  Runtime__V1__Image *im = ds_image_from_inspect (image, true);
  EXPECT_STREQ (im->id, "sha256:abc");
  ASSERT_EQ (im->n_repo_tags, 2u);
  EXPECT_STREQ (im->repo_tags[1], "b:2");
  ASSERT_EQ (im->n_repo_digests, 1u);
  EXPECT_EQ (im->size, 1234u);
  ASSERT_NE (im->uid, nullptr);
  EXPECT_EQ (im->uid->value, 65534);
  EXPECT_STREQ (im->username, "");
  EXPECT_TRUE (im->pinned);
  protobuf_c_message_free_unpacked (&im->base, nullptr);
  docker_image_inspect_free (image);
}

// Found by //pkg/kubelet/dockershim:cri_fuzz: a uid that is not UTF-8 made
// the checkpoint write abort the process (jansson refuses such strings).
TEST (CheckpointTest, NonUtf8FieldIsAnErrorNotAnAbort)
{
  ds_checkpoint_t *cp = ds_checkpoint_new ();
  ds_checkpoint_set (&cp->name, "web");
  ds_checkpoint_set (&cp->uid, "uid\xfc"
                               "1");
  char dir[] = "/tmp/checkpoint_test.XXXXXX";
  ASSERT_NE (mkdtemp (dir), nullptr);
  kl_error_t err = nullptr;
  EXPECT_LT (ds_checkpoint_write (dir, "abc", cp, &err), 0);
  EXPECT_TRUE (kl_error_is (err, KL_ERROR_INVALID));
  EXPECT_STREQ (kl_error_message (err), "checkpoint of sandbox abc: a field is not valid UTF-8");
  kl_error_release (&err);
  EXPECT_NE (access ((std::string (dir) + "/abc").c_str (), F_OK), 0);
  rmdir (dir);
  ds_checkpoint_free (cp);
}

TEST (CheckpointTest, RoundTripAndFiles)
{
  ds_checkpoint_t *cp = ds_checkpoint_new ();
  ds_checkpoint_set (&cp->name, "web");
  ds_checkpoint_set (&cp->ns, "default");
  ds_checkpoint_set (&cp->uid, "u1");
  cp->attempt = 4;
  ds_checkpoint_set (&cp->network, "cni");
  cp->pid_mode = 2;
  ds_checkpoint_add_port (cp, 1, 53, 5353, "127.0.0.1");
  cp->cni_config = json_pack ("{s:s}", "name", "net");
  cp->cni_result = json_pack ("{s:[{s:s}]}", "ips", "address", "10.0.0.2/24");
  ds_checkpoint_set (&cp->ip, "10.0.0.2");
  cp->network_ready = true;

  char dir[] = "/tmp/checkpoint_test.XXXXXX";
  ASSERT_NE (mkdtemp (dir), nullptr);
  std::string sub = std::string (dir) + "/sandbox";
  kl_error_t err = nullptr;
  ASSERT_EQ (ds_checkpoint_write (sub.c_str (), "abc", cp, &err), 0) << kl_error_message (err);
  ds_checkpoint_t *back = nullptr;
  ASSERT_EQ (ds_checkpoint_read (sub.c_str (), "abc", &back, &err), 0) << kl_error_message (err);
  EXPECT_STREQ (back->name, "web");
  EXPECT_EQ (back->attempt, 4u);
  EXPECT_EQ (back->pid_mode, 2);
  ASSERT_EQ (back->n_ports, 1u);
  EXPECT_EQ (back->ports[0].host_port, 5353);
  EXPECT_STREQ (back->ports[0].host_ip, "127.0.0.1");
  EXPECT_TRUE (json_equal (back->cni_config, cp->cni_config));
  EXPECT_TRUE (json_equal (back->cni_result, cp->cni_result));
  EXPECT_STREQ (back->ip, "10.0.0.2");
  EXPECT_TRUE (back->network_ready);
  ds_checkpoint_free (back);

  char **ids = nullptr;
  size_t n = 0;
  ASSERT_EQ (ds_checkpoint_write (sub.c_str (), "aaa", cp, &err), 0);
  ASSERT_EQ (ds_checkpoint_list (sub.c_str (), &ids, &n, &err), 0);
  ASSERT_EQ (n, 2u);
  EXPECT_STREQ (ids[0], "aaa");
  EXPECT_STREQ (ids[1], "abc");
  for (size_t i = 0; i < n; i++)
    free (ids[i]);
  free (ids);

  // Missing, corrupt, bad IDs.
  EXPECT_LT (ds_checkpoint_read (sub.c_str (), "nope", &back, &err), 0);
  EXPECT_TRUE (kl_error_is (err, KL_ERROR_NOT_FOUND));
  kl_error_release (&err);
  FILE *f = fopen ((sub + "/bad").c_str (), "w");
  fputs ("{\"version\": \"v1\", \"data\": {\"attempt\": \"x\"}}", f);
  fclose (f);
  EXPECT_LT (ds_checkpoint_read (sub.c_str (), "bad", &back, &err), 0);
  EXPECT_TRUE (kl_error_is (err, KL_ERROR_INVALID)) << kl_error_message (err);
  kl_error_release (&err);
  EXPECT_LT (ds_checkpoint_read (sub.c_str (), "../etc", &back, &err), 0);
  kl_error_release (&err);

  EXPECT_EQ (ds_checkpoint_remove (sub.c_str (), "abc", &err), 0);
  EXPECT_EQ (ds_checkpoint_remove (sub.c_str (), "abc", &err), 0);
  ds_checkpoint_free (cp);
  std::string cmd = std::string ("rm -rf ") + dir;
  ASSERT_EQ (system (cmd.c_str ()), 0);
}

} // namespace
