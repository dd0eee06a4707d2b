#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "pkg/kubelet/api/testing.h"

extern "C" {
#include "pkg/kubelet/api/decode.h"
#include "pkg/kubelet/api/types.h"
}

using kl_api_testing::Decoded;
using kl_api_testing::DecodeInto;
using kl_api_testing::ReadTestdata;
using kl_api_testing::Str;

namespace {

std::string
Canonical (const kl_pod_t *pod)
{
  size_t len = 0;
  char *c = kl_pod_canonical (pod, &len);
  std::string s (c, len);
  free (c);
  return s;
}

TEST (DecodeTest, YamlAndJsonDecodeToTheSameModel)
{
  Decoded yaml, json;
  DecodeInto (&yaml, ReadTestdata ("web.yaml"), "web.yaml");
  DecodeInto (&json, ReadTestdata ("web.json"), "web.json");
  ASSERT_EQ (yaml.ret, 0) << yaml.error;
  ASSERT_EQ (json.ret, 0) << json.error;
  ASSERT_EQ (yaml.list.n_items, 1u);
  ASSERT_EQ (json.list.n_items, 1u);
  EXPECT_TRUE (kl_pod_equal (yaml.pod (), json.pod ())) << Canonical (yaml.pod ()) << "\n"
                                                        << Canonical (json.pod ());
  EXPECT_EQ (Canonical (yaml.pod ()), Canonical (json.pod ()));
}

TEST (DecodeTest, WebFieldsAreDecoded)
{
  Decoded d;
  DecodeInto (&d, ReadTestdata ("web.yaml"), "web.yaml");
  ASSERT_EQ (d.ret, 0) << d.error;
  const kl_pod_t *pod = d.pod ();
  EXPECT_EQ (Str (pod->metadata.name), "web");
  EXPECT_EQ (Str (pod->metadata.namespace_), "kube-system");
  // Maps come sorted by key, whatever the manifest's order.
  ASSERT_EQ (pod->metadata.n_labels, 2u);
  EXPECT_EQ (Str (pod->metadata.labels[0].key), "app");
  EXPECT_EQ (Str (pod->metadata.labels[1].key), "tier");
  EXPECT_EQ (Str (kl_kv_get (pod->metadata.labels, pod->metadata.n_labels, "tier")), "frontend");
  EXPECT_EQ (
      Str (kl_kv_get (pod->metadata.annotations, pod->metadata.n_annotations, "example.com/owner")),
      "team-a");

  const kl_pod_spec_t *spec = &pod->spec;
  EXPECT_EQ (Str (spec->restart_policy), "OnFailure");
  EXPECT_EQ (spec->termination_grace_period_seconds, 45);
  EXPECT_TRUE (spec->has_active_deadline_seconds);
  EXPECT_EQ (spec->active_deadline_seconds, 3600);
  EXPECT_EQ (Str (spec->hostname), "web");
  EXPECT_EQ (Str (spec->subdomain), "frontend");
  EXPECT_TRUE (spec->has_priority);
  EXPECT_EQ (spec->priority, 2000001000);
  EXPECT_EQ (spec->security_context.run_as_user, 1000);
  EXPECT_EQ (spec->security_context.fs_group, 2000);
  ASSERT_EQ (spec->security_context.n_supplemental_groups, 2u);
  EXPECT_EQ (spec->security_context.supplemental_groups[1], 5000);
  ASSERT_EQ (spec->security_context.n_sysctls, 1u);
  EXPECT_EQ (Str (spec->security_context.sysctls[0].value), "0");
  ASSERT_NE (spec->security_context.seccomp_profile, nullptr);
  EXPECT_EQ (Str (spec->security_context.seccomp_profile->type), "RuntimeDefault");

  ASSERT_EQ (spec->n_init_containers, 1u);
  EXPECT_EQ (Str (spec->init_containers[0].name), "setup");
  ASSERT_EQ (spec->n_containers, 1u);
  const kl_container_t *c = &spec->containers[0];
  EXPECT_EQ (Str (c->image), "nginx:1.25");
  ASSERT_EQ (c->n_command, 1u);
  ASSERT_EQ (c->n_args, 2u);
  EXPECT_EQ (Str (c->args[1]), "daemon off;");
  EXPECT_EQ (Str (c->working_dir), "/usr/share/nginx");
  ASSERT_EQ (c->n_ports, 2u);
  EXPECT_EQ (Str (c->ports[0].name), "http");
  EXPECT_EQ (c->ports[0].container_port, 80);
  EXPECT_EQ (c->ports[0].host_port, 8080);
  EXPECT_EQ (Str (c->ports[1].protocol), "UDP");
  EXPECT_EQ (Str (c->ports[1].host_ip), "127.0.0.1");
  ASSERT_EQ (c->n_env, 2u);
  EXPECT_EQ (Str (c->env[0].value), "production");
  EXPECT_EQ (c->env[1].value, nullptr);
  EXPECT_TRUE (c->resources.requests.has_milli_cpu);
  EXPECT_EQ (c->resources.requests.milli_cpu, 250);
  EXPECT_EQ (c->resources.requests.memory_bytes, 64 * 1024 * 1024);
  EXPECT_EQ (c->resources.limits.milli_cpu, 1000);
  EXPECT_EQ (c->resources.limits.memory_bytes, 128 * 1024 * 1024);
  EXPECT_EQ (c->resources.limits.ephemeral_storage_bytes, 1024LL * 1024 * 1024);
  // ephemeral-storage has a limit only: the request defaults to it.
  EXPECT_TRUE (c->resources.requests.has_ephemeral_storage_bytes);
  ASSERT_EQ (c->n_volume_mounts, 2u);
  EXPECT_TRUE (c->volume_mounts[0].read_only);
  EXPECT_EQ (Str (c->volume_mounts[1].sub_path), "nginx");

  ASSERT_NE (c->liveness_probe, nullptr);
  ASSERT_NE (c->liveness_probe->http_get, nullptr);
  EXPECT_TRUE (c->liveness_probe->http_get->port.is_string);
  EXPECT_EQ (Str (c->liveness_probe->http_get->port.string_value), "http");
  EXPECT_EQ (Str (c->liveness_probe->http_get->path), "/healthz");
  ASSERT_EQ (c->liveness_probe->http_get->n_http_headers, 1u);
  EXPECT_EQ (Str (c->liveness_probe->http_get->http_headers[0].name), "X-Probe");
  EXPECT_EQ (c->liveness_probe->initial_delay_seconds, 5);
  EXPECT_EQ (c->liveness_probe->period_seconds, 20);
  EXPECT_EQ (c->liveness_probe->timeout_seconds, 2);
  EXPECT_EQ (c->liveness_probe->failure_threshold, 5);
  EXPECT_TRUE (c->liveness_probe->has_termination_grace_period_seconds);
  EXPECT_EQ (c->liveness_probe->termination_grace_period_seconds, 10);
  ASSERT_NE (c->readiness_probe, nullptr);
  ASSERT_NE (c->readiness_probe->tcp_socket, nullptr);
  EXPECT_FALSE (c->readiness_probe->tcp_socket->port.is_string);
  EXPECT_EQ (c->readiness_probe->tcp_socket->port.int_value, 80);
  ASSERT_NE (c->startup_probe, nullptr);
  ASSERT_NE (c->startup_probe->exec, nullptr);
  EXPECT_EQ (c->startup_probe->exec->n_command, 2u);
  ASSERT_NE (c->lifecycle, nullptr);
  ASSERT_NE (c->lifecycle->post_start, nullptr);
  ASSERT_NE (c->lifecycle->post_start->exec, nullptr);
  ASSERT_NE (c->lifecycle->pre_stop, nullptr);
  ASSERT_NE (c->lifecycle->pre_stop->http_get, nullptr);
  EXPECT_EQ (Str (c->lifecycle->pre_stop->http_get->scheme), "HTTP");

  ASSERT_NE (c->security_context, nullptr);
  EXPECT_TRUE (c->security_context->has_privileged);
  EXPECT_FALSE (c->security_context->privileged);
  EXPECT_TRUE (c->security_context->run_as_non_root);
  EXPECT_TRUE (c->security_context->read_only_root_filesystem);
  EXPECT_TRUE (c->security_context->has_allow_privilege_escalation);
  EXPECT_FALSE (c->security_context->allow_privilege_escalation);
  EXPECT_FALSE (c->security_context->has_run_as_user);
  ASSERT_NE (c->security_context->capabilities, nullptr);
  EXPECT_EQ (Str (c->security_context->capabilities->add[0]), "NET_BIND_SERVICE");
  EXPECT_EQ (Str (c->security_context->capabilities->drop[0]), "ALL");
  EXPECT_TRUE (c->tty);
  EXPECT_TRUE (c->stdin_);
  EXPECT_FALSE (c->stdin_once);

  ASSERT_EQ (spec->n_volumes, 2u);
  ASSERT_NE (spec->volumes[0].empty_dir, nullptr);
  EXPECT_EQ (Str (spec->volumes[0].empty_dir->medium), "Memory");
  EXPECT_EQ (spec->volumes[0].empty_dir->size_limit_bytes, 16 * 1024 * 1024);
  ASSERT_NE (spec->volumes[1].host_path, nullptr);
  EXPECT_EQ (Str (spec->volumes[1].host_path->path), "/var/log/web");
  EXPECT_EQ (Str (spec->volumes[1].host_path->type), "DirectoryOrCreate");
}

TEST (DecodeTest, DefaultsAreApplied)
{
  Decoded d;
  DecodeInto (&d, ReadTestdata ("minimal.yaml"), "minimal.yaml");
  ASSERT_EQ (d.ret, 0) << d.error;
  const kl_pod_t *pod = d.pod ();
  EXPECT_EQ (Str (pod->metadata.namespace_), "default");
  EXPECT_EQ (Str (pod->spec.restart_policy), "Always");
  EXPECT_EQ (Str (pod->spec.dns_policy), "ClusterFirst");
  EXPECT_EQ (Str (pod->spec.scheduler_name), "default-scheduler");
  EXPECT_TRUE (pod->spec.has_termination_grace_period_seconds);
  EXPECT_EQ (pod->spec.termination_grace_period_seconds, 30);
  EXPECT_TRUE (pod->spec.enable_service_links);
  EXPECT_FALSE (pod->spec.host_network);

  const kl_container_t *c = &pod->spec.containers[0];
  // A registry port is not a tag: no tag means latest, which means Always.
  EXPECT_EQ (Str (c->image_pull_policy), "Always");
  EXPECT_EQ (Str (c->termination_message_path), "/dev/termination-log");
  EXPECT_EQ (Str (c->termination_message_policy), "File");
  EXPECT_EQ (Str (c->ports[0].protocol), "TCP");
  EXPECT_EQ (c->ports[0].host_port, 0);
  // Requests default to limits.
  EXPECT_TRUE (c->resources.requests.has_milli_cpu);
  EXPECT_EQ (c->resources.requests.milli_cpu, 500);
  EXPECT_EQ (c->resources.requests.memory_bytes, 1024LL * 1024 * 1024);
  EXPECT_FALSE (c->resources.requests.has_ephemeral_storage_bytes);
  // Probe timings and the httpGet path and scheme.
  const kl_probe_t *p = c->liveness_probe;
  ASSERT_NE (p, nullptr);
  EXPECT_EQ (p->initial_delay_seconds, 0);
  EXPECT_EQ (p->timeout_seconds, 1);
  EXPECT_EQ (p->period_seconds, 10);
  EXPECT_EQ (p->success_threshold, 1);
  EXPECT_EQ (p->failure_threshold, 3);
  EXPECT_FALSE (p->has_termination_grace_period_seconds);
  EXPECT_EQ (Str (p->http_get->path), "/");
  EXPECT_EQ (Str (p->http_get->scheme), "HTTP");
  // A volume without a source is an emptyDir.
  ASSERT_EQ (pod->spec.n_volumes, 1u);
  ASSERT_NE (pod->spec.volumes[0].empty_dir, nullptr);
  EXPECT_EQ (pod->spec.volumes[0].host_path, nullptr);
}

TEST (DecodeTest, HostNetworkDefaultsHostPorts)
{
  Decoded d;
  DecodeInto (&d, R"(
apiVersion: v1
kind: Pod
metadata: {name: net}
spec:
  hostNetwork: true
  containers:
  - name: app
    image: app:1
    ports: [{containerPort: 9090}]
)");
  ASSERT_EQ (d.ret, 0) << d.error;
  EXPECT_EQ (d.pod ()->spec.containers[0].ports[0].host_port, 9090);
}

TEST (DecodeTest, ImagePullPolicyDefaultsFromTheTag)
{
  struct
  {
    const char *image;
    const char *policy;
  } cases[] = {
    { "nginx", "Always" },
    { "nginx:latest", "Always" },
    { "nginx:1.25", "IfNotPresent" },
    { "localhost:5000/nginx", "Always" },
    { "localhost:5000/nginx:v1", "IfNotPresent" },
    { "nginx@sha256:0000000000000000000000000000000000000000000000000000000000000000",
      "IfNotPresent" },
    { "nginx:latest@sha256:0000000000000000000000000000000000000000000000000000000000000000",
      "Always" },
    { "nginx:latest-alpine", "IfNotPresent" },
  };
  for (const auto &tc : cases)
    {
      std::string manifest = std::string ("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n"
                                          "spec:\n  containers:\n  - name: c\n    image: \"")
                             + tc.image + "\"\n";
      Decoded d;
      DecodeInto (&d, manifest);
      ASSERT_EQ (d.ret, 0) << tc.image << ": " << d.error;
      EXPECT_EQ (Str (d.pod ()->spec.containers[0].image_pull_policy), tc.policy) << tc.image;
    }
}

TEST (DecodeTest, ListAndPodList)
{
  Decoded list, podlist;
  DecodeInto (&list, ReadTestdata ("list.yaml"), "list.yaml");
  DecodeInto (&podlist, ReadTestdata ("podlist.json"), "podlist.json");
  ASSERT_EQ (list.ret, 0) << list.error;
  ASSERT_EQ (podlist.ret, 0) << podlist.error;
  ASSERT_EQ (list.list.n_items, 2u);
  ASSERT_EQ (podlist.list.n_items, 2u);
  EXPECT_EQ (Str (list.pod (0)->metadata.name), "first");
  EXPECT_EQ (Str (list.pod (1)->metadata.name), "second");
  for (size_t i = 0; i < 2; i++)
    EXPECT_TRUE (kl_pod_equal (list.pod (i), podlist.pod (i))) << i;
}

TEST (DecodeTest, MultiDocumentYamlAndJsonStreams)
{
  Decoded yaml, json;
  DecodeInto (&yaml, ReadTestdata ("multi.yaml"), "multi.yaml");
  DecodeInto (&json, ReadTestdata ("stream.json"), "stream.json");
  ASSERT_EQ (yaml.ret, 0) << yaml.error;
  ASSERT_EQ (json.ret, 0) << json.error;
  ASSERT_EQ (yaml.list.n_items, 2u);
  ASSERT_EQ (json.list.n_items, 2u);
  EXPECT_EQ (Str (yaml.pod (1)->metadata.name), "second");
  for (size_t i = 0; i < 2; i++)
    EXPECT_TRUE (kl_pod_equal (yaml.pod (i), json.pod (i))) << i;
}

TEST (DecodeTest, DecodeAppendsToTheList)
{
  Decoded d;
  DecodeInto (&d, ReadTestdata ("list.yaml"), "list.yaml");
  ASSERT_EQ (d.ret, 0);
  kl_error_t err = nullptr;
  std::string more = ReadTestdata ("minimal.yaml");
  ASSERT_EQ (kl_pod_decode (more.data (), more.size (), "minimal.yaml", &d.list, &err), 0);
  ASSERT_EQ (d.list.n_items, 3u);
  EXPECT_EQ (Str (d.pod (2)->metadata.name), "minimal");
  // A failing decode leaves the list as it was.
  std::string bad = ReadTestdata ("invalid-image.yaml");
  EXPECT_LT (kl_pod_decode (bad.data (), bad.size (), "invalid-image.yaml", &d.list, &err), 0);
  EXPECT_TRUE (kl_error_is (err, KL_ERROR_INVALID));
  kl_error_release (&err);
  EXPECT_EQ (d.list.n_items, 3u);
}

TEST (DecodeTest, AnchorsAndAliasesExpand)
{
  Decoded d;
  DecodeInto (&d, ReadTestdata ("anchors.yaml"), "anchors.yaml");
  ASSERT_EQ (d.ret, 0) << d.error;
  const kl_pod_spec_t *spec = &d.pod ()->spec;
  ASSERT_EQ (spec->n_containers, 2u);
  EXPECT_EQ (Str (spec->containers[1].image), "busybox:1.36");
  ASSERT_EQ (spec->containers[1].n_env, 1u);
  EXPECT_EQ (Str (spec->containers[1].env[0].value), "yes");
}

TEST (DecodeTest, MergeKeysMerge)
{
  Decoded d;
  DecodeInto (&d, ReadTestdata ("merge.yaml"), "merge.yaml");
  ASSERT_EQ (d.ret, 0) << d.error;
  const kl_pod_spec_t *spec = &d.pod ()->spec;
  ASSERT_EQ (spec->n_containers, 3u);
  EXPECT_EQ (Str (spec->containers[1].name), "two");
  EXPECT_EQ (Str (spec->containers[1].image), "busybox:1.36");
  EXPECT_EQ (Str (spec->containers[1].image_pull_policy), "IfNotPresent");
  EXPECT_EQ (Str (spec->containers[1].working_dir), "/base");
  EXPECT_EQ (Str (spec->containers[2].name), "three");
  EXPECT_EQ (Str (spec->containers[2].image), "busybox:1.37");
  EXPECT_EQ (Str (spec->containers[2].working_dir), "/srv");

  Decoded bad, quoted;
  DecodeInto (&bad, "apiVersion: v1\nkind: Pod\nmetadata:\n  <<: 1\n", "m.yaml");
  EXPECT_EQ (
      bad.error,
      "m.yaml: yaml: line 4, column 7: map merge requires map or sequence of maps as the value");
  DecodeInto (&quoted, "apiVersion: v1\nkind: Pod\nmetadata:\n  \"<<\": {name: x}\n", "m.yaml");
  EXPECT_EQ (quoted.error, "m.yaml: metadata.<<: unknown field");
}

TEST (DecodeTest, KubeadmManifestDecodes)
{
  Decoded d;
  DecodeInto (&d, ReadTestdata ("kube-apiserver.yaml"), "kube-apiserver.yaml");
  ASSERT_EQ (d.ret, 0) << d.error;
  const kl_pod_t *pod = d.pod ();
  EXPECT_TRUE (pod->spec.host_network);
  EXPECT_EQ (Str (pod->spec.priority_class_name), "system-node-critical");
  const kl_container_t *c = &pod->spec.containers[0];
  EXPECT_EQ (c->n_command, 7u);
  EXPECT_EQ (Str (c->liveness_probe->http_get->host), "10.0.0.10");
  EXPECT_EQ (c->liveness_probe->http_get->port.int_value, 6443);
  EXPECT_EQ (c->resources.requests.milli_cpu, 250);
  EXPECT_FALSE (c->resources.limits.has_milli_cpu);
}

TEST (DecodeTest, ScalarsResolveAsGoYamlDoes)
{
  Decoded d;
  DecodeInto (&d, R"(
apiVersion: v1
kind: Pod
metadata:
  name: p
  labels: {a: "true", b: "1"}
spec:
  hostNetwork: yes
  hostPID: off
  terminationGracePeriodSeconds: 0x10
  priority: 1e3
  containers:
  - name: c
    image: 'app:1'
    resources:
      limits: {cpu: 0.5, memory: 1e3}
    env:
    - {name: A, value: !!str 123}
    - {name: B, value: ~}
)");
  ASSERT_EQ (d.ret, 0) << d.error;
  const kl_pod_spec_t *spec = &d.pod ()->spec;
  EXPECT_TRUE (spec->host_network);
  EXPECT_FALSE (spec->host_pid);
  EXPECT_EQ (spec->termination_grace_period_seconds, 16);
  EXPECT_EQ (spec->priority, 1000);
  EXPECT_EQ (spec->containers[0].resources.limits.milli_cpu, 500);
  EXPECT_EQ (spec->containers[0].resources.limits.memory_bytes, 1000);
  EXPECT_EQ (Str (spec->containers[0].env[0].value), "123");
  EXPECT_EQ (spec->containers[0].env[1].value, nullptr);
}

struct BadCase
{
  const char *name;
  std::string input;
  std::string error;
};

std::string
PodWith (const std::string &container_extra, const std::string &spec_extra = "")
{
  return "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n" + spec_extra
         + "  containers:\n  - name: web\n    image: nginx\n" + container_extra;
}

TEST (DecodeTest, BadManifestsNameFieldAndReason)
{
  const std::vector<BadCase> cases = {
    { "unknown field", PodWith ("    imagePullPolcy: Always\n"),
      "bad.yaml: spec.containers[0].imagePullPolcy: unknown field" },
    { "unknown top-level field", "apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nfoo: 1\n",
      "bad.yaml: foo: unknown field" },
    { "unknown metadata field",
      "apiVersion: v1\nkind: Pod\nmetadata: {name: web, ownerReferences: []}\n",
      "bad.yaml: metadata.ownerReferences: unknown field" },
    { "string for integer", PodWith ("    ports:\n    - containerPort: \"80\"\n"),
      "bad.yaml: spec.containers[0].ports[0].containerPort: expected integer, got string \"80\"" },
    { "int32 overflow",
      PodWith ("    ports:\n    - containerPort: 80\n    - containerPort: 4294967296\n"),
      "bad.yaml: spec.containers[0].ports[1].containerPort: expected 32-bit integer, got integer "
      "4294967296" },
    { "fraction for integer", PodWith ("    livenessProbe:\n      periodSeconds: 1.5\n"),
      "bad.yaml: spec.containers[0].livenessProbe.periodSeconds: expected integer, got number "
      "1.5" },
    { "string for boolean", PodWith ("", "  hostNetwork: \"true\"\n"),
      "bad.yaml: spec.hostNetwork: expected boolean, got string \"true\"" },
    { "object for array",
      "apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec:\n  containers: {}\n",
      "bad.yaml: spec.containers: expected array, got object" },
    { "array for object", "apiVersion: v1\nkind: Pod\nmetadata: [web]\n",
      "bad.yaml: metadata: expected object, got array" },
    { "number for string", PodWith ("    env:\n    - name: PORT\n      value: 8080\n"),
      "bad.yaml: spec.containers[0].env[0].value: expected string, got integer 8080" },
    { "valueFrom",
      PodWith ("    env:\n    - name: NAME\n      valueFrom:\n        fieldRef: {fieldPath: "
               "metadata.name}\n"),
      "bad.yaml: spec.containers[0].env[0].valueFrom: Forbidden: not supported for static pods" },
    { "envFrom", PodWith ("    envFrom:\n    - configMapRef: {name: cfg}\n"),
      "bad.yaml: spec.containers[0].envFrom: Forbidden: not supported for static pods" },
    { "secret volume", PodWith ("", "  volumes:\n  - name: s\n    secret: {secretName: s}\n"),
      "bad.yaml: spec.volumes[0].secret: Forbidden: not supported for static pods: use a hostPath "
      "or emptyDir volume" },
    { "serviceAccountName", PodWith ("", "  serviceAccountName: default\n"),
      "bad.yaml: spec.serviceAccountName: Forbidden: not supported for static pods" },
    { "unknown resource", PodWith ("    resources:\n      limits:\n        nvidia.com/gpu: 1\n"),
      "bad.yaml: spec.containers[0].resources.limits: Unsupported value: \"nvidia.com/gpu\": "
      "supported values: \"cpu\", \"memory\", \"ephemeral-storage\"" },
    { "bad quantity", PodWith ("    resources:\n      limits:\n        cpu: abc\n"),
      "bad.yaml: spec.containers[0].resources.limits[cpu]: invalid quantity \"abc\": expected a "
      "number" },
    { "duplicate field", PodWith ("    image: busybox\n"),
      "bad.yaml: spec.containers[0].image: duplicate field" },
    { "duplicate label",
      "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n  labels:\n    app: a\n    app: b\n",
      "bad.yaml: metadata.labels[app]: duplicate key" },
    { "missing kind", "apiVersion: v1\nmetadata: {name: web}\n", "bad.yaml: kind: Required value" },
    { "other kind", "apiVersion: apps/v1\nkind: Deployment\n",
      "bad.yaml: kind: Unsupported value: \"Deployment\": supported values: \"List\", \"Pod\", "
      "\"PodList\"" },
    { "missing apiVersion", "kind: Pod\nmetadata: {name: web}\n",
      "bad.yaml: apiVersion: Required value" },
    { "other apiVersion", "apiVersion: apps/v1\nkind: Pod\n",
      "bad.yaml: apiVersion: Unsupported value: \"apps/v1\": supported values: \"v1\"" },
    { "kind not a string", "apiVersion: v1\nkind: [Pod]\n",
      "bad.yaml: kind: expected string, got array" },
    { "not an object", "- apiVersion: v1\n", "bad.yaml: expected object, got array" },
    { "scalar document", "hello\n", "bad.yaml: expected object, got string \"hello\"" },
    { "list item kind", "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Service\n",
      "bad.yaml: items[0].kind: Unsupported value: \"Service\": supported values: \"Pod\"" },
    { "list item without kind", "apiVersion: v1\nkind: List\nitems:\n- metadata: {name: a}\n",
      "bad.yaml: items[0].kind: Required value" },
    { "list item invalid",
      "apiVersion: v1\nkind: PodList\nitems:\n- metadata: {name: a}\n  spec:\n    containers: "
      "[{name: a, image: a}]\n"
      "- metadata: {name: b}\n  spec:\n    containers: [{name: b}]\n",
      "bad.yaml: items[1].spec.containers[0].image: Required value" },
    { "list unknown field", "apiVersion: v1\nkind: List\nitem: []\n",
      "bad.yaml: item: unknown field" },
    { "second document invalid",
      PodWith ("")
          + "---\napiVersion: v1\nkind: Pod\nmetadata: {name: b}\nspec:\n  containers: [{name: "
            "b}]\n",
      "bad.yaml: document 2: spec.containers[0].image: Required value" },
    { "empty", "", "bad.yaml: no objects found: the manifest is empty" },
    { "only comments", "# nothing\n---\n", "bad.yaml: no objects found: the manifest is empty" },
    { "yaml syntax", "apiVersion: v1\nkind: Pod\n metadata: x\n",
      "bad.yaml: yaml: line 3, column 10: mapping values are not allowed in this context" },
    { "unknown anchor", "apiVersion: v1\nkind: *nope\n",
      "bad.yaml: yaml: line 2, column 7: unknown anchor referenced" },
    { "unsupported tag", PodWith ("    workingDir: !!binary aGVsbG8=\n"),
      "bad.yaml: yaml: line 9, column 17: unsupported tag (only !!str, !!int, !!float, !!bool, "
      "!!null)" },
    { "bad !!int", PodWith ("    workingDir: !!int abc\n"),
      "bad.yaml: yaml: line 9, column 17: cannot decode scalar as !!int" },
    { "complex key", "? [a]\n: b\n",
      "bad.yaml: yaml: line 1, column 3: mapping keys must be scalars" },
  };
  for (const auto &tc : cases)
    {
      Decoded d;
      DecodeInto (&d, tc.input, "bad.yaml");
      EXPECT_LT (d.ret, 0) << tc.name;
      EXPECT_EQ (d.error, tc.error) << tc.name;
      EXPECT_EQ (d.list.n_items, 0u) << tc.name;
    }
}

// The same mistakes in JSON give the same messages as in YAML.
TEST (DecodeTest, JsonErrorsMatchYamlErrors)
{
  struct
  {
    const char *yaml;
    const char *json;
  } cases[] = {
    { "apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec:\n  containers:\n  - {name: web, "
      "image: nginx, imagePullPolcy: Always}\n",
      R"({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web"},
          "spec": {"containers": [{"name": "web", "image": "nginx", "imagePullPolcy": "Always"}]}})" },
    { "apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec:\n  containers:\n  - {name: web, "
      "image: nginx, ports: [{containerPort: \"80\"}]}\n",
      R"({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web"},
          "spec": {"containers": [{"name": "web", "image": "nginx", "ports": [{"containerPort": "80"}]}]}})" },
    { "apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec:\n  containers:\n  - {name: web, "
      "image: nginx, livenessProbe: {periodSeconds: 2.5}}\n",
      R"({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web"},
          "spec": {"containers": [{"name": "web", "image": "nginx", "livenessProbe": {"periodSeconds": 2.5}}]}})" },
    { "apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec:\n  containers:\n  - {name: web}\n",
      R"({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web"},
          "spec": {"containers": [{"name": "web"}]}})" },
    { "apiVersion: v1\nkind: Pod\nmetadata: {name: Web}\nspec:\n  containers:\n  - {name: web, "
      "image: nginx}\n",
      R"({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "Web"},
          "spec": {"containers": [{"name": "web", "image": "nginx"}]}})" },
    { "apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec:\n  containers:\n  - {name: web, "
      "image: nginx, resources: {limits: {cpu: 2}, requests: {cpu: 3}}}\n",
      R"({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web"},
          "spec": {"containers": [{"name": "web", "image": "nginx", "resources": {"limits": {"cpu": 2}, "requests": {"cpu": 3}}}]}})" },
    { "apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec:\n  hostNetwork: 1\n",
      R"({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web"}, "spec": {"hostNetwork": 1}})" },
  };
  for (const auto &tc : cases)
    {
      Decoded y, j;
      DecodeInto (&y, tc.yaml, "m");
      DecodeInto (&j, tc.json, "m");
      EXPECT_LT (y.ret, 0);
      EXPECT_LT (j.ret, 0);
      EXPECT_FALSE (y.error.empty ());
      EXPECT_EQ (y.error, j.error);
    }
}

