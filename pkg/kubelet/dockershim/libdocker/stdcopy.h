/* Demultiplexer for Docker's multiplexed exec/attach stream (Go's stdcopy). */
#ifndef DOCKER_STDCOPY_H
#define DOCKER_STDCOPY_H

#include <stddef.h>
#include <stdint.h>

#include "pkg/util/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Stream ids of the 8-byte frame header [stream, 0, 0, 0, size (big-endian
   uint32)]. DOCKER_STREAM_SYSTEMERR carries an error message from dockerd. */
enum docker_stream
{
  DOCKER_STREAM_STDIN = 0,
  DOCKER_STREAM_STDOUT = 1,
  DOCKER_STREAM_STDERR = 2,
  DOCKER_STREAM_SYSTEMERR = 3,
};

#define DOCKER_STDCOPY_HEADER_LEN 8
/* Frames above this are refused unless the caller picks another cap. */
#define DOCKER_STDCOPY_DEFAULT_MAX_FRAME (16u * 1024 * 1024)

/* Receives payload bytes of `stream` (stdout or stderr; stdin frames are
   reported as stdout, as Go's StdCopy does) as they arrive, possibly a frame
   in several pieces. A negative return stops the demultiplexer; set *err. */
typedef int (*docker_output_fn) (void *ctx, enum docker_stream stream, const char *data, size_t len,
                                 kl_error_t *err);

/* Incremental parser state; fields are private. Feed it arbitrary chunks. */
typedef struct docker_stdcopy_s
{
  unsigned char header[DOCKER_STDCOPY_HEADER_LEN];
  size_t header_len;  /* bytes of the current header seen so far */
  uint32_t remaining; /* payload bytes of the current frame still due */
  enum docker_stream stream;
  uint32_t max_frame;
  char *systemerr; /* payload of a DOCKER_STREAM_SYSTEMERR frame */
  size_t systemerr_len;
  int failed; /* after an error every feed fails */
  docker_output_fn output;
  void *ctx;
} docker_stdcopy_t;

/* max_frame 0: DOCKER_STDCOPY_DEFAULT_MAX_FRAME. */
void docker_stdcopy_init (docker_stdcopy_t *d, uint32_t max_frame, docker_output_fn output,
                          void *ctx);

/* Parses `len` bytes; fails (KL_ERROR_INVALID) on a header with an unknown
   stream or non-zero padding, on a frame above the cap, and with dockerd's
   message when a system-error frame completes. */
int docker_stdcopy_feed (docker_stdcopy_t *d, const char *data, size_t len, kl_error_t *err);

/* At end of stream: fails if it stopped inside a frame. */
int docker_stdcopy_finish (docker_stdcopy_t *d, kl_error_t *err);

/* Frees what the parser holds; safe to call twice. */
void docker_stdcopy_release (docker_stdcopy_t *d);

#ifdef __cplusplus
}
#endif

#endif
