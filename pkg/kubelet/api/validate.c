/* Pod-level validation (k8s.io/kubernetes/pkg/apis/core/validation for the
   modelled fields): metadata, volumes, policies, DNS, security context. */
#include "pkg/kubelet/api/validate.h"

#include <inttypes.h>
#include <string.h>

#include "pkg/kubelet/api/validate-internal.h"
#include "pkg/util/utils.h"

#define TOTAL_ANNOTATION_SIZE_LIMIT (256 * 1024)
#define MAX_DNS_NAMESERVERS 3
#define MAX_DNS_SEARCH_PATHS 32
#define SYSCTL_NAME_MAX 253

static void
check_labels (kl_validator_t *v, const char *field, const kl_kv_t *labels, size_t n)
{
  for (size_t i = 0; i < n; i++)
    {
      kl_check_qualified_name (v, field, labels[i].key);
      kl_check_label_value (v, field, labels[i].value);
    }
}

static void
check_annotations (kl_validator_t *v, const kl_kv_t *annotations, size_t n)
{
  size_t total = 0;
  for (size_t i = 0; i < n; i++)
    {
      kl_check_annotation_key (v, "annotations", annotations[i].key);
      total += strlen (annotations[i].key) + strlen (kl_str (annotations[i].value));
    }
  if (total > TOTAL_ANNOTATION_SIZE_LIMIT)
    kl_report (v, "annotations", "Too long: must have at most %d bytes",
               TOTAL_ANNOTATION_SIZE_LIMIT);
}

static void
check_metadata (kl_validator_t *v, const kl_object_meta_t *meta)
{
  size_t mark = kl_path_field (&v->path, "metadata", 8);
  if (kl_is_empty (meta->name))
    kl_report_required (v, "name", "name or generateName is required");
  else
    kl_check_dns1123_subdomain (v, "name", meta->name);
  if (kl_is_empty (meta->namespace_))
    kl_report_required (v, "namespace", NULL);
  else
    kl_check_dns1123_label (v, "namespace", meta->namespace_);
  check_labels (v, "labels", meta->labels, meta->n_labels);
  check_annotations (v, meta->annotations, meta->n_annotations);
  kl_path_pop (&v->path, mark);
}

static void
check_volume (kl_validator_t *v, const kl_volume_t *vol, bool duplicate)
{
  if (kl_is_empty (vol->name))
    kl_report_required (v, "name", NULL);
  else
    {
      kl_check_dns1123_label (v, "name", vol->name);
      if (duplicate)
        kl_report_duplicate (v, "name", vol->name);
    }
  size_t n_sources = 0;
  if (vol->host_path)
    {
      n_sources++;
      size_t mark = kl_path_field (&v->path, "hostPath", 8);
      const kl_host_path_volume_source_t *hp = vol->host_path;
      if (kl_is_empty (hp->path))
        kl_report_required (v, "path", NULL);
      else if (kl_has_dotdot_component (hp->path))
        kl_report_invalid (v, "path", hp->path, "must not contain '..'");
      KL_CHECK_ENUM (v, "type", hp->type, "", "BlockDevice", "CharDevice", "Directory",
                     "DirectoryOrCreate", "File", "FileOrCreate", "Socket");
      kl_path_pop (&v->path, mark);
    }
  if (vol->empty_dir)
    {
      if (n_sources++ > 0)
        kl_report_forbidden (v, "emptyDir", "may not specify more than 1 volume type");
      size_t mark = kl_path_field (&v->path, "emptyDir", 8);
      const kl_empty_dir_volume_source_t *ed = vol->empty_dir;
      KL_CHECK_ENUM (v, "medium", ed->medium, KL_STORAGE_MEDIUM_DEFAULT, KL_STORAGE_MEDIUM_MEMORY);
      if (ed->has_size_limit_bytes && ed->size_limit_bytes < 0)
        {
          cleanup_free char *q = xasprintf ("%" PRId64, ed->size_limit_bytes);
          kl_report_invalid (v, "sizeLimit", q, "must be greater than or equal to 0");
        }
      kl_path_pop (&v->path, mark);
    }
  if (n_sources == 0)
    kl_report_required (v, NULL, "must specify a volume type");
}