TEST (DecodeTest, JsonSyntaxAndNulErrors)
{
  Decoded d;
  DecodeInto (&d, "{\"apiVersion\": \"v1\",\n \"kind\": }", "bad.json");
  EXPECT_LT (d.ret, 0);
  EXPECT_EQ (d.error.rfind ("bad.json: json: line 2, column ", 0), 0u) << d.error;

  Decoded nul;
  DecodeInto (&nul,
              "{\"apiVersion\": \"v1\", \"kind\": \"Pod\", \"metadata\": {\"name\": \"web\"},"
              " \"spec\": {\"containers\": [{\"name\": \"web\", \"image\": \"a\\u0000b\"}]}}",
              "bad.json");
  EXPECT_EQ (nul.error, "bad.json: spec.containers[0].image: must not contain NUL bytes");

  Decoded dup;
  DecodeInto (&dup, "{\"apiVersion\": \"v1\", \"apiVersion\": \"v1\"}", "bad.json");
  EXPECT_EQ (dup.error.rfind ("bad.json: json: line 1, column ", 0), 0u) << dup.error;
}

TEST (DecodeTest, FilesInTestdataFailWithTheirMessages)
{
  struct
  {
    const char *file;
    const char *error;
  } cases[] = {
    { "invalid-image.yaml", "invalid-image.yaml: spec.containers[0].image: Required value" },
    { "invalid-unknown-field.json",
      "invalid-unknown-field.json: spec.containers[0].imagePullPolcy: unknown field" },
    { "invalid-port.yaml", "invalid-port.yaml: spec.containers[0].ports[1].containerPort: Invalid "
                           "value: 70000: must be between 1 and 65535, inclusive" },
  };
  for (const auto &tc : cases)
    {
      Decoded d;
      DecodeInto (&d, ReadTestdata (tc.file), tc.file);
      EXPECT_EQ (d.error, tc.error);
    }
}

