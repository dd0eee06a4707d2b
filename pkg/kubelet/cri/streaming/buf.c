#include "pkg/kubelet/cri/streaming/buf.h"

#include <stdlib.h>
#include <string.h>

#include "pkg/util/utils.h"

uint8_t *
kl_buf_reserve (kl_buf_t *buf, size_t n)
{
  if (n > SIZE_MAX - buf->len)
    kl_oom ();
  if (buf->len + n > buf->cap)
    {
      size_t cap = buf->cap ? buf->cap : 256;
      while (cap < buf->len + n)
        cap = cap > SIZE_MAX / 2 ? buf->len + n : cap * 2;
      buf->data = xrealloc (buf->data, cap);
      buf->cap = cap;
    }
  return buf->data + buf->len;
}

void
kl_buf_append (kl_buf_t *buf, const void *data, size_t n)
{
  if (n == 0)
    return;
  memcpy (kl_buf_reserve (buf, n), data, n);
  buf->len += n;
}

void
kl_buf_append_u8 (kl_buf_t *buf, uint8_t v)
{
  kl_buf_append (buf, &v, 1);
}

void
kl_buf_append_be16 (kl_buf_t *buf, uint16_t v)
{
  uint8_t b[2] = { (uint8_t) (v >> 8), (uint8_t) v };
  kl_buf_append (buf, b, sizeof b);
}

void
kl_buf_append_be32 (kl_buf_t *buf, uint32_t v)
{
  uint8_t b[4] = { (uint8_t) (v >> 24), (uint8_t) (v >> 16), (uint8_t) (v >> 8), (uint8_t) v };
  kl_buf_append (buf, b, sizeof b);
}

void
kl_buf_consume (kl_buf_t *buf, size_t n)
{
  if (n >= buf->len)
    {
      buf->len = 0;
      return;
    }
  memmove (buf->data, buf->data + n, buf->len - n);
  buf->len -= n;
}

void
kl_buf_free (kl_buf_t *buf)
{
  free (buf->data);
  buf->data = NULL;
  buf->len = buf->cap = 0;
}