static void
check_volumes (kl_validator_t *v, const kl_pod_spec_t *spec)
{
  cleanup_free const char **names = xmalloc0 ((spec->n_volumes + 1) * sizeof (char *));
  for (size_t i = 0; i < spec->n_volumes; i++)
    names[i] = kl_is_empty (spec->volumes[i].name) ? NULL : spec->volumes[i].name;
  cleanup_free bool *dup = kl_find_duplicates (names, spec->n_volumes);
  size_t mark = kl_path_field (&v->path, "volumes", 7);
  for (size_t i = 0; i < spec->n_volumes; i++)
    {
      size_t item = kl_path_index (&v->path, i);
      check_volume (v, &spec->volumes[i], dup[i]);
      kl_path_pop (&v->path, item);
    }
  kl_path_pop (&v->path, mark);
}

/* ([a-z0-9]([-_a-z0-9]*[a-z0-9])?[./])*[a-z0-9]([-_a-z0-9]*[a-z0-9])? */
static bool
is_sysctl_name (const char *s)
{
  if (strlen (s) > SYSCTL_NAME_MAX)
    return false;
  for (;;)
    {
      size_t n = strcspn (s, "./");
      if (n == 0)
        return false;
      for (size_t i = 0; i < n; i++)
        {
          char c = s[i];
          bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
          if (!alnum && ((c != '-' && c != '_') || i == 0 || i == n - 1))
            return false;
        }
      if (s[n] == '\0')
        return true;
      s += n + 1;
    }
}

static void
check_seccomp (kl_validator_t *v, const kl_seccomp_profile_t *p)
{
  size_t mark = kl_path_field (&v->path, "seccompProfile", 14);
  if (kl_is_empty (p->type))
    kl_report_required (v, "type", NULL);
  else
    KL_CHECK_ENUM (v, "type", p->type, "Localhost", "RuntimeDefault", "Unconfined");
  if (strcmp (kl_str (p->type), "Localhost") == 0)
    {
      if (kl_is_empty (p->localhost_profile))
        kl_report_required (v, "localhostProfile", "must be set when seccomp type is Localhost");
    }
  else if (!kl_is_empty (p->localhost_profile))
    kl_report_invalid (v, "localhostProfile", p->localhost_profile,
                       "can only be set when seccomp type is Localhost");
  kl_path_pop (&v->path, mark);
}

static void
check_pod_security_context (kl_validator_t *v, const kl_pod_security_context_t *sc)
{
  size_t mark = kl_path_field (&v->path, "securityContext", 15);
  if (sc->has_run_as_user)
    kl_check_id (v, "runAsUser", sc->run_as_user);
  if (sc->has_run_as_group)
    kl_check_id (v, "runAsGroup", sc->run_as_group);
  if (sc->has_fs_group)
    kl_check_id (v, "fsGroup", sc->fs_group);
  size_t groups = kl_path_field (&v->path, "supplementalGroups", 18);
  for (size_t i = 0; i < sc->n_supplemental_groups; i++)
    {
      size_t item = kl_path_index (&v->path, i);
      kl_check_id (v, NULL, sc->supplemental_groups[i]);
      kl_path_pop (&v->path, item);
    }
  kl_path_pop (&v->path, groups);

  cleanup_free const char **names = xmalloc0 ((sc->n_sysctls + 1) * sizeof (char *));
  for (size_t i = 0; i < sc->n_sysctls; i++)
    names[i] = sc->sysctls[i].name;
  cleanup_free bool *dup = kl_find_duplicates (names, sc->n_sysctls);
  size_t sysctls = kl_path_field (&v->path, "sysctls", 7);
  for (size_t i = 0; i < sc->n_sysctls; i++)
    {
      const char *name = sc->sysctls[i].name;
      size_t item = kl_path_index (&v->path, i);
      if (kl_is_empty (name))
        kl_report_required (v, "name", NULL);
      else if (!is_sysctl_name (name))
        kl_report_invalid (
            v, "name", name,
            "must have at most 253 characters and match regex "
            "^([a-z0-9]([-_a-z0-9]*[a-z0-9])?[\\./])*[a-z0-9]([-_a-z0-9]*[a-z0-9])?$");
      else if (dup[i])
        kl_report_duplicate (v, "name", name);
      kl_path_pop (&v->path, item);
    }
  kl_path_pop (&v->path, sysctls);
  if (sc->seccomp_profile)
    check_seccomp (v, sc->seccomp_profile);
  kl_path_pop (&v->path, mark);
}