TEST (DecodeTest, SizeLimit)
{
  std::string manifest = ReadTestdata ("minimal.yaml");
  Decoded d;
  DecodeInto (&d, manifest, "big.yaml", 100);
  EXPECT_EQ (d.error, "big.yaml: manifest is " + std::to_string (manifest.size ())
                          + " bytes, more than the limit of 100 bytes");
  Decoded fits;
  DecodeInto (&fits, manifest, "big.yaml", manifest.size ());
  EXPECT_EQ (fits.ret, 0) << fits.error;

  std::string huge (KL_POD_DECODE_MAX_BYTES + 1, ' ');
  Decoded over;
  DecodeInto (&over, huge, "huge.yaml");
  EXPECT_EQ (over.error, "huge.yaml: manifest is 10485761 bytes, more than the limit of "
                         "10485760 bytes");
}

TEST (DecodeTest, NestingLimit)
{
  std::string ok = "apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nstatus: "
                   + std::string (63, '[') + std::string (63, ']') + "\n";
  std::string deep = "apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nstatus: "
                     + std::string (64, '[') + std::string (64, ']') + "\n";
  Decoded a, b, c;
  DecodeInto (&a, ok);
  EXPECT_EQ (a.error, "test.yaml: spec.containers: Required value");
  DecodeInto (&b, deep, "deep.yaml");
  EXPECT_EQ (b.error, "deep.yaml: nesting deeper than 64 levels");
  std::string deep_json = "{\"apiVersion\": \"v1\", \"status\": " + std::string (64, '[')
                          + std::string (64, ']') + "}";
  DecodeInto (&c, deep_json, "deep.yaml");
  EXPECT_EQ (c.error, "deep.yaml: nesting deeper than 64 levels");
  // Far deeper than jansson's own limit: still our message.
  Decoded e;
  DecodeInto (&e, std::string (100000, '['), "deep.yaml");
  EXPECT_EQ (e.error, "deep.yaml: nesting deeper than 64 levels");
  Decoded f;
  DecodeInto (&f, "{" + std::string (100000, '['), "deep.json");
  EXPECT_EQ (f.error, "deep.json: nesting deeper than 64 levels");
  // Aliases count at the depth they are used.
  std::string alias_deep = "a: &x " + std::string (40, '[') + std::string (40, ']')
                           + "\nb: " + std::string (30, '[') + "*x" + std::string (30, ']') + "\n";
  Decoded g;
  DecodeInto (&g, alias_deep, "alias.yaml");
  EXPECT_EQ (g.error, "alias.yaml: nesting deeper than 64 levels");
}

