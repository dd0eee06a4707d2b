#include "pkg/kubelet/dockershim/libdocker/decode.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "pkg/kubelet/dockershim/libdocker/decode-internal.h"
#include "pkg/util/utils.h"

/* Field names are short; a longer path is a bug in a decoder, not input. */
#define MAX_PATH 128

static const char *
type_name (const json_t *v)
{
  switch (json_typeof (v))
    {
    case JSON_OBJECT:
      return "object";
    case JSON_ARRAY:
      return "array";
    case JSON_STRING:
      return "string";
    case JSON_INTEGER:
      return "integer";
    case JSON_REAL:
      return "number";
    case JSON_TRUE:
    case JSON_FALSE:
      return "boolean";
    case JSON_NULL:
      return "null";
    }
  return "unknown";
}

int
dec_load (const char *json, size_t len, json_type type, const char *what, json_t **out,
          kl_error_t *err)
{
  json_error_t jerr;
  if (json == NULL)
    json = ""; /* an empty body */
  json_t *root = json_loadb (json, len, 0, &jerr);
  if (root == NULL && strstr (jerr.text, "too big") != NULL)
    root = json_loadb (json, len, JSON_DECODE_INT_AS_REAL, &jerr);
  if (root == NULL)
    return kl_make_error_kind (err, KL_ERROR_INVALID, 0, "decoding %s: line %d column %d: %s", what,
                               jerr.line, jerr.column, jerr.text);
  if (json_typeof (root) != type)
    {
      int ret
          = kl_make_error_kind (err, KL_ERROR_INVALID, 0, "decoding %s: want a JSON %s, got %s",
                                what, type == JSON_OBJECT ? "object" : "array", type_name (root));
      json_decref (root);
      return ret;
    }
  *out = root;
  return 0;
}

void
dec_init (dec_t *d, const char *what, kl_error_t *err)
{
  memset (d, 0, sizeof *d);
  d->what = what;
  d->err = err;
}

void
dec_fail (dec_t *d, const char *path, const char *fmt, ...)
{
  if (d->failed)
    return;
  d->failed = true;
  cleanup_free char *msg = NULL;
  va_list ap;
  va_start (ap, fmt);
  if (vasprintf (&msg, fmt, ap) < 0)
    kl_oom ();
  va_end (ap);
  kl_make_error_kind (d->err, KL_ERROR_INVALID, 0, "decoding %s: %s%s: %s", d->what, d->where, path,
                      msg);
}

json_t *
dec_get (dec_t *d, json_t *obj, const char *path)
{
  char segment[MAX_PATH];
  const char *p = path;
  if (d->failed || obj == NULL)
    return NULL;
  while (*p)
    {
      const char *dot = strchr (p, '.');
      size_t n = dot ? (size_t) (dot - p) : strlen (p);
      if (n >= sizeof segment)
        {
          dec_fail (d, path, "field path too long");
          return NULL;
        }
      if (!json_is_object (obj))
        {
          if (p == path)
            dec_fail (d, path, "want an object, got %s", type_name (obj));
          else
            dec_fail (d, path, "want an object at %.*s, got %s", (int) (p - path - 1), path,
                      type_name (obj));
          return NULL;
        }
      memcpy (segment, p, n);
      segment[n] = '\0';
      obj = json_object_get (obj, segment);
      if (obj == NULL || json_is_null (obj))
        return NULL;
      p = dot ? dot + 1 : p + n;
    }
  return obj;
}

char *
dec_string (dec_t *d, json_t *obj, const char *path)
{
  json_t *v = dec_get (d, obj, path);
  if (v == NULL)
    return xstrdup ("");
  if (!json_is_string (v))
    {
      dec_fail (d, path, "want a string, got %s", type_name (v));
      return xstrdup ("");
    }
  /* json_string_length: strings may hold NUL; keep what precedes it. */
  return xstrndup (json_string_value (v), json_string_length (v));
}