/* A search domain: a DNS-1123 subdomain, a trailing dot allowed. */
static void
check_search (kl_validator_t *v, const char *search)
{
  size_t len = strlen (kl_str (search));
  if (len > 1 && search[len - 1] == '.')
    {
      cleanup_free char *trimmed = xstrndup (search, len - 1);
      kl_check_dns1123_subdomain (v, NULL, trimmed);
    }
  else
    kl_check_dns1123_subdomain (v, NULL, search);
}

static void
check_dns (kl_validator_t *v, const kl_pod_spec_t *spec)
{
  KL_CHECK_ENUM (v, "dnsPolicy", spec->dns_policy, KL_DNS_CLUSTER_FIRST,
                 KL_DNS_CLUSTER_FIRST_WITH_HOST_NET, KL_DNS_DEFAULT, KL_DNS_NONE);
  bool none = strcmp (kl_str (spec->dns_policy), KL_DNS_NONE) == 0;
  const kl_dns_config_t *dc = spec->dns_config;
  if (dc == NULL)
    {
      if (none)
        kl_report_required (v, "dnsConfig", "must provide `dnsConfig` when `dnsPolicy` is None");
      return;
    }
  size_t mark = kl_path_field (&v->path, "dnsConfig", 9);
  if (none && dc->n_nameservers == 0)
    kl_report_required (v, "nameservers",
                        "must provide at least one DNS nameserver when `dnsPolicy` is None");
  if (dc->n_nameservers > MAX_DNS_NAMESERVERS)
    kl_report (v, "nameservers",
               "Invalid value: %zu nameservers: must not have more than %d nameservers",
               dc->n_nameservers, MAX_DNS_NAMESERVERS);
  size_t list = kl_path_field (&v->path, "nameservers", 11);
  for (size_t i = 0; i < dc->n_nameservers; i++)
    {
      size_t item = kl_path_index (&v->path, i);
      kl_check_ip (v, NULL, dc->nameservers[i]);
      kl_path_pop (&v->path, item);
    }
  kl_path_pop (&v->path, list);
  if (dc->n_searches > MAX_DNS_SEARCH_PATHS)
    kl_report (v, "searches",
               "Invalid value: %zu search paths: must not have more than %d search paths",
               dc->n_searches, MAX_DNS_SEARCH_PATHS);
  list = kl_path_field (&v->path, "searches", 8);
  for (size_t i = 0; i < dc->n_searches; i++)
    {
      size_t item = kl_path_index (&v->path, i);
      check_search (v, dc->searches[i]);
      kl_path_pop (&v->path, item);
    }
  kl_path_pop (&v->path, list);
  list = kl_path_field (&v->path, "options", 7);
  for (size_t i = 0; i < dc->n_options; i++)
    {
      size_t item = kl_path_index (&v->path, i);
      if (kl_is_empty (dc->options[i].name))
        kl_report_required (v, "name", "must not be empty");
      kl_path_pop (&v->path, item);
    }
  kl_path_pop (&v->path, list);
  kl_path_pop (&v->path, mark);
}

static void
check_toleration (kl_validator_t *v, const kl_toleration_t *t)
{
  if (!kl_is_empty (t->key))
    kl_check_qualified_name (v, "key", t->key);
  const char *op = kl_str (t->operator_);
  if (kl_is_empty (t->key) && strcmp (op, "Exists") != 0)
    kl_report_invalid (v, "operator", op,
                       "operator must be Exists when `key` is empty, which means \"match all "
                       "values and all keys\"");
  if (t->has_toleration_seconds && strcmp (kl_str (t->effect), "NoExecute") != 0)
    kl_report_invalid (v, "effect", kl_str (t->effect),
                       "effect must be 'NoExecute' when `tolerationSeconds` is set");
  if (*op == '\0' || strcmp (op, "Equal") == 0)
    kl_check_label_value (v, "value", t->value);
  else if (strcmp (op, "Exists") == 0)
    {
      if (!kl_is_empty (t->value))
        kl_report_invalid (v, "operator", t->value,
                           "value must be empty when `operator` is 'Exists'");
    }
  else
    KL_CHECK_ENUM (v, "operator", op, "Equal", "Exists");
  if (!kl_is_empty (t->effect))
    KL_CHECK_ENUM (v, "effect", t->effect, "NoExecute", "NoSchedule", "PreferNoSchedule");
}