TEST (DecodeTest, ContainerLimit)
{
  std::string manifest = "apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec:\n  containers:\n";
  for (int i = 0; i < 1001; i++)
    manifest += "  - {name: c" + std::to_string (i) + ", image: app}\n";
  Decoded d;
  DecodeInto (&d, manifest);
  EXPECT_EQ (d.error, "test.yaml: spec.containers: Too many: 1001: must have at most 1000 items");
}

TEST (DecodeTest, AliasBombIsRefused)
{
  std::string bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n";
  char prev = 'a';
  for (char c = 'b'; c <= 'j'; c++, prev++)
    {
      bomb += std::string (1, c) + ": &" + c + " [";
      for (int i = 0; i < 10; i++)
        bomb += std::string (i ? ", *" : "*") + prev;
      bomb += "]\n";
    }
  Decoded d;
  DecodeInto (&d, bomb, "bomb.yaml");
  EXPECT_LT (d.ret, 0);
  EXPECT_NE (d.error.find ("aliases expand the document too much"), std::string::npos) << d.error;
}

TEST (DecodeTest, GarbageNeverCrashes)
{
  // Every prefix of a valid manifest, in both formats, and some odd bytes.
  for (const char *file : { "web.yaml", "web.json", "list.yaml", "anchors.yaml", "merge.yaml" })
    {
      std::string manifest = ReadTestdata (file);
      for (size_t n = 0; n < manifest.size (); n += 7)
        {
          Decoded d;
          DecodeInto (&d, manifest.substr (0, n), file);
          if (d.ret < 0)
            {
              EXPECT_FALSE (d.error.empty ());
            }
        }
    }
  const std::string odd[] = {
    std::string ("\0\0\0", 3),
    "\xff\xfe\x00\x01",
    "{",
    "[",
    "}",
    "\"",
    "'",
    "---\n---\n...",
    "&a [*a]",
    "!!str",
    "{\"a\":\"\\ud800\"}",
    "\xef\xbb\xbf{\"kind\": \"Pod\"}",
    "apiVersion: v1\nkind: Pod\nspec: {containers: [~, ~]}\n",
    "apiVersion: v1\nkind: Pod\nspec: {containers: [{ports: [~], env: [~], volumeMounts: [~]}]}\n",
    "apiVersion: v1\nkind: Pod\nmetadata: {labels: {? a}}\n",
  };
  for (const auto &s : odd)
    {
      Decoded d;
      DecodeInto (&d, s);
      EXPECT_LT (d.ret, 0) << s;
      EXPECT_FALSE (d.error.empty ());
    }
}

