/* The KubeletConfiguration file (kubelet.config.k8s.io/v1beta1), decoded strictly with libyaml. */
#include <arpa/inet.h>
#include <errno.h>
#include <libgen.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "pkg/kubelet/config/config-internal.h"
#include "pkg/util/duration.h"
#include "pkg/util/quantity.h"
#include "pkg/util/utils.h"

#define API_VERSION "kubelet.config.k8s.io/v1beta1"
#define KIND "KubeletConfiguration"

/* A configuration file is a few hundred bytes; refuse anything absurd. */
#define MAX_FILE_SIZE (1024 * 1024)

/* YAML aliases let a small file name one long list under many headers; cap
   what staticPodURLHeader may expand to. */
#define MAX_HEADER_VALUES 1024

enum field_kind
{
  FIELD_STRING,
  FIELD_PATH, /* a string; relative paths are relative to the file's directory */
  FIELD_IP,
  FIELD_QUANTITY,
  FIELD_INT32,
  FIELD_DURATION,
  FIELD_HEADERS, /* map[string][]string */
};

struct file_field
{
  const char *name;
  enum field_kind kind;
  size_t offset;
};

#define FIELD(name) offsetof (kl_kubelet_config_t, name)

static const struct file_field fields[] = {
  { "staticPodPath", FIELD_PATH, FIELD (static_pod_path) },
  { "podLogsDir", FIELD_PATH, FIELD (pod_logs_dir) },
  { "staticPodURL", FIELD_STRING, FIELD (static_pod_url) },
  { "staticPodURLHeader", FIELD_HEADERS, FIELD (static_pod_url_header) },
  { "fileCheckFrequency", FIELD_DURATION, FIELD (file_check_frequency_ns) },
  { "httpCheckFrequency", FIELD_DURATION, FIELD (http_check_frequency_ns) },
  { "syncFrequency", FIELD_DURATION, FIELD (sync_frequency_ns) },
  { "address", FIELD_IP, FIELD (address) },
  { "readOnlyPort", FIELD_INT32, FIELD (read_only_port) },
  { "healthzPort", FIELD_INT32, FIELD (healthz_port) },
  { "healthzBindAddress", FIELD_IP, FIELD (healthz_bind_address) },
  { "maxPods", FIELD_INT32, FIELD (max_pods) },
  { "runtimeRequestTimeout", FIELD_DURATION, FIELD (runtime_request_timeout_ns) },
  { "containerLogMaxSize", FIELD_QUANTITY, FIELD (container_log_max_size) },
  { "containerLogMaxFiles", FIELD_INT32, FIELD (container_log_max_files) },
  { "containerRuntimeEndpoint", FIELD_STRING, FIELD (container_runtime_endpoint) },
  { "imageServiceEndpoint", FIELD_STRING, FIELD (image_service_endpoint) },
};

/* Fields of KubeletConfiguration v1beta1 this kubelet does not implement: a
   file setting one fails with that reason rather than "unknown field", and
   is never silently half-applied. */
