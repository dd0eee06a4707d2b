/* The validator's reports and the name rules of k8s.io/apimachinery/pkg/util/validation. */
#include "pkg/kubelet/api/validate-internal.h"

#include <arpa/inet.h>
#include <inttypes.h>
#include <stdarg.h>
#include <string.h>

#include "pkg/util/utils.h"

#define DNS1123_LABEL_MAX 63
#define DNS1123_SUBDOMAIN_MAX 253
#define QUALIFIED_NAME_MAX 63
#define LABEL_VALUE_MAX 63
#define PORT_NAME_MAX 15

#define DNS1123_LABEL_MSG                                                                          \
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and "     \
  "must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used "  \
  "for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
#define DNS1123_SUBDOMAIN_MSG                                                                      \
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or "     \
  "'.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used "    \
  "for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
#define QUALIFIED_NAME_MSG                                                                         \
  "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "      \
  "alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for "           \
  "validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"
#define LABEL_VALUE_MSG                                                                            \
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', " \
  "and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or "    \
  "'12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"
#define ENV_VAR_NAME_MSG                                                                           \
  "a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or " \
  "'.', and must not start with a digit (e.g. 'my.env-name',  or 'MY_ENV.NAME',  or "              \
  "'MyEnvName1', regex used for validation is '[-._a-zA-Z][-._a-zA-Z0-9]*')"
#define HTTP_HEADER_NAME_MSG                                                                       \
  "a valid HTTP header must consist of alphanumeric characters or '-' (e.g. 'X-Header-Name', "     \
  "regex used for validation is '[-A-Za-z0-9]+')"

void
kl_validator_init (kl_validator_t *v, const char *prefix, bool all)
{
  kl_path_init (&v->path, prefix);
  v->errors = NULL;
  v->n_errors = 0;
  v->all = all;
}

void
kl_validator_release (kl_validator_t *v)
{
  for (size_t i = 0; i < v->n_errors; i++)
    free (v->errors[i]);
  free (v->errors);
  v->errors = NULL;
  v->n_errors = 0;
  kl_path_release (&v->path);
}

int
kl_validator_finish (kl_validator_t *v, kl_error_t *err)
{
  if (v->n_errors == 0)
    return 0;
  size_t total = 1;
  for (size_t i = 0; i < v->n_errors; i++)
    total += strlen (v->errors[i]) + 2;
  cleanup_free char *joined = xmalloc (total);
  char *p = joined;
  for (size_t i = 0; i < v->n_errors; i++)
    {
      if (i)
        p = stpcpy (p, "; ");
      p = stpcpy (p, v->errors[i]);
    }
  return kl_make_error_kind (err, KL_ERROR_INVALID, 0, "%s", joined);
}

void
kl_report (kl_validator_t *v, const char *child, const char *fmt, ...)
{
  if (!v->all && v->n_errors > 0)
    return;
  size_t mark = child ? kl_path_field (&v->path, child, strlen (child)) : v->path.len;
  cleanup_free char *msg = NULL;
  va_list ap;
  va_start (ap, fmt);
  if (vasprintf (&msg, fmt, ap) < 0)
    kl_oom ();
  va_end (ap);
  const char *path = kl_path_str (&v->path);
  v->errors = xrealloc (v->errors, (v->n_errors + 1) * sizeof *v->errors);
  v->errors[v->n_errors++] = *path ? xasprintf ("%s: %s", path, msg) : steal_pointer (&msg);
  kl_path_pop (&v->path, mark);
}

void
kl_report_required (kl_validator_t *v, const char *child, const char *detail)
{
  if (detail)
    kl_report (v, child, "Required value: %s", detail);
  else
    kl_report (v, child, "Required value");
}

void
kl_report_invalid (kl_validator_t *v, const char *child, const char *value, const char *detail)
{
  cleanup_free char *q = kl_quote_value (kl_str (value), strlen (kl_str (value)));
  kl_report (v, child, "Invalid value: %s: %s", q, detail);
}

void
kl_report_invalid_int (kl_validator_t *v, const char *child, int64_t value, const char *detail)
{
  kl_report (v, child, "Invalid value: %" PRId64 ": %s", value, detail);
}

void
kl_report_forbidden (kl_validator_t *v, const char *child, const char *detail)
{
  kl_report (v, child, "Forbidden: %s", detail);
}

void
kl_report_duplicate (kl_validator_t *v, const char *child, const char *value)
{
  cleanup_free char *q = kl_quote_value (kl_str (value), strlen (kl_str (value)));
  kl_report (v, child, "Duplicate value: %s", q);
}

void
kl_report_not_found (kl_validator_t *v, const char *child, const char *value)
{
  cleanup_free char *q = kl_quote_value (kl_str (value), strlen (kl_str (value)));
  kl_report (v, child, "Not found: %s", q);
}

