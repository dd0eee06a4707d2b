#include "pkg/kubelet/kuberuntime/sandbox.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "pkg/kubelet/kuberuntime/labels.h"
#include "pkg/kubelet/kuberuntime/pb.h"

/* resolv.conf lines we read at most, and the limits glibc itself applies. */
#define RESOLV_MAX_BYTES (64 * 1024)
#define MAX_NAMESERVERS 3
#define MAX_SEARCHES 32

char **
kl_pb_strv (char *const *v, size_t n)
{
  char **out = xmalloc0 ((n ? n : 1) * sizeof *out);
  for (size_t i = 0; i < n; i++)
    out[i] = xstrdup (v[i]);
  return out;
}

char *
kl_pod_log_directory (const char *pod_logs_dir, const kl_pod_t *pod)
{
  return xasprintf ("%s/%s_%s_%s", pod_logs_dir, pod->metadata.namespace_, pod->metadata.name,
                    pod->metadata.uid);
}

Runtime__V1__NamespaceOption *
kl_pod_namespace_options (const kl_pod_t *pod)
{
  Runtime__V1__NamespaceOption *ns
      = KL_PB_NEW (Runtime__V1__NamespaceOption, runtime__v1__namespace_option__init);
  ns->network = pod->spec.host_network ? RUNTIME__V1__NAMESPACE_MODE__NODE
                                       : RUNTIME__V1__NAMESPACE_MODE__POD;
  ns->ipc
      = pod->spec.host_ipc ? RUNTIME__V1__NAMESPACE_MODE__NODE : RUNTIME__V1__NAMESPACE_MODE__POD;
  if (pod->spec.host_pid)
    ns->pid = RUNTIME__V1__NAMESPACE_MODE__NODE;
  else if (pod->spec.share_process_namespace)
    ns->pid = RUNTIME__V1__NAMESPACE_MODE__POD;
  else
    ns->pid = RUNTIME__V1__NAMESPACE_MODE__CONTAINER;
  return ns;
}

static void
add_unique (char ***v, size_t *n, size_t max, const char *s, size_t len)
{
  for (size_t i = 0; i < *n; i++)
    if (strlen ((*v)[i]) == len && strncmp ((*v)[i], s, len) == 0)
      return;
  if (*n >= max)
    return;
  KL_PB_APPEND (*v, *n, xstrndup (s, len));
}

/* Fills `dns` from resolv.conf text: nameserver, search/domain and options
   lines, with glibc's limits. */
static void
parse_resolv_conf (const char *text, Runtime__V1__DNSConfig *dns)
{
  const char *line = text;
  while (line && *line)
    {
      const char *end = strchr (line, '\n');
      size_t len = end ? (size_t) (end - line) : strlen (line);
      cleanup_free char *copy = xstrndup (line, len);
      char *save = NULL;
      char *key = strtok_r (copy, " \t\r", &save);
      if (key && key[0] != '#' && key[0] != ';')
        {
          char *word;
          while ((word = strtok_r (NULL, " \t\r", &save)))
            {
              if (strcmp (key, "nameserver") == 0)
                add_unique (&dns->servers, &dns->n_servers, MAX_NAMESERVERS, word, strlen (word));
              else if (strcmp (key, "search") == 0 || strcmp (key, "domain") == 0)
                add_unique (&dns->searches, &dns->n_searches, MAX_SEARCHES, word, strlen (word));
              else if (strcmp (key, "options") == 0)
                add_unique (&dns->options, &dns->n_options, MAX_SEARCHES, word, strlen (word));
            }
        }
      line = end ? end + 1 : NULL;
    }
}

static char *
read_small_file (const char *path)
{
  cleanup_file FILE *f = fopen (path, "re");
  if (f == NULL)
    return NULL;
  char *buf = xmalloc (RESOLV_MAX_BYTES + 1);
  size_t n = fread (buf, 1, RESOLV_MAX_BYTES, f);
  buf[n] = '\0';
  return buf;
}