static void
check_spec (kl_validator_t *v, const kl_pod_t *pod)
{
  const kl_pod_spec_t *spec = &pod->spec;
  size_t mark = kl_path_field (&v->path, "spec", 4);
  check_volumes (v, spec);
  kl_validate_containers (v, pod);
  KL_CHECK_ENUM (v, "restartPolicy", spec->restart_policy, KL_RESTART_POLICY_ALWAYS,
                 KL_RESTART_POLICY_NEVER, KL_RESTART_POLICY_ON_FAILURE);
  if (spec->has_termination_grace_period_seconds && spec->termination_grace_period_seconds < 0)
    kl_report_invalid_int (v, "terminationGracePeriodSeconds",
                           spec->termination_grace_period_seconds,
                           "must be greater than or equal to 0");
  if (spec->has_active_deadline_seconds
      && (spec->active_deadline_seconds < 1 || spec->active_deadline_seconds > INT32_MAX))
    kl_report_invalid_int (v, "activeDeadlineSeconds", spec->active_deadline_seconds,
                           "must be between 1 and 2147483647, inclusive");
  check_dns (v, spec);
  check_labels (v, "nodeSelector", spec->node_selector, spec->n_node_selector);
  if (!kl_is_empty (spec->node_name))
    kl_check_dns1123_subdomain (v, "nodeName", spec->node_name);
  if (!kl_is_empty (spec->hostname))
    kl_check_dns1123_label (v, "hostname", spec->hostname);
  if (!kl_is_empty (spec->subdomain))
    kl_check_dns1123_label (v, "subdomain", spec->subdomain);
  if (!kl_is_empty (spec->scheduler_name))
    kl_check_dns1123_subdomain (v, "schedulerName", spec->scheduler_name);
  if (!kl_is_empty (spec->priority_class_name))
    kl_check_dns1123_subdomain (v, "priorityClassName", spec->priority_class_name);
  if (!kl_is_empty (spec->runtime_class_name))
    kl_check_dns1123_subdomain (v, "runtimeClassName", spec->runtime_class_name);
  check_pod_security_context (v, &spec->security_context);

  size_t list = kl_path_field (&v->path, "tolerations", 11);
  for (size_t i = 0; i < spec->n_tolerations; i++)
    {
      size_t item = kl_path_index (&v->path, i);
      check_toleration (v, &spec->tolerations[i]);
      kl_path_pop (&v->path, item);
    }
  kl_path_pop (&v->path, list);

  list = kl_path_field (&v->path, "hostAliases", 11);
  for (size_t i = 0; i < spec->n_host_aliases; i++)
    {
      const kl_host_alias_t *alias = &spec->host_aliases[i];
      size_t item = kl_path_index (&v->path, i);
      kl_check_ip (v, "ip", alias->ip);
      size_t names = kl_path_field (&v->path, "hostnames", 9);
      for (size_t j = 0; j < alias->n_hostnames; j++)
        {
          size_t name = kl_path_index (&v->path, j);
          kl_check_dns1123_subdomain (v, NULL, alias->hostnames[j]);
          kl_path_pop (&v->path, name);
        }
      kl_path_pop (&v->path, names);
      kl_path_pop (&v->path, item);
    }
  kl_path_pop (&v->path, list);
  kl_path_pop (&v->path, mark);
}

static void
validate_pod (kl_validator_t *v, const kl_pod_t *pod)
{
  check_metadata (v, &pod->metadata);
  check_spec (v, pod);
}

int
kl_pod_validate_at (const kl_pod_t *pod, const char *prefix, kl_error_t *err)
{
  kl_validator_t v;
  kl_validator_init (&v, prefix, false);
  validate_pod (&v, pod);
  int ret = kl_validator_finish (&v, err);
  kl_validator_release (&v);
  return ret;
}

int
kl_pod_validate (const kl_pod_t *pod, kl_error_t *err)
{
  return kl_pod_validate_at (pod, NULL, err);
}

char *
kl_pod_validate_all (const kl_pod_t *pod)
{
  kl_validator_t v;
  kl_validator_init (&v, NULL, true);
  validate_pod (&v, pod);
  kl_error_t err = NULL;
  char *joined = NULL;
  if (kl_validator_finish (&v, &err) < 0)
    {
      joined = steal_pointer (&err->msg);
      kl_error_release (&err);
    }
  kl_validator_release (&v);
  return joined;
}
