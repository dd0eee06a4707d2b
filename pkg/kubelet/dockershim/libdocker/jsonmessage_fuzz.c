/* Fuzzes the parser of dockerd's JSON progress stream (image pulls): the
   first byte picks a chunk size, the rest is the stream. Fed whole and fed in
   chunks, it must report the same messages, digest and verdict. */
#include <string.h>

#include "pkg/kubelet/dockershim/libdocker/jsonmessage.h"
#include "pkg/util/utils.h"
#include "test/fuzz/fuzz.h"

/* Short enough that the fuzzer reaches the cap. */
#define MAX_LINE 512

struct seen
{
  size_t progress; /* callbacks */
  uint64_t hash;   /* FNV-1a over every field of every callback */
};

static void
hash_bytes (uint64_t *h, const void *data, size_t len)
{
  const unsigned char *p = data;
  for (size_t i = 0; i < len; i++)
    *h = (*h ^ p[i]) * 1099511628211ull;
}

static void
on_progress (void *ctx, const docker_progress_t *p)
{
  struct seen *seen = ctx;
  KL_FUZZ_CHECK (p->status && p->id && p->progress, "a NULL field");
  seen->progress++;
  hash_bytes (&seen->hash, p->status, strlen (p->status) + 1);
  hash_bytes (&seen->hash, p->id, strlen (p->id) + 1);
  hash_bytes (&seen->hash, p->progress, strlen (p->progress) + 1);
  hash_bytes (&seen->hash, &p->current, sizeof p->current);
  hash_bytes (&seen->hash, &p->total, sizeof p->total);
}

/* Parses `len` bytes fed `chunk` at a time (0: at once). */
static int
run (const char *data, size_t len, size_t chunk, struct seen *seen, char **digest, char **message)
{
  docker_jsonmessage_t p;
  docker_jsonmessage_init (&p, MAX_LINE, on_progress, seen);
  seen->hash = 14695981039346656037ull;
  kl_error_t err = NULL;
  int ret = 0;
  size_t step = chunk ? chunk : len;
  for (size_t off = 0; off < len && ret == 0; off += step)
    ret = docker_jsonmessage_feed (&p, data + off, len - off < step ? len - off : step, &err);
  if (ret == 0)
    ret = docker_jsonmessage_finish (&p, &err);
  KL_FUZZ_CHECK ((ret < 0) == (err != NULL), "verdict %d with error %p", ret, (void *) err);
  const char *d = docker_jsonmessage_digest (&p);
  *digest = d ? xstrdup (d) : NULL;
  *message = xstrdup (kl_error_message (err));
  kl_error_release (&err);
  docker_jsonmessage_release (&p);
  docker_jsonmessage_release (&p);
  return ret;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  if (size < 1)
    return 0;
  size_t chunk = data[0] % 32 + 1;
  const char *stream = (const char *) data + 1;
  size_t len = size - 1;

  struct seen whole = { 0 }, pieces = { 0 };
  cleanup_free char *whole_digest = NULL, *whole_message = NULL;
  cleanup_free char *pieces_digest = NULL, *pieces_message = NULL;
  int whole_ret = run (stream, len, 0, &whole, &whole_digest, &whole_message);
  int pieces_ret = run (stream, len, chunk, &pieces, &pieces_digest, &pieces_message);
  KL_FUZZ_CHECK (whole_ret == pieces_ret, "whole %d (%s), in chunks of %zu %d (%s)", whole_ret,
                 whole_message, chunk, pieces_ret, pieces_message);
  KL_FUZZ_CHECK (strcmp (whole_message, pieces_message) == 0, "messages differ: %s / %s",
                 whole_message, pieces_message);
  KL_FUZZ_CHECK (whole.progress == pieces.progress && whole.hash == pieces.hash,
                 "%zu progress callbacks whole, %zu in chunks (or different fields)",
                 whole.progress, pieces.progress);
  KL_FUZZ_CHECK ((whole_digest == NULL) == (pieces_digest == NULL)
                     && (whole_digest == NULL || strcmp (whole_digest, pieces_digest) == 0),
                 "digests differ");
  return 0;
}