/* The Go kubelet's DNS: dnsPolicy None uses only the pod's dnsConfig; every
   other policy (no cluster DNS on a standalone node) starts from the node's
   resolv.conf and appends the pod's dnsConfig. */
static Runtime__V1__DNSConfig *
dns_config (const kl_pod_t *pod, const char *resolv_conf)
{
  Runtime__V1__DNSConfig *dns = KL_PB_NEW (Runtime__V1__DNSConfig, runtime__v1__dnsconfig__init);
  const char *policy = pod->spec.dns_policy ? pod->spec.dns_policy : KL_DNS_CLUSTER_FIRST;
  if (strcmp (policy, KL_DNS_NONE) != 0 && resolv_conf && resolv_conf[0])
    {
      cleanup_free char *text = read_small_file (resolv_conf);
      if (text)
        parse_resolv_conf (text, dns);
    }
  const kl_dns_config_t *pc = pod->spec.dns_config;
  if (pc)
    {
      for (size_t i = 0; i < pc->n_nameservers; i++)
        add_unique (&dns->servers, &dns->n_servers, MAX_NAMESERVERS, pc->nameservers[i],
                    strlen (pc->nameservers[i]));
      for (size_t i = 0; i < pc->n_searches; i++)
        add_unique (&dns->searches, &dns->n_searches, MAX_SEARCHES, pc->searches[i],
                    strlen (pc->searches[i]));
      for (size_t i = 0; i < pc->n_options; i++)
        {
          cleanup_free char *opt = pc->options[i].value ? xasprintf ("%s:%s", pc->options[i].name,
                                                                     pc->options[i].value)
                                                        : xstrdup (pc->options[i].name);
          add_unique (&dns->options, &dns->n_options, MAX_SEARCHES, opt, strlen (opt));
        }
    }
  return dns;
}

static Runtime__V1__Protocol
protocol (const char *p)
{
  if (p && strcmp (p, KL_PROTOCOL_UDP) == 0)
    return RUNTIME__V1__PROTOCOL__UDP;
  if (p && strcmp (p, KL_PROTOCOL_SCTP) == 0)
    return RUNTIME__V1__PROTOCOL__SCTP;
  return RUNTIME__V1__PROTOCOL__TCP;
}

static void
add_port_mappings (const kl_pod_t *pod, Runtime__V1__PodSandboxConfig *config)
{
  for (size_t c = 0; c < pod->spec.n_containers; c++)
    for (size_t p = 0; p < pod->spec.containers[c].n_ports; p++)
      {
        const kl_container_port_t *port = &pod->spec.containers[c].ports[p];
        if (port->host_port <= 0)
          continue;
        Runtime__V1__PortMapping *m
            = KL_PB_NEW (Runtime__V1__PortMapping, runtime__v1__port_mapping__init);
        m->protocol = protocol (port->protocol);
        m->container_port = port->container_port;
        m->host_port = port->host_port;
        m->host_ip = xstrdup (port->host_ip ? port->host_ip : "");
        KL_PB_APPEND (config->port_mappings, config->n_port_mappings, m);
      }
}

static bool
any_privileged (const kl_pod_t *pod)
{
  for (size_t i = 0; i < pod->spec.n_init_containers; i++)
    if (pod->spec.init_containers[i].security_context
        && pod->spec.init_containers[i].security_context->privileged)
      return true;
  for (size_t i = 0; i < pod->spec.n_containers; i++)
    if (pod->spec.containers[i].security_context
        && pod->spec.containers[i].security_context->privileged)
      return true;
  return false;
}

