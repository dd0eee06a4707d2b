// The container config the kubelet hands the runtime: kl_container_config_make
// (generateContainerConfig), with kl_expand_env and the QoS helpers.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <string>
#include <sys/stat.h>
#include <vector>

#include "pkg/kubelet/kuberuntime/config_testing.h"

using namespace kl_kuberuntime_testing;
using namespace kl_config_testing;

namespace {

// ---------------------------------------------------------------------------
// kl_expand_env
// ---------------------------------------------------------------------------

TEST (ExpandEnvTest, Table)
{
  kl_env_var_t env[] = {
    { (char *) "A", (char *) "alpha" },
    { (char *) "B", (char *) "beta" },
    { (char *) "EMPTY", nullptr },
    { (char *) "A", (char *) "again" }, // a later duplicate wins
  };
  struct Row
  {
    const char *in, *want;
  } rows[] = {
    { "", "" },
    { "plain", "plain" },
    { "$(A)", "again" },
    { "x$(B)y", "xbetay" },
    { "$(A)$(B)", "againbeta" },
    { "$(EMPTY)", "" },
    { "$(UNKNOWN)", "$(UNKNOWN)" },
    { "$$(A)", "$(A)" },
    { "$$", "$" },
    { "$$$$", "$$" },
    { "$$$(A)", "$again" },
    { "$", "$" },
    { "a$", "a$" },
    { "$x", "$x" },
    { "$(", "$(" },
    { "$(A", "$(A" },
    { "$()", "$()" },
    { "$(A $(B)", "$(A $(B)" },
    { "(A)", "(A)" },
    { "$(A$(B", "$(A$(B" },
  };
  for (const Row &r : rows)
    {
      SCOPED_TRACE (r.in);
      char *got = kl_expand_env (r.in, env, 4);
      EXPECT_STREQ (got, r.want);
      free (got);
    }
  char *none = kl_expand_env ("$(A)", nullptr, 0);
  EXPECT_STREQ (none, "$(A)");
  free (none);
}

// An unclosed reference is kept and scanning goes on after "$(", as in Go's
// expansion.Expand (tryReadVariableName returns "$(" and advances one byte),
// so a later "$$" is still an escape.
TEST (ExpandEnvTest, UnclosedReferenceThenEscape)
{
  kl_env_var_t env[] = { { (char *) "A", (char *) "alpha" } };
  char *got = kl_expand_env ("$(A$$", env, 1);
  EXPECT_STREQ (got, "$(A$");
  free (got);
  got = kl_expand_env ("echo $(HOME cost $$5", env, 1);
  EXPECT_STREQ (got, "echo $(HOME cost $5");
  free (got);
}

// ---------------------------------------------------------------------------
// Container config
// ---------------------------------------------------------------------------

class ContainerConfigTest : public ::testing::Test
{
protected:
  void
  SetUp () override
  {
    pod_dir = dir.path () + "/pods/1234-abcd";
  }

  kl_container_config_opts_t
  Opts (int restart_count = 0, bool is_init = false)
  {
    kl_container_config_opts_t o = {};
    o.image_ref = "sha256:feed";
    o.restart_count = restart_count;
    o.is_init = is_init;
    o.pod_dir = pod_dir.c_str ();
    o.memory_capacity = 4LL << 30;
    return o;
  }

  // Decodes the pod and makes the config of container `name`.
  void
  Make (const std::string &yaml, const std::string &name = "app", int restart_count = 0,
        bool is_init = false)
  {
    pod = DecodePod (yaml);
    ASSERT_NE (pod, nullptr);
    MakeFor (name, Opts (restart_count, is_init));
  }

  void
  MakeFor (const std::string &name, const kl_container_config_opts_t &opts)
  {
    const kl_container_t *c = Spec (pod.get (), name);
    ASSERT_NE (c, nullptr);
    kl_error_t err = nullptr;
    // As the runtime manager: volumes exist before a container config names them.
    if (kl_volumes_setup (pod_dir.c_str (), pod.get (), &err) < 0)
      kl_error_release (&err);
    ret = kl_container_config_make (pod.get (), c, &opts, config.out (), &err);
    message = kl_error_message (err);
    is_invalid = kl_error_is (err, KL_ERROR_INVALID);
    kl_error_release (&err);
  }

  void
  Reset ()
  {
    config.reset ();
  }