TEST (DecodeTest, CopyIsDeepAndEqual)
{
  Decoded d;
  DecodeInto (&d, ReadTestdata ("web.yaml"), "web.yaml");
  ASSERT_EQ (d.ret, 0) << d.error;
  kl_pod_t *copy = kl_pod_copy (d.pod ());
  EXPECT_TRUE (kl_pod_equal (copy, d.pod ()));
  EXPECT_NE (copy->spec.containers, d.pod ()->spec.containers);
  EXPECT_NE (copy->spec.containers[0].image, d.pod ()->spec.containers[0].image);
  free (copy->spec.containers[0].image);
  copy->spec.containers[0].image = strdup ("nginx:1.26");
  EXPECT_FALSE (kl_pod_equal (copy, d.pod ()));
  EXPECT_EQ (kl_pod_find_container (copy, "setup"), &copy->spec.init_containers[0]);
  EXPECT_EQ (kl_pod_find_container (copy, "nope"), nullptr);
  kl_pod_free (copy);
}

TEST (DecodeTest, KvSetKeepsMapsSorted)
{
  kl_kv_t *map = nullptr;
  size_t n = 0;
  kl_kv_set (&map, &n, "b", "1");
  kl_kv_set (&map, &n, "a", "2");
  kl_kv_set (&map, &n, "c", "3");
  kl_kv_set (&map, &n, "b", "4");
  ASSERT_EQ (n, 3u);
  EXPECT_STREQ (map[0].key, "a");
  EXPECT_STREQ (map[1].key, "b");
  EXPECT_STREQ (map[1].value, "4");
  EXPECT_STREQ (kl_kv_get (map, n, "c"), "3");
  EXPECT_EQ (kl_kv_get (map, n, "d"), nullptr);
  for (size_t i = 0; i < n; i++)
    {
      free (map[i].key);
      free (map[i].value);
    }
  free (map);
}

} // namespace