static Runtime__V1__LinuxPodSandboxConfig *
linux_config (const kl_pod_t *pod)
{
  Runtime__V1__LinuxPodSandboxConfig *lc
      = KL_PB_NEW (Runtime__V1__LinuxPodSandboxConfig, runtime__v1__linux_pod_sandbox_config__init);
  Runtime__V1__LinuxSandboxSecurityContext *sc = KL_PB_NEW (
      Runtime__V1__LinuxSandboxSecurityContext, runtime__v1__linux_sandbox_security_context__init);
  const kl_pod_security_context_t *psc = &pod->spec.security_context;
  sc->namespace_options = kl_pod_namespace_options (pod);
  sc->privileged = any_privileged (pod);
  if (psc->has_run_as_user)
    {
      sc->run_as_user = KL_PB_NEW (Runtime__V1__Int64Value, runtime__v1__int64_value__init);
      sc->run_as_user->value = psc->run_as_user;
    }
  if (psc->has_run_as_group)
    {
      sc->run_as_group = KL_PB_NEW (Runtime__V1__Int64Value, runtime__v1__int64_value__init);
      sc->run_as_group->value = psc->run_as_group;
    }
  if (psc->n_supplemental_groups || psc->has_fs_group)
    {
      sc->supplemental_groups = xmalloc0 ((psc->n_supplemental_groups + 1) * sizeof (int64_t));
      for (size_t i = 0; i < psc->n_supplemental_groups; i++)
        sc->supplemental_groups[sc->n_supplemental_groups++] = psc->supplemental_groups[i];
      if (psc->has_fs_group)
        sc->supplemental_groups[sc->n_supplemental_groups++] = psc->fs_group;
    }
  lc->security_context = sc;
  kl_cri_map_t sysctls = { 0 };
  for (size_t i = 0; i < psc->n_sysctls; i++)
    kl_cri_map_set (&sysctls, psc->sysctls[i].name, psc->sysctls[i].value);
  lc->sysctls = (Runtime__V1__LinuxPodSandboxConfig__SysctlsEntry **) sysctls.entries;
  lc->n_sysctls = sysctls.n;
  return lc;
}

/* The pod's hostname: spec.hostname, else its name, cut to a DNS label. */
static char *
pod_hostname (const kl_pod_t *pod)
{
  const char *h
      = pod->spec.hostname && pod->spec.hostname[0] ? pod->spec.hostname : pod->metadata.name;
  size_t len = strlen (h);
  if (len > 63)
    len = 63;
  while (len > 0 && (h[len - 1] == '-' || h[len - 1] == '.'))
    len--;
  return xstrndup (h, len);
}

int
kl_sandbox_config_make (const kl_pod_t *pod, uint32_t attempt, const char *pod_logs_dir,
                        const char *resolv_conf, Runtime__V1__PodSandboxConfig **out,
                        kl_error_t *err)
{
  (void) err;
  Runtime__V1__PodSandboxConfig *config
      = KL_PB_NEW (Runtime__V1__PodSandboxConfig, runtime__v1__pod_sandbox_config__init);
  Runtime__V1__PodSandboxMetadata *meta
      = KL_PB_NEW (Runtime__V1__PodSandboxMetadata, runtime__v1__pod_sandbox_metadata__init);
  meta->name = xstrdup (pod->metadata.name);
  meta->namespace_ = xstrdup (pod->metadata.namespace_);
  meta->uid = xstrdup (pod->metadata.uid);
  meta->attempt = attempt;
  config->metadata = meta;
  if (!pod->spec.host_network)
    config->hostname = pod_hostname (pod);
  config->log_directory = kl_pod_log_directory (pod_logs_dir, pod);
  config->dns_config = dns_config (pod, resolv_conf);

  kl_cri_map_t labels = { 0 }, annotations = { 0 };
  kl_sandbox_labels (pod, &labels);
  kl_sandbox_annotations (pod, &annotations);
  config->labels = (Runtime__V1__PodSandboxConfig__LabelsEntry **) labels.entries;
  config->n_labels = labels.n;
  config->annotations = (Runtime__V1__PodSandboxConfig__AnnotationsEntry **) annotations.entries;
  config->n_annotations = annotations.n;
  add_port_mappings (pod, config);
  config->linux = linux_config (pod);
  *out = config;
  return 0;
}
