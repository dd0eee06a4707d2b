#include <gtest/gtest.h>

#include <stdio.h>
#include <unistd.h>

#include <map>
#include <vector>
#include <string>

extern "C" {
#include "api/cri/v1/api.pb-c.h"
#include "pkg/kubelet/dockershim/naming.h"
#include "pkg/kubelet/dockershim/oom.h"
#include "pkg/util/utils.h"
}

namespace {

TEST (NamingTest, FormatsAndParsesSandboxNames)
{
  char *name = ds_make_sandbox_name ("web", "default", "1234-abcd", 3);
  EXPECT_STREQ (name, "k8s_POD_web_default_1234-abcd_3");
  ds_name_t parsed;
  kl_error_t err = NULL;
  std::string with_slash = std::string ("/") + name;
  ASSERT_EQ (ds_parse_name (with_slash.c_str (), &parsed, &err), 0) << kl_error_message (err);
  EXPECT_STREQ (parsed.container, "POD");
  EXPECT_STREQ (parsed.pod, "web");
  EXPECT_STREQ (parsed.ns, "default");
  EXPECT_STREQ (parsed.uid, "1234-abcd");
  EXPECT_EQ (parsed.attempt, 3u);
  ds_name_clear (&parsed);
  free (name);
}

TEST (NamingTest, FormatsAndParsesContainerNames)
{
  char *name = ds_make_container_name ("nginx", "web", "kube-system", "u1", 0);
  EXPECT_STREQ (name, "k8s_nginx_web_kube-system_u1_0");
  ds_name_t parsed;
  kl_error_t err = NULL;
  ASSERT_EQ (ds_parse_name (name, &parsed, &err), 0);
  EXPECT_STREQ (parsed.container, "nginx");
  EXPECT_EQ (parsed.attempt, 0u);
  ds_name_clear (&parsed);
  free (name);
  // The random suffix the Go dockershim added after a name conflict.
  ASSERT_EQ (ds_parse_name ("/k8s_nginx_web_ns_u1_4_1a2b3c4d", &parsed, &err), 0);
  EXPECT_EQ (parsed.attempt, 4u);
  ds_name_clear (&parsed);
}

TEST (NamingTest, RejectsForeignNames)
{
  const char *bad[] = {
    "/random_container",
    "k8s_a_b_c_d",
    "k8s_a_b_c_d_e_f_g",
    "docker_a_b_c_d_1",
    "k8s_a_b_c_d_x",
    "k8s_a__c_d_1",
    "k8s_a_b_c_d_-1",
    "k8s_a_b_c_d_4294967296",
    "",
  };
  for (const char *name : bad)
    {
      ds_name_t parsed;
      kl_error_t err = NULL;
      EXPECT_LT (ds_parse_name (name, &parsed, &err), 0) << name;
      EXPECT_TRUE (kl_error_is (err, KL_ERROR_INVALID)) << name;
      kl_error_release (&err);
    }
}

// Owns map entries of a CRI config for the test.
struct Entries
{
  std::vector<Runtime__V1__PodSandboxConfig__LabelsEntry> storage;
  std::vector<ds_pb_kv_t *> pointers;
  explicit Entries (const std::map<std::string, std::string> &m)
  {
    storage.reserve (m.size ());
    for (const auto &kv : m)
      {
        Runtime__V1__PodSandboxConfig__LabelsEntry e
            = RUNTIME__V1__POD_SANDBOX_CONFIG__LABELS_ENTRY__INIT;
        e.key = (char *) kv.first.c_str ();
        e.value = (char *) kv.second.c_str ();
        storage.push_back (e);
      }
    for (auto &e : storage)
      pointers.push_back ((ds_pb_kv_t *) &e);
  }
};

TEST (NamingTest, LabelsAndAnnotationsRoundTrip)
{
  std::map<std::string, std::string> labels
      = { { "app", "web" }, { "io.kubernetes.pod.name", "web" } };
  std::map<std::string, std::string> annotations = { { "note", "a b" }, { "empty", "" } };
  Entries l (labels), a (annotations);
  json_t *json = ds_make_labels (l.pointers.data (), l.pointers.size (), a.pointers.data (),
                                 a.pointers.size ());
  EXPECT_STREQ (json_string_value (json_object_get (json, "app")), "web");
  EXPECT_STREQ (json_string_value (json_object_get (json, "annotation.note")), "a b");
  EXPECT_STREQ (json_string_value (json_object_get (json, "annotation.empty")), "");
  EXPECT_EQ (json_object_size (json), 4u);

  // As Docker returns them, with the dockershim's own labels added.
  json_object_set_new (json, DS_LABEL_CONTAINER_TYPE, json_string ("podsandbox"));
  json_object_set_new (json, DS_LABEL_CONTAINER_NAME, json_string ("POD"));
  json_object_set_new (json, DS_LABEL_SANDBOX_ID, json_string ("abc"));
  std::vector<docker_label_t> items;
  const char *key;
  json_t *value;
  json_object_foreach (json, key, value)
    {
      items.push_back ({ (char *) key, (char *) json_string_value (value) });
    }
  docker_labels_t docker = { items.data (), items.size () };
  ds_kv_list_t got_labels = { 0 }, got_annotations = { 0 };
  ds_split_labels (&docker, true, &got_labels, &got_annotations);
  std::map<std::string, std::string> back_l, back_a;
  for (size_t i = 0; i < got_labels.len; i++)
    back_l[got_labels.items[i].key] = got_labels.items[i].value;
  for (size_t i = 0; i < got_annotations.len; i++)
    back_a[got_annotations.items[i].key] = got_annotations.items[i].value;
  EXPECT_EQ (back_l, labels);
  EXPECT_EQ (back_a, annotations);
  ds_kv_list_clear (&got_labels);
  ds_kv_list_clear (&got_annotations);

  // A container keeps the container name label (it is the kubelet's).
  ds_split_labels (&docker, false, &got_labels, &got_annotations);
  EXPECT_EQ (got_labels.len, 3u);
  ds_kv_list_clear (&got_labels);
  ds_kv_list_clear (&got_annotations);
  json_decref (json);
}

class OomTest : public ::testing::Test
{
protected:
  void
  SetUp () override
  {
    char tmpl[] = "/tmp/oom_test.XXXXXX";
    ASSERT_NE (mkdtemp (tmpl), nullptr);
    dir_ = tmpl;
  }
  void
  TearDown () override
  {
    unlink ((dir_ + "/status").c_str ());
    unlink ((dir_ + "/adj").c_str ());
    rmdir (dir_.c_str ());
  }
  void
  Write (const std::string &name, const std::string &text)
  {
    FILE *f = fopen ((dir_ + "/" + name).c_str (), "w");
    ASSERT_NE (f, nullptr);
    fputs (text.c_str (), f);
    fclose (f);
  }
  int
  Floor ()
  {
    int floor = 12345;
    kl_error_t err = NULL;
    EXPECT_EQ (
        ds_oom_detect_floor ((dir_ + "/status").c_str (), (dir_ + "/adj").c_str (), &floor, &err),
        0)
        << kl_error_message (err);
    kl_error_release (&err);
    return floor;
  }
  std::string dir_;
};

TEST_F (OomTest, WithCapSysResourceAnythingGoes)
{
  Write ("status", "Name:\tx\nCapInh:\t0000000000000000\nCapEff:\t000001ffffffffff\n");
  Write ("adj", "0\n");
  EXPECT_EQ (Floor (), -1000);
}

TEST_F (OomTest, WithoutItNeverBelowZeroNorOurOwn)
{
  // This host's set: CAP_SYS_RESOURCE (bit 24) missing.
  Write ("status", "CapEff:\t000001fffeffffff\n");
  Write ("adj", "0\n");
  EXPECT_EQ (Floor (), 0);
  Write ("adj", "-500\n");
  EXPECT_EQ (Floor (), 0);
  Write ("adj", "300\n");
  EXPECT_EQ (Floor (), 300);
  EXPECT_EQ (ds_oom_clamp (-998, 0), 0);
  EXPECT_EQ (ds_oom_clamp (-998, -1000), -998);
  EXPECT_EQ (ds_oom_clamp (100, 300), 300);
  EXPECT_EQ (ds_oom_clamp (5000, 0), 1000);
}

TEST_F (OomTest, MalformedFilesAreErrors)
{
  Write ("status", "Name:\tx\n");
  Write ("adj", "0\n");
  int floor = 0;
  kl_error_t err = NULL;
  EXPECT_LT (
      ds_oom_detect_floor ((dir_ + "/status").c_str (), (dir_ + "/adj").c_str (), &floor, &err), 0);
  kl_error_release (&err);
  Write ("status", "CapEff:\t0\n");
  Write ("adj", "lots\n");
  EXPECT_LT (
      ds_oom_detect_floor ((dir_ + "/status").c_str (), (dir_ + "/adj").c_str (), &floor, &err), 0);
  kl_error_release (&err);
}

} // namespace