int64_t
dec_int (dec_t *d, json_t *obj, const char *path)
{
  json_t *v = dec_get (d, obj, path);
  if (v == NULL)
    return 0;
  if (json_is_integer (v))
    return (int64_t) json_integer_value (v);
  if (json_is_real (v))
    {
      double r = json_real_value (v);
      if (r >= -9223372036854775808.0 && r < 9223372036854775808.0 && r == (double) (int64_t) r)
        return (int64_t) r;
    }
  dec_fail (d, path, "want an integer, got %s", type_name (v));
  return 0;
}

uint64_t
dec_uint (dec_t *d, json_t *obj, const char *path)
{
  json_t *v = dec_get (d, obj, path);
  if (v == NULL)
    return 0;
  if (json_is_integer (v) && json_integer_value (v) >= 0)
    return (uint64_t) json_integer_value (v);
  if (json_is_real (v))
    {
      /* Beyond int64 (JSON_DECODE_INT_AS_REAL): "unlimited" counters. */
      double r = json_real_value (v);
      if (r >= 18446744073709551615.0 && r <= 18446744073709551616.0)
        return UINT64_MAX; /* 2^64-1 rounds up to 2^64 as a double */
      if (r >= 0 && r < 18446744073709551616.0 && r == (double) (uint64_t) r)
        return (uint64_t) r;
    }
  dec_fail (d, path, "want a non-negative integer, got %s", type_name (v));
  return 0;
}

bool
dec_bool (dec_t *d, json_t *obj, const char *path)
{
  json_t *v = dec_get (d, obj, path);
  if (v == NULL)
    return false;
  if (!json_is_boolean (v))
    {
      dec_fail (d, path, "want a boolean, got %s", type_name (v));
      return false;
    }
  return json_is_true (v);
}

int64_t
dec_time (dec_t *d, json_t *obj, const char *path)
{
  json_t *v = dec_get (d, obj, path);
  if (v == NULL)
    return 0;
  if (!json_is_string (v))
    {
      dec_fail (d, path, "want a time string, got %s", type_name (v));
      return 0;
    }
  int64_t ns = 0;
  kl_error_t terr = NULL;
  if (docker_parse_time (json_string_value (v), json_string_length (v), &ns, &terr) < 0)
    {
      dec_fail (d, path, "%s", kl_error_message (terr));
      kl_error_release (&terr);
      return 0;
    }
  return ns;
}

json_t *
dec_object (dec_t *d, json_t *obj, const char *path)
{
  json_t *v = dec_get (d, obj, path);
  if (v != NULL && !json_is_object (v))
    {
      dec_fail (d, path, "want an object, got %s", type_name (v));
      return NULL;
    }
  return v;
}

json_t *
dec_array (dec_t *d, json_t *obj, const char *path)
{
  json_t *v = dec_get (d, obj, path);
  if (v != NULL && !json_is_array (v))
    {
      dec_fail (d, path, "want an array, got %s", type_name (v));
      return NULL;
    }
  return v;
}

void
dec_strings (dec_t *d, json_t *obj, const char *path, docker_strings_t *out)
{
  json_t *array = dec_array (d, obj, path);
  size_t i;
  json_t *item;
  if (array == NULL)
    return;
  out->items = xmalloc0 (sizeof (char *) * (json_array_size (array) + 1));
  json_array_foreach (array, i, item)
    {
      if (!json_is_string (item))
        {
          dec_fail (d, path, "item %zu: want a string, got %s", i, type_name (item));
          return;
        }
      out->items[out->len++] = xstrndup (json_string_value (item), json_string_length (item));
    }
}

void
dec_labels (dec_t *d, json_t *obj, const char *path, docker_labels_t *out)
{
  json_t *map = dec_object (d, obj, path);
  const char *key;
  json_t *value;
  if (map == NULL)
    return;
  out->items = xmalloc0 (sizeof (docker_label_t) * (json_object_size (map) + 1));
  json_object_foreach (map, key, value)
    {
      if (!json_is_string (value))
        {
          cleanup_free char *quoted = kl_quote (key, strlen (key));
          dec_fail (d, path, "%s: want a string, got %s", quoted, type_name (value));
          return;
        }
      out->items[out->len].key = xstrdup (key);
      out->items[out->len].value = xstrndup (json_string_value (value), json_string_length (value));
      out->len++;
    }
}