static const char *const unsupported_fields[] = {
  "allowedUnsafeSysctls",
  "authentication",
  "authorization",
  "cgroupDriver",
  "cgroupRoot",
  "cgroupsPerQOS",
  "clusterDNS",
  "clusterDomain",
  "configMapAndSecretChangeDetectionStrategy",
  "containerLogMaxWorkers",
  "containerLogMonitorInterval",
  "contentType",
  "cpuCFSQuota",
  "cpuCFSQuotaPeriod",
  "cpuManagerPolicy",
  "cpuManagerPolicyOptions",
  "cpuManagerReconcilePeriod",
  "crashLoopBackOff",
  "enableControllerAttachDetach",
  "enableContentionProfiling",
  "enableDebugFlagsHandler",
  "enableDebuggingHandlers",
  "enableProfilingHandler",
  "enableServer",
  "enableSystemLogHandler",
  "enableSystemLogQuery",
  "enforceNodeAllocatable",
  "eventBurst",
  "eventRecordQPS",
  "evictionHard",
  "evictionMaxPodGracePeriod",
  "evictionMinimumReclaim",
  "evictionPressureTransitionPeriod",
  "evictionSoft",
  "evictionSoftGracePeriod",
  "failCgroupV1",
  "failSwapOn",
  "featureGates",
  "hairpinMode",
  "imageGCHighThresholdPercent",
  "imageGCLowThresholdPercent",
  "imageMaximumGCAge",
  "imageMinimumGCAge",
  "iptablesDropBit",
  "iptablesMasqueradeBit",
  "kernelMemcgNotification",
  "kubeAPIBurst",
  "kubeAPIQPS",
  "kubeReserved",
  "kubeReservedCgroup",
  "kubeletCgroups",
  "localStorageCapacityIsolation",
  "logging",
  "makeIPTablesUtilChains",
  "maxOpenFiles",
  "maxParallelImagePulls",
  "memoryManagerPolicy",
  "memorySwap",
  "memoryThrottlingFactor",
  "mergeDefaultEvictionSettings",
  "nodeLeaseDurationSeconds",
  "nodeStatusMaxImages",
  "nodeStatusReportFrequency",
  "nodeStatusUpdateFrequency",
  "oomScoreAdj",
  "podCIDR",
  "podPidsLimit",
  "podsPerCore",
  "port",
  "protectKernelDefaults",
  "providerID",
  "qosReserved",
  "registerNode",
  "registerWithTaints",
  "registryBurst",
  "registryPullQPS",
  "reservedMemory",
  "reservedSystemCPUs",
  "resolvConf",
  "rotateCertificates",
  "runOnce",
  "seccompDefault",
  "serializeImagePulls",
  "serverTLSBootstrap",
  "showHiddenMetricsForVersion",
  "shutdownGracePeriod",
  "shutdownGracePeriodByPodPriority",
  "shutdownGracePeriodCriticalPods",
  "singleProcessOOMKill",
  "streamingConnectionIdleTimeout",
  "systemCgroups",
  "systemReserved",
  "systemReservedCgroup",
  "tlsCertFile",
  "tlsCipherSuites",
  "tlsMinVersion",
  "tlsPrivateKeyFile",
  "topologyManagerPolicy",
  "topologyManagerPolicyOptions",
  "topologyManagerScope",
  "tracing",
  "userNamespaces",
  "volumePluginDir",
  "volumeStatsAggPeriod",
};

/* What decoding reads and where its errors go. */
struct decoder
{
  const char *path; /* names the file in errors */
  char *dir;        /* the file's directory, for relative paths */
  yaml_document_t doc;
  kl_error_t *err;
};

static const char *
scalar_text (yaml_node_t *node)
{
  return (const char *) node->data.scalar.value;
}

