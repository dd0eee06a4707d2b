/* Fuzzes the multiplexed-stream demultiplexer: the first byte picks a frame
   cap, the second a chunk size, the rest is the stream. Fed whole and fed in
   chunks, it must give the same output and the same verdict. */
#include <string.h>

#include "pkg/kubelet/dockershim/libdocker/stdcopy.h"
#include "pkg/util/utils.h"
#include "test/fuzz/fuzz.h"

struct output
{
  char *data[3]; /* by stream: [1] stdout, [2] stderr */
  size_t len[3];
};

static int
collect (void *ctx, enum docker_stream stream, const char *data, size_t len, kl_error_t *err)
{
  struct output *out = ctx;
  KL_FUZZ_CHECK (stream == DOCKER_STREAM_STDOUT || stream == DOCKER_STREAM_STDERR,
                 "output for stream %d", (int) stream);
  KL_FUZZ_CHECK (len > 0, "empty output");
  out->data[stream] = xrealloc (out->data[stream], out->len[stream] + len);
  memcpy (out->data[stream] + out->len[stream], data, len);
  out->len[stream] += len;
  return 0;
}

/* Demultiplexes `len` bytes fed `chunk` at a time (0: at once); returns the
   verdict, its error message in *message. */
static int
run (const char *data, size_t len, uint32_t max_frame, size_t chunk, struct output *out,
     char **message)
{
  docker_stdcopy_t d;
  docker_stdcopy_init (&d, max_frame, collect, out);
  kl_error_t err = NULL;
  int ret = 0;
  size_t step = chunk ? chunk : len;
  for (size_t off = 0; off < len && ret == 0; off += step)
    ret = docker_stdcopy_feed (&d, data + off, len - off < step ? len - off : step, &err);
  if (ret == 0)
    ret = docker_stdcopy_finish (&d, &err);
  KL_FUZZ_CHECK ((ret < 0) == (err != NULL), "verdict %d with error %p", ret, (void *) err);
  *message = xstrdup (kl_error_message (err));
  kl_error_release (&err);
  docker_stdcopy_release (&d);
  docker_stdcopy_release (&d);
  return ret;
}

static void
output_free (struct output *out)
{
  for (int i = 0; i < 3; i++)
    free (out->data[i]);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  if (size < 2)
    return 0;
  static const uint32_t caps[] = { 0, 1, 8, 100, 4096 };
  uint32_t max_frame = caps[data[0] % KL_ARRAY_SIZE (caps)];
  size_t chunk = data[1] % 16 + 1;
  const char *stream = (const char *) data + 2;
  size_t len = size - 2;

  struct output whole = { { NULL }, { 0 } }, pieces = { { NULL }, { 0 } };
  cleanup_free char *whole_message = NULL;
  cleanup_free char *pieces_message = NULL;
  int whole_ret = run (stream, len, max_frame, 0, &whole, &whole_message);
  int pieces_ret = run (stream, len, max_frame, chunk, &pieces, &pieces_message);
  KL_FUZZ_CHECK (whole_ret == pieces_ret, "whole %d (%s), in chunks of %zu %d (%s)", whole_ret,
                 whole_message, chunk, pieces_ret, pieces_message);
  KL_FUZZ_CHECK (strcmp (whole_message, pieces_message) == 0, "messages differ: %s / %s",
                 whole_message, pieces_message);
  /* Even on failure: both passed on every payload byte before the error. */
  for (int s = 1; s <= 2; s++)
    {
      KL_FUZZ_CHECK (whole.len[s] == pieces.len[s], "stream %d: %zu bytes whole, %zu in chunks", s,
                     whole.len[s], pieces.len[s]);
      KL_FUZZ_CHECK (whole.len[s] == 0 || memcmp (whole.data[s], pieces.data[s], whole.len[s]) == 0,
                     "stream %d: bytes differ", s);
    }
  KL_FUZZ_CHECK (whole.len[1] + whole.len[2] <= len, "more output than input");
  output_free (&whole);
  output_free (&pieces);
  return 0;
}
