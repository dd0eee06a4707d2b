/* A growable byte buffer the frame encoders append to. */
#ifndef KL_CRI_STREAMING_BUF_H
#define KL_CRI_STREAMING_BUF_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct kl_buf_s
{
  uint8_t *data;
  size_t len;
  size_t cap;
} kl_buf_t;

/* Makes room for `n` more bytes and returns where they go (len unchanged). */
uint8_t *kl_buf_reserve (kl_buf_t *buf, size_t n);
void kl_buf_append (kl_buf_t *buf, const void *data, size_t n);
void kl_buf_append_u8 (kl_buf_t *buf, uint8_t v);
void kl_buf_append_be16 (kl_buf_t *buf, uint16_t v);
void kl_buf_append_be32 (kl_buf_t *buf, uint32_t v);
/* Drops the first `n` bytes. */
void kl_buf_consume (kl_buf_t *buf, size_t n);
void kl_buf_free (kl_buf_t *buf);

static inline uint32_t
kl_read_be32 (const uint8_t *p)
{
  return ((uint32_t) p[0] << 24) | ((uint32_t) p[1] << 16) | ((uint32_t) p[2] << 8) | p[3];
}

static inline uint16_t
kl_read_be16 (const uint8_t *p)
{
  return (uint16_t) (((uint16_t) p[0] << 8) | p[1]);
}

#define cleanup_buf __attribute__ ((cleanup (kl_buf_free)))

#ifdef __cplusplus
}
#endif

#endif
