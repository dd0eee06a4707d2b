/* JSON building blocks: UTF-8 repair, omitempty setters and quantities. */
#include "pkg/kubelet/server/encode-internal.h"

#include <stdbool.h>
#include <string.h>

#include "pkg/util/utils.h"

/* The length of the valid UTF-8 sequence at s (n bytes left), 0 if none:
   no overlong forms, surrogates or code points past U+10FFFF. */
static size_t
utf8_sequence (const unsigned char *s, size_t n)
{
  unsigned char c = s[0];
  if (c < 0x80)
    return 1;
  size_t len;
  unsigned char lo = 0x80, hi = 0xBF;
  if (c >= 0xC2 && c <= 0xDF)
    len = 2;
  else if (c >= 0xE0 && c <= 0xEF)
    {
      len = 3;
      if (c == 0xE0)
        lo = 0xA0;
      else if (c == 0xED)
        hi = 0x9F;
    }
  else if (c >= 0xF0 && c <= 0xF4)
    {
      len = 4;
      if (c == 0xF0)
        lo = 0x90;
      else if (c == 0xF4)
        hi = 0x8F;
    }
  else
    return 0;
  if (n < len || s[1] < lo || s[1] > hi)
    return 0;
  for (size_t i = 2; i < len; i++)
    if (s[i] < 0x80 || s[i] > 0xBF)
      return 0;
  return len;
}

/* A copy of `s` with each invalid byte replaced by U+FFFD. */
static char *
utf8_repair (const char *s)
{
  size_t n = strlen (s);
  char *out = xmalloc (3 * n + 1);
  size_t o = 0;
  for (size_t i = 0; i < n;)
    {
      size_t len = utf8_sequence ((const unsigned char *) s + i, n - i);
      if (len == 0)
        {
          memcpy (out + o, "\xEF\xBF\xBD", 3);
          o += 3;
          i++;
          continue;
        }
      memcpy (out + o, s + i, len);
      o += len;
      i += len;
    }
  out[o] = '\0';
  return out;
}

json_t *
kl_json_string (const char *s)
{
  if (s == NULL)
    s = "";
  json_t *j = json_string (s);
  if (j != NULL)
    return j;
  cleanup_free char *repaired = utf8_repair (s);
  j = json_string (repaired);
  if (j == NULL)
    kl_oom ();
  return j;
}

static bool
utf8_valid (const char *s)
{
  size_t n = strlen (s);
  for (size_t i = 0, len; i < n; i += len)
    if ((len = utf8_sequence ((const unsigned char *) s + i, n - i)) == 0)
      return false;
  return true;
}

void
kl_json_set (json_t *obj, const char *key, json_t *value)
{
  if (value == NULL)
    kl_oom ();
  /* json_object_set_new () drops `value` on a bad key: repair it first. */
  cleanup_free char *repaired = utf8_valid (key) ? NULL : utf8_repair (key);
  if (json_object_set_new (obj, repaired ? repaired : key, value) < 0)
    kl_oom ();
}

void
kl_json_set_string (json_t *obj, const char *key, const char *s)
{
  if (s != NULL && *s != '\0')
    kl_json_set (obj, key, kl_json_string (s));
}

void
kl_json_set_nonzero (json_t *obj, const char *key, int64_t v)
{
  if (v != 0)
    kl_json_set (obj, key, json_integer (v));
}

json_t *
kl_json_uint64 (uint64_t v)
{
  return json_integer (v > (uint64_t) INT64_MAX ? INT64_MAX : (json_int_t) v);
}

void
kl_json_set_strings (json_t *obj, const char *key, char *const *v, size_t n)
{
  if (n == 0)
    return;
  json_t *array = json_array ();
  for (size_t i = 0; i < n; i++)
    json_array_append_new (array, kl_json_string (v[i]));
  kl_json_set (obj, key, array);
}

void
kl_json_set_map (json_t *obj, const char *key, const kl_kv_t *kv, size_t n)
{
  if (n == 0)
    return;
  json_t *map = json_object ();
  for (size_t i = 0; i < n; i++)
    kl_json_set (map, kv[i].key ? kv[i].key : "", kl_json_string (kv[i].value));
  kl_json_set (obj, key, map);
}

/* `v` with the largest suffix of `base` (1000 or 1024) that divides it. */
static char *
format_scaled (int64_t v, int64_t base, const char *const *suffixes)
{
  size_t i = 0;
  while (v != 0 && suffixes[i + 1] != NULL && v % base == 0)
    {
      v /= base;
      i++;
    }
  return xasprintf ("%lld%s", (long long) v, suffixes[i]);
}

static const char *const decimal_suffixes[] = { "", "k", "M", "G", "T", "P", "E", NULL };
static const char *const binary_suffixes[] = { "", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei", NULL };

char *
kl_format_bytes (int64_t bytes)
{
  if (bytes != 0 && bytes % 1024 == 0)
    return format_scaled (bytes, 1024, binary_suffixes);
  return format_scaled (bytes, 1000, decimal_suffixes);
}

char *
kl_format_milli_cpu (int64_t milli)
{
  if (milli % 1000 == 0)
    return format_scaled (milli / 1000, 1000, decimal_suffixes);
  return xasprintf ("%lldm", (long long) milli);
}
