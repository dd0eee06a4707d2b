#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>
#include <zlib.h>

extern "C" {
#include "pkg/kubelet/logs/container_log_manager.h"
#include "pkg/util/utils.h"
}

namespace {

/* A scripted runtime: ListContainers, ContainerStatus and ReopenContainerLog
   work on this state, every other op fails. */
struct FakeRuntime
{
  struct Container
  {
    std::string id;
    Runtime__V1__ContainerState state;
    std::string log_path;
  };
  std::vector<Container> containers;
  std::set<std::string> failing_status; /* ContainerStatus fails for these */
  bool fail_list = false;
  bool fail_reopen = false;
  std::vector<std::string> reopened;
  int list_calls = 0;
  bool last_filter_running = false;
};

/* Hands out a message the way a real client does: unpacked from the wire,
   so the caller's protobuf_c_message_free_unpacked owns every part. */
template <typename T>
T *
through_the_wire (const ProtobufCMessage *m, const ProtobufCMessageDescriptor *desc)
{
  size_t len = protobuf_c_message_get_packed_size (m);
  std::vector<uint8_t> buf (len + 1);
  protobuf_c_message_pack (m, buf.data ());
  return (T *) protobuf_c_message_unpack (desc, nullptr, len, buf.data ());
}

FakeRuntime *
fake_of (void *self)
{
  return static_cast<FakeRuntime *> (self);
}

int
fake_list_containers (void *self, const Runtime__V1__ListContainersRequest *request,
                      Runtime__V1__ListContainersResponse **response, kl_error_t *err)
{
  FakeRuntime *f = fake_of (self);
  f->list_calls++;
  f->last_filter_running
      = request->filter && request->filter->state
        && request->filter->state->state == RUNTIME__V1__CONTAINER_STATE__CONTAINER_RUNNING;
  if (f->fail_list)
    return kl_make_error_kind (err, KL_ERROR_UNAVAILABLE, 14, "runtime is down");
  /* Ignores the filter on purpose: the manager must check the state too. */
  std::vector<Runtime__V1__Container> items (f->containers.size ());
  std::vector<Runtime__V1__Container *> pointers;
  for (size_t i = 0; i < f->containers.size (); i++)
    {
      runtime__v1__container__init (&items[i]);
      items[i].id = (char *) f->containers[i].id.c_str ();
      items[i].state = f->containers[i].state;
      pointers.push_back (&items[i]);
    }
  Runtime__V1__ListContainersResponse resp = RUNTIME__V1__LIST_CONTAINERS_RESPONSE__INIT;
  resp.n_containers = pointers.size ();
  resp.containers = pointers.data ();
  *response = through_the_wire<Runtime__V1__ListContainersResponse> (
      &resp.base, &runtime__v1__list_containers_response__descriptor);
  return 0;
}

int
fake_container_status (void *self, const Runtime__V1__ContainerStatusRequest *request,
                       Runtime__V1__ContainerStatusResponse **response, kl_error_t *err)
{
  FakeRuntime *f = fake_of (self);
  std::string id = request->container_id;
  if (f->failing_status.count (id))
    return kl_make_error_kind (err, KL_ERROR_NOT_FOUND, 5, "no such container %s", id.c_str ());
  for (auto &c : f->containers)
    {
      if (c.id != id)
        continue;
      Runtime__V1__ContainerStatus status = RUNTIME__V1__CONTAINER_STATUS__INIT;
      status.id = (char *) c.id.c_str ();
      status.state = c.state;
      status.log_path = (char *) c.log_path.c_str ();
      Runtime__V1__ContainerStatusResponse resp = RUNTIME__V1__CONTAINER_STATUS_RESPONSE__INIT;
      resp.status = &status;
      *response = through_the_wire<Runtime__V1__ContainerStatusResponse> (
          &resp.base, &runtime__v1__container_status_response__descriptor);
      return 0;
    }
  return kl_make_error_kind (err, KL_ERROR_NOT_FOUND, 5, "no such container %s", id.c_str ());
}

int
fake_reopen_container_log (void *self, const Runtime__V1__ReopenContainerLogRequest *request,
                           Runtime__V1__ReopenContainerLogResponse **response, kl_error_t *err)
{
  FakeRuntime *f = fake_of (self);
  std::string id = request->container_id;
  f->reopened.push_back (id);
  if (f->fail_reopen)
    return kl_make_error_kind (err, KL_ERROR_GENERIC, 2, "container is not running");
  for (auto &c : f->containers)
    if (c.id == id)
      std::ofstream (c.log_path, std::ios::binary | std::ios::trunc);
  Runtime__V1__ReopenContainerLogResponse resp = RUNTIME__V1__REOPEN_CONTAINER_LOG_RESPONSE__INIT;
  *response = through_the_wire<Runtime__V1__ReopenContainerLogResponse> (
      &resp.base, &runtime__v1__reopen_container_log_response__descriptor);
  return 0;
}

/* Every other op fails. */
#define FAKE_STUB(fn, Method, Service, Request, Response, desc)                                    \
  int stub_##fn (void *, const Runtime__V1__##Request *, Runtime__V1__##Response **,               \
                 kl_error_t *err)                                                                  \
  {                                                                                                \
    return kl_make_error_kind (err, KL_ERROR_GENERIC, 12, "fake runtime: %s unimplemented",        \
                               #Method);                                                           \
  }
KL_CRI_UNARY_METHODS (FAKE_STUB)

int
stub_pull_image (void *, const Runtime__V1__PullImageRequest *, int64_t,
                 Runtime__V1__PullImageResponse **, kl_error_t *err)
{
  return kl_make_error_kind (err, KL_ERROR_GENERIC, 12, "fake runtime: PullImage unimplemented");
}

int
stub_exec_sync (void *, const Runtime__V1__ExecSyncRequest *, Runtime__V1__ExecSyncResponse **,
                kl_error_t *err)
{
  return kl_make_error_kind (err, KL_ERROR_GENERIC, 12, "fake runtime: ExecSync unimplemented");
}

void
stub_free (void *)
{
}

kl_runtime_ops_s
fake_ops ()
{
  kl_runtime_ops_s ops = {};
#define FAKE_ASSIGN(fn, Method, Service, Request, Response, desc) ops.fn = stub_##fn;
  KL_CRI_UNARY_METHODS (FAKE_ASSIGN)
#undef FAKE_ASSIGN
  ops.list_containers = fake_list_containers;
  ops.container_status = fake_container_status;
  ops.reopen_container_log = fake_reopen_container_log;
  ops.pull_image = stub_pull_image;
  ops.exec_sync = stub_exec_sync;
  ops.free = stub_free;
  return ops;
}

int64_t
fake_now (void *data)
{
  return *static_cast<int64_t *> (data);
}

/* 2024-01-02 03:04:05 UTC. */
const int64_t start_seconds = 1704164645;

class LogManagerTest : public ::testing::Test
{
protected:
  void
  SetUp () override
  {
    setenv ("TZ", "UTC", 1);
    tzset ();
    const char *base = getenv ("TEST_TMPDIR");
    std::string tmpl = std::string (base ? base : "/tmp") + "/kubelet-logs-XXXXXX";
    ASSERT_NE (mkdtemp (&tmpl[0]), nullptr);
    dir = tmpl;
    ops = fake_ops ();
    rt.ops = &ops;
    rt.self = &fake;
    rt.type = "fake";
    now_ns = start_seconds * 1000000000LL;
  }

  void
  TearDown () override
  {
    kl_log_manager_free (manager);
    kl_error_release (&err);
    std::filesystem::remove_all (dir);
  }

  void
  make_manager (int64_t max_size, int max_files)
  {
    ASSERT_EQ (kl_log_manager_new (&rt, max_size, max_files, fake_now, &now_ns, &manager, &err), 0)
        << kl_error_message (err);
  }

  std::string
  add_container (const std::string &id, Runtime__V1__ContainerState state
                                        = RUNTIME__V1__CONTAINER_STATE__CONTAINER_RUNNING)
  {
    std::string container_dir = dir + "/" + id;
    std::filesystem::create_directories (container_dir);
    std::string log = container_dir + "/0.log";
    fake.containers.push_back ({ id, state, log });
    return log;
  }

  static void
  append (const std::string &path, const std::string &content)
  {
    std::ofstream (path, std::ios::binary | std::ios::app) << content;
  }

  static std::string
  read_file (const std::string &path)
  {
    std::ifstream f (path, std::ios::binary);
    std::stringstream ss;
    ss << f.rdbuf ();
    return ss.str ();
  }

  static std::string
  gunzip (const std::string &path)
  {
    gzFile gz = gzopen (path.c_str (), "rb");
    EXPECT_NE (gz, nullptr) << path;
    if (gz == nullptr)
      return "";
    std::string out;
    char buf[4096];
    int n;
    while ((n = gzread (gz, buf, sizeof buf)) > 0)
      out.append (buf, (size_t) n);
    gzclose (gz);
    return out;
  }

  static bool
  is_gzip (const std::string &path)
  {
    std::string head = read_file (path).substr (0, 2);
    return head == "\x1f\x8b";
  }

  /* The names in `log`'s directory, sorted. */
  static std::vector<std::string>
  files_of (const std::string &log)
  {
    std::vector<std::string> out;
    for (auto &e : std::filesystem::directory_iterator (std::filesystem::path (log).parent_path ()))
      out.push_back (e.path ().filename ().string ());
    std::sort (out.begin (), out.end ());
    return out;
  }

  int
  rotate ()
  {
    kl_error_release (&err);
    return kl_log_manager_rotate_once (manager, &err);
  }

  void
  advance (int seconds)
  {
    now_ns += (int64_t) seconds * 1000000000LL;
  }

  std::string dir;
  FakeRuntime fake;
  kl_runtime_ops_s ops;
  kl_runtime_t rt;
  int64_t now_ns = 0;
  kl_log_manager_t *manager = nullptr;
  kl_error_t err = nullptr;
};

TEST_F (LogManagerTest, BelowMaxSizeNothingHappens)
{
  make_manager (100, 5);
  std::string log = add_container ("c1");
  append (log, std::string (99, 'a'));
  ASSERT_EQ (rotate (), 0) << kl_error_message (err);
  EXPECT_TRUE (fake.reopened.empty ());
  EXPECT_EQ (files_of (log), (std::vector<std::string>{ "0.log" }));
  EXPECT_TRUE (fake.last_filter_running) << "ListContainers asks for running containers";
}

TEST_F (LogManagerTest, RotatesAtMaxSizeAndReopens)
{
  make_manager (100, 5);
  std::string log = add_container ("c1");
  std::string content (150, 'x');
  append (log, content);
  ASSERT_EQ (rotate (), 0) << kl_error_message (err);
  EXPECT_EQ (fake.reopened, (std::vector<std::string>{ "c1" }));
  EXPECT_EQ (files_of (log), (std::vector<std::string>{ "0.log", "0.log.20240102-030405" }));
  EXPECT_EQ (read_file (log), "") << "the runtime reopened a fresh log";
  EXPECT_EQ (read_file (log + ".20240102-030405"), content) << "the newest rotation stays plain";
}

TEST_F (LogManagerTest, CompressesOlderRotationsAndKeepsMaxFiles)
{
  make_manager (100, 3);
  std::string log = add_container ("c1");
  std::vector<std::string> rounds;
  for (int i = 0; i < 5; i++)
    {
      std::string content = "round " + std::to_string (i) + " " + std::string (120, 'a' + i);
      rounds.push_back (content);
      append (log, content);
      ASSERT_EQ (rotate (), 0) << kl_error_message (err);
      advance (10);
      EXPECT_LE (files_of (log).size (), 3u) << "round " << i;
    }
  /* Rounds at :05, :15, :25, :35, :45: the last is plain, the one before
     compressed, older ones pruned. */
  EXPECT_EQ (files_of (log), (std::vector<std::string>{ "0.log", "0.log.20240102-030435.gz",
                                                        "0.log.20240102-030445" }));
  EXPECT_TRUE (is_gzip (log + ".20240102-030435.gz"));
  EXPECT_EQ (gunzip (log + ".20240102-030435.gz"), rounds[3]);
  EXPECT_EQ (read_file (log + ".20240102-030445"), rounds[4]);
  EXPECT_EQ (fake.reopened.size (), 5u);
}

TEST_F (LogManagerTest, TwoFilesKeepsOneUncompressedRotation)
{
  make_manager (10, 2);
  std::string log = add_container ("c1");
  for (int i = 0; i < 3; i++)
    {
      append (log, std::string (20, 'z'));
      ASSERT_EQ (rotate (), 0);
      advance (10);
    }
  EXPECT_EQ (files_of (log), (std::vector<std::string>{ "0.log", "0.log.20240102-030425" }));
}

TEST_F (LogManagerTest, CompressedFilesKeepTheLogMode)
{
  make_manager (10, 4);
  std::string log = add_container ("c1");
  append (log, std::string (20, 'm'));
  ASSERT_EQ (chmod (log.c_str (), 0640), 0);
  ASSERT_EQ (rotate (), 0);
  advance (10);
  append (log, std::string (20, 'n'));
  ASSERT_EQ (rotate (), 0);
  struct stat st;
  ASSERT_EQ (stat ((log + ".20240102-030405.gz").c_str (), &st), 0);
  EXPECT_EQ (st.st_mode & 0777, 0640u);
}

TEST_F (LogManagerTest, ReopenFailureRenamesTheLogBack)
{
  make_manager (100, 5);
  std::string log = add_container ("c1");
  std::string content (200, 'r');
  append (log, content);
  fake.fail_reopen = true;
  ASSERT_EQ (rotate (), 0) << "a container's failure is logged, not returned";
  EXPECT_EQ (fake.reopened, (std::vector<std::string>{ "c1" }));
  EXPECT_EQ (files_of (log), (std::vector<std::string>{ "0.log" }));
  EXPECT_EQ (read_file (log), content);

  /* The next round succeeds. */
  fake.fail_reopen = false;
  advance (10);
  ASSERT_EQ (rotate (), 0);
  EXPECT_EQ (files_of (log), (std::vector<std::string>{ "0.log", "0.log.20240102-030415" }));
  EXPECT_EQ (read_file (log + ".20240102-030415"), content);
}

TEST_F (LogManagerTest, OneContainersErrorDoesNotStopTheOthers)
{
  make_manager (10, 5);
  std::string broken = add_container ("broken");
  std::string ok = add_container ("ok");
  append (broken, std::string (50, 'b'));
  append (ok, std::string (50, 'o'));
  fake.failing_status.insert ("broken");
  ASSERT_EQ (rotate (), 0);
  EXPECT_EQ (files_of (broken), (std::vector<std::string>{ "0.log" }));
  EXPECT_EQ (files_of (ok), (std::vector<std::string>{ "0.log", "0.log.20240102-030405" }));
}

TEST_F (LogManagerTest, OnlyRunningContainersAreRotated)
{
  make_manager (10, 5);
  std::string exited = add_container ("exited", RUNTIME__V1__CONTAINER_STATE__CONTAINER_EXITED);
  append (exited, std::string (50, 'e'));
  ASSERT_EQ (rotate (), 0);
  EXPECT_EQ (files_of (exited), (std::vector<std::string>{ "0.log" }));
  EXPECT_TRUE (fake.reopened.empty ());
}

TEST_F (LogManagerTest, AMissingLogIsReopened)
{
  make_manager (10, 5);
  std::string log = add_container ("c1");
  ASSERT_EQ (rotate (), 0);
  EXPECT_EQ (fake.reopened, (std::vector<std::string>{ "c1" }));
  EXPECT_EQ (files_of (log), (std::vector<std::string>{ "0.log" }));
}

TEST_F (LogManagerTest, LeftoversOfAFailedRotationAreCleanedUp)
{
  make_manager (10, 5);
  std::string log = add_container ("c1");
  append (log + ".20240101-000000", "compressed already");
  append (log + ".20240101-000000.gz", "");
  append (log + ".20240101-000010.tmp", "half a gzip");
  append (log + ".20240101-000020", "older plain rotation");
  append (log, std::string (20, 'c'));
  ASSERT_EQ (rotate (), 0) << kl_error_message (err);
  EXPECT_EQ (files_of (log),
             (std::vector<std::string>{ "0.log", "0.log.20240101-000000.gz",
                                        "0.log.20240101-000020.gz", "0.log.20240102-030405" }));
  EXPECT_EQ (gunzip (log + ".20240101-000020.gz"), "older plain rotation");
}

TEST_F (LogManagerTest, ListFailureIsTheOnlyError)
{
  make_manager (10, 5);
  fake.fail_list = true;
  EXPECT_LT (rotate (), 0);
  EXPECT_STREQ (kl_error_message (err), "failed to list containers: runtime is down");
}

TEST_F (LogManagerTest, NegativeMaxSizeDisablesRotation)
{
  make_manager (-1, 5);
  std::string log = add_container ("c1");
  append (log, std::string (50, 'n'));
  ASSERT_EQ (rotate (), 0);
  EXPECT_EQ (fake.list_calls, 0);
  EXPECT_EQ (files_of (log), (std::vector<std::string>{ "0.log" }));
}

TEST_F (LogManagerTest, MaxFilesMustExceedOne)
{
  EXPECT_LT (kl_log_manager_new (&rt, 100, 1, nullptr, nullptr, &manager, &err), 0);
  EXPECT_EQ (manager, nullptr);
  EXPECT_STREQ (kl_error_message (err), "invalid MaxFiles 1, must be > 1");
}

TEST_F (LogManagerTest, CleanRemovesEveryLogOfTheContainer)
{
  make_manager (10, 5);
  std::string log = add_container ("c1");
  std::string other = add_container ("c2");
  append (log, "now");
  append (log + ".20240101-000000.gz", "old");
  append (log + ".20240101-000010", "newer");
  append (other, "keep");
  ASSERT_EQ (kl_log_manager_clean (manager, "c1", &err), 0) << kl_error_message (err);
  EXPECT_TRUE (files_of (log).empty ());
  EXPECT_EQ (read_file (other), "keep");
  EXPECT_LT (kl_log_manager_clean (manager, "gone", &err), 0);
}

} // namespace