void
dec_keys (dec_t *d, json_t *obj, const char *path, docker_strings_t *out)
{
  json_t *map = dec_object (d, obj, path);
  const char *key;
  json_t *value;
  if (map == NULL)
    return;
  out->items = xmalloc0 (sizeof (char *) * (json_object_size (map) + 1));
  json_object_foreach (map, key, value)
    out->items[out->len++] = xstrdup (key);
}

int
dec_finish (dec_t *d)
{
  return d->failed ? -1 : 0;
}

/* Reads exactly `n` digits at s[*pos] into *value. */
static bool
digits (const char *s, size_t len, size_t *pos, size_t n, int *value)
{
  int v = 0;
  if (*pos + n > len)
    return false;
  for (size_t i = 0; i < n; i++)
    {
      char c = s[*pos + i];
      if (c < '0' || c > '9')
        return false;
      v = v * 10 + (c - '0');
    }
  *pos += n;
  *value = v;
  return true;
}

static bool
expect (const char *s, size_t len, size_t *pos, char c)
{
  if (*pos >= len || (s[*pos] != c && !(c == 'T' && s[*pos] == 't')))
    return false;
  (*pos)++;
  return true;
}

int
docker_parse_time (const char *s, size_t len, int64_t *ns, kl_error_t *err)
{
  int year, month, day, hour, minute, second, off_h = 0, off_m = 0, sign = 0;
  int64_t frac = 0;
  size_t pos = 0;
  if (!(digits (s, len, &pos, 4, &year) && expect (s, len, &pos, '-')
        && digits (s, len, &pos, 2, &month) && expect (s, len, &pos, '-')
        && digits (s, len, &pos, 2, &day) && expect (s, len, &pos, 'T')
        && digits (s, len, &pos, 2, &hour) && expect (s, len, &pos, ':')
        && digits (s, len, &pos, 2, &minute) && expect (s, len, &pos, ':')
        && digits (s, len, &pos, 2, &second)))
    goto bad;
  if (pos < len && s[pos] == '.')
    {
      size_t n = 0;
      pos++;
      while (pos < len && s[pos] >= '0' && s[pos] <= '9')
        {
          if (n < 9)
            frac = frac * 10 + (s[pos] - '0');
          n++;
          pos++;
        }
      if (n == 0)
        goto bad;
      for (; n < 9; n++)
        frac *= 10;
    }
  if (pos < len && (s[pos] == 'Z' || s[pos] == 'z'))
    pos++;
  else if (pos < len && (s[pos] == '+' || s[pos] == '-'))
    {
      sign = s[pos++] == '-' ? -1 : 1;
      if (!(digits (s, len, &pos, 2, &off_h) && expect (s, len, &pos, ':')
            && digits (s, len, &pos, 2, &off_m)))
        goto bad;
    }
  else
    goto bad;
  if (pos != len || month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59
      || second > 60 || off_h > 23 || off_m > 59)
    goto bad;
  if (year == 1 && month == 1 && day == 1 && hour == 0 && minute == 0 && second == 0 && frac == 0)
    {
      *ns = 0; /* Go's time.Time{}: "never" */
      return 0;
    }
  /* int64 nanoseconds span 1677-09-21 .. 2262-04-11. */
  if (year < 1678 || year > 2261)
    return kl_make_error_kind (err, KL_ERROR_INVALID, 0, "time %.*s out of range", (int) len, s);
  struct tm tm = { 0 };
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  tm.tm_sec = second;
  int64_t secs = (int64_t) timegm (&tm) - sign * (off_h * 3600 + off_m * 60);
  *ns = secs * 1000000000LL + frac;
  return 0;

bad:;
  cleanup_free char *quoted = kl_quote (s, len > 64 ? 64 : len);
  return kl_make_error_kind (err, KL_ERROR_INVALID, 0, "time %s is not RFC 3339", quoted);
}

