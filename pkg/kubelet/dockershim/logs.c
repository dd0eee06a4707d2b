/* Docker json-file records -> CRI log lines. */
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "pkg/kubelet/dockershim/logs.h"
#include "pkg/util/utils.h"

void
ds_buffer_append (ds_buffer_t *b, const char *data, size_t len)
{
  if (b->len + len + 1 > b->cap)
    {
      size_t cap = b->cap ? b->cap : 4096;
      while (cap < b->len + len + 1)
        cap *= 2;
      b->data = xrealloc (b->data, cap);
      b->cap = cap;
    }
  memcpy (b->data + b->len, data, len);
  b->len += len;
  b->data[b->len] = '\0';
}

void
ds_buffer_release (ds_buffer_t *b)
{
  free (b->data);
  b->data = NULL;
  b->len = b->cap = 0;
}

/* The current time as RFC3339Nano in UTC, for a record without one. */
static void
now_rfc3339 (char out[64])
{
  struct timespec ts;
  clock_gettime (CLOCK_REALTIME, &ts);
  struct tm tm;
  gmtime_r (&ts.tv_sec, &tm);
  char base[32];
  strftime (base, sizeof base, "%Y-%m-%dT%H:%M:%S", &tm);
  snprintf (out, 64, "%s.%09ldZ", base, ts.tv_nsec);
}

/* A timestamp we can copy as is: no blank, not empty, sane length. */
static bool
usable_time (const char *t, size_t len)
{
  if (len < 20 || len > 40)
    return false;
  for (size_t i = 0; i < len; i++)
    if (t[i] == ' ' || t[i] == '\n' || t[i] == '\t' || (unsigned char) t[i] < 0x20)
      return false;
  return true;
}

static void
emit (ds_buffer_t *out, const char *time_text, size_t time_len, const char *stream,
      const char *text, size_t len, bool full)
{
  ds_buffer_append (out, time_text, time_len);
  ds_buffer_append (out, " ", 1);
  ds_buffer_append (out, stream, strlen (stream));
  ds_buffer_append (out, full ? " F " : " P ", 3);
  ds_buffer_append (out, text, len);
  ds_buffer_append (out, "\n", 1);
}

/* One json-file record; false if it is malformed. */
static bool
convert_record (const char *line, size_t len, ds_buffer_t *out)
{
  json_error_t jerr;
  json_t *rec = json_loadb (line, len, JSON_ALLOW_NUL, &jerr);
  if (rec == NULL || !json_is_object (rec))
    {
      json_decref (rec);
      return false;
    }
  const json_t *log = json_object_get (rec, "log");
  const json_t *stream_v = json_object_get (rec, "stream");
  const json_t *time_v = json_object_get (rec, "time");
  if (!json_is_string (log))
    {
      json_decref (rec);
      return false;
    }
  const char *stream = "stdout";
  if (json_is_string (stream_v) && strcmp (json_string_value (stream_v), "stderr") == 0)
    stream = "stderr";
  char fallback[64];
  const char *t = NULL;
  size_t t_len = 0;
  if (json_is_string (time_v)
      && usable_time (json_string_value (time_v), json_string_length (time_v)))
    {
      t = json_string_value (time_v);
      t_len = json_string_length (time_v);
    }
  else
    {
      now_rfc3339 (fallback);
      t = fallback;
      t_len = strlen (fallback);
    }
  const char *text = json_string_value (log);
  size_t text_len = json_string_length (log);
  /* One CRI line per '\n'; what follows the last one is a partial line. */
  while (text_len > 0)
    {
      const char *nl = memchr (text, '\n', text_len);
      if (nl == NULL)
        {
          emit (out, t, t_len, stream, text, text_len, false);
          break;
        }
      emit (out, t, t_len, stream, text, (size_t) (nl - text), true);
      text_len -= (size_t) (nl - text) + 1;
      text = nl + 1;
    }
  json_decref (rec);
  return true;
}

size_t
ds_log_convert (const char *buf, size_t len, ds_buffer_t *out, size_t *skipped)
{
  size_t consumed = 0;
  while (consumed < len)
    {
      const char *nl = memchr (buf + consumed, '\n', len - consumed);
      if (nl == NULL)
        break;
      size_t line_len = (size_t) (nl - (buf + consumed));
      if (line_len > 0 && !convert_record (buf + consumed, line_len, out) && skipped)
        (*skipped)++;
      consumed += line_len + 1;
    }
  return consumed;
}