static bool
is_null (yaml_node_t *node)
{
  if (node->type != YAML_SCALAR_NODE || node->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
    return false;
  const char *s = scalar_text (node);
  return strcmp (s, "") == 0 || strcmp (s, "~") == 0 || strcmp (s, "null") == 0
         || strcmp (s, "Null") == 0 || strcmp (s, "NULL") == 0;
}

/* How a node reads in "expected X, got <description>"; the caller frees it. */
static char *
describe (yaml_node_t *node)
{
  switch (node->type)
    {
    case YAML_MAPPING_NODE:
      return xstrdup ("a mapping");
    case YAML_SEQUENCE_NODE:
      return xstrdup ("a list");
    case YAML_SCALAR_NODE:
      {
        char *q = kl_quote (scalar_text (node), node->data.scalar.length);
        if (node->data.scalar.style == YAML_PLAIN_SCALAR_STYLE)
          return q;
        char *quoted = xasprintf ("the quoted string %s", q);
        free (q);
        return quoted;
      }
    default:
      return xstrdup ("nothing");
    }
}

static int field_error (struct decoder *d, const char *field, const char *fmt, ...)
    __attribute__ ((format (printf, 3, 4)));

/* Sets "<path>: <field>: <reason>". */
static int
field_error (struct decoder *d, const char *field, const char *fmt, ...)
{
  cleanup_free char *reason = NULL;
  va_list ap;
  va_start (ap, fmt);
  int ret = vasprintf (&reason, fmt, ap);
  va_end (ap);
  if (ret < 0)
    kl_oom ();
  return kl_make_error_kind (d->err, KL_ERROR_INVALID, 0, "%s: %s: %s", d->path, field, reason);
}

static int
expected (struct decoder *d, const char *field, const char *what, yaml_node_t *node)
{
  cleanup_free char *got = describe (node);
  return field_error (d, field, "expected %s, got %s", what, got);
}

/* The text of a scalar that must be a string without NUL bytes. */
static int
get_string (struct decoder *d, const char *field, yaml_node_t *node, const char **out)
{
  if (node->type != YAML_SCALAR_NODE)
    return expected (d, field, "a string", node);
  if (strlen (scalar_text (node)) != node->data.scalar.length)
    return field_error (d, field, "contains a NUL byte");
  *out = scalar_text (node);
  return 0;
}

static int
decode_int32 (struct decoder *d, const char *field, yaml_node_t *node, int32_t *out)
{
  if (node->type != YAML_SCALAR_NODE || node->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
    return expected (d, field, "an integer", node);
  const char *s = scalar_text (node);
  const char *digits = s[0] == '+' || s[0] == '-' ? s + 1 : s;
  char *end = NULL;
  errno = 0;
  long long v = strtoll (s, &end, 0);
  if (digits[0] < '0' || digits[0] > '9' || end == s || *end != '\0')
    return expected (d, field, "an integer", node);
  if (errno == ERANGE || v < INT32_MIN || v > INT32_MAX)
    return expected (d, field, "a 32-bit integer", node);
  *out = (int32_t) v;
  return 0;
}

static int
decode_duration (struct decoder *d, const char *field, yaml_node_t *node, int64_t *out)
{
  if (node->type != YAML_SCALAR_NODE)
    return expected (d, field, "a duration such as \"20s\"", node);
  kl_error_t parse_err = NULL;
  if (kl_duration_parse (scalar_text (node), out, &parse_err) < 0)
    {
      int ret = field_error (d, field, "%s", kl_error_message (parse_err));
      kl_error_release (&parse_err);
      return ret;
    }
  return 0;
}

static int
decode_string (struct decoder *d, const struct file_field *f, yaml_node_t *node, char **out)
{
  const char *s = NULL;
  int ret = get_string (d, f->name, node, &s);
  if (ret < 0)
    return ret;
  kl_error_t check_err = NULL;
  if (f->kind == FIELD_QUANTITY)
    {
      kl_quantity_t q;
      if (kl_quantity_parse (s, &q, &check_err) < 0)
        {
          ret = field_error (d, f->name, "%s", kl_error_message (check_err));
          kl_error_release (&check_err);
          return ret;
        }
    }
  if (f->kind == FIELD_IP)
    {
      unsigned char buf[16];
      if (s[0] != '\0' && inet_pton (AF_INET, s, buf) != 1 && inet_pton (AF_INET6, s, buf) != 1)
        {
          cleanup_free char *q = kl_quote (s, strlen (s));
          return field_error (d, f->name, "%s is not a valid IP address", q);
        }
    }
  free (*out);
  if (f->kind == FIELD_PATH && s[0] != '\0' && s[0] != '/' && strcmp (d->dir, ".") != 0)
    *out = xasprintf ("%s/%s", d->dir, s);
  else
    *out = xstrdup (s);
  return 0;
}

static size_t
count_values (const kl_string_multimap_t *m)
{
  size_t n = 0;
  for (size_t i = 0; i < m->n_entries; i++)
    n += m->entries[i].n_values;
  return n;
}

/* One header of staticPodURLHeader: a name and a list of values. */
static int
decode_header (struct decoder *d, const char *field, yaml_node_t *key, yaml_node_t *value,
               kl_string_multimap_t *headers)
{
  const char *name = NULL;
  int ret = get_string (d, field, key, &name);
  if (ret < 0)
    return ret;
  cleanup_free char *path = xasprintf ("%s.%s", field, name);
  if (kl_string_multimap_get (headers, name))
    return field_error (d, path, "duplicate header");
  if (is_null (value))
    return 0;
  if (value->type != YAML_SEQUENCE_NODE)
    return expected (d, path, "a list of strings", value);
  size_t i = 0;
  for (yaml_node_item_t *item = value->data.sequence.items.start;
       item < value->data.sequence.items.top; item++, i++)
    {
      yaml_node_t *v = yaml_document_get_node (&d->doc, *item);
      const char *text = "";
      if (count_values (headers) >= MAX_HEADER_VALUES)
        return field_error (d, field, "more than %d header values", MAX_HEADER_VALUES);
      if (!is_null (v))
        {
          cleanup_free char *item_path = xasprintf ("%s[%zu]", path, i);
          ret = get_string (d, item_path, v, &text);
          if (ret < 0)
            return ret;
        }
      kl_string_multimap_add (headers, name, text);
    }
  return 0;
}

/* staticPodURLHeader: a mapping of header names to lists of values. */
static int
decode_headers (struct decoder *d, const char *field, yaml_node_t *node, kl_string_multimap_t *out)
{
  if (node->type != YAML_MAPPING_NODE)
    return expected (d, field, "a mapping of header names to lists of values", node);
  kl_string_multimap_t headers = { NULL, 0 };
  for (yaml_node_pair_t *pair = node->data.mapping.pairs.start; pair < node->data.mapping.pairs.top;
       pair++)
    {
      int ret = decode_header (d, field, yaml_document_get_node (&d->doc, pair->key),
                               yaml_document_get_node (&d->doc, pair->value), &headers);
      if (ret < 0)
        {
          kl_string_multimap_clear (&headers);
          return ret;
        }
    }
  kl_string_multimap_clear (out);
  *out = headers;
  return 0;
}

static int
decode_field (struct decoder *d, const struct file_field *f, yaml_node_t *node,
              kl_kubelet_config_t *config)
{
  void *v = (char *) config + f->offset;
  if (is_null (node))
    return 0;
  switch (f->kind)
    {
    case FIELD_STRING:
    case FIELD_PATH:
    case FIELD_IP:
    case FIELD_QUANTITY:
      return decode_string (d, f, node, (char **) v);
    case FIELD_INT32:
      return decode_int32 (d, f->name, node, (int32_t *) v);
    case FIELD_DURATION:
      return decode_duration (d, f->name, node, (int64_t *) v);
    case FIELD_HEADERS:
      return decode_headers (d, f->name, node, (kl_string_multimap_t *) v);
    }
  return field_error (d, f->name, "unhandled field kind");
}

/* The value of top-level field `name`, or NULL. */
static yaml_node_t *
lookup (struct decoder *d, yaml_node_t *root, const char *name)
{
  for (yaml_node_pair_t *pair = root->data.mapping.pairs.start; pair < root->data.mapping.pairs.top;
       pair++)
    {
      yaml_node_t *key = yaml_document_get_node (&d->doc, pair->key);
      if (key->type == YAML_SCALAR_NODE && strcmp (scalar_text (key), name) == 0)
        return yaml_document_get_node (&d->doc, pair->value);
    }
  return NULL;
}

/* apiVersion and kind must name KubeletConfiguration v1beta1. */
static int
check_type (struct decoder *d, yaml_node_t *root, const char *field, const char *want)
{
  yaml_node_t *node = lookup (d, root, field);
  if (node == NULL || is_null (node))
    return field_error (d, field, "required, expected \"%s\"", want);
  const char *s = NULL;
  int ret = get_string (d, field, node, &s);
  if (ret < 0)
    return ret;
  if (strcmp (s, want) != 0)
    {
      cleanup_free char *q = kl_quote (s, strlen (s));
      return field_error (d, field, "expected \"%s\", got %s", want, q);
    }
  return 0;
}

static int
decode_root (struct decoder *d, yaml_node_t *root, kl_kubelet_config_t *config)
{
  if (root->type != YAML_MAPPING_NODE)
    {
      cleanup_free char *got = describe (root);
      return kl_make_error_kind (d->err, KL_ERROR_INVALID, 0, "%s: expected a mapping, got %s",
                                 d->path, got);
    }
  int ret = check_type (d, root, "apiVersion", API_VERSION);
  if (ret < 0)
    return ret;
  ret = check_type (d, root, "kind", KIND);
  if (ret < 0)
    return ret;

  for (yaml_node_pair_t *pair = root->data.mapping.pairs.start; pair < root->data.mapping.pairs.top;
       pair++)
    {
      yaml_node_t *key = yaml_document_get_node (&d->doc, pair->key);
      yaml_node_t *value = yaml_document_get_node (&d->doc, pair->value);
      if (key->type != YAML_SCALAR_NODE)
        {
          cleanup_free char *got = describe (key);
          return kl_make_error_kind (d->err, KL_ERROR_INVALID, 0,
                                     "%s: expected field names, got %s", d->path, got);
        }
      const char *name = scalar_text (key);
      cleanup_free char *quoted = kl_quote (name, key->data.scalar.length);
      for (yaml_node_pair_t *earlier = root->data.mapping.pairs.start; earlier < pair; earlier++)
        {
          yaml_node_t *k = yaml_document_get_node (&d->doc, earlier->key);
          if (k->type == YAML_SCALAR_NODE && strcmp (scalar_text (k), name) == 0)
            return kl_make_error_kind (d->err, KL_ERROR_INVALID, 0, "%s: duplicate field %s",
                                       d->path, quoted);
        }
      if (strcmp (name, "apiVersion") == 0 || strcmp (name, "kind") == 0)
        continue;
      const struct file_field *f = NULL;
      for (size_t i = 0; i < KL_ARRAY_SIZE (fields) && f == NULL; i++)
        if (strcmp (fields[i].name, name) == 0)
          f = &fields[i];
      if (f)
        {
          ret = decode_field (d, f, value, config);
          if (ret < 0)
            return ret;
          if (f->offset == FIELD (container_runtime_endpoint) && !is_null (value))
            config->container_runtime_endpoint_set = true;
          continue;
        }
      for (size_t i = 0; i < KL_ARRAY_SIZE (unsupported_fields); i++)
        if (strcmp (unsupported_fields[i], name) == 0)
          return field_error (d, name, "KubeletConfiguration field not supported by this kubelet");
      return kl_make_error_kind (d->err, KL_ERROR_INVALID, 0, "%s: unknown field %s", d->path,
                                 quoted);
    }
  return 0;
}

/* Reads at most MAX_FILE_SIZE bytes of `path` into *out (NUL-terminated). */
static int
read_file (const char *path, char **out, size_t *len, kl_error_t *err)
{
  cleanup_file FILE *f = fopen (path, "re");
  if (f == NULL)
    return kl_make_error (err, errno, "open %s", path);
  cleanup_free char *buf = xmalloc (MAX_FILE_SIZE + 1);
  size_t n = fread (buf, 1, MAX_FILE_SIZE + 1, f);
  if (ferror (f))
    return kl_make_error (err, EIO, "read %s", path);
  if (n > MAX_FILE_SIZE)
    return kl_make_error_kind (err, KL_ERROR_INVALID, 0, "%s: larger than %d bytes", path,
                               MAX_FILE_SIZE);
  buf[n] = '\0';
  *len = n;
  *out = steal_pointer (&buf);
  return 0;
}

static int
yaml_error (yaml_parser_t *parser, const char *path, kl_error_t *err)
{
  return kl_make_error_kind (err, KL_ERROR_INVALID, 0, "%s: line %zu, column %zu: %s%s%s", path,
                             parser->problem_mark.line + 1, parser->problem_mark.column + 1,
                             parser->problem ? parser->problem : "invalid YAML",
                             parser->context ? " " : "", parser->context ? parser->context : "");
}

int
kl_kubelet_config_apply_file (kl_kubelet_config_t *config, const char *path, kl_error_t *err)
{
  cleanup_free char *text = NULL;
  size_t len = 0;
  int ret = read_file (path, &text, &len, err);
  if (ret < 0)
    return ret;
  return kl_kubelet_config_apply_data (config, path, text, len, err);
}

int
kl_kubelet_config_apply_data (kl_kubelet_config_t *config, const char *path, const char *text,
                              size_t len, kl_error_t *err)
{
  int ret = 0;
  yaml_parser_t parser;
  if (!yaml_parser_initialize (&parser))
    kl_oom ();
  yaml_parser_set_input_string (&parser, (const unsigned char *) text, len);
  struct decoder d = { .path = path, .err = err };
  if (!yaml_parser_load (&parser, &d.doc))
    {
      ret = yaml_error (&parser, path, err);
      yaml_parser_delete (&parser);
      return ret;
    }
  yaml_document_t next;
  if (!yaml_parser_load (&parser, &next))
    ret = yaml_error (&parser, path, err);
  else
    {
      if (yaml_document_get_root_node (&next) != NULL)
        ret = kl_make_error_kind (err, KL_ERROR_INVALID, 0,
                                  "%s: expected one YAML document, found several", path);
      yaml_document_delete (&next);
    }
  yaml_parser_delete (&parser);

  yaml_node_t *root = yaml_document_get_root_node (&d.doc);
  if (ret == 0 && root == NULL)
    ret = kl_make_error_kind (err, KL_ERROR_INVALID, 0, "%s: empty, expected a %s", path, KIND);
  if (ret == 0)
    {
      cleanup_free char *copy = xstrdup (path);
      d.dir = xstrdup (dirname (copy));
      /* As in the Go kubelet, a file's readOnlyPort defaults to v1beta1's 0
         (disabled), not to the command line's legacy 10255. */
      config->read_only_port = 0;
      ret = decode_root (&d, root, config);
      free (d.dir);
    }
  yaml_document_delete (&d.doc);
  return ret;
}
