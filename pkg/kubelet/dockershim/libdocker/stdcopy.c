#include "pkg/kubelet/dockershim/libdocker/stdcopy.h"

#include <string.h>

#include "pkg/util/utils.h"

/* dockerd's own error messages are short; more is not a message. */
#define MAX_SYSTEMERR (64u * 1024)

void
docker_stdcopy_init (docker_stdcopy_t *d, uint32_t max_frame, docker_output_fn output, void *ctx)
{
  memset (d, 0, sizeof *d);
  d->max_frame = max_frame ? max_frame : DOCKER_STDCOPY_DEFAULT_MAX_FRAME;
  d->output = output;
  d->ctx = ctx;
}

void
docker_stdcopy_release (docker_stdcopy_t *d)
{
  free (d->systemerr);
  d->systemerr = NULL;
  d->systemerr_len = 0;
}

/* Validates the complete header in d->header and starts its frame. */
static int
start_frame (docker_stdcopy_t *d, kl_error_t *err)
{
  const unsigned char *h = d->header;
  uint32_t size = (uint32_t) h[4] << 24 | (uint32_t) h[5] << 16 | (uint32_t) h[6] << 8 | h[7];
  d->failed = 1;
  if (h[1] != 0 || h[2] != 0 || h[3] != 0)
    return kl_make_error_kind (err, KL_ERROR_INVALID, 0,
                               "multiplexed stream: bad frame header %02x %02x %02x %02x: "
                               "not a multiplexed stream (a TTY stream is raw)",
                               h[0], h[1], h[2], h[3]);
  if (h[0] > DOCKER_STREAM_SYSTEMERR)
    return kl_make_error_kind (err, KL_ERROR_INVALID, 0,
                               "multiplexed stream: unknown stream %u in frame header", h[0]);
  if (size > d->max_frame)
    return kl_make_error_kind (err, KL_ERROR_INVALID, 0,
                               "multiplexed stream: frame of %u bytes exceeds the limit of %u",
                               (unsigned) size, (unsigned) d->max_frame);
  if (h[0] == DOCKER_STREAM_SYSTEMERR && size > MAX_SYSTEMERR)
    return kl_make_error_kind (err, KL_ERROR_INVALID, 0,
                               "multiplexed stream: system error frame of %u bytes exceeds %u",
                               (unsigned) size, MAX_SYSTEMERR);
  d->failed = 0;
  d->stream = h[0] == DOCKER_STREAM_STDIN ? DOCKER_STREAM_STDOUT : (enum docker_stream) h[0];
  d->remaining = size;
  d->header_len = 0;
  return 0;
}

/* A system-error frame is complete: dockerd tells why the stream ends. */
static int
system_error (docker_stdcopy_t *d, kl_error_t *err)
{
  size_t len = d->systemerr_len;
  while (len > 0 && (d->systemerr[len - 1] == '\n' || d->systemerr[len - 1] == '\r'))
    len--;
  cleanup_free char *quoted = kl_quote (d->systemerr ? d->systemerr : "", len);
  d->failed = 1;
  return kl_make_error_kind (err, KL_ERROR_GENERIC, 0, "multiplexed stream: dockerd: %s", quoted);
}

int
docker_stdcopy_feed (docker_stdcopy_t *d, const char *data, size_t len, kl_error_t *err)
{
  if (d->failed)
    return kl_make_error_kind (err, KL_ERROR_INVALID, 0, "multiplexed stream: fed after an error");
  while (len > 0)
    {
      if (d->remaining == 0)
        {
          size_t take = DOCKER_STDCOPY_HEADER_LEN - d->header_len;
          if (take > len)
            take = len;
          memcpy (d->header + d->header_len, data, take);
          d->header_len += take;
          data += take;
          len -= take;
          if (d->header_len < DOCKER_STDCOPY_HEADER_LEN)
            return 0;
          int ret = start_frame (d, err);
          if (ret < 0)
            return ret;
          if (d->remaining == 0 && d->stream == DOCKER_STREAM_SYSTEMERR)
            return system_error (d, err);
          continue;
        }
      size_t take = d->remaining < len ? d->remaining : len;
      if (d->stream == DOCKER_STREAM_SYSTEMERR)
        {
          d->systemerr = xrealloc (d->systemerr, d->systemerr_len + take);
          memcpy (d->systemerr + d->systemerr_len, data, take);
          d->systemerr_len += take;
        }
      else if (d->output)
        {
          int ret = d->output (d->ctx, d->stream, data, take, err);
          if (ret < 0)
            {
              d->failed = 1;
              return ret;
            }
        }
      d->remaining -= (uint32_t) take;
      data += take;
      len -= take;
      if (d->remaining == 0 && d->stream == DOCKER_STREAM_SYSTEMERR)
        return system_error (d, err);
    }
  return 0;
}

int
docker_stdcopy_finish (docker_stdcopy_t *d, kl_error_t *err)
{
  if (d->failed)
    return kl_make_error_kind (err, KL_ERROR_INVALID, 0, "multiplexed stream: fed after an error");
  if (d->header_len > 0)
    return kl_make_error_kind (err, KL_ERROR_INVALID, 0,
                               "multiplexed stream: ended inside a frame header (%zu of 8 bytes)",
                               d->header_len);
  if (d->remaining > 0)
    return kl_make_error_kind (err, KL_ERROR_INVALID, 0,
                               "multiplexed stream: ended with %u bytes of a frame missing",
                               (unsigned) d->remaining);
  return 0;
}