void
kl_check_enum (kl_validator_t *v, const char *child, const char *value,
               const char *const *supported, size_t n)
{
  for (size_t i = 0; i < n; i++)
    if (strcmp (kl_str (value), supported[i]) == 0)
      return;
  if (!v->all && v->n_errors > 0)
    return;
  size_t len = 1;
  for (size_t i = 0; i < n; i++)
    len += strlen (supported[i]) + 4;
  cleanup_free char *list = xmalloc (len);
  char *p = list;
  *p = '\0';
  for (size_t i = 0; i < n; i++)
    p += sprintf (p, "%s\"%s\"", i ? ", " : "", supported[i]);
  cleanup_free char *q = kl_quote_value (kl_str (value), strlen (kl_str (value)));
  kl_report (v, child, "Unsupported value: %s: supported values: %s", q, list);
}

static bool
is_lower_alnum (char c)
{
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

static bool
is_alnum (char c)
{
  return is_lower_alnum (c) || (c >= 'A' && c <= 'Z');
}

/* [a-z0-9]([-a-z0-9]*[a-z0-9])? over s[0, len). */
static bool
matches_dns1123_label (const char *s, size_t len)
{
  if (len == 0 || !is_lower_alnum (s[0]) || !is_lower_alnum (s[len - 1]))
    return false;
  for (size_t i = 0; i < len; i++)
    if (!is_lower_alnum (s[i]) && s[i] != '-')
      return false;
  return true;
}

static bool
matches_dns1123_subdomain (const char *s)
{
  for (;;)
    {
      size_t n = strcspn (s, ".");
      if (!matches_dns1123_label (s, n))
        return false;
      if (s[n] == '\0')
        return true;
      s += n + 1;
    }
}

static void
max_len_error (kl_validator_t *v, const char *child, const char *value, const char *part,
               size_t max)
{
  cleanup_free char *detail = xasprintf ("%smust be no more than %zu characters", part, max);
  kl_report_invalid (v, child, value, detail);
}

void
kl_check_dns1123_label (kl_validator_t *v, const char *child, const char *value)
{
  size_t len = strlen (kl_str (value));
  if (len > DNS1123_LABEL_MAX)
    max_len_error (v, child, value, "", DNS1123_LABEL_MAX);
  if (!matches_dns1123_label (kl_str (value), len))
    kl_report_invalid (v, child, value, DNS1123_LABEL_MSG);
}

void
kl_check_dns1123_subdomain (kl_validator_t *v, const char *child, const char *value)
{
  if (strlen (kl_str (value)) > DNS1123_SUBDOMAIN_MAX)
    max_len_error (v, child, value, "", DNS1123_SUBDOMAIN_MAX);
  if (!matches_dns1123_subdomain (kl_str (value)))
    kl_report_invalid (v, child, value, DNS1123_SUBDOMAIN_MSG);
}

/* ([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9] */
static bool
matches_qualified_name (const char *s, size_t len)
{
  if (len == 0 || !is_alnum (s[0]) || !is_alnum (s[len - 1]))
    return false;
  for (size_t i = 0; i < len; i++)
    if (!is_alnum (s[i]) && s[i] != '-' && s[i] != '_' && s[i] != '.')
      return false;
  return true;
}

/* Checks `checked`, showing `value` as the invalid value. */
static void
check_qualified_name (kl_validator_t *v, const char *child, const char *checked, const char *value)
{
  const char *s = kl_str (checked);
  const char *slash = strchr (s, '/');
  const char *name = s;
  if (slash && strchr (slash + 1, '/'))
    {
      kl_report_invalid (
          v, child, value,
          "a qualified name " QUALIFIED_NAME_MSG
          " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')");
      return;
    }
  if (slash)
    {
      cleanup_free char *prefix = xstrndup (s, (size_t) (slash - s));
      name = slash + 1;
      if (*prefix == '\0')
        kl_report_invalid (v, child, value, "prefix part must be non-empty");
      else
        {
          if (strlen (prefix) > DNS1123_SUBDOMAIN_MAX)
            max_len_error (v, child, value, "prefix part ", DNS1123_SUBDOMAIN_MAX);
          if (!matches_dns1123_subdomain (prefix))
            kl_report_invalid (v, child, value, "prefix part " DNS1123_SUBDOMAIN_MSG);
        }
    }
  size_t len = strlen (name);
  if (len == 0)
    kl_report_invalid (v, child, value, "name part must be non-empty");
  else if (len > QUALIFIED_NAME_MAX)
    max_len_error (v, child, value, "name part ", QUALIFIED_NAME_MAX);
  if (!matches_qualified_name (name, len))
    kl_report_invalid (v, child, value, "name part " QUALIFIED_NAME_MSG);
}

void
kl_check_qualified_name (kl_validator_t *v, const char *child, const char *value)
{
  check_qualified_name (v, child, value, value);
}

void
kl_check_annotation_key (kl_validator_t *v, const char *child, const char *key)
{
  cleanup_free char *lower = xstrdup (kl_str (key));
  for (char *p = lower; *p; p++)
    if (*p >= 'A' && *p <= 'Z')
      *p = (char) (*p - 'A' + 'a');
  check_qualified_name (v, child, lower, key);
}

bool
kl_has_dotdot_component (const char *path)
{
  for (const char *s = kl_str (path);;)
    {
      size_t n = strcspn (s, "/");
      if (n == 2 && s[0] == '.' && s[1] == '.')
        return true;
      if (s[n] == '\0')
        return false;
      s += n + 1;
    }
}

void
kl_check_label_value (kl_validator_t *v, const char *child, const char *value)
{
  size_t len = strlen (kl_str (value));
  if (len > LABEL_VALUE_MAX)
    max_len_error (v, child, value, "", LABEL_VALUE_MAX);
  if (len > 0 && !matches_qualified_name (value, len))
    kl_report_invalid (v, child, value, LABEL_VALUE_MSG);
}

void
kl_check_port_name (kl_validator_t *v, const char *child, const char *value)
{
  const char *s = kl_str (value);
  size_t len = strlen (s);
  bool charset_ok = true, has_letter = false;
  for (size_t i = 0; i < len; i++)
    {
      if (!is_lower_alnum (s[i]) && s[i] != '-')
        charset_ok = false;
      if (s[i] >= 'a' && s[i] <= 'z')
        has_letter = true;
    }
  if (len > PORT_NAME_MAX)
    max_len_error (v, child, value, "", PORT_NAME_MAX);
  if (!charset_ok)
    kl_report_invalid (v, child, value,
                       "must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)");
  if (!has_letter)
    kl_report_invalid (v, child, value, "must contain at least one letter (a-z)");
  if (strstr (s, "--"))
    kl_report_invalid (v, child, value, "must not contain consecutive hyphens");
  if (len > 0 && (s[0] == '-' || s[len - 1] == '-'))
    kl_report_invalid (v, child, value, "must not begin or end with a hyphen");
}

void
kl_check_port_number (kl_validator_t *v, const char *child, int64_t port)
{
  if (port < 1 || port > 65535)
    kl_report_invalid_int (v, child, port, "must be between 1 and 65535, inclusive");
}

void
kl_check_env_var_name (kl_validator_t *v, const char *child, const char *value)
{
  const char *s = kl_str (value);
  bool ok = *s != '\0' && !(*s >= '0' && *s <= '9');
  for (const char *p = s; *p; p++)
    if (!is_alnum (*p) && *p != '-' && *p != '.' && *p != '_')
      ok = false;
  if (!ok)
    kl_report_invalid (v, child, value, ENV_VAR_NAME_MSG);
  if (strcmp (s, ".") == 0)
    kl_report_invalid (v, child, value, "must not be '.'");
  else if (strcmp (s, "..") == 0)
    kl_report_invalid (v, child, value, "must not be '..'");
  else if (strncmp (s, "..", 2) == 0)
    kl_report_invalid (v, child, value, "must not start with '..'");
}

void
kl_check_http_header_name (kl_validator_t *v, const char *child, const char *value)
{
  const char *s = kl_str (value);
  bool ok = *s != '\0';
  for (const char *p = s; *p; p++)
    if (!is_alnum (*p) && *p != '-')
      ok = false;
  if (!ok)
    kl_report_invalid (v, child, value, HTTP_HEADER_NAME_MSG);
}

void
kl_check_ip (kl_validator_t *v, const char *child, const char *value)
{
  unsigned char buf[sizeof (struct in6_addr)];
  const char *s = kl_str (value);
  if (inet_pton (AF_INET, s, buf) != 1 && inet_pton (AF_INET6, s, buf) != 1)
    kl_report_invalid (v, child, value,
                       "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)");
}

void
kl_check_id (kl_validator_t *v, const char *child, int64_t id)
{
  if (id < 0 || id > INT32_MAX)
    kl_report_invalid_int (v, child, id, "must be between 0 and 2147483647, inclusive");
}

struct keyed
{
  const char *key;
  size_t index;
};

static int
compare_keyed (const void *a, const void *b)
{
  const struct keyed *x = a, *y = b;
  int c = strcmp (x->key, y->key);
  if (c)
    return c;
  return x->index < y->index ? -1 : x->index > y->index;
}

bool *
kl_find_duplicates (const char *const *keys, size_t n)
{
  bool *dup = xmalloc0 (n * sizeof (bool));
  cleanup_free struct keyed *sorted = xmalloc (n * sizeof *sorted);
  for (size_t i = 0; i < n; i++)
    {
      sorted[i].key = kl_str (keys[i]);
      sorted[i].index = i;
    }
  qsort (sorted, n, sizeof *sorted, compare_keyed);
  for (size_t i = 1; i < n; i++)
    if (strcmp (sorted[i - 1].key, sorted[i].key) == 0)
      dup[sorted[i].index] = true;
  return dup;
}
