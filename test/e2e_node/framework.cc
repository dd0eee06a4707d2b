#include "test/e2e_node/framework.h"

#include <curl/curl.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <fstream>
#include <functional>
#include <sstream>

#include "test/e2e_node/sanitizer_report.h"

namespace e2e {

namespace {

const int64_t kSecond = 1000000000LL;

std::string
Getenv (const char *name)
{
  const char *v = getenv (name);
  return v ? v : "";
}

size_t
Collect (char *data, size_t size, size_t n, void *out)
{
  static_cast<std::string *> (out)->append (data, size * n);
  return size * n;
}

} // namespace

Env
Env::Load ()
{
  Env env;
  env.kubelet = Getenv ("KL_E2E_KUBELET");
  env.endpoint = Getenv ("KL_E2E_CRI_ENDPOINT");
  env.busybox = Getenv ("KL_E2E_BUSYBOX_IMAGE");
  env.pause = Getenv ("KL_E2E_PAUSE_IMAGE");
  env.runtime_args = Getenv ("KL_E2E_KUBELET_ARGS");
  env.runtime_ctl = Getenv ("KL_E2E_RUNTIME_CTL");
  env.inprocess = Getenv ("KL_E2E_INPROCESS_RUNTIME") == "1";
  env.restart_kills_pods = Getenv ("KL_E2E_RUNTIME_RESTART_KILLS_PODS") == "1";
  if (!Getenv ("KL_E2E_DIR").empty ())
    env.dir = Getenv ("KL_E2E_DIR");
  if (!Getenv ("KL_E2E_READ_ONLY_PORT").empty ())
    env.read_only_port = atoi (Getenv ("KL_E2E_READ_ONLY_PORT").c_str ());
  if (!Getenv ("KL_E2E_HEALTHZ_PORT").empty ())
    env.healthz_port = atoi (Getenv ("KL_E2E_HEALTHZ_PORT").c_str ());
  std::istringstream wrapper (Getenv ("KL_E2E_KUBELET_WRAPPER"));
  for (std::string w; wrapper >> w;)
    env.wrapper.push_back (w);
  return env;
}

void
WriteFile (const std::string &path, const std::string &content)
{
  // Write beside, then rename: the kubelet never sees half a manifest.
  std::string tmp = path.substr (0, path.rfind ('/') + 1) + ".tmp-" + std::to_string (getpid ());
  {
    std::ofstream out (tmp);
    out << content;
  }
  rename (tmp.c_str (), path.c_str ());
}

int
RuntimeCtl (const Env &env, const std::string &verb)
{
  size_t space = env.runtime_ctl.find (' ');
  if (env.runtime_ctl.empty () || space == std::string::npos)
    return -1;
  std::string cmd = env.runtime_ctl.substr (0, space) + " " + verb + env.runtime_ctl.substr (space);
  return system (cmd.c_str ());
}

int
HttpGet (int port, const std::string &path, std::string *body)
{
  CURL *curl = curl_easy_init ();
  std::string url = "http://127.0.0.1:" + std::to_string (port) + path;
  std::string out;
  curl_easy_setopt (curl, CURLOPT_URL, url.c_str ());
  curl_easy_setopt (curl, CURLOPT_WRITEFUNCTION, Collect);
  curl_easy_setopt (curl, CURLOPT_WRITEDATA, &out);
  curl_easy_setopt (curl, CURLOPT_TIMEOUT, 10L);
  long code = 0;
  if (curl_easy_perform (curl) == CURLE_OK)
    curl_easy_getinfo (curl, CURLINFO_RESPONSE_CODE, &code);
  curl_easy_cleanup (curl);
  if (body)
    *body = out;
  return (int) code;
}

Runtime::Runtime (const std::string &endpoint)
{
  kl_error_t err = NULL;
  if (kl_cri_client_new (endpoint.c_str (), NULL, 30 * kSecond, &client_, &err) < 0)
    {
      fprintf (stderr, "runtime: %s\n", kl_error_message (err));
      kl_error_release (&err);
    }
}

Runtime::~Runtime () { kl_cri_client_free (client_); }

namespace {

template <typename Entry>
std::string
LabelOf (const char *key, Entry **entries, size_t n)
{
  for (size_t i = 0; i < n; i++)
    if (strcmp (entries[i]->key, key) == 0)
      return entries[i]->value;
  return "";
}

// ListPodSandbox, with a label selector on the pod UID unless `uid` is empty.
bool
ListSandboxes (kl_cri_client_t *client, const std::string &uid, std::vector<SandboxInfo> *out)
{
  Runtime__V1__PodSandboxFilter__LabelSelectorEntry entry
      = RUNTIME__V1__POD_SANDBOX_FILTER__LABEL_SELECTOR_ENTRY__INIT;
  entry.key = (char *) "io.kubernetes.pod.uid";
  entry.value = (char *) uid.c_str ();
  Runtime__V1__PodSandboxFilter__LabelSelectorEntry *entries[] = { &entry };
  Runtime__V1__PodSandboxFilter filter = RUNTIME__V1__POD_SANDBOX_FILTER__INIT;
  filter.label_selector = entries;
  filter.n_label_selector = 1;
  Runtime__V1__ListPodSandboxRequest req = RUNTIME__V1__LIST_POD_SANDBOX_REQUEST__INIT;
  if (!uid.empty ())
    req.filter = &filter;
  Runtime__V1__ListPodSandboxResponse *resp = NULL;
  kl_error_t err = NULL;
  if (client == NULL || kl_cri_list_pod_sandbox (client, &req, &resp, &err) < 0)
    {
      kl_error_release (&err);
      return false;
    }
  for (size_t i = 0; i < resp->n_items; i++)
    {
      auto *s = resp->items[i];
      out->push_back ({ s->id, s->state, s->metadata ? (int) s->metadata->attempt : 0,
                        LabelOf ("io.kubernetes.pod.uid", s->labels, s->n_labels),
                        LabelOf ("io.kubernetes.pod.name", s->labels, s->n_labels),
                        LabelOf ("io.kubernetes.pod.namespace", s->labels, s->n_labels) });
    }
  protobuf_c_message_free_unpacked (&resp->base, NULL);
  return true;
}

// ListContainers, with a label selector on the pod UID unless `uid` is empty.
bool
ListContainers (kl_cri_client_t *client, const std::string &uid, std::vector<ContainerInfo> *out)
{
  Runtime__V1__ContainerFilter__LabelSelectorEntry entry
      = RUNTIME__V1__CONTAINER_FILTER__LABEL_SELECTOR_ENTRY__INIT;
  entry.key = (char *) "io.kubernetes.pod.uid";
  entry.value = (char *) uid.c_str ();
  Runtime__V1__ContainerFilter__LabelSelectorEntry *entries[] = { &entry };
  Runtime__V1__ContainerFilter filter = RUNTIME__V1__CONTAINER_FILTER__INIT;
  filter.label_selector = entries;
  filter.n_label_selector = 1;
  Runtime__V1__ListContainersRequest req = RUNTIME__V1__LIST_CONTAINERS_REQUEST__INIT;
  if (!uid.empty ())
    req.filter = &filter;
  Runtime__V1__ListContainersResponse *resp = NULL;
  kl_error_t err = NULL;
  if (client == NULL || kl_cri_list_containers (client, &req, &resp, &err) < 0)
    {
      kl_error_release (&err);
      return false;
    }
  for (size_t i = 0; i < resp->n_containers; i++)
    {
      auto *c = resp->containers[i];
      out->push_back ({ c->id, c->metadata ? c->metadata->name : "", c->pod_sandbox_id, c->state,
                        c->metadata ? (int) c->metadata->attempt : 0,
                        LabelOf ("io.kubernetes.pod.uid", c->labels, c->n_labels),
                        LabelOf ("io.kubernetes.pod.name", c->labels, c->n_labels),
                        LabelOf ("io.kubernetes.pod.namespace", c->labels, c->n_labels) });
    }
  protobuf_c_message_free_unpacked (&resp->base, NULL);
  return true;
}

bool
OnThisNode (const std::string &pod_name)
{
  std::string suffix = std::string ("-") + Kubelet::kNode;
  return pod_name.size () > suffix.size ()
         && pod_name.compare (pod_name.size () - suffix.size (), suffix.size (), suffix) == 0;
}

} // namespace

namespace {

// One list call (which appends only when it succeeds), as the class comment
// in framework.h says: tried once when `ok` is given, else until it goes
// through or kAnswerTimeout passes (a test failure).
bool
List (bool *ok, const std::function<bool ()> &call)
{
  if (ok)
    return *ok = call ();
  if (WaitFor (call, Runtime::kAnswerTimeout))
    return true;
  ADD_FAILURE () << "the runtime did not answer a list call for " << Runtime::kAnswerTimeout
                 << " s";
  return false;
}

} // namespace

bool
Runtime::Answers ()
{
  Runtime__V1__VersionRequest req = RUNTIME__V1__VERSION_REQUEST__INIT;
  req.version = (char *) "v1";
  Runtime__V1__VersionResponse *resp = NULL;
  kl_error_t err = NULL;
  if (client_ == NULL || kl_cri_version (client_, &req, &resp, &err) < 0)
    {
      kl_error_release (&err);
      return false;
    }
  protobuf_c_message_free_unpacked (&resp->base, NULL);
  return true;
}

std::vector<SandboxInfo>
Runtime::Sandboxes (const std::string &pod_name, const std::string &ns, bool *ok)
{
  std::vector<SandboxInfo> all, out;
  List (ok, [&] { return ListSandboxes (client_, "", &all); });
  for (auto &s : all)
    if (s.pod_name == pod_name + "-" + Kubelet::kNode && s.pod_namespace == ns)
      out.push_back (s);
  return out;
}

std::vector<ContainerInfo>
Runtime::Containers (const std::string &pod_name, const std::string &ns, bool *ok)
{
  std::vector<ContainerInfo> all, out;
  List (ok, [&] { return ListContainers (client_, "", &all); });
  for (auto &c : all)
    if (c.pod_name == pod_name + "-" + Kubelet::kNode && c.pod_namespace == ns)
      out.push_back (c);
  return out;
}

std::vector<SandboxInfo>
Runtime::SandboxesOf (const std::string &uid, bool *ok)
{
  std::vector<SandboxInfo> out;
  if (uid.empty ())
    {
      if (ok)
        *ok = false;
      return out;
    }
  List (ok, [&] { return ListSandboxes (client_, uid, &out); });
  return out;
}

std::vector<ContainerInfo>
Runtime::ContainersOf (const std::string &uid, bool *ok)
{
  std::vector<ContainerInfo> out;
  if (uid.empty ())
    {
      if (ok)
        *ok = false;
      return out;
    }
  List (ok, [&] { return ListContainers (client_, uid, &out); });
  return out;
}

std::vector<SandboxInfo>
Runtime::NodeSandboxes (bool *ok)
{
  std::vector<SandboxInfo> all, out;
  List (ok, [&] { return ListSandboxes (client_, "", &all); });
  for (auto &s : all)
    if (OnThisNode (s.pod_name))
      out.push_back (s);
  return out;
}

std::vector<ContainerInfo>
Runtime::NodeContainers (bool *ok)
{
  std::vector<ContainerInfo> all, out;
  List (ok, [&] { return ListContainers (client_, "", &all); });
  for (auto &c : all)
    if (OnThisNode (c.pod_name))
      out.push_back (c);
  return out;
}

std::vector<ContainerInfo>
Runtime::Running (const std::string &pod_name, bool *ok)
{
  std::vector<ContainerInfo> out;
  for (auto &c : Containers (pod_name, "default", ok))
    if (c.state == RUNTIME__V1__CONTAINER_STATE__CONTAINER_RUNNING)
      out.push_back (c);
  return out;
}

static Runtime__V1__ContainerStatusResponse *
Status (kl_cri_client_t *client, const std::string &id)
{
  Runtime__V1__ContainerStatusRequest req = RUNTIME__V1__CONTAINER_STATUS_REQUEST__INIT;
  req.container_id = (char *) id.c_str ();
  Runtime__V1__ContainerStatusResponse *resp = NULL;
  kl_error_t err = NULL;
  if (kl_cri_container_status (client, &req, &resp, &err) < 0)
    {
      kl_error_release (&err);
      return NULL;
    }
  return resp;
}

std::string
Runtime::Log (const std::string &container_id)
{
  auto *resp = Status (client_, container_id);
  if (resp == NULL)
    return "";
  std::string log = ReadFile (resp->status->log_path);
  protobuf_c_message_free_unpacked (&resp->base, NULL);
  return log;
}

int
Runtime::ExitCode (const std::string &container_id)
{
  auto *resp = Status (client_, container_id);
  if (resp == NULL)
    return -1;
  int code = resp->status->exit_code;
  protobuf_c_message_free_unpacked (&resp->base, NULL);
  return code;
}

Kubelet::Kubelet (const Env &env, const std::string &dir) : env_ (env), dir_ (dir)
{
  mkdir (dir_.c_str (), 0755);
  mkdir (manifests ().c_str (), 0755);
  WriteFile (dir_ + "/kubelet.yaml", "apiVersion: kubelet.config.k8s.io/v1beta1\n"
                                     "kind: KubeletConfiguration\n"
                                     "podLogsDir: "
                                         + pod_logs () + "\n");
}

Kubelet::~Kubelet ()
{
  if (pid_ > 0)
    Stop (SIGTERM);
}

void
Kubelet::Start (const std::vector<std::string> &extra)
{
  std::vector<std::string> args = {
    env_.kubelet,
    "--config=" + dir_ + "/kubelet.yaml",
    "--container-runtime-endpoint=" + env_.endpoint,
    "--pod-manifest-path=" + manifests (),
    "--root-dir=" + root (),
    "--hostname-override=" + std::string (kNode),
    "--pod-infra-container-image=" + env_.pause,
    "--read-only-port=" + std::to_string (read_only_port ()),
    "--healthz-port=" + std::to_string (healthz_port ()),
    "--file-check-frequency=2s",
    "--sync-frequency=10s",
    "--v=4",
  };
  args.insert (args.begin (), env_.wrapper.begin (), env_.wrapper.end ());
  std::istringstream extra_runtime (env_.runtime_args);
  for (std::string a; extra_runtime >> a;)
    args.push_back (a);
  for (auto &a : extra)
    args.push_back (a);
  std::string log = dir_ + "/kubelet.log";
  pid_ = fork ();
  if (pid_ == 0)
    {
      int fd = open (log.c_str (), O_WRONLY | O_CREAT | O_APPEND, 0644);
      dup2 (fd, 1);
      dup2 (fd, 2);
      std::vector<char *> argv;
      for (auto &a : args)
        argv.push_back ((char *) a.c_str ());
      argv.push_back (nullptr);
      execvp (argv[0], argv.data ());
      _exit (127);
    }
  // Up when /healthz answers (or the process died).
  WaitFor ([this] { return HttpGet (healthz_port (), "/healthz", nullptr) != 0 || !Running (); },
           30);
}

bool
Kubelet::Running ()
{
  if (pid_ <= 0)
    return false;
  int status;
  if (waitpid (pid_, &status, WNOHANG) == pid_)
    {
      pid_ = -1;
      Exited ();
      return false;
    }
  return true;
}

void
Kubelet::Stop (int sig)
{
  if (pid_ <= 0)
    return;
  kill (pid_, sig);
  int status;
  waitpid (pid_, &status, 0);
  pid_ = -1;
  Exited ();
}

void
Kubelet::Exited ()
{
  std::string log = Logs ();
  std::string report = SanitizerReport (log.substr (std::min (log_checked_, log.size ())));
  log_checked_ = log.size ();
  if (!report.empty ())
    ADD_FAILURE () << "the kubelet (" << dir_ << "/kubelet.log) reported:\n" << report;
}

std::string
Kubelet::Logs ()
{
  return ReadFile (dir_ + "/kubelet.log");
}

json_t *
Kubelet::Pods ()
{
  std::string body;
  if (HttpGet (read_only_port (), "/pods", &body) != 200)
    return nullptr;
  return json_loads (body.c_str (), 0, nullptr);
}

json_t *
Kubelet::Pod (const std::string &name)
{
  json_t *pods = Pods ();
  if (pods == nullptr)
    return nullptr;
  json_t *found = nullptr;
  size_t i;
  json_t *item;
  json_array_foreach (json_object_get (pods, "items"), i, item)
    {
      const char *n
          = json_string_value (json_object_get (json_object_get (item, "metadata"), "name"));
      if (n && name + "-" + kNode == n)
        found = json_incref (item);
    }
  json_decref (pods);
  return found;
}

json_t *
Kubelet::WaitPod (const std::string &name, const std::function<bool (json_t *)> &cond, int seconds)
{
  json_t *found = nullptr;
  WaitFor (
      [&] {
        json_t *p = Pod (name);
        if (p && cond (p))
          {
            found = p;
            return true;
          }
        json_decref (p);
        return false;
      },
      seconds);
  return found;
}

std::string
Kubelet::Uid (const std::string &name)
{
  json_t *pod = Pod (name);
  const char *uid = json_string_value (json_object_get (json_object_get (pod, "metadata"), "uid"));
  std::string out = uid ? uid : "";
  json_decref (pod);
  return out;
}

json_t *
ContainerStatus (json_t *pod, const std::string &container, bool init)
{
  json_t *statuses = json_object_get (json_object_get (pod, "status"),
                                      init ? "initContainerStatuses" : "containerStatuses");
  size_t i;
  json_t *s;
  json_array_foreach (statuses, i, s)
    {
      const char *n = json_string_value (json_object_get (s, "name"));
      if (n && container == n)
        return s;
    }
  return nullptr;
}

std::string
Phase (json_t *pod)
{
  const char *p = json_string_value (json_object_get (json_object_get (pod, "status"), "phase"));
  return p ? p : "";
}

bool
Ready (json_t *pod)
{
  size_t i;
  json_t *c;
  json_array_foreach (json_object_get (json_object_get (pod, "status"), "conditions"), i, c)
    {
      const char *type = json_string_value (json_object_get (c, "type"));
      const char *status = json_string_value (json_object_get (c, "status"));
      if (type && strcmp (type, "Ready") == 0)
        return status && strcmp (status, "True") == 0;
    }
  return false;
}

} // namespace e2e