int
docker_decode_version (const char *json, size_t len, docker_version_t **out, kl_error_t *err)
{
  json_t *root = NULL;
  int ret = dec_load (json, len, JSON_OBJECT, "version", &root, err);
  if (ret < 0)
    return ret;
  dec_t d;
  dec_init (&d, "version", err);
  docker_version_t *v = xmalloc0 (sizeof *v);
  v->version = dec_string (&d, root, "Version");
  v->api_version = dec_string (&d, root, "ApiVersion");
  v->min_api_version = dec_string (&d, root, "MinAPIVersion");
  v->git_commit = dec_string (&d, root, "GitCommit");
  v->go_version = dec_string (&d, root, "GoVersion");
  v->os = dec_string (&d, root, "Os");
  v->arch = dec_string (&d, root, "Arch");
  v->kernel_version = dec_string (&d, root, "KernelVersion");
  json_decref (root);
  if (dec_finish (&d) < 0)
    {
      docker_version_free (v);
      return -1;
    }
  *out = v;
  return 0;
}

int
docker_decode_info (const char *json, size_t len, docker_info_t **out, kl_error_t *err)
{
  json_t *root = NULL;
  int ret = dec_load (json, len, JSON_OBJECT, "info", &root, err);
  if (ret < 0)
    return ret;
  dec_t d;
  dec_init (&d, "info", err);
  docker_info_t *info = xmalloc0 (sizeof *info);
  info->id = dec_string (&d, root, "ID");
  info->name = dec_string (&d, root, "Name");
  info->server_version = dec_string (&d, root, "ServerVersion");
  info->operating_system = dec_string (&d, root, "OperatingSystem");
  info->os_type = dec_string (&d, root, "OSType");
  info->kernel_version = dec_string (&d, root, "KernelVersion");
  info->cgroup_driver = dec_string (&d, root, "CgroupDriver");
  info->cgroup_version = dec_string (&d, root, "CgroupVersion");
  info->driver = dec_string (&d, root, "Driver");
  info->docker_root_dir = dec_string (&d, root, "DockerRootDir");
  info->default_runtime = dec_string (&d, root, "DefaultRuntime");
  dec_keys (&d, root, "Runtimes", &info->runtimes);
  dec_strings (&d, root, "SecurityOptions", &info->security_options);
  info->ncpu = dec_int (&d, root, "NCPU");
  info->mem_total = dec_int (&d, root, "MemTotal");
  info->containers = dec_int (&d, root, "Containers");
  info->containers_running = dec_int (&d, root, "ContainersRunning");
  info->images = dec_int (&d, root, "Images");
  json_decref (root);
  if (dec_finish (&d) < 0)
    {
      docker_info_free (info);
      return -1;
    }
  *out = info;
  return 0;
}

int
docker_decode_id (const char *json, size_t len, char **id, kl_error_t *err)
{
  json_t *root = NULL;
  int ret = dec_load (json, len, JSON_OBJECT, "ID response", &root, err);
  if (ret < 0)
    return ret;
  dec_t d;
  dec_init (&d, "ID response", err);
  cleanup_free char *value = dec_string (&d, root, "Id");
  if (!d.failed && value[0] == '\0')
    dec_fail (&d, "Id", "missing");
  json_decref (root);
  if (dec_finish (&d) < 0)
    return -1;
  *id = steal_pointer (&value);
  return 0;
}

int
docker_decode_exec_inspect (const char *json, size_t len, docker_exec_inspect_t **out,
                            kl_error_t *err)
{
  json_t *root = NULL;
  int ret = dec_load (json, len, JSON_OBJECT, "exec inspect", &root, err);
  if (ret < 0)
    return ret;
  dec_t d;
  dec_init (&d, "exec inspect", err);
  docker_exec_inspect_t *e = xmalloc0 (sizeof *e);
  e->id = dec_string (&d, root, "ID");
  e->container_id = dec_string (&d, root, "ContainerID");
  e->running = dec_bool (&d, root, "Running");
  e->exit_code = dec_int (&d, root, "ExitCode");
  e->pid = dec_int (&d, root, "Pid");
  e->open_stdin = dec_bool (&d, root, "OpenStdin");
  e->open_stdout = dec_bool (&d, root, "OpenStdout");
  e->open_stderr = dec_bool (&d, root, "OpenStderr");
  json_decref (root);
  if (dec_finish (&d) < 0)
    {
      docker_exec_inspect_free (e);
      return -1;
    }
  *out = e;
  return 0;
}
