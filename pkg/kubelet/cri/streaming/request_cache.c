#include "pkg/kubelet/cri/streaming/request_cache.h"

#include <openssl/rand.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "pkg/util/utils.h"

struct entry_s
{
  struct entry_s *next;
  char token[KL_STREAM_TOKEN_LEN + 1];
  int64_t expires_ns;
  kl_stream_request_t *req;
};

/* `lock` guards `entries` (newest first) and `len`. */
struct kl_request_cache_s
{
  pthread_mutex_t lock;
  struct entry_s *entries;
  size_t len;
  int64_t ttl_ns;
  size_t max_in_flight;
};

void
kl_stream_request_free (kl_stream_request_t *req)
{
  if (req == NULL)
    return;
  free (req->id);
  for (size_t i = 0; i < req->argc; i++)
    free (req->cmd[i]);
  free (req->cmd);
  free (req->ports);
  free (req);
}

kl_request_cache_t *
kl_request_cache_new (int64_t ttl_ns, size_t max_in_flight)
{
  kl_request_cache_t *cache = xmalloc0 (sizeof *cache);
  pthread_mutex_init (&cache->lock, NULL);
  cache->ttl_ns = ttl_ns;
  cache->max_in_flight = max_in_flight;
  return cache;
}

static void
entry_free (struct entry_s *e)
{
  kl_stream_request_free (e->req);
  free (e);
}

void
kl_request_cache_free (kl_request_cache_t *cache)
{
  if (cache == NULL)
    return;
  for (struct entry_s *e = cache->entries, *next; e; e = next)
    {
      next = e->next;
      entry_free (e);
    }
  pthread_mutex_destroy (&cache->lock);
  free (cache);
}

/* Drops expired entries; called with the lock held. */
static void
sweep (kl_request_cache_t *cache, int64_t now_ns)
{
  for (struct entry_s **pe = &cache->entries; *pe;)
    {
      struct entry_s *e = *pe;
      if (e->expires_ns <= now_ns)
        {
          *pe = e->next;
          entry_free (e);
          cache->len--;
        }
      else
        pe = &e->next;
    }
}

static int
new_token (char out[KL_STREAM_TOKEN_LEN + 1], kl_error_t *err)
{
  static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  unsigned char raw[17] = { 0 };
  if (RAND_bytes (raw, 16) != 1)
    return kl_make_error (err, 0, "generate a streaming token: no randomness");
  /* 16 bytes = 128 bits = 21 full sextets and 2 bits in a 22nd. */
  size_t o = 0;
  for (size_t i = 0; i < 18 && o < KL_STREAM_TOKEN_LEN; i += 3)
    {
      uint32_t v = ((uint32_t) raw[i] << 16) | ((uint32_t) (i + 1 < 17 ? raw[i + 1] : 0) << 8)
                   | (i + 2 < 17 ? raw[i + 2] : 0);
      for (int k = 3; k >= 0 && o < KL_STREAM_TOKEN_LEN; k--)
        out[o++] = alphabet[(v >> (6 * k)) & 0x3f];
    }
  out[KL_STREAM_TOKEN_LEN] = '\0';
  return 0;
}

int
kl_request_cache_insert (kl_request_cache_t *cache, kl_stream_request_t *req, int64_t now_ns,
                         char **token, kl_error_t *err)
{
  struct entry_s *e = xmalloc0 (sizeof *e);
  int ret = new_token (e->token, err);
  if (ret < 0)
    {
      free (e);
      return ret;
    }
  e->expires_ns = now_ns + cache->ttl_ns;
  pthread_mutex_lock (&cache->lock);
  sweep (cache, now_ns);
  if (cache->len >= cache->max_in_flight)
    {
      pthread_mutex_unlock (&cache->lock);
      free (e);
      return kl_make_error_kind (err, KL_ERROR_UNAVAILABLE, 0,
                                 "maximum number of in-flight streaming requests (%zu) exceeded",
                                 cache->max_in_flight);
    }
  e->req = req;
  e->next = cache->entries;
  cache->entries = e;
  cache->len++;
  *token = xstrdup (e->token);
  pthread_mutex_unlock (&cache->lock);
  return 0;
}

kl_stream_request_t *
kl_request_cache_consume (kl_request_cache_t *cache, const char *token, int64_t now_ns)
{
  kl_stream_request_t *req = NULL;
  pthread_mutex_lock (&cache->lock);
  for (struct entry_s **pe = &cache->entries; *pe; pe = &(*pe)->next)
    {
      struct entry_s *e = *pe;
      if (strcmp (e->token, token) != 0)
        continue;
      *pe = e->next;
      cache->len--;
      if (e->expires_ns > now_ns)
        req = steal_pointer (&e->req);
      entry_free (e);
      break;
    }
  pthread_mutex_unlock (&cache->lock);
  return req;
}

size_t
kl_request_cache_len (kl_request_cache_t *cache)
{
  pthread_mutex_lock (&cache->lock);
  size_t n = cache->len;
  pthread_mutex_unlock (&cache->lock);
  return n;
}
