#include "pkg/kubelet/dockershim/libdocker/jsonmessage.h"

#include <jansson.h>
#include <string.h>

#include "pkg/util/utils.h"

void
docker_jsonmessage_init (docker_jsonmessage_t *p, size_t max_line, docker_progress_fn on_progress,
                         void *ctx)
{
  memset (p, 0, sizeof *p);
  p->max_line = max_line ? max_line : DOCKER_JSONMESSAGE_DEFAULT_MAX_LINE;
  p->on_progress = on_progress;
  p->ctx = ctx;
}

void
docker_jsonmessage_release (docker_jsonmessage_t *p)
{
  free (p->line);
  free (p->digest);
  p->line = NULL;
  p->digest = NULL;
  p->line_len = 0;
}

const char *
docker_jsonmessage_digest (const docker_jsonmessage_t *p)
{
  return p->digest;
}

static const char *
string_field (json_t *obj, const char *key)
{
  json_t *v = json_object_get (obj, key);
  return json_is_string (v) ? json_string_value (v) : "";
}

static int64_t
int_field (json_t *obj, const char *key)
{
  json_t *v = json_object_get (obj, key);
  return json_is_integer (v) ? (int64_t) json_integer_value (v) : 0;
}

/* The error a message carries, if any: errorDetail (Go's JSONError) wins
   over the older "error" string, as in Go's jsonmessage. */
static int
message_error (json_t *msg, kl_error_t *err)
{
  json_t *detail = json_object_get (msg, "errorDetail");
  json_t *error = json_object_get (msg, "error");
  const char *text = "";
  int64_t code = 0;
  if (!json_is_object (detail) && !(json_is_string (error) && json_string_length (error) > 0))
    return 0;
  if (json_is_object (detail))
    {
      text = string_field (detail, "message");
      code = int_field (detail, "code");
    }
  if (text[0] == '\0' && json_is_string (error))
    text = json_string_value (error);
  if (text[0] == '\0')
    text = "unknown error";
  if (code == 401)
    return kl_make_error_kind (err, KL_ERROR_GENERIC, 401, "authentication is required: %.4096s",
                               text);
  return kl_make_error_kind (err, KL_ERROR_GENERIC, (int) code, "%.4096s", text);
}

static int
parse_line (docker_jsonmessage_t *p, const char *line, size_t len, kl_error_t *err)
{
  while (len > 0 && (line[len - 1] == '\r' || line[len - 1] == ' ' || line[len - 1] == '\t'))
    len--;
  while (len > 0 && (line[0] == ' ' || line[0] == '\t' || line[0] == '\r'))
    {
      line++;
      len--;
    }
  if (len == 0)
    return 0;
  json_error_t jerr;
  json_t *msg = json_loadb (line, len, 0, &jerr);
  if (msg == NULL || !json_is_object (msg))
    {
      cleanup_free char *quoted = kl_quote (line, len > 80 ? 80 : len);
      json_decref (msg);
      return kl_make_error_kind (err, KL_ERROR_INVALID, 0,
                                 "progress stream: message %zu is not a JSON object: %s",
                                 p->messages + 1, quoted);
    }
  p->messages++;
  int ret = message_error (msg, err);
  if (ret == 0)
    {
      docker_progress_t progress = {
        .status = string_field (msg, "status"),
        .id = string_field (msg, "id"),
        .progress = string_field (msg, "progress"),
      };
      json_t *detail = json_object_get (msg, "progressDetail");
      if (json_is_object (detail))
        {
          progress.current = int_field (detail, "current");
          progress.total = int_field (detail, "total");
        }
      if (strncmp (progress.status, "Digest: ", 8) == 0)
        {
          free (p->digest);
          p->digest = xstrdup (progress.status + 8);
        }
      if (p->on_progress)
        p->on_progress (p->ctx, &progress);
    }
  json_decref (msg);
  return ret;
}

int
docker_jsonmessage_feed (docker_jsonmessage_t *p, const char *data, size_t len, kl_error_t *err)
{
  if (p->failed)
    return kl_make_error_kind (err, KL_ERROR_INVALID, 0, "progress stream: fed after an error");
  while (len > 0)
    {
      const char *nl = memchr (data, '\n', len);
      size_t take = nl ? (size_t) (nl - data) : len;
      if (p->line_len + take > p->max_line)
        {
          p->failed = 1;
          return kl_make_error_kind (err, KL_ERROR_INVALID, 0,
                                     "progress stream: message longer than %zu bytes", p->max_line);
        }
      int ret = 0;
      if (nl && p->line_len == 0)
        ret = parse_line (p, data, take, err); /* the common case: no copy */
      else
        {
          p->line = xrealloc (p->line, p->line_len + take + 1);
          memcpy (p->line + p->line_len, data, take);
          p->line_len += take;
          if (nl)
            {
              ret = parse_line (p, p->line, p->line_len, err);
              p->line_len = 0;
            }
        }
      if (ret < 0)
        {
          p->failed = 1;
          return ret;
        }
      data += nl ? take + 1 : take;
      len -= nl ? take + 1 : take;
    }
  return 0;
}

int
docker_jsonmessage_finish (docker_jsonmessage_t *p, kl_error_t *err)
{
  if (p->failed)
    return kl_make_error_kind (err, KL_ERROR_INVALID, 0, "progress stream: fed after an error");
  if (p->line_len > 0)
    {
      int ret = parse_line (p, p->line, p->line_len, err);
      p->line_len = 0;
      if (ret < 0)
        {
          p->failed = 1;
          return ret;
        }
    }
  if (p->messages == 0)
    return kl_make_error_kind (err, KL_ERROR_INVALID, 0, "progress stream: no message");
  return 0;
}
