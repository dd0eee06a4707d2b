/* A source's pods: decoding a manifest, giving each pod its static identity and hashing it. */
#include "pkg/kubelet/config/sources-internal.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <time.h>

#include "pkg/kubelet/api/decode.h"
#include "pkg/util/utils.h"

uint64_t
kl_source_hash_bytes (const void *data, size_t len)
{
  const unsigned char *p = data;
  uint64_t h = 0xcbf29ce484222325ULL;
  for (size_t i = 0; i < len; i++)
    {
      h ^= p[i];
      h *= 0x100000001b3ULL;
    }
  return h;
}

char *
kl_source_format_limit (size_t max_bytes)
{
  if (max_bytes >= ((size_t) 1 << 20) && max_bytes % ((size_t) 1 << 20) == 0)
    return xasprintf ("%zu bytes (%zu MiB)", max_bytes, max_bytes >> 20);
  return xasprintf ("%zu bytes", max_bytes);
}

void
kl_source_pods_clear (kl_source_pods_t *pods)
{
  for (size_t i = 0; i < pods->n_items; i++)
    {
      kl_pod_free (pods->items[i].pod);
      free (pods->items[i].origin);
    }
  free (pods->items);
  pods->items = NULL;
  pods->n_items = 0;
}

static void
append (kl_source_pods_t *pods, kl_pod_t *pod, const char *origin, uint64_t hash)
{
  pods->items = xrealloc (pods->items, (pods->n_items + 1) * sizeof *pods->items);
  kl_source_pod_t *item = &pods->items[pods->n_items++];
  item->pod = pod;
  item->origin = xstrdup (origin);
  item->hash = hash;
}

void
kl_source_pods_append_copies (kl_source_pods_t *dst, const kl_source_pods_t *src)
{
  for (size_t i = 0; i < src->n_items; i++)
    append (dst, kl_pod_copy (src->items[i].pod), src->items[i].origin, src->items[i].hash);
}

int
kl_source_pods_from_manifest (const char *data, size_t len, enum kl_pod_source_kind kind,
                              const char *origin, const char *node_name, size_t max_bytes,
                              kl_source_pods_t *out, kl_error_t *err)
{
  cleanup_pod_list kl_pod_list_t decoded = { NULL, 0 };
  int ret = kl_pod_decode_limit (data, len, origin, max_bytes, &decoded, err);
  if (ret < 0)
    return ret;

  /* config.seen belongs to the merge: it must not make an unchanged pod
     look changed. */
  for (size_t i = 0; i < decoded.n_items; i++)
    {
      ret = kl_static_pod_apply (decoded.items[i], node_name, kind, origin, NULL, err);
      if (ret < 0)
        {
          if (decoded.n_items > 1)
            return kl_error_wrap (err, "pod %zu of %zu", i + 1, decoded.n_items);
          return ret;
        }
    }

  for (size_t i = 0; i < decoded.n_items; i++)
    {
      size_t canonical_len = 0;
      cleanup_free char *canonical = kl_pod_canonical (decoded.items[i], &canonical_len);
      append (out, steal_pointer (&decoded.items[i]), origin,
              kl_source_hash_bytes (canonical, canonical_len));
    }
  return 0;
}

int64_t
kl_source_monotonic_ns (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (int64_t) ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int
kl_source_wait (int stop_fd, int fd, int64_t timeout_ns)
{
  struct pollfd fds[2] = { { .fd = stop_fd, .events = POLLIN }, { .fd = fd, .events = POLLIN } };
  int timeout_ms = -1;
  if (timeout_ns >= 0)
    {
      int64_t ms = (timeout_ns + 999999) / 1000000; /* never wake up early */
      timeout_ms = ms > 24 * 3600 * 1000 ? 24 * 3600 * 1000 : (int) ms;
    }
  int ret;
  do
    ret = poll (fds, fd >= 0 ? 2 : 1, timeout_ms);
  while (ret < 0 && errno == EINTR);
  return ret > 0 && (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) ? 1 : 0;
}
