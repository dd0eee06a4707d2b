#include <gtest/gtest.h>

#include <set>
#include <string>

#include "pkg/kubelet/api/testing.h"

extern "C" {
#include "pkg/kubelet/api/decode.h"
#include "pkg/kubelet/api/static.h"
#include "pkg/kubelet/api/types.h"
}

using kl_api_testing::Decoded;
using kl_api_testing::DecodeInto;
using kl_api_testing::ReadTestdata;
using kl_api_testing::Str;

namespace {

const char kSource[] = "/etc/kubernetes/manifests/web.yaml";

std::string
Uid (const kl_pod_t *pod, const char *node = "node-1",
     enum kl_pod_source_kind kind = KL_POD_SOURCE_FILE, const char *source = kSource)
{
  char *uid = nullptr;
  kl_error_t err = nullptr;
  EXPECT_EQ (kl_static_pod_uid (pod, node, kind, source, &uid, &err), 0) << kl_error_message (err);
  kl_error_release (&err);
  std::string s = uid ? uid : "";
  free (uid);
  return s;
}

std::string
UidOf (const std::string &manifest, const char *node = "node-1")
{
  Decoded d;
  DecodeInto (&d, manifest, kSource);
  EXPECT_EQ (d.ret, 0) << d.error;
  return d.ret == 0 ? Uid (d.pod (), node) : "";
}

std::string
ReplaceOnce (std::string s, const std::string &from, const std::string &to)
{
  size_t at = s.find (from);
  EXPECT_NE (at, std::string::npos) << from;
  if (at != std::string::npos)
    s.replace (at, from.size (), to);
  return s;
}

TEST (StaticPodTest, UidIsDeterministicMd5Hex)
{
  std::string web = ReadTestdata ("web.yaml");
  std::string a = UidOf (web), b = UidOf (web);
  EXPECT_EQ (a, b);
  ASSERT_EQ (a.size (), 32u);
  EXPECT_EQ (a.find_first_not_of ("0123456789abcdef"), std::string::npos) << a;
  // Formatting, comments, key order and YAML vs JSON do not matter: the
  // decoded pod does.
  EXPECT_EQ (UidOf (ReadTestdata ("web.json")), a);
  EXPECT_EQ (UidOf (ReplaceOnce (web, "    tier: frontend\n    app: web\n",
                                 "    app: web   # reordered\n    tier: frontend\n")),
             a);
}

TEST (StaticPodTest, UidChangesWithSpecNodeAndSource)
{
  std::string web = ReadTestdata ("web.yaml");
  Decoded d;
  DecodeInto (&d, web, kSource);
  ASSERT_EQ (d.ret, 0) << d.error;
  std::set<std::string> uids = {
    Uid (d.pod ()),
    Uid (d.pod (), "node-2"),
    Uid (d.pod (), "node-1", KL_POD_SOURCE_FILE, "/etc/kubernetes/manifests/other.yaml"),
    Uid (d.pod (), "node-1", KL_POD_SOURCE_HTTP, "http://config/web.yaml"),
    UidOf (ReplaceOnce (web, "image: nginx:1.25", "image: nginx:1.26")),
    UidOf (ReplaceOnce (web, "value: production", "value: staging")),
    UidOf (ReplaceOnce (web, "terminationGracePeriodSeconds: 45",
                        "terminationGracePeriodSeconds: 46")),
    UidOf (ReplaceOnce (web, "    app: web\n", "    app: web2\n")),
  };
  EXPECT_EQ (uids.size (), 8u);
  // A URL's UID does not depend on the node, as in Go.
  EXPECT_EQ (Uid (d.pod (), "node-1", KL_POD_SOURCE_HTTP, "http://config/web.yaml"),
             Uid (d.pod (), "node-2", KL_POD_SOURCE_HTTP, "http://config/web.yaml"));
}

TEST (StaticPodTest, ApplySetsIdentity)
{
  Decoded d;
  DecodeInto (&d, ReadTestdata ("minimal.yaml"), kSource);
  ASSERT_EQ (d.ret, 0) << d.error;
  kl_pod_t *pod = d.list.items[0];
  std::string uid = Uid (pod, "node-1.example");
  struct timespec seen = { 1714557600, 500000000 };
  kl_error_t err = nullptr;
  ASSERT_EQ (kl_static_pod_apply (pod, "node-1.example", KL_POD_SOURCE_FILE, kSource, &seen, &err),
             0)
      << kl_error_message (err);
  EXPECT_EQ (Str (pod->metadata.uid), uid);
  EXPECT_EQ (Str (pod->metadata.name), "minimal-node-1.example");
  EXPECT_EQ (Str (pod->metadata.namespace_), "default");
  EXPECT_EQ (Str (pod->spec.node_name), "node-1.example");
  const kl_kv_t *a = pod->metadata.annotations;
  size_t n = pod->metadata.n_annotations;
  EXPECT_EQ (Str (kl_kv_get (a, n, "kubernetes.io/config.hash")), uid);
  EXPECT_EQ (Str (kl_kv_get (a, n, "kubernetes.io/config.source")), "file");
  EXPECT_EQ (Str (kl_kv_get (a, n, "kubernetes.io/config.seen")), "2024-05-01T10:00:00.5Z");
  ASSERT_EQ (pod->spec.n_tolerations, 1u);
  EXPECT_EQ (Str (pod->spec.tolerations[0].operator_), "Exists");
  EXPECT_EQ (Str (pod->spec.tolerations[0].effect), "NoExecute");
}

TEST (StaticPodTest, ApplyKeepsAManifestUidAndHttpSkipsToleration)
{
  std::string manifest = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n  uid: my-uid\n"
                         "  namespace: infra\n  annotations: {a: b}\n"
                         "spec:\n  containers: [{name: c, image: c:1}]\n";
  Decoded d;
  DecodeInto (&d, manifest, "http://config/pods");
  ASSERT_EQ (d.ret, 0) << d.error;
  kl_pod_t *pod = d.list.items[0];
  kl_error_t err = nullptr;
  struct timespec seen = { 0, 0 };
  ASSERT_EQ (
      kl_static_pod_apply (pod, "node", KL_POD_SOURCE_HTTP, "http://config/pods", &seen, &err), 0)
      << kl_error_message (err);
  EXPECT_EQ (Str (pod->metadata.uid), "my-uid");
  EXPECT_EQ (Str (pod->metadata.namespace_), "infra");
  const kl_kv_t *a = pod->metadata.annotations;
  size_t n = pod->metadata.n_annotations;
  ASSERT_EQ (n, 4u);
  EXPECT_EQ (Str (a[0].key), "a");
  EXPECT_EQ (Str (kl_kv_get (a, n, "kubernetes.io/config.hash")), "my-uid");
  EXPECT_EQ (Str (kl_kv_get (a, n, "kubernetes.io/config.source")), "http");
  EXPECT_EQ (Str (kl_kv_get (a, n, "kubernetes.io/config.seen")), "1970-01-01T00:00:00Z");
  EXPECT_EQ (pod->spec.n_tolerations, 0u);
}

TEST (StaticPodTest, ApplyTolerationIsNotDuplicated)
{
  std::string manifest = "apiVersion: v1\nkind: Pod\nmetadata: {name: web}\n"
                         "spec:\n  tolerations: [{operator: Exists, effect: NoExecute}]\n"
                         "  containers: [{name: c, image: c:1}]\n";
  Decoded d;
  DecodeInto (&d, manifest, kSource);
  ASSERT_EQ (d.ret, 0) << d.error;
  kl_error_t err = nullptr;
  ASSERT_EQ (kl_static_pod_apply (d.list.items[0], "n", KL_POD_SOURCE_FILE, kSource, nullptr, &err),
             0);
  EXPECT_EQ (d.pod ()->spec.n_tolerations, 1u);
  EXPECT_EQ (kl_kv_get (d.pod ()->metadata.annotations, d.pod ()->metadata.n_annotations,
                        KL_ANNOTATION_CONFIG_SEEN),
             nullptr);
}

TEST (StaticPodTest, ApplyErrors)
{
  std::string manifest = "apiVersion: v1\nkind: Pod\nmetadata: {name: " + std::string (250, 'a')
                         + "}\nspec:\n  containers: [{name: c, image: c:1}]\n";
  Decoded d;
  DecodeInto (&d, manifest, kSource);
  ASSERT_EQ (d.ret, 0) << d.error;
  kl_error_t err = nullptr;
  EXPECT_LT (
      kl_static_pod_apply (d.list.items[0], "node-1", KL_POD_SOURCE_FILE, kSource, nullptr, &err),
      0);
  EXPECT_EQ (Str (kl_error_message (err)),
             std::string (kSource) + ": metadata.name: Invalid value: \"" + std::string (250, 'a')
                 + "-node-1\": must be no more than 253 characters");
  EXPECT_TRUE (kl_error_is (err, KL_ERROR_INVALID));
  kl_error_release (&err);

  // As in Go, spec.nodeName must be a valid node name: the kubelet's own is lowercase.
  Decoded ok;
  DecodeInto (&ok, ReadTestdata ("minimal.yaml"), kSource);
  ASSERT_EQ (ok.ret, 0) << ok.error;
  EXPECT_LT (
      kl_static_pod_apply (ok.list.items[0], "Node-1", KL_POD_SOURCE_FILE, kSource, nullptr, &err),
      0);
  EXPECT_EQ (
      Str (kl_error_message (err))
          .rfind (
              std::string (kSource)
                  + ": spec.nodeName: Invalid value: \"Node-1\": a lowercase RFC 1123 subdomain",
              0),
      0u)
      << kl_error_message (err);
  kl_error_release (&err);

  EXPECT_LT (kl_static_pod_apply (d.list.items[0], "", KL_POD_SOURCE_FILE, kSource, nullptr, &err),
             0);
  EXPECT_EQ (Str (kl_error_message (err)),
             std::string (kSource) + ": static pods need a node name");
  kl_error_release (&err);
}

TEST (StaticPodTest, NameIsLowercasedNode)
{
  char *name = kl_static_pod_name ("Etcd", "Master-0");
  EXPECT_STREQ (name, "Etcd-master-0");
  free (name);
  EXPECT_STREQ (kl_pod_source_kind_name (KL_POD_SOURCE_FILE), "file");
  EXPECT_STREQ (kl_pod_source_kind_name (KL_POD_SOURCE_HTTP), "http");
}

TEST (StaticPodTest, Rfc3339Nano)
{
  struct
  {
    time_t sec;
    long nsec;
    const char *want;
  } cases[] = {
    { 0, 0, "1970-01-01T00:00:00Z" },
    { 1714557600, 1, "2024-05-01T10:00:00.000000001Z" },
    { 1714557600, 120000000, "2024-05-01T10:00:00.12Z" },
    { 1714557600, 999999999, "2024-05-01T10:00:00.999999999Z" },
  };
  for (const auto &tc : cases)
    {
      struct timespec t = { tc.sec, tc.nsec };
      char *s = kl_format_rfc3339_nano (&t);
      EXPECT_STREQ (s, tc.want);
      free (s);
    }
}

uint64_t
HashOf (const std::string &manifest, size_t container = 0)
{
  Decoded d;
  DecodeInto (&d, manifest, kSource);
  EXPECT_EQ (d.ret, 0) << d.error;
  return d.ret == 0 ? kl_container_hash (&d.pod ()->spec.containers[container]) : 0;
}

TEST (ContainerHashTest, StableAndSensitive)
{
  std::string web = ReadTestdata ("web.yaml");
  uint64_t base = HashOf (web);
  EXPECT_EQ (HashOf (web), base);
  EXPECT_EQ (HashOf (ReadTestdata ("web.json")), base);
  // Pod-level changes outside the container keep its hash.
  EXPECT_EQ (HashOf (ReplaceOnce (web, "    app: web\n", "    app: web2\n")), base);
  EXPECT_EQ (HashOf (ReplaceOnce (web, "activeDeadlineSeconds: 3600", "activeDeadlineSeconds: 60")),
             base);
  // Spelling out a default is no change.
  EXPECT_EQ (HashOf (ReplaceOnce (
                 web, "      readinessProbe:\n        tcpSocket:\n",
                 "      readinessProbe:\n        periodSeconds: 10\n        tcpSocket:\n")),
             base);

  const std::pair<std::string, std::string> changes[] = {
    { "image: nginx:1.25", "image: nginx:1.26" },
    { "        - nginx\n", "        - nginx-debug\n" },
    { "args: [\"-g\", \"daemon off;\"]", "args: [\"-g\", \"daemon on;\"]" },
    { "value: production", "value: staging" },
    { "        - name: EMPTY\n", "        - name: EMPTY2\n" },
    { "containerPort: 9113", "containerPort: 9114" },
    { "mountPath: /var/log/nginx", "mountPath: /var/log/nginx2" },
    { "readOnly: true", "readOnly: false" },
    { "cpu: 250m", "cpu: 251m" },
    { "memory: 128Mi", "memory: 129Mi" },
    { "runAsNonRoot: true", "runAsNonRoot: false" },
    { "drop: [ALL]", "drop: [ALL, NET_RAW]" },
    { "path: /healthz", "path: /livez" },
    { "failureThreshold: 30", "failureThreshold: 31" },
    { "path: /drain", "path: /drain2" },
    { "tty: true", "tty: false" },
    { "workingDir: /usr/share/nginx", "workingDir: /" },
  };
  std::set<uint64_t> seen = { base };
  for (const auto &change : changes)
    {
      uint64_t h = HashOf (ReplaceOnce (web, change.first, change.second));
      EXPECT_NE (h, base) << change.first;
      seen.insert (h);
    }
  EXPECT_EQ (seen.size (), 1 + sizeof changes / sizeof changes[0]);
}

TEST (ContainerHashTest, FormatsAsGoFormatUint)
{
  char buf[KL_CONTAINER_HASH_STRLEN];
  kl_container_hash_format (0, buf);
  EXPECT_STREQ (buf, "0");
  kl_container_hash_format (0x0abcULL, buf);
  EXPECT_STREQ (buf, "abc");
  kl_container_hash_format (UINT64_MAX, buf);
  EXPECT_STREQ (buf, "ffffffffffffffff");
  kl_container_hash_format (0x00f00000000000ffULL, buf);
  EXPECT_STREQ (buf, "f00000000000ff");
}

} // namespace
