#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "pkg/kubelet/api/testing.h"

extern "C" {
#include "pkg/kubelet/api/decode.h"
#include "pkg/kubelet/api/types.h"
#include "pkg/kubelet/api/validate.h"
}

using kl_api_testing::Decoded;
using kl_api_testing::DecodeInto;
using kl_api_testing::ReadTestdata;

namespace {

const char kLabelMsg[]
    = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and "
      "must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex "
      "used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const char kSubdomainMsg[]
    = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or "
      "'.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used "
      "for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

// A pod named "web" with one container "web" (image nginx); `container` is
// appended to the container, `spec` to the spec, `meta` to the metadata.
std::string
Pod (const std::string &container, const std::string &spec = "", const std::string &meta = "")
{
  return "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n" + meta + "spec:\n" + spec
         + "  containers:\n  - name: web\n    image: nginx\n" + container;
}

struct Case
{
  const char *name;
  std::string manifest;
  std::string error; // without the "m.yaml: " prefix
};

TEST (ValidateTest, BadPodsReportFieldAndReason)
{
  const std::string long63 (64, 'a');
  const std::vector<Case> cases = {
    // Metadata.
    { "no name",
      "apiVersion: v1\nkind: Pod\nmetadata: {}\nspec:\n  containers: [{name: a, image: a}]\n",
      "metadata.name: Required value: name or generateName is required" },
    { "bad name",
      "apiVersion: v1\nkind: Pod\nmetadata: {name: Web_1}\nspec:\n  containers: [{name: a, image: "
      "a}]\n",
      std::string ("metadata.name: Invalid value: \"Web_1\": ") + kSubdomainMsg },
    { "long name",
      "apiVersion: v1\nkind: Pod\nmetadata: {name: " + std::string (254, 'a')
          + "}\nspec:\n  containers: [{name: a, image: a}]\n",
      "metadata.name: Invalid value: \"" + std::string (254, 'a')
          + "\": must be no more than 253 characters" },
    { "bad namespace", Pod ("", "", "  namespace: kube.system\n"),
      std::string ("metadata.namespace: Invalid value: \"kube.system\": ") + kLabelMsg },
    { "bad label key", Pod ("", "", "  labels: {\"bad key\": x}\n"),
      "metadata.labels: Invalid value: \"bad key\": name part must consist of alphanumeric "
      "characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. "
      "'MyName',  or 'my.name',  or '123-abc', regex used for validation is "
      "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')" },
    { "bad label prefix", Pod ("", "", "  labels: {\"/app\": x}\n"),
      "metadata.labels: Invalid value: \"/app\": prefix part must be non-empty" },
    { "long label value", Pod ("", "", "  labels: {app: " + long63 + "}\n"),
      "metadata.labels: Invalid value: \"" + long63 + "\": must be no more than 63 characters" },
    { "bad annotation key", Pod ("", "", "  annotations: {\"a/b/c\": x}\n"),
      "metadata.annotations: Invalid value: \"a/b/c\": a qualified name must consist of "
      "alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric "
      "character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is "
      "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' "
      "(e.g. 'example.com/MyName')" },
    { "annotation key shown as written",
      Pod ("", "", "  annotations: {\"Example.COM/x\": \"y\", \"Bad_.Example/x\": \"y\"}\n"),
      std::string ("metadata.annotations: Invalid value: \"Bad_.Example/x\": prefix part ")
          + kSubdomainMsg },
    // Containers.
    { "no containers", "apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec: {}\n",
      "spec.containers: Required value" },
    { "no container name",
      "apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec:\n  containers: [{image: a}]\n",
      "spec.containers[0].name: Required value" },
    { "bad container name",
      "apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec:\n  containers: [{name: Web, image: "
      "a}]\n",
      std::string ("spec.containers[0].name: Invalid value: \"Web\": ") + kLabelMsg },
    { "duplicate container name", Pod ("", "  initContainers: [{name: web, image: a}]\n"),
      "spec.containers[0].name: Duplicate value: \"web\"" },
    { "no image",
      "apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec:\n  containers: [{name: web}]\n",
      "spec.containers[0].image: Required value" },
    { "image whitespace",
      "apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec:\n  containers: [{name: web, image: "
      "\" nginx\"}]\n",
      "spec.containers[0].image: Invalid value: \" nginx\": must not have leading or trailing "
      "whitespace" },
    { "bad pull policy", Pod ("    imagePullPolicy: Sometimes\n"),
      "spec.containers[0].imagePullPolicy: Unsupported value: \"Sometimes\": supported values: "
      "\"Always\", \"IfNotPresent\", \"Never\"" },
    { "bad termination message policy", Pod ("    terminationMessagePolicy: Logs\n"),
      "spec.containers[0].terminationMessagePolicy: Unsupported value: \"Logs\": supported values: "
      "\"FallbackToLogsOnError\", \"File\"" },
    // Ports.
    { "port zero", Pod ("    ports: [{name: http}]\n"),
      "spec.containers[0].ports[0].containerPort: Required value" },
    { "port range", Pod ("    ports: [{containerPort: 80}, {containerPort: 70000}]\n"),
      "spec.containers[0].ports[1].containerPort: Invalid value: 70000: must be between 1 and "
      "65535, inclusive" },
    { "host port range", Pod ("    ports: [{containerPort: 80, hostPort: -1}]\n"),
      "spec.containers[0].ports[0].hostPort: Invalid value: -1: must be between 1 and 65535, "
      "inclusive" },
    { "bad protocol", Pod ("    ports: [{containerPort: 80, protocol: HTTP}]\n"),
      "spec.containers[0].ports[0].protocol: Unsupported value: \"HTTP\": supported values: "
      "\"SCTP\", \"TCP\", \"UDP\"" },
    { "port name charset", Pod ("    ports: [{containerPort: 80, name: HTTP}]\n"),
      "spec.containers[0].ports[0].name: Invalid value: \"HTTP\": must contain only alpha-numeric "
      "characters (a-z, 0-9), and hyphens (-)" },
    { "port name letter", Pod ("    ports: [{containerPort: 80, name: \"8080\"}]\n"),
      "spec.containers[0].ports[0].name: Invalid value: \"8080\": must contain at least one "
      "letter (a-z)" },
    { "port name length", Pod ("    ports: [{containerPort: 80, name: very-long-port-name}]\n"),
      "spec.containers[0].ports[0].name: Invalid value: \"very-long-port-name\": must be no more "
      "than 15 characters" },
    { "port name hyphens", Pod ("    ports: [{containerPort: 80, name: a--b}]\n"),
      "spec.containers[0].ports[0].name: Invalid value: \"a--b\": must not contain consecutive "
      "hyphens" },
    { "duplicate port name",
      Pod ("    ports: [{containerPort: 80, name: http}, {containerPort: 81, name: http}]\n"),
      "spec.containers[0].ports[1].name: Duplicate value: \"http\"" },
    { "duplicate container port",
      Pod ("    ports: [{containerPort: 80}]\n  - name: other\n    image: nginx\n    ports: "
           "[{containerPort: 53, protocol: UDP}, {containerPort: 80}]\n"),
      "spec.containers[1].ports[1].containerPort: Duplicate value: \"80/TCP\"" },
    { "host port conflict",
      Pod ("    ports: [{containerPort: 80, hostPort: 8080}]\n  - name: other\n    image: nginx\n  "
           "  ports: [{containerPort: 81, hostPort: 8080}]\n"),
      "spec.containers[1].ports[0].hostPort: Duplicate value: \"TCP//8080\"" },
    { "host network ports",
      Pod ("    ports: [{containerPort: 80, hostPort: 8080}]\n", "  hostNetwork: true\n"),
      "spec.containers[0].ports[0].hostPort: Invalid value: 8080: must match `containerPort` when "
      "`hostNetwork` is true" },
    // Env.
    { "env without name", Pod ("    env: [{value: x}]\n"),
      "spec.containers[0].env[0].name: Required value" },
    { "bad env name", Pod ("    env: [{name: 1BAD, value: x}]\n"),
      "spec.containers[0].env[0].name: Invalid value: \"1BAD\": a valid environment variable name "
      "must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a "
      "digit (e.g. 'my.env-name',  or 'MY_ENV.NAME',  or 'MyEnvName1', regex used for validation "
      "is '[-._a-zA-Z][-._a-zA-Z0-9]*')" },
    { "dotdot env name", Pod ("    env: [{name: ..x}]\n"),
      "spec.containers[0].env[0].name: Invalid value: \"..x\": must not start with '..'" },
    // Volumes and mounts.
    { "mount of unknown volume", Pod ("    volumeMounts: [{name: data, mountPath: /data}]\n"),
      "spec.containers[0].volumeMounts[0].name: Not found: \"data\"" },
    { "relative mount path",
      Pod ("    volumeMounts: [{name: data, mountPath: data}]\n", "  volumes: [{name: data}]\n"),
      "spec.containers[0].volumeMounts[0].mountPath: Invalid value: \"data\": must be an absolute "
      "path" },
    { "no mount path", Pod ("    volumeMounts: [{name: data}]\n", "  volumes: [{name: data}]\n"),
      "spec.containers[0].volumeMounts[0].mountPath: Required value" },
    { "duplicate mount path",
      Pod ("    volumeMounts: [{name: data, mountPath: /data}, {name: data, mountPath: /data}]\n",
           "  volumes: [{name: data}]\n"),
      "spec.containers[0].volumeMounts[1].mountPath: Invalid value: \"/data\": must be unique" },
    { "subPath backsteps",
      Pod ("    volumeMounts: [{name: data, mountPath: /data, subPath: ../x}]\n",
           "  volumes: [{name: data}]\n"),
      "spec.containers[0].volumeMounts[0].subPath: Invalid value: \"../x\": must not contain "
      "'..'" },
    { "bidirectional unprivileged",
      Pod ("    volumeMounts: [{name: data, mountPath: /data, mountPropagation: Bidirectional}]\n",
           "  volumes: [{name: data}]\n"),
      "spec.containers[0].volumeMounts[0].mountPropagation: Forbidden: Bidirectional mount "
      "propagation is available only to privileged containers" },
    { "duplicate volume", Pod ("", "  volumes: [{name: data}, {name: data}]\n"),
      "spec.volumes[1].name: Duplicate value: \"data\"" },
    { "bad volume name", Pod ("", "  volumes: [{name: Data}]\n"),
      std::string ("spec.volumes[0].name: Invalid value: \"Data\": ") + kLabelMsg },
    { "volume without name", Pod ("", "  volumes: [{emptyDir: {}}]\n"),
      "spec.volumes[0].name: Required value" },
    { "two volume sources",
      Pod ("", "  volumes: [{name: d, hostPath: {path: /d}, emptyDir: {}}]\n"),
      "spec.volumes[0].emptyDir: Forbidden: may not specify more than 1 volume type" },
    { "hostPath without path", Pod ("", "  volumes: [{name: d, hostPath: {type: Directory}}]\n"),
      "spec.volumes[0].hostPath.path: Required value" },
    { "hostPath backsteps", Pod ("", "  volumes: [{name: d, hostPath: {path: /a/../etc}}]\n"),
      "spec.volumes[0].hostPath.path: Invalid value: \"/a/../etc\": must not contain '..'" },
    { "hostPath type", Pod ("", "  volumes: [{name: d, hostPath: {path: /d, type: Dir}}]\n"),
      "spec.volumes[0].hostPath.type: Unsupported value: \"Dir\": supported values: \"\", "
      "\"BlockDevice\", \"CharDevice\", \"Directory\", \"DirectoryOrCreate\", \"File\", "
      "\"FileOrCreate\", \"Socket\"" },
    { "emptyDir medium", Pod ("", "  volumes: [{name: d, emptyDir: {medium: Disk}}]\n"),
      "spec.volumes[0].emptyDir.medium: Unsupported value: \"Disk\": supported values: \"\", "
      "\"Memory\"" },
    { "emptyDir size", Pod ("", "  volumes: [{name: d, emptyDir: {sizeLimit: -1Mi}}]\n"),
      "spec.volumes[0].emptyDir.sizeLimit: Invalid value: \"-1048576\": must be greater than or "
      "equal to 0" },
    // Pod-level enums and numbers.
    { "restart policy", Pod ("", "  restartPolicy: Sometimes\n"),
      "spec.restartPolicy: Unsupported value: \"Sometimes\": supported values: \"Always\", "
      "\"Never\", \"OnFailure\"" },
    { "dns policy", Pod ("", "  dnsPolicy: Cluster\n"),
      "spec.dnsPolicy: Unsupported value: \"Cluster\": supported values: \"ClusterFirst\", "
      "\"ClusterFirstWithHostNet\", \"Default\", \"None\"" },
    { "dns none without config", Pod ("", "  dnsPolicy: None\n"),
      "spec.dnsConfig: Required value: must provide `dnsConfig` when `dnsPolicy` is None" },
    { "dns nameserver", Pod ("", "  dnsPolicy: None\n  dnsConfig: {nameservers: [1.2.3]}\n"),
      "spec.dnsConfig.nameservers[0]: Invalid value: \"1.2.3\": must be a valid IP address, (e.g. "
      "10.9.8.7 or 2001:db8::ffff)" },
    { "grace period", Pod ("", "  terminationGracePeriodSeconds: -1\n"),
      "spec.terminationGracePeriodSeconds: Invalid value: -1: must be greater than or equal to 0" },
    { "active deadline", Pod ("", "  activeDeadlineSeconds: 0\n"),
      "spec.activeDeadlineSeconds: Invalid value: 0: must be between 1 and 2147483647, inclusive" },
    { "hostname", Pod ("", "  hostname: web.local\n"),
      std::string ("spec.hostname: Invalid value: \"web.local\": ") + kLabelMsg },
    { "nodeName", Pod ("", "  nodeName: Node_1\n"),
      std::string ("spec.nodeName: Invalid value: \"Node_1\": ") + kSubdomainMsg },
    { "host alias ip", Pod ("", "  hostAliases: [{ip: nope, hostnames: [a]}]\n"),
      "spec.hostAliases[0].ip: Invalid value: \"nope\": must be a valid IP address, (e.g. "
      "10.9.8.7 or 2001:db8::ffff)" },
    { "toleration operator", Pod ("", "  tolerations: [{operator: Equal, value: x}]\n"),
      "spec.tolerations[0].operator: Invalid value: \"Equal\": operator must be Exists when `key` "
      "is empty, which means \"match all values and all keys\"" },
    { "toleration effect", Pod ("", "  tolerations: [{key: k, operator: Exists, effect: Never}]\n"),
      "spec.tolerations[0].effect: Unsupported value: \"Never\": supported values: \"NoExecute\", "
      "\"NoSchedule\", \"PreferNoSchedule\"" },
    // Security contexts.
    { "pod runAsUser", Pod ("", "  securityContext: {runAsUser: -1}\n"),
      "spec.securityContext.runAsUser: Invalid value: -1: must be between 0 and 2147483647, "
      "inclusive" },
    { "supplemental group", Pod ("", "  securityContext: {supplementalGroups: [1, 4294967296]}\n"),
      "spec.securityContext.supplementalGroups[1]: Invalid value: 4294967296: must be between 0 "
      "and 2147483647, inclusive" },
    { "sysctl name", Pod ("", "  securityContext: {sysctls: [{name: Net.IPv4, value: \"1\"}]}\n"),
      "spec.securityContext.sysctls[0].name: Invalid value: \"Net.IPv4\": must have at most 253 "
      "characters and match regex "
      "^([a-z0-9]([-_a-z0-9]*[a-z0-9])?[\\./])*[a-z0-9]([-_a-z0-9]*[a-z0-9])?$" },
    { "duplicate sysctl",
      Pod ("", "  securityContext: {sysctls: [{name: kernel.shm_rmid_forced, value: \"1\"}, {name: "
               "kernel.shm_rmid_forced, value: \"0\"}]}\n"),
      "spec.securityContext.sysctls[1].name: Duplicate value: \"kernel.shm_rmid_forced\"" },
    { "seccomp localhost", Pod ("", "  securityContext: {seccompProfile: {type: Localhost}}\n"),
      "spec.securityContext.seccompProfile.localhostProfile: Required value: must be set when "
      "seccomp type is Localhost" },
    { "seccomp type", Pod ("    securityContext: {seccompProfile: {type: Default}}\n"),
      "spec.containers[0].securityContext.seccompProfile.type: Unsupported value: \"Default\": "
      "supported values: \"Localhost\", \"RuntimeDefault\", \"Unconfined\"" },
    { "privileged without escalation",
      Pod ("    securityContext: {privileged: true, allowPrivilegeEscalation: false}\n"),
      "spec.containers[0].securityContext: Forbidden: cannot set `allowPrivilegeEscalation` to "
      "false and `privileged` to true" },
    { "container runAsGroup", Pod ("    securityContext: {runAsGroup: -5}\n"),
      "spec.containers[0].securityContext.runAsGroup: Invalid value: -5: must be between 0 and "
      "2147483647, inclusive" },
    // Resources.
    { "cpu request over limit", Pod ("    resources: {limits: {cpu: 1}, requests: {cpu: 1500m}}\n"),
      "spec.containers[0].resources.requests[cpu]: Invalid value: \"1500m\": must be less than or "
      "equal to cpu limit of 1" },
    { "memory request over limit",
      Pod ("    resources: {limits: {memory: 128Mi}, requests: {memory: 256Mi}}\n"),
      "spec.containers[0].resources.requests[memory]: Invalid value: \"268435456\": must be less "
      "than or equal to memory limit of 134217728" },
    { "negative limit", Pod ("    resources: {limits: {cpu: \"-1\"}}\n"),
      "spec.containers[0].resources.limits[cpu]: Invalid value: \"-1\": must be greater than or "
      "equal to 0" },
    // Probes and hooks.
    { "probe without handler", Pod ("    livenessProbe: {periodSeconds: 5}\n"),
      "spec.containers[0].livenessProbe: Required value: must specify a handler type" },
    { "probe with two handlers",
      Pod ("    livenessProbe: {exec: {command: [x]}, tcpSocket: {port: 80}}\n"),
      "spec.containers[0].livenessProbe.tcpSocket: Forbidden: may not specify more than 1 handler "
      "type" },
    { "exec without command", Pod ("    startupProbe: {exec: {}}\n"),
      "spec.containers[0].startupProbe.exec.command: Required value" },
    { "liveness success threshold",
      Pod ("    livenessProbe: {tcpSocket: {port: 80}, successThreshold: 2}\n"),
      "spec.containers[0].livenessProbe.successThreshold: Invalid value: 2: must be 1" },
    { "startup success threshold",
      Pod ("    startupProbe: {tcpSocket: {port: 80}, successThreshold: 3}\n"),
      "spec.containers[0].startupProbe.successThreshold: Invalid value: 3: must be 1" },
    { "negative failure threshold",
      Pod ("    readinessProbe: {tcpSocket: {port: 80}, failureThreshold: -1}\n"),
      "spec.containers[0].readinessProbe.failureThreshold: Invalid value: -1: must be greater than "
      "or equal to 1" },
    { "negative initial delay",
      Pod ("    readinessProbe: {tcpSocket: {port: 80}, initialDelaySeconds: -1}\n"),
      "spec.containers[0].readinessProbe.initialDelaySeconds: Invalid value: -1: must be greater "
      "than or equal to 0" },
    { "readiness grace period",
      Pod ("    readinessProbe: {tcpSocket: {port: 80}, terminationGracePeriodSeconds: 5}\n"),
      "spec.containers[0].readinessProbe.terminationGracePeriodSeconds: Invalid value: 5: must not "
      "be set for readinessProbes" },
    { "liveness grace period",
      Pod ("    livenessProbe: {tcpSocket: {port: 80}, terminationGracePeriodSeconds: 0}\n"),
      "spec.containers[0].livenessProbe.terminationGracePeriodSeconds: Invalid value: 0: must be "
      "greater than 0" },
    { "httpGet without port", Pod ("    livenessProbe: {httpGet: {path: /}}\n"),
      "spec.containers[0].livenessProbe.httpGet.port: Invalid value: 0: must be between 1 and "
      "65535, inclusive" },
    { "httpGet bad port name", Pod ("    livenessProbe: {httpGet: {port: HTTP_PORT}}\n"),
      "spec.containers[0].livenessProbe.httpGet.port: Invalid value: \"HTTP_PORT\": must contain "
      "only alpha-numeric characters (a-z, 0-9), and hyphens (-)" },
    { "httpGet scheme", Pod ("    livenessProbe: {httpGet: {port: 80, scheme: FTP}}\n"),
      "spec.containers[0].livenessProbe.httpGet.scheme: Unsupported value: \"FTP\": supported "
      "values: \"HTTP\", \"HTTPS\"" },
    { "httpGet header",
      Pod ("    livenessProbe: {httpGet: {port: 80, httpHeaders: [{name: \"X Y\", value: z}]}}\n"),
      "spec.containers[0].livenessProbe.httpGet.httpHeaders[0].name: Invalid value: \"X Y\": a "
      "valid HTTP header must consist of alphanumeric characters or '-' (e.g. 'X-Header-Name', "
      "regex used for validation is '[-A-Za-z0-9]+')" },
    { "grpc port", Pod ("    livenessProbe: {grpc: {port: 0}}\n"),
      "spec.containers[0].livenessProbe.grpc.port: Invalid value: 0: must be between 1 and 65535, "
      "inclusive" },
    { "preStop without handler", Pod ("    lifecycle: {preStop: {}}\n"),
      "spec.containers[0].lifecycle.preStop: Required value: must specify a handler type" },
    { "init container probe",
      Pod ("",
           "  initContainers: [{name: init, image: a, readinessProbe: {tcpSocket: {port: 80}}}]\n"),
      "spec.initContainers[0].readinessProbe: Forbidden: may not be set for init containers" },
  };
  for (const auto &tc : cases)
    {
      Decoded d;
      DecodeInto (&d, tc.manifest, "m.yaml");
      EXPECT_LT (d.ret, 0) << tc.name;
      EXPECT_EQ (d.error, "m.yaml: " + tc.error) << tc.name;
    }
}

TEST (ValidateTest, ValidManifestsPass)
{
  for (const char *file :
       { "web.yaml", "web.json", "minimal.yaml", "kube-apiserver.yaml", "list.yaml", "podlist.json",
         "multi.yaml", "anchors.yaml", "merge.yaml" })
    {
      Decoded d;
      DecodeInto (&d, ReadTestdata (file), file);
      ASSERT_EQ (d.ret, 0) << d.error;
      for (size_t i = 0; i < d.list.n_items; i++)
        {
          kl_error_t err = nullptr;
          EXPECT_EQ (kl_pod_validate (d.pod (i), &err), 0) << kl_error_message (err);
          kl_error_release (&err);
          EXPECT_EQ (kl_pod_validate_all (d.pod (i)), nullptr);
        }
    }
}

TEST (ValidateTest, ValidateReportsFirstAndValidateAllReportsEvery)
{
  Decoded d;
  DecodeInto (&d, ReadTestdata ("web.yaml"), "web.yaml");
  ASSERT_EQ (d.ret, 0) << d.error;
  kl_pod_t *pod = kl_pod_copy (d.pod ());
  free (pod->spec.containers[0].image);
  pod->spec.containers[0].image = nullptr;
  free (pod->spec.restart_policy);
  pod->spec.restart_policy = strdup ("Sometimes");
  pod->spec.containers[0].ports[1].container_port = 0;

  kl_error_t err = nullptr;
  EXPECT_LT (kl_pod_validate (pod, &err), 0);
  EXPECT_TRUE (kl_error_is (err, KL_ERROR_INVALID));
  EXPECT_STREQ (kl_error_message (err), "spec.containers[0].image: Required value");
  kl_error_release (&err);

  char *all = kl_pod_validate_all (pod);
  ASSERT_NE (all, nullptr);
  EXPECT_STREQ (all, "spec.containers[0].image: Required value; "
                     "spec.containers[0].ports[1].containerPort: Required value; "
                     "spec.restartPolicy: Unsupported value: \"Sometimes\": supported values: "
                     "\"Always\", \"Never\", \"OnFailure\"");
  free (all);
  kl_pod_free (pod);
}

TEST (ValidateTest, UndefaultedPodNeedsItsDefaults)
{
  // kl_pod_validate checks what defaulting fills, as the API server does.
  kl_pod_t pod = {};
  pod.metadata.name = strdup ("p");
  char *all = kl_pod_validate_all (&pod);
  ASSERT_NE (all, nullptr);
  EXPECT_STREQ (all, "metadata.namespace: Required value; spec.containers: Required value; "
                     "spec.restartPolicy: Unsupported value: \"\": supported values: \"Always\", "
                     "\"Never\", \"OnFailure\"; "
                     "spec.dnsPolicy: Unsupported value: \"\": supported values: "
                     "\"ClusterFirst\", \"ClusterFirstWithHostNet\", \"Default\", \"None\"");
  free (all);
  kl_pod_set_defaults (&pod);
  pod.spec.containers = (kl_container_t *) calloc (1, sizeof (kl_container_t));
  pod.spec.n_containers = 1;
  pod.spec.containers[0].name = strdup ("c");
  pod.spec.containers[0].image = strdup ("c:1");
  kl_pod_set_defaults (&pod);
  kl_error_t err = nullptr;
  EXPECT_EQ (kl_pod_validate (&pod, &err), 0) << kl_error_message (err);
  EXPECT_STREQ (pod.spec.containers[0].image_pull_policy, "IfNotPresent");
  kl_error_release (&err);
  kl_pod_t *copy = kl_pod_copy (&pod);
  EXPECT_TRUE (kl_pod_equal (copy, &pod));
  kl_pod_free (copy);
  // Free the members of the stack pod through a heap copy's layout.
  kl_pod_t *heap = (kl_pod_t *) malloc (sizeof pod);
  memcpy (heap, &pod, sizeof pod);
  kl_pod_free (heap);
}

} // namespace