  std::string
  Annotation (const char *key)
  {
    return MapGet ((void *const *) config->annotations, config->n_annotations, key);
  }

  TempDir dir;
  std::string pod_dir;
  PodPtr pod;
  Pb<Runtime__V1__ContainerConfig> config;
  int ret = 0;
  std::string message;
  bool is_invalid = false;
};

TEST_F (ContainerConfigTest, CommandArgsAndEnvExpansion)
{
  Make (PodYaml ("  containers:\n"
                 "    - name: app\n"
                 "      image: busybox\n"
                 "      command: [sh, -c, 'echo $(GREETING) $(NAME)']\n"
                 "      args: ['$(ADDR)', '$$(NAME)', '$(MISSING)', '$(LITERAL)']\n"
                 "      env:\n"
                 "        - {name: NAME, value: world}\n"
                 "        - {name: GREETING, value: 'hello $(NAME)'}\n"
                 "        - {name: ADDR, value: '$(HOST):$(PORT)'}\n"
                 "        - {name: HOST, value: localhost}\n"
                 "        - {name: LITERAL, value: '$$(NAME)'}\n"
                 "        - {name: EMPTY}\n"));
  ASSERT_EQ (ret, 0) << message;
  EXPECT_EQ (Strv (config->command, config->n_command),
             (std::vector<std::string>{ "sh", "-c", "echo hello world world" }));
  // ADDR referred to HOST before HOST was defined, so it stays unexpanded.
  EXPECT_EQ (Strv (config->args, config->n_args),
             (std::vector<std::string>{ "$(HOST):$(PORT)", "$(NAME)", "$(MISSING)", "$(NAME)" }));
  std::vector<std::pair<std::string, std::string>> envs;
  for (size_t i = 0; i < config->n_envs; i++)
    envs.emplace_back (config->envs[i]->key, config->envs[i]->value);
  EXPECT_EQ (envs, (std::vector<std::pair<std::string, std::string>>{
                       { "NAME", "world" },
                       { "GREETING", "hello world" },
                       { "ADDR", "$(HOST):$(PORT)" },
                       { "HOST", "localhost" },
                       { "LITERAL", "$(NAME)" },
                       { "EMPTY", "" },
                   }));
}

TEST_F (ContainerConfigTest, MetadataImageLogPathLabelsAndAnnotations)
{
  Make (PodYaml ("  terminationGracePeriodSeconds: 45\n"
                 "  containers:\n"
                 "    - name: app\n"
                 "      image: busybox:1.36\n"
                 "      workingDir: /srv\n"
                 "      stdin: true\n"
                 "      tty: true\n"
                 "      terminationMessagePolicy: FallbackToLogsOnError\n"),
        "app", 4);
  ASSERT_EQ (ret, 0) << message;
  EXPECT_STREQ (config->metadata->name, "app");
  EXPECT_EQ (config->metadata->attempt, 4u);
  EXPECT_STREQ (config->image->image, "sha256:feed");
  EXPECT_STREQ (config->working_dir, "/srv");
  EXPECT_STREQ (config->log_path, "app/4.log");
  EXPECT_TRUE (config->stdin);
  EXPECT_TRUE (config->tty);
  EXPECT_FALSE (config->stdin_once);

  void *const *labels = (void *const *) config->labels;
  EXPECT_EQ (config->n_labels, 4u);
  EXPECT_EQ (MapGet (labels, config->n_labels, "io.kubernetes.pod.name"), "web");
  EXPECT_EQ (MapGet (labels, config->n_labels, "io.kubernetes.pod.namespace"), "prod");
  EXPECT_EQ (MapGet (labels, config->n_labels, "io.kubernetes.pod.uid"), "1234-abcd");
  EXPECT_EQ (MapGet (labels, config->n_labels, "io.kubernetes.container.name"), "app");

  char hash[KL_CONTAINER_HASH_STRLEN];
  kl_container_hash_format (kl_container_hash (Spec (pod.get (), "app")), hash);
  EXPECT_EQ (Annotation ("io.kubernetes.container.hash"), hash);
  EXPECT_EQ (Annotation ("io.kubernetes.container.restartCount"), "4");
  EXPECT_EQ (Annotation ("io.kubernetes.container.terminationMessagePath"), "/dev/termination-log");
  EXPECT_EQ (Annotation ("io.kubernetes.container.terminationMessagePolicy"),
             "FallbackToLogsOnError");
  EXPECT_EQ (Annotation ("io.kubernetes.pod.terminationGracePeriod"), "45");
  EXPECT_EQ (Annotation ("io.kubernetes.container.init"), "<absent>");
  EXPECT_EQ (config->n_mounts, 0u);
}

TEST_F (ContainerConfigTest, InitContainersAreAnnotated)
{
  Make (PodYaml ("  initContainers: [{name: setup, image: busybox}]\n"
                 + std::string (kSimpleContainers)),
        "setup", 0, true);
  ASSERT_EQ (ret, 0) << message;
  EXPECT_EQ (Annotation ("io.kubernetes.container.init"), "true");
  EXPECT_STREQ (config->log_path, "setup/0.log");
}

TEST_F (ContainerConfigTest, ResourcesTable)
{
  struct Row
  {
    const char *name;
    const char *resources; // YAML under resources:
    int64_t shares, quota, period, memory;
  } rows[] = {
    { "none", "{}", 2, 0, 0, 0 },
    { "request and limit", "{requests: {cpu: 250m}, limits: {cpu: '1', memory: 128Mi}}", 256,
      100000, 100000, 128LL << 20 },
    { "limit only: request defaults to it", "{limits: {cpu: 500m}}", 512, 50000, 100000, 0 },
    { "request only: no quota", "{requests: {cpu: 100m, memory: 64Mi}}", 102, 0, 0, 0 },
    { "tiny limit: quota floor 1ms, shares floor 2", "{limits: {cpu: 1m}}", 2, 1000, 100000, 0 },
    { "two cpus", "{requests: {cpu: '2'}, limits: {cpu: '2', memory: 1Gi}}", 2048, 200000, 100000,
      1LL << 30 },
  };
  for (const Row &r : rows)
    {
      SCOPED_TRACE (r.name);
      Reset ();
      Make (PodYaml (std::string ("  containers:\n"
                                  "    - name: app\n"
                                  "      image: busybox\n"
                                  "      resources: ")
                     + r.resources + "\n"));
      ASSERT_EQ (ret, 0) << message;
      const Runtime__V1__LinuxContainerResources *res = config->linux->resources;
      ASSERT_NE (res, nullptr);
      EXPECT_EQ (res->cpu_shares, r.shares);
      EXPECT_EQ (res->cpu_quota, r.quota);
      EXPECT_EQ (res->cpu_period, r.period);
      EXPECT_EQ (res->memory_limit_in_bytes, r.memory);
    }
}

TEST (QosTest, ClassAndOomScoreAdjTable)
{
  const int64_t capacity = 4LL << 30;
  struct Row
  {
    const char *name;
    const char *app_resources;
    const char *side_resources;
    const char *qos;
    int64_t app_oom;
  } rows[] = {
    { "best effort", "{}", "{}", "BestEffort", 1000 },
    { "guaranteed: limits only (requests default to them)", "{limits: {cpu: 500m, memory: 1Gi}}",
      "{limits: {cpu: 100m, memory: 64Mi}}", "Guaranteed", -997 },
    { "guaranteed needs cpu and memory limits in every container",
      "{limits: {cpu: 500m, memory: 1Gi}}", "{}", "Burstable", 750 },
    { "burstable: request below limit", "{requests: {memory: 1Gi}, limits: {memory: 2Gi}}", "{}",
      "Burstable", 750 },
    { "burstable without a memory request sits just below best effort", "{requests: {cpu: 100m}}",
      "{}", "Burstable", 999 },
    { "burstable with a request above capacity stays above guaranteed", "{requests: {memory: 8Gi}}",
      "{}", "Burstable", 3 },
    { "burstable with half the node", "{requests: {memory: 2Gi}}", "{}", "Burstable", 500 },
  };
  for (const Row &r : rows)
    {
      SCOPED_TRACE (r.name);
      PodPtr pod = DecodePod (PodYaml (std::string ("  containers:\n"
                                                    "    - {name: app, image: busybox, resources: ")
                                       + r.app_resources
                                       + "}\n"
                                         "    - {name: side, image: busybox, resources: "
                                       + r.side_resources + "}\n"));
      ASSERT_NE (pod, nullptr);
      EXPECT_STREQ (kl_pod_qos_class (pod.get ()), r.qos);
      EXPECT_EQ (kl_container_oom_score_adj (pod.get (), Spec (pod.get (), "app"), capacity),
                 r.app_oom);
    }
}

// GetPodQOS counts only quantities greater than zero: explicit zero
// requests leave a pod BestEffort (and its OOM score at 1000).
TEST (QosTest, ZeroQuantitiesDoNotCount)
{
  PodPtr pod
      = DecodePod (PodYaml ("  containers:\n"
                            "    - {name: app, image: busybox, resources: {requests: {cpu: '0', "
                            "memory: '0'}}}\n"));
  ASSERT_NE (pod, nullptr);
  EXPECT_STREQ (kl_pod_qos_class (pod.get ()), "BestEffort");
  EXPECT_EQ (kl_container_oom_score_adj (pod.get (), Spec (pod.get (), "app"), 4LL << 30), 1000);
}

TEST (QosTest, InitContainersCountForTheClass)
{
  PodPtr pod = DecodePod (
      PodYaml ("  initContainers:\n"
               "    - {name: init, image: busybox, resources: {requests: {cpu: 10m}}}\n"
               + std::string (kSimpleContainers)));
  ASSERT_NE (pod, nullptr);
  EXPECT_STREQ (kl_pod_qos_class (pod.get ()), "Burstable");
}

TEST (QosTest, CpuConversions)
{
  EXPECT_EQ (kl_milli_cpu_to_shares (0), 2);
  EXPECT_EQ (kl_milli_cpu_to_shares (1), 2);
  EXPECT_EQ (kl_milli_cpu_to_shares (1000), 1024);
  EXPECT_EQ (kl_milli_cpu_to_quota (0, 100000), 0);
  EXPECT_EQ (kl_milli_cpu_to_quota (5, 100000), 1000);
  EXPECT_EQ (kl_milli_cpu_to_quota (1500, 100000), 150000);
}

TEST_F (ContainerConfigTest, OomScoreAdjInTheConfig)
{
  Make (PodYaml (
      "  containers:\n"
      "    - {name: app, image: busybox, resources: {limits: {cpu: '1', memory: 1Gi}}}\n"));
  ASSERT_EQ (ret, 0) << message;
  EXPECT_EQ (config->linux->resources->oom_score_adj, -997);
  Reset ();
  Make (PodYaml (kSimpleContainers));
  ASSERT_EQ (ret, 0) << message;
  EXPECT_EQ (config->linux->resources->oom_score_adj, 1000);
}

TEST_F (ContainerConfigTest, RunAsUserAndGroupPrecedenceTable)
{
  struct Row
  {
    const char *name;
    const char *pod_sc;
    const char *container_sc;
    int64_t user, group; // -1: unset
  } rows[] = {
    { "neither", "{}", "{}", -1, -1 },
    { "pod only", "{runAsUser: 2000, runAsGroup: 3000}", "{}", 2000, 3000 },
    { "container only", "{}", "{runAsUser: 1000, runAsGroup: 1001}", 1000, 1001 },
    { "container wins", "{runAsUser: 2000, runAsGroup: 3000}",
      "{runAsUser: 1000, runAsGroup: 1001}", 1000, 1001 },
    { "mixed", "{runAsUser: 2000, runAsGroup: 3000}", "{runAsUser: 0}", 0, 3000 },
  };
  for (const Row &r : rows)
    {
      SCOPED_TRACE (r.name);
      Reset ();
      Make (PodYaml (std::string ("  securityContext: ") + r.pod_sc
                     + "\n  containers:\n"
                       "    - {name: app, image: busybox, securityContext: "
                     + r.container_sc + "}\n"));
      ASSERT_EQ (ret, 0) << message;
      const Runtime__V1__LinuxContainerSecurityContext *sc = config->linux->security_context;
      ASSERT_NE (sc, nullptr);
      if (r.user < 0)
        EXPECT_EQ (sc->run_as_user, nullptr);
      else
        {
          ASSERT_NE (sc->run_as_user, nullptr);
          EXPECT_EQ (sc->run_as_user->value, r.user);
        }
      if (r.group < 0)
        EXPECT_EQ (sc->run_as_group, nullptr);
      else
        {
          ASSERT_NE (sc->run_as_group, nullptr);
          EXPECT_EQ (sc->run_as_group->value, r.group);
        }
    }
}

TEST_F (ContainerConfigTest, SecurityContextFlagsTable)
{
  struct Row
  {
    const char *sc;
    bool privileged, readonly_rootfs, no_new_privs, masked;
  } rows[] = {
    { "{}", false, false, false, true },
    { "{readOnlyRootFilesystem: true}", false, true, false, true },
    { "{allowPrivilegeEscalation: false}", false, false, true, true },
    { "{allowPrivilegeEscalation: true}", false, false, false, true },
    { "{privileged: true}", true, false, false, false },
    { "{privileged: false}", false, false, false, true },
  };
  for (const Row &r : rows)
    {
      SCOPED_TRACE (r.sc);
      Reset ();
      Make (PodYaml (std::string ("  containers:\n"
                                  "    - {name: app, image: busybox, securityContext: ")
                     + r.sc + "}\n"));
      ASSERT_EQ (ret, 0) << message;
      const Runtime__V1__LinuxContainerSecurityContext *sc = config->linux->security_context;
      EXPECT_EQ ((bool) sc->privileged, r.privileged);
      EXPECT_EQ ((bool) sc->readonly_rootfs, r.readonly_rootfs);
      EXPECT_EQ ((bool) sc->no_new_privs, r.no_new_privs);
      std::vector<std::string> masked = Strv (sc->masked_paths, sc->n_masked_paths);
      std::vector<std::string> readonly = Strv (sc->readonly_paths, sc->n_readonly_paths);
      if (r.masked)
        {
          EXPECT_NE (std::find (masked.begin (), masked.end (), "/proc/kcore"), masked.end ());
          EXPECT_NE (std::find (masked.begin (), masked.end (), "/sys/firmware"), masked.end ());
          EXPECT_NE (std::find (readonly.begin (), readonly.end (), "/proc/sys"), readonly.end ());
          EXPECT_NE (std::find (readonly.begin (), readonly.end (), "/proc/sysrq-trigger"),
                     readonly.end ());
        }
      else
        {
          EXPECT_TRUE (masked.empty ());
          EXPECT_TRUE (readonly.empty ());
        }
      ASSERT_NE (sc->namespace_options, nullptr);
    }
}

TEST_F (ContainerConfigTest, CapabilitiesAndSeccomp)
{
  Make (PodYaml ("  securityContext: {seccompProfile: {type: RuntimeDefault}}\n"
                 "  containers:\n"
                 "    - name: app\n"
                 "      image: busybox\n"
                 "      securityContext:\n"
                 "        capabilities: {add: [NET_ADMIN, SYS_TIME], drop: [ALL]}\n"
                 "    - name: side\n"
                 "      image: busybox\n"
                 "      securityContext:\n"
                 "        seccompProfile: {type: Localhost, localhostProfile: profiles/x.json}\n"));
  ASSERT_EQ (ret, 0) << message;
  const Runtime__V1__LinuxContainerSecurityContext *sc = config->linux->security_context;
  ASSERT_NE (sc->capabilities, nullptr);
  EXPECT_EQ (Strv (sc->capabilities->add_capabilities, sc->capabilities->n_add_capabilities),
             (std::vector<std::string>{ "NET_ADMIN", "SYS_TIME" }));
  EXPECT_EQ (Strv (sc->capabilities->drop_capabilities, sc->capabilities->n_drop_capabilities),
             (std::vector<std::string>{ "ALL" }));
  ASSERT_NE (sc->seccomp, nullptr);
  EXPECT_EQ (sc->seccomp->profile_type, RUNTIME__V1__SECURITY_PROFILE__PROFILE_TYPE__RuntimeDefault)
      << "the pod's profile";

  Reset ();
  MakeFor ("side", Opts ());
  ASSERT_EQ (ret, 0) << message;
  sc = config->linux->security_context;
  EXPECT_EQ (sc->capabilities, nullptr);
  ASSERT_NE (sc->seccomp, nullptr);
  EXPECT_EQ (sc->seccomp->profile_type, RUNTIME__V1__SECURITY_PROFILE__PROFILE_TYPE__Localhost)
      << "the container's profile wins";
  EXPECT_STREQ (sc->seccomp->localhost_ref, "profiles/x.json");
}

// ---- mounts ----

std::string
VolumePod (const std::string &host_dir, const std::string &mounts)
{
  return PodYaml ("  volumes:\n"
                  "    - name: scratch\n"
                  "      emptyDir: {}\n"
                  "    - name: host\n"
                  "      hostPath: {path: "
                  + host_dir
                  + ", type: DirectoryOrCreate}\n"
                    "  containers:\n"
                    "    - name: app\n"
                    "      image: busybox\n"
                    "      volumeMounts:\n"
                  + mounts);
}

struct MountView
{
  std::string container_path, host_path;
  bool readonly;
  Runtime__V1__MountPropagation propagation;
};

std::vector<MountView>
Mounts (const Runtime__V1__ContainerConfig *config)
{
  std::vector<MountView> out;
  for (size_t i = 0; i < config->n_mounts; i++)
    out.push_back ({ config->mounts[i]->container_path, config->mounts[i]->host_path,
                     (bool) config->mounts[i]->readonly, config->mounts[i]->propagation });
  return out;
}

TEST_F (ContainerConfigTest, MountsForEmptyDirAndHostPath)
{
  std::string host_dir = dir.path () + "/host/data";
  Make (VolumePod (host_dir, "        - {name: scratch, mountPath: /scratch}\n"
                             "        - {name: host, mountPath: /data, readOnly: true}\n"
                             "        - {name: host, mountPath: /logs, subPath: app/logs,"
                             " mountPropagation: HostToContainer}\n"));
  ASSERT_EQ (ret, 0) << message;
  std::vector<MountView> m = Mounts (config.p);
  ASSERT_EQ (m.size (), 3u);
  EXPECT_EQ (m[0].container_path, "/scratch");
  EXPECT_EQ (m[0].host_path, pod_dir + "/volumes/kubernetes.io~empty-dir/scratch");
  EXPECT_FALSE (m[0].readonly);
  EXPECT_EQ (m[0].propagation, RUNTIME__V1__MOUNT_PROPAGATION__PROPAGATION_PRIVATE);
  EXPECT_EQ (m[1].container_path, "/data");
  EXPECT_EQ (m[1].host_path, host_dir);
  EXPECT_TRUE (m[1].readonly);
  EXPECT_EQ (m[2].container_path, "/logs");
  EXPECT_EQ (m[2].host_path, host_dir + "/app/logs");
  EXPECT_EQ (m[2].propagation, RUNTIME__V1__MOUNT_PROPAGATION__PROPAGATION_HOST_TO_CONTAINER);
}

TEST_F (ContainerConfigTest, EtcHostsAndTerminationLogMounts)
{
  pod = DecodePod (
      VolumePod (dir.path () + "/h", "        - {name: scratch, mountPath: /scratch}\n"));
  ASSERT_NE (pod, nullptr);
  kl_container_config_opts_t opts = Opts ();
  opts.etc_hosts_path = "/pods/x/etc-hosts";
  opts.termination_log_path = "/pods/x/containers/app/0";
  MakeFor ("app", opts);
  ASSERT_EQ (ret, 0) << message;
  std::vector<MountView> m = Mounts (config.p);
  ASSERT_EQ (m.size (), 3u);
  EXPECT_EQ (m[1].container_path, "/etc/hosts");
  EXPECT_EQ (m[1].host_path, "/pods/x/etc-hosts");
  EXPECT_EQ (m[2].container_path, "/dev/termination-log");
  EXPECT_EQ (m[2].host_path, "/pods/x/containers/app/0");

  // A container that mounts /etc/hosts itself keeps its own.
  Reset ();
  pod = DecodePod (
      VolumePod (dir.path () + "/h", "        - {name: scratch, mountPath: /etc/hosts}\n"));
  ASSERT_NE (pod, nullptr);
  MakeFor ("app", opts);
  ASSERT_EQ (ret, 0) << message;
  m = Mounts (config.p);
  ASSERT_EQ (m.size (), 2u);
  EXPECT_EQ (m[0].container_path, "/etc/hosts");
  EXPECT_EQ (m[0].host_path, pod_dir + "/volumes/kubernetes.io~empty-dir/scratch");
}

TEST_F (ContainerConfigTest, BadMountsFail)
{
  struct Row
  {
    const char *name;
    const char *volume; // rename the mount's volume to this, or nullptr
    const char *sub_path;
    bool invalid;
  } rows[] = {
    { "unknown volume", "nope", nullptr, false },
    { "absolute subPath", nullptr, "/etc", true },
    { "subPath with a .. component", nullptr, "a/../../etc", true },
    { "subPath that is ..", nullptr, "..", true },
  };
  for (const Row &r : rows)
    {
      SCOPED_TRACE (r.name);
      Reset ();
      pod = DecodePod (
          VolumePod (dir.path () + "/h", "        - {name: scratch, mountPath: /s}\n"));
      ASSERT_NE (pod, nullptr);
      // The validator refuses these; change the decoded pod behind its back.
      kl_volume_mount_t *vm = &pod->spec.containers[0].volume_mounts[0];
      if (r.volume)
        {
          free (vm->name);
          vm->name = xstrdup (r.volume);
        }
      if (r.sub_path)
        vm->sub_path = xstrdup (r.sub_path);
      MakeFor ("app", Opts ());
      EXPECT_LT (ret, 0);
      EXPECT_EQ (config.p, nullptr);
      EXPECT_EQ (is_invalid, r.invalid) << message;
      EXPECT_NE (message.find (r.volume ? r.volume : "scratch"), std::string::npos) << message;
    }
}

// The API accepts a subPath whose components merely contain "..", such as
// "logs..old" (ValidatePathNoBacksteps splits on "/"), and so does this
// kubelet's own validator (kl_has_dotdot_component).
TEST_F (ContainerConfigTest, SubPathWithDotsInsideANameIsFine)
{
  Make (VolumePod (dir.path () + "/h",
                   "        - {name: scratch, mountPath: /s, subPath: logs..old}\n"));
  ASSERT_EQ (ret, 0) << message;
  ASSERT_EQ (config->n_mounts, 1u);
  EXPECT_EQ (Str (config->mounts[0]->host_path),
             pod_dir + "/volumes/kubernetes.io~empty-dir/scratch/logs..old");
}

// Go's makeMounts creates a missing subPath directory (SafeMakeDir, with the
// volume's mode) before handing the mount to the runtime; runc cannot bind
// mount a source that does not exist.
TEST_F (ContainerConfigTest, MissingSubPathDirectoryIsCreated)
{
  pod = DecodePod (VolumePod (dir.path () + "/h",
                              "        - {name: scratch, mountPath: /s, subPath: cache/app}\n"));
  ASSERT_NE (pod, nullptr);
  kl_error_t err = nullptr;
  ASSERT_EQ (kl_volumes_setup (pod_dir.c_str (), pod.get (), &err), 0) << kl_error_message (err);
  MakeFor ("app", Opts ());
  ASSERT_EQ (ret, 0) << message;
  std::string sub = pod_dir + "/volumes/kubernetes.io~empty-dir/scratch/cache/app";
  ASSERT_EQ (config->n_mounts, 1u);
  EXPECT_EQ (Str (config->mounts[0]->host_path), sub);
  struct stat st;
  EXPECT_EQ (stat (sub.c_str (), &st), 0) << sub << " was not created";
  kl_volumes_teardown (pod_dir.c_str (), &err);
  kl_error_release (&err);
}

// CVE-2017-1002101: a container can leave a symlink in its emptyDir; a
// subPath through it must not hand the runtime a host path outside the
// volume (Go: PrepareSafeSubpath refuses with "... is outside of allowed
// base path").
TEST_F (ContainerConfigTest, SubPathThroughASymlinkOutOfTheVolumeIsRefused)
{
  pod = DecodePod (VolumePod (dir.path () + "/h",
                              "        - {name: scratch, mountPath: /s, subPath: escape}\n"));
  ASSERT_NE (pod, nullptr);
  kl_error_t err = nullptr;
  ASSERT_EQ (kl_volumes_setup (pod_dir.c_str (), pod.get (), &err), 0) << kl_error_message (err);
  std::string volume = pod_dir + "/volumes/kubernetes.io~empty-dir/scratch";
  ASSERT_EQ (symlink ("/etc", (volume + "/escape").c_str ()), 0);
  MakeFor ("app", Opts ());
  EXPECT_LT (ret, 0) << "the container would get the host's /etc through "
                     << (config.p && config->n_mounts ? config->mounts[0]->host_path : "?");
  kl_volumes_teardown (pod_dir.c_str (), &err);
  kl_error_release (&err);
}

} // namespace
