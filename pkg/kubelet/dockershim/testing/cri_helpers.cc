#include "pkg/kubelet/dockershim/testing/cri_helpers.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

extern "C" {
#include "pkg/kubelet/dockershim/pb.h"
#include "pkg/util/utils.h"
}

namespace dstest {

std::string
Env (const char *name)
{
  const char *v = getenv (name);
  return v ? v : "";
}

bool
FileExists (const std::string &path)
{
  return access (path.c_str (), F_OK) == 0;
}

std::string
MakeTempDir (const char *prefix)
{
  std::string tmpl = std::string ("/tmp/") + prefix + ".XXXXXX";
  std::vector<char> buf (tmpl.begin (), tmpl.end ());
  buf.push_back ('\0');
  if (mkdtemp (buf.data ()) == nullptr)
    return "";
  return buf.data ();
}

void
RemoveTree (const std::string &path)
{
  if (path.empty () || path == "/")
    return;
  std::string cmd = "rm -rf '" + path + "'";
  if (system (cmd.c_str ()) != 0)
    fprintf (stderr, "could not remove %s\n", path.c_str ());
}

void
PbFree::operator() (void *m) const
{
  if (m)
    protobuf_c_message_free_unpacked ((ProtobufCMessage *) m, nullptr);
}

namespace {

template <class T>
T *
New (void (*init) (T *))
{
  T *m = (T *) xmalloc (sizeof (T));
  init (m);
  return m;
}

char *
Dup (const std::string &s)
{
  return xstrdup (s.c_str ());
}

char **
Strv (const std::vector<std::string> &v, size_t *n)
{
  *n = v.size ();
  if (v.empty ())
    return nullptr;
  char **out = (char **) xmalloc (v.size () * sizeof (char *));
  for (size_t i = 0; i < v.size (); i++)
    out[i] = Dup (v[i]);
  return out;
}

template <class T>
void
Append (T ***array, size_t *n, T *item)
{
  *array = (T **) xrealloc (*array, (*n + 1) * sizeof (T *));
  (*array)[(*n)++] = item;
}

void
MapAll (void *entries, size_t *n, const ProtobufCMessageDescriptor *desc, const StringMap &m)
{
  for (const auto &kv : m)
    ds_pb_map_add (entries, n, desc, kv.first.c_str (), kv.second.c_str ());
}

Runtime__V1__NamespaceOption *
Namespaces (int network, int pid, int ipc)
{
  auto *ns = New (runtime__v1__namespace_option__init);
  ns->network = (Runtime__V1__NamespaceMode) network;
  ns->pid = (Runtime__V1__NamespaceMode) pid;
  ns->ipc = (Runtime__V1__NamespaceMode) ipc;
  return ns;
}

} // namespace

Runtime__V1__PodSandboxConfig *
MakeSandboxConfig (const SandboxSpec &s)
{
  auto *c = New (runtime__v1__pod_sandbox_config__init);
  c->metadata = New (runtime__v1__pod_sandbox_metadata__init);
  c->metadata->name = Dup (s.name);
  c->metadata->namespace_ = Dup (s.ns);
  c->metadata->uid = Dup (s.uid);
  c->metadata->attempt = s.attempt;
  c->hostname = Dup (s.hostname);
  c->log_directory = Dup (s.log_dir);
  MapAll (&c->labels, &c->n_labels, &runtime__v1__pod_sandbox_config__labels_entry__descriptor,
          s.labels);
  MapAll (&c->annotations, &c->n_annotations,
          &runtime__v1__pod_sandbox_config__annotations_entry__descriptor, s.annotations);
  if (!s.dns_servers.empty () || !s.dns_searches.empty () || !s.dns_options.empty ())
    {
      c->dns_config = New (runtime__v1__dnsconfig__init);
      c->dns_config->servers = Strv (s.dns_servers, &c->dns_config->n_servers);
      c->dns_config->searches = Strv (s.dns_searches, &c->dns_config->n_searches);
      c->dns_config->options = Strv (s.dns_options, &c->dns_config->n_options);
    }
  for (const auto &p : s.ports)
    {
      auto *pm = New (runtime__v1__port_mapping__init);
      pm->protocol = (Runtime__V1__Protocol) p.protocol;
      pm->container_port = p.container_port;
      pm->host_port = p.host_port;
      Append (&c->port_mappings, &c->n_port_mappings, pm);
    }
  c->linux = New (runtime__v1__linux_pod_sandbox_config__init);
  c->linux->cgroup_parent = Dup (s.cgroup_parent);
  c->linux->security_context = New (runtime__v1__linux_sandbox_security_context__init);
  c->linux->security_context->namespace_options = Namespaces (s.network, s.pid, s.ipc);
  c->linux->security_context->privileged = s.privileged;
  return c;
}

Runtime__V1__ContainerConfig *
MakeContainerConfig (const ContainerSpec &s)
{
  auto *c = New (runtime__v1__container_config__init);
  c->metadata = New (runtime__v1__container_metadata__init);
  c->metadata->name = Dup (s.name);
  c->metadata->attempt = s.attempt;
  c->image = New (runtime__v1__image_spec__init);
  c->image->image = Dup (s.image);
  c->command = Strv (s.command, &c->n_command);
  c->args = Strv (s.args, &c->n_args);
  c->working_dir = Dup (s.working_dir);
  for (const auto &e : s.env)
    {
      auto *kv = New (runtime__v1__key_value__init);
      kv->key = Dup (e.first);
      kv->value = Dup (e.second);
      Append (&c->envs, &c->n_envs, kv);
    }
  for (const auto &m : s.mounts)
    {
      auto *mount = New (runtime__v1__mount__init);
      mount->host_path = Dup (m.host);
      mount->container_path = Dup (m.container);
      mount->readonly = m.readonly;
      mount->propagation = (Runtime__V1__MountPropagation) m.propagation;
      Append (&c->mounts, &c->n_mounts, mount);
    }
  for (const auto &d : s.devices)
    {
      auto *dev = New (runtime__v1__device__init);
      dev->container_path = Dup (d.container);
      dev->host_path = Dup (d.host);
      dev->permissions = Dup (d.permissions);
      Append (&c->devices, &c->n_devices, dev);
    }
  MapAll (&c->labels, &c->n_labels, &runtime__v1__container_config__labels_entry__descriptor,
          s.labels);
  MapAll (&c->annotations, &c->n_annotations,
          &runtime__v1__container_config__annotations_entry__descriptor, s.annotations);
  c->log_path = Dup (s.log_path);
  c->stdin = s.open_stdin;
  c->stdin_once = s.stdin_once;
  c->tty = s.tty;
  if (s.has_linux)
    {
      c->linux = New (runtime__v1__linux_container_config__init);
      auto *r = c->linux->resources = New (runtime__v1__linux_container_resources__init);
      r->cpu_shares = s.cpu_shares;
      r->cpu_quota = s.cpu_quota;
      r->cpu_period = s.cpu_period;
      r->memory_limit_in_bytes = s.memory;
      r->oom_score_adj = s.oom_score_adj;
      auto *sc = c->linux->security_context
          = New (runtime__v1__linux_container_security_context__init);
      sc->privileged = s.privileged;
      sc->readonly_rootfs = s.readonly_rootfs;
      sc->no_new_privs = s.no_new_privs;
      if (!s.cap_add.empty () || !s.cap_drop.empty ())
        {
          sc->capabilities = New (runtime__v1__capability__init);
          sc->capabilities->add_capabilities
              = Strv (s.cap_add, &sc->capabilities->n_add_capabilities);
          sc->capabilities->drop_capabilities
              = Strv (s.cap_drop, &sc->capabilities->n_drop_capabilities);
        }
      sc->masked_paths = Strv (s.masked_paths, &sc->n_masked_paths);
      sc->readonly_paths = Strv (s.readonly_paths, &sc->n_readonly_paths);
      if (s.has_user)
        {
          sc->run_as_user = New (runtime__v1__int64_value__init);
          sc->run_as_user->value = s.user;
        }
      if (s.has_group)
        {
          sc->run_as_group = New (runtime__v1__int64_value__init);
          sc->run_as_group->value = s.group;
        }
      if (!s.supplemental_groups.empty ())
        {
          sc->n_supplemental_groups = s.supplemental_groups.size ();
          sc->supplemental_groups
              = (int64_t *) xmalloc (s.supplemental_groups.size () * sizeof (int64_t));
          for (size_t i = 0; i < s.supplemental_groups.size (); i++)
            sc->supplemental_groups[i] = s.supplemental_groups[i];
        }
      if (s.seccomp >= 0)
        {
          sc->seccomp = New (runtime__v1__security_profile__init);
          sc->seccomp->profile_type = (Runtime__V1__SecurityProfile__ProfileType) s.seccomp;
        }
      sc->namespace_options = Namespaces (s.network, s.pid, 0);
    }
  return c;
}

Cri::Cri (const std::string &endpoint)
{
  kl_error_t err = nullptr;
  if (kl_cri_client_new (endpoint.c_str (), nullptr, 120 * kSecond, &client_, &err) < 0)
    {
      fprintf (stderr, "CRI client for %s: %s\n", endpoint.c_str (), kl_error_message (err));
      kl_error_release (&err);
      client_ = nullptr;
    }
}

Cri::~Cri () { kl_cri_client_free (client_); }

bool
Cri::RunSandbox (const Runtime__V1__PodSandboxConfig *config, std::string *id, Error *err)
{
  Runtime__V1__RunPodSandboxRequest req = RUNTIME__V1__RUN_POD_SANDBOX_REQUEST__INIT;
  req.config = (Runtime__V1__PodSandboxConfig *) config;
  Runtime__V1__RunPodSandboxResponse *resp = nullptr;
  if (kl_cri_run_pod_sandbox (client_, &req, &resp, &err->e) < 0)
    return false;
  *id = resp->pod_sandbox_id;
  PbFree () (resp);
  return true;
}

bool
Cri::StopSandbox (const std::string &id, Error *err)
{
  Runtime__V1__StopPodSandboxRequest req = RUNTIME__V1__STOP_POD_SANDBOX_REQUEST__INIT;
  req.pod_sandbox_id = (char *) id.c_str ();
  Runtime__V1__StopPodSandboxResponse *resp = nullptr;
  if (kl_cri_stop_pod_sandbox (client_, &req, &resp, &err->e) < 0)
    return false;
  PbFree () (resp);
  return true;
}

bool
Cri::RemoveSandbox (const std::string &id, Error *err)
{
  Runtime__V1__RemovePodSandboxRequest req = RUNTIME__V1__REMOVE_POD_SANDBOX_REQUEST__INIT;
  req.pod_sandbox_id = (char *) id.c_str ();
  Runtime__V1__RemovePodSandboxResponse *resp = nullptr;
  if (kl_cri_remove_pod_sandbox (client_, &req, &resp, &err->e) < 0)
    return false;
  PbFree () (resp);
  return true;
}

Pb<Runtime__V1__PodSandboxStatus>
Cri::SandboxStatus (const std::string &id, Error *err)
{
  Runtime__V1__PodSandboxStatusRequest req = RUNTIME__V1__POD_SANDBOX_STATUS_REQUEST__INIT;
  req.pod_sandbox_id = (char *) id.c_str ();
  Runtime__V1__PodSandboxStatusResponse *resp = nullptr;
  if (kl_cri_pod_sandbox_status (client_, &req, &resp, &err->e) < 0)
    return nullptr;
  Runtime__V1__PodSandboxStatus *status = resp->status;
  resp->status = nullptr;
  PbFree () (resp);
  return Pb<Runtime__V1__PodSandboxStatus> (status);
}

std::vector<std::string>
Cri::ListSandboxIds (const Runtime__V1__PodSandboxFilter *filter, Error *err)
{
  std::vector<std::string> ids;
  Runtime__V1__ListPodSandboxRequest req = RUNTIME__V1__LIST_POD_SANDBOX_REQUEST__INIT;
  req.filter = (Runtime__V1__PodSandboxFilter *) filter;
  Runtime__V1__ListPodSandboxResponse *resp = nullptr;
  if (kl_cri_list_pod_sandbox (client_, &req, &resp, &err->e) < 0)
    return ids;
  for (size_t i = 0; i < resp->n_items; i++)
    ids.push_back (resp->items[i]->id);
  PbFree () (resp);
  return ids;
}

bool
Cri::CreateContainer (const std::string &sandbox, const Runtime__V1__ContainerConfig *config,
                      const Runtime__V1__PodSandboxConfig *sandbox_config, std::string *id,
                      Error *err)
{
  Runtime__V1__CreateContainerRequest req = RUNTIME__V1__CREATE_CONTAINER_REQUEST__INIT;
  req.pod_sandbox_id = (char *) sandbox.c_str ();
  req.config = (Runtime__V1__ContainerConfig *) config;
  req.sandbox_config = (Runtime__V1__PodSandboxConfig *) sandbox_config;
  Runtime__V1__CreateContainerResponse *resp = nullptr;
  if (kl_cri_create_container (client_, &req, &resp, &err->e) < 0)
    return false;
  *id = resp->container_id;
  PbFree () (resp);
  return true;
}

bool
Cri::StartContainer (const std::string &id, Error *err)
{
  Runtime__V1__StartContainerRequest req = RUNTIME__V1__START_CONTAINER_REQUEST__INIT;
  req.container_id = (char *) id.c_str ();
  Runtime__V1__StartContainerResponse *resp = nullptr;
  if (kl_cri_start_container (client_, &req, &resp, &err->e) < 0)
    return false;
  PbFree () (resp);
  return true;
}

bool
Cri::StopContainer (const std::string &id, int64_t timeout, Error *err)
{
  Runtime__V1__StopContainerRequest req = RUNTIME__V1__STOP_CONTAINER_REQUEST__INIT;
  req.container_id = (char *) id.c_str ();
  req.timeout = timeout;
  Runtime__V1__StopContainerResponse *resp = nullptr;
  if (kl_cri_stop_container (client_, &req, &resp, &err->e) < 0)
    return false;
  PbFree () (resp);
  return true;
}

bool
Cri::RemoveContainer (const std::string &id, Error *err)
{
  Runtime__V1__RemoveContainerRequest req = RUNTIME__V1__REMOVE_CONTAINER_REQUEST__INIT;
  req.container_id = (char *) id.c_str ();
  Runtime__V1__RemoveContainerResponse *resp = nullptr;
  if (kl_cri_remove_container (client_, &req, &resp, &err->e) < 0)
    return false;
  PbFree () (resp);
  return true;
}

Pb<Runtime__V1__ContainerStatus>
Cri::ContainerStatus (const std::string &id, Error *err)
{
  Runtime__V1__ContainerStatusRequest req = RUNTIME__V1__CONTAINER_STATUS_REQUEST__INIT;
  req.container_id = (char *) id.c_str ();
  Runtime__V1__ContainerStatusResponse *resp = nullptr;
  if (kl_cri_container_status (client_, &req, &resp, &err->e) < 0)
    return nullptr;
  Runtime__V1__ContainerStatus *status = resp->status;
  resp->status = nullptr;
  PbFree () (resp);
  return Pb<Runtime__V1__ContainerStatus> (status);
}

std::vector<std::string>
Cri::ListContainerIds (const Runtime__V1__ContainerFilter *filter, Error *err)
{
  std::vector<std::string> ids;
  Runtime__V1__ListContainersRequest req = RUNTIME__V1__LIST_CONTAINERS_REQUEST__INIT;
  req.filter = (Runtime__V1__ContainerFilter *) filter;
  Runtime__V1__ListContainersResponse *resp = nullptr;
  if (kl_cri_list_containers (client_, &req, &resp, &err->e) < 0)
    return ids;
  for (size_t i = 0; i < resp->n_containers; i++)
    ids.push_back (resp->containers[i]->id);
  PbFree () (resp);
  return ids;
}

bool
Cri::ExecSync (const std::string &id, const std::vector<std::string> &cmd, int64_t timeout,
               std::string *out, std::string *errout, int *exit_code, Error *err)
{
  Runtime__V1__ExecSyncRequest req = RUNTIME__V1__EXEC_SYNC_REQUEST__INIT;
  req.container_id = (char *) id.c_str ();
  std::vector<char *> argv;
  for (const auto &a : cmd)
    argv.push_back ((char *) a.c_str ());
  req.cmd = argv.data ();
  req.n_cmd = argv.size ();
  req.timeout = timeout;
  Runtime__V1__ExecSyncResponse *resp = nullptr;
  if (kl_cri_exec_sync (client_, &req, &resp, &err->e) < 0)
    return false;
  if (out)
    out->assign ((const char *) resp->stdout.data, resp->stdout.len);
  if (errout)
    errout->assign ((const char *) resp->stderr.data, resp->stderr.len);
  if (exit_code)
    *exit_code = resp->exit_code;
  PbFree () (resp);
  return true;
}

bool
Cri::PullImage (const std::string &image, std::string *ref, Error *err)
{
  Runtime__V1__ImageSpec spec = RUNTIME__V1__IMAGE_SPEC__INIT;
  spec.image = (char *) image.c_str ();
  Runtime__V1__PullImageRequest req = RUNTIME__V1__PULL_IMAGE_REQUEST__INIT;
  req.image = &spec;
  Runtime__V1__PullImageResponse *resp = nullptr;
  if (kl_cri_pull_image (client_, &req, 300 * kSecond, &resp, &err->e) < 0)
    return false;
  if (ref)
    *ref = resp->image_ref;
  PbFree () (resp);
  return true;
}

bool
ParseCriLog (const std::string &path, std::vector<LogLine> *lines, std::string *bad)
{
  std::istringstream in (ReadFile (path));
  std::string line;
  while (std::getline (in, line))
    {
      LogLine l;
      size_t a = line.find (' ');
      size_t b = a == std::string::npos ? a : line.find (' ', a + 1);
      size_t c = b == std::string::npos ? b : line.find (' ', b + 1);
      if (c == std::string::npos)
        {
          *bad = line;
          return false;
        }
      l.time = line.substr (0, a);
      l.stream = line.substr (a + 1, b - a - 1);
      l.tag = line.substr (b + 1, c - b - 1);
      l.text = line.substr (c + 1);
      // RFC3339Nano in UTC: 2006-01-02T15:04:05.999999999Z.
      bool time_ok
          = l.time.size () >= 20 && l.time[4] == '-' && l.time[10] == 'T' && l.time.back () == 'Z';
      if (!time_ok || (l.stream != "stdout" && l.stream != "stderr")
          || (l.tag != "F" && l.tag != "P"))
        {
          *bad = line;
          return false;
        }
      lines->push_back (l);
    }
  return true;
}

} // namespace dstest
