#include <gtest/gtest.h>

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include <string>

extern "C" {
#include "pkg/kubelet/api/decode.h"
#include "pkg/kubelet/server/encode_pod.h"
#include "pkg/kubelet/status/types.h"
}

#include "pkg/kubelet/server/testing_pods.h"

namespace {

using kl_server_testing::DecodeOne;
using kl_server_testing::kManifest;
using kl_server_testing::kMay1;
using kl_server_testing::kSecond;
using kl_server_testing::MakeStatus;

/* The value at a dotted path ("spec.containers.0.name"), or NULL. */
json_t *
At (json_t *j, const std::string &path)
{
  size_t start = 0;
  while (j != nullptr && start <= path.size ())
    {
      size_t dot = path.find ('.', start);
      std::string key
          = path.substr (start, dot == std::string::npos ? std::string::npos : dot - start);
      if (json_is_array (j))
        j = json_array_get (j, strtoul (key.c_str (), nullptr, 10));
      else
        j = json_object_get (j, key.c_str ());
      if (dot == std::string::npos)
        break;
      start = dot + 1;
    }
  return j;
}

std::string
Str (json_t *root, const std::string &path)
{
  json_t *j = At (root, path);
  EXPECT_TRUE (json_is_string (j)) << path;
  return json_is_string (j) ? json_string_value (j) : "<not a string>";
}

long long
Int (json_t *root, const std::string &path)
{
  json_t *j = At (root, path);
  EXPECT_TRUE (json_is_integer (j)) << path;
  return json_is_integer (j) ? json_integer_value (j) : -999;
}

bool
Bool (json_t *root, const std::string &path)
{
  json_t *j = At (root, path);
  EXPECT_TRUE (json_is_boolean (j)) << path;
  return json_is_true (j);
}

class EncodePodTest : public ::testing::Test
{
protected:
  void
  SetUp () override
  {
    pod_ = DecodeOne (kManifest, sizeof kManifest - 1);
    ASSERT_NE (pod_, nullptr);
    status_ = MakeStatus ();
    json_ = kl_encode_pod (pod_, status_);
  }
  void
  TearDown () override
  {
    json_decref (json_);
    kl_pod_status_free (status_);
    kl_pod_free (pod_);
  }
  kl_pod_t *pod_ = nullptr;
  kl_pod_status_t *status_ = nullptr;
  json_t *json_ = nullptr;
};

TEST_F (EncodePodTest, Metadata)
{
  EXPECT_EQ (Str (json_, "metadata.name"), "web");
  EXPECT_EQ (Str (json_, "metadata.namespace"), "prod");
  EXPECT_EQ (Str (json_, "metadata.uid"), "5f2d8c4e-0000-4000-8000-000000000001");
  EXPECT_TRUE (json_is_null (At (json_, "metadata.creationTimestamp")));
  EXPECT_EQ (Str (json_, "metadata.labels.app"), "web");
  EXPECT_EQ (Str (json_, "metadata.labels.tier"), "frontend");
  EXPECT_STREQ (json_string_value (json_object_get (At (json_, "metadata.annotations"),
                                                    "kubernetes.io/config.source")),
                "file");
}

TEST_F (EncodePodTest, Spec)
{
  EXPECT_EQ (Str (json_, "spec.nodeName"), "node-1");
  EXPECT_EQ (Str (json_, "spec.restartPolicy"), "Always");
  EXPECT_EQ (Int (json_, "spec.terminationGracePeriodSeconds"), 45);
  EXPECT_EQ (Int (json_, "spec.priority"), 2000001000);
  EXPECT_FALSE (Bool (json_, "spec.enableServiceLinks"));
  EXPECT_TRUE (Bool (json_, "spec.hostPID"));
  EXPECT_EQ (At (json_, "spec.hostNetwork"), nullptr) << "false is omitted, as omitempty";
  EXPECT_EQ (Int (json_, "spec.securityContext.supplementalGroups.1"), 5000);
  EXPECT_EQ (Str (json_, "spec.volumes.0.hostPath.type"), "DirectoryOrCreate");
  EXPECT_EQ (Str (json_, "spec.volumes.1.emptyDir.sizeLimit"), "64Mi");
  EXPECT_TRUE (json_is_object (At (json_, "spec.volumes.2.emptyDir")));
  EXPECT_EQ (Int (json_, "spec.tolerations.1.tolerationSeconds"), 300);
  EXPECT_EQ (At (json_, "spec.dnsConfig.options.1.value"), nullptr);

  json_t *app = At (json_, "spec.containers.0");
  EXPECT_EQ (Str (app, "name"), "app");
  EXPECT_EQ (Str (app, "image"), "nginx:1.25");
  EXPECT_EQ (Str (app, "command.0"), "nginx");
  EXPECT_EQ (Str (app, "args.1"), "daemon off;");
  EXPECT_EQ (Int (app, "ports.0.containerPort"), 8080);
  EXPECT_EQ (Str (app, "ports.0.protocol"), "TCP");
  EXPECT_EQ (At (app, "ports.0.hostPort"), nullptr);
  EXPECT_EQ (Int (app, "ports.1.hostPort"), 5353);
  EXPECT_EQ (Str (app, "env.0.value"), "production");
  EXPECT_EQ (At (app, "env.1.value"), nullptr);
  EXPECT_EQ (Str (app, "resources.limits.cpu"), "1");
  EXPECT_EQ (Str (app, "resources.limits.memory"), "256Mi");
  EXPECT_EQ (Str (app, "resources.limits.ephemeral-storage"), "1G");
  EXPECT_EQ (Str (app, "resources.requests.cpu"), "250m");
  EXPECT_EQ (Str (app, "resources.requests.memory"), "1500");
  EXPECT_TRUE (Bool (app, "volumeMounts.0.readOnly"));
  EXPECT_EQ (Str (app, "livenessProbe.httpGet.path"), "/healthz");
  EXPECT_EQ (Int (app, "livenessProbe.httpGet.port"), 8080);
  EXPECT_EQ (Int (app, "livenessProbe.periodSeconds"), 10);
  EXPECT_EQ (Int (app, "livenessProbe.terminationGracePeriodSeconds"), 10);
  EXPECT_EQ (Str (app, "readinessProbe.tcpSocket.port"), "http");
  EXPECT_EQ (Str (app, "startupProbe.exec.command.1"), "/tmp/ready");
  EXPECT_EQ (Str (app, "lifecycle.preStop.httpGet.path"), "/drain");
  EXPECT_EQ (Str (app, "securityContext.capabilities.drop.0"), "ALL");
  EXPECT_FALSE (Bool (app, "securityContext.privileged"));
  EXPECT_TRUE (Bool (app, "tty"));
  EXPECT_EQ (Str (app, "terminationMessagePath"), "/dev/termination-log");

  json_t *sidecar = At (json_, "spec.containers.1");
  EXPECT_EQ (Int (sidecar, "livenessProbe.grpc.port"), 9090);
  EXPECT_TRUE (json_is_null (At (sidecar, "livenessProbe.grpc.service")));
  EXPECT_TRUE (json_is_object (At (sidecar, "resources")));
  EXPECT_EQ (json_object_size (At (sidecar, "resources")), 0u);
  EXPECT_EQ (At (sidecar, "tty"), nullptr);
  EXPECT_EQ (Str (json_, "spec.initContainers.0.name"), "init");
}

TEST_F (EncodePodTest, Status)
{
  json_t *s = At (json_, "status");
  EXPECT_EQ (Str (s, "phase"), "Running");
  EXPECT_EQ (Str (s, "qosClass"), "Burstable");
  EXPECT_EQ (Str (s, "hostIP"), "192.168.1.10");
  EXPECT_EQ (Str (s, "hostIPs.0.ip"), "192.168.1.10");
  EXPECT_EQ (Str (s, "podIP"), "10.88.0.5");
  EXPECT_EQ (Str (s, "podIPs.0.ip"), "10.88.0.5");
  EXPECT_EQ (Str (s, "startTime"), "2024-05-01T12:00:00Z");

  EXPECT_EQ (json_array_size (At (s, "conditions")), 4u);
  EXPECT_EQ (Str (s, "conditions.0.type"), "Initialized");
  EXPECT_EQ (Str (s, "conditions.0.status"), "True");
  EXPECT_TRUE (json_is_null (At (s, "conditions.0.lastProbeTime")));
  EXPECT_EQ (Str (s, "conditions.1.lastTransitionTime"), "2024-05-01T12:00:01Z");
  EXPECT_EQ (Str (s, "conditions.1.status"), "False");
  EXPECT_EQ (Str (s, "conditions.1.reason"), "ContainersNotReady");
  EXPECT_EQ (At (s, "conditions.0.reason"), nullptr);

  EXPECT_EQ (Str (s, "initContainerStatuses.0.state.terminated.reason"), "Completed");
  EXPECT_EQ (Int (s, "initContainerStatuses.0.state.terminated.exitCode"), 0);

  json_t *app = At (s, "containerStatuses.0");
  EXPECT_EQ (Str (app, "name"), "app");
  EXPECT_EQ (Str (app, "state.running.startedAt"), "2024-05-01T12:00:02Z");
  EXPECT_EQ (json_object_size (At (app, "state")), 1u);
  EXPECT_TRUE (json_is_object (At (app, "lastState")));
  EXPECT_EQ (json_object_size (At (app, "lastState")), 0u);
  EXPECT_TRUE (Bool (app, "ready"));
  EXPECT_EQ (Int (app, "restartCount"), 0);
  EXPECT_EQ (Str (app, "image"), "docker.io/library/nginx:1.25");
  EXPECT_EQ (Str (app, "imageID"), "docker.io/library/nginx@sha256:bbbb");
  EXPECT_EQ (Str (app, "containerID"), "containerd://1111");
  EXPECT_TRUE (Bool (app, "started"));

  json_t *sidecar = At (s, "containerStatuses.1");
  EXPECT_EQ (Str (sidecar, "state.waiting.reason"), "CrashLoopBackOff");
  EXPECT_EQ (Str (sidecar, "state.waiting.message"),
             "back-off 40s restarting failed container=sidecar pod=web_prod");
  EXPECT_EQ (Int (sidecar, "lastState.terminated.exitCode"), 1);
  EXPECT_EQ (Str (sidecar, "lastState.terminated.reason"), "Error");
  EXPECT_EQ (Str (sidecar, "lastState.terminated.finishedAt"), "2024-05-01T12:01:01Z");
  EXPECT_EQ (Str (sidecar, "lastState.terminated.containerID"), "containerd://2222");
  EXPECT_EQ (At (sidecar, "lastState.terminated.signal"), nullptr);
  EXPECT_EQ (Int (sidecar, "restartCount"), 3);
  EXPECT_FALSE (Bool (sidecar, "ready"));
  EXPECT_FALSE (Bool (sidecar, "started"));

  json_t *job = At (s, "containerStatuses.2");
  EXPECT_EQ (Int (job, "state.terminated.exitCode"), 137);
  EXPECT_EQ (Int (job, "state.terminated.signal"), 9);
  EXPECT_EQ (Str (job, "state.terminated.reason"), "OOMKilled");
  EXPECT_EQ (Str (job, "state.terminated.message"), "out of memory");
  EXPECT_EQ (Str (job, "state.terminated.startedAt"), "2024-05-01T12:00:03Z");
  EXPECT_EQ (At (job, "started"), nullptr) << "unset *bool is omitted";
}

/* The encoded PodList decodes back to the same pod: every field name and
   type is one the API accepts, and nothing is lost. */
TEST_F (EncodePodTest, RoundTripsThroughTheDecoder)
{
  json_t *list = json_object ();
  json_object_set_new (list, "kind", json_string ("PodList"));
  json_object_set_new (list, "apiVersion", json_string ("v1"));
  json_object_set_new (list, "metadata", json_object ());
  json_t *items = json_array ();
  json_array_append (items, json_);
  json_object_set_new (list, "items", items);
  char *text = json_dumps (list, JSON_COMPACT);
  json_decref (list);
  kl_pod_t *back = DecodeOne (text, strlen (text));
  ASSERT_NE (back, nullptr) << text;
  EXPECT_TRUE (kl_pod_equal (pod_, back)) << text;
  kl_pod_free (back);
  free (text);

  /* The oracle notices a field that goes missing. */
  json_object_del (At (json_, "spec"), "hostname");
  text = json_dumps (json_, JSON_COMPACT);
  std::string pod_list
      = std::string ("{\"kind\":\"PodList\",\"apiVersion\":\"v1\",\"items\":[") + text + "]}";
  free (text);
  back = DecodeOne (pod_list.data (), pod_list.size ());
  ASSERT_NE (back, nullptr);
  EXPECT_FALSE (kl_pod_equal (pod_, back));
  kl_pod_free (back);
}

TEST (EncodePod, NullStatusIsEmptyObject)
{
  const char manifest[] = "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"a\"},"
                          "\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"busybox\"}]}}";
  kl_pod_t *pod = DecodeOne (manifest, sizeof manifest - 1);
  ASSERT_NE (pod, nullptr);
  json_t *j = kl_encode_pod (pod, nullptr);
  EXPECT_TRUE (json_is_object (At (j, "status")));
  EXPECT_EQ (json_object_size (At (j, "status")), 0u);
  EXPECT_EQ (Str (j, "metadata.namespace"), "default");
  EXPECT_EQ (At (j, "metadata.labels"), nullptr);
  EXPECT_TRUE (json_is_object (At (j, "spec.securityContext")));
  json_decref (j);
  kl_pod_free (pod);
}

TEST (EncodePod, RepairsInvalidUtf8)
{
  const char manifest[] = "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"a\"},"
                          "\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"busybox\"}]}}";
  kl_pod_t *pod = DecodeOne (manifest, sizeof manifest - 1);
  ASSERT_NE (pod, nullptr);
  kl_pod_status_t status = {};
  status.message = (char *) "bad \xff byte";
  status.reason = (char *) "ok \xc3\xa9";
  json_t *j = kl_encode_pod (pod, &status);
  EXPECT_EQ (Str (j, "status.message"), "bad \xEF\xBF\xBD byte");
  EXPECT_EQ (Str (j, "status.reason"), "ok \xc3\xa9");
  json_decref (j);
  kl_pod_free (pod);
}

TEST (EncodePod, Time)
{
  struct
  {
    int64_t ns;
    const char *want;
  } cases[] = {
    { kMay1, "2024-05-01T12:00:00Z" },
    { kMay1 + kSecond - 1, "2024-05-01T12:00:00Z" },
    { 1, "1970-01-01T00:00:00Z" },
    { -1, "1969-12-31T23:59:59Z" },
  };
  for (const auto &c : cases)
    {
      json_t *j = kl_encode_time (c.ns);
      EXPECT_STREQ (json_string_value (j), c.want) << c.ns;
      json_decref (j);
    }
  json_t *zero = kl_encode_time (0);
  EXPECT_TRUE (json_is_null (zero));
  json_decref (zero);
}

} // namespace
