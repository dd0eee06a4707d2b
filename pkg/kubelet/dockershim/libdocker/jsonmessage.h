/* Parser for dockerd's JSON progress stream (pull), errors sent with HTTP 200 included. */
#ifndef DOCKER_JSONMESSAGE_H
#define DOCKER_JSONMESSAGE_H

#include <stddef.h>
#include <stdint.h>

#include "pkg/util/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* One progress message; valid during the callback only. */
typedef struct docker_progress_s
{
  const char *status;   /* "Downloading", "Pull complete", "Digest: sha256:..." */
  const char *id;       /* layer or tag, "" if none */
  const char *progress; /* dockerd's progress bar text, "" if none */
  int64_t current;      /* progressDetail, 0 if none */
  int64_t total;
} docker_progress_t;

typedef void (*docker_progress_fn) (void *ctx, const docker_progress_t *progress);

/* Incremental parser state; fields are private. */
typedef struct docker_jsonmessage_s
{
  char *line; /* the incomplete last line */
  size_t line_len;
  size_t max_line;
  size_t messages; /* complete messages parsed */
  char *digest;    /* from "Digest: sha256:...", or NULL */
  int failed;
  docker_progress_fn on_progress;
  void *ctx;
} docker_jsonmessage_t;

#define DOCKER_JSONMESSAGE_DEFAULT_MAX_LINE (1024u * 1024)

/* max_line 0: DOCKER_JSONMESSAGE_DEFAULT_MAX_LINE. on_progress may be NULL. */
void docker_jsonmessage_init (docker_jsonmessage_t *p, size_t max_line,
                              docker_progress_fn on_progress, void *ctx);

/* Parses the complete messages in `len` more bytes. Fails with dockerd's
   message for {"errorDetail": {"code", "message"}} or {"error": "..."}
   (status: the code, if any), and with KL_ERROR_INVALID for a line that is
   not a JSON object or longer than the cap. */
int docker_jsonmessage_feed (docker_jsonmessage_t *p, const char *data, size_t len,
                             kl_error_t *err);

/* At end of stream: parses a last line without newline; fails if the stream
   held no message at all. */
int docker_jsonmessage_finish (docker_jsonmessage_t *p, kl_error_t *err);

/* The digest the pull reported ("sha256:..."), or NULL. */
const char *docker_jsonmessage_digest (const docker_jsonmessage_t *p);

void docker_jsonmessage_release (docker_jsonmessage_t *p);

#ifdef __cplusplus
}
#endif

#endif
