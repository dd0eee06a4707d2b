/* Container logs in CRI format: Docker json-file lines converted, and copied into each container's
 * CRI log file. */
#ifndef DS_LOGS_H
#define DS_LOGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pkg/util/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A growable byte buffer. */
typedef struct ds_buffer_s
{
  char *data;
  size_t len;
  size_t cap;
} ds_buffer_t;

void ds_buffer_append (ds_buffer_t *b, const char *data, size_t len);
void ds_buffer_release (ds_buffer_t *b);

/* Converts the complete lines ('\n'-terminated) at the start of `buf`, each
   a Docker json-file record {"log": "...", "stream": "stdout", "time":
   "<RFC3339Nano>"}, to CRI lines "<time> <stream> <F|P> <text>\n" appended
   to `out`: F when the record ended a line, P for a piece of a longer line
   (Docker splits lines at 16 KiB). A record holding several lines gives
   several CRI lines. Malformed records are skipped and counted in
   *skipped (may be NULL). Returns the bytes consumed: up to and including
   the last '\n', so an incomplete last record is left for later. */
size_t ds_log_convert (const char *buf, size_t len, ds_buffer_t *out, size_t *skipped);

/* Copies the json-file logs of followed containers into their CRI log
   files from one background thread. The progress of each copy (the byte
   offset reached in Docker's file and the size of the CRI file then) is
   saved in <state_dir>/<container id>, so a restarted dockershim resumes
   where it stopped: lines written after the last save are cut off the CRI
   file and converted again, so none is lost or doubled. */
typedef struct ds_log_manager_s ds_log_manager_t;

/* Starts the copying thread; it looks for new output every poll_ns. */
int ds_log_manager_new (const char *state_dir, int64_t poll_ns, ds_log_manager_t **out,
                        kl_error_t *err);

/* Stops the thread after a last copy round, saving every follower's state. */
void ds_log_manager_free (ds_log_manager_t *m);

/* Starts (or resumes, from a saved state) copying container `id`'s Docker
   log `docker_log` into `cri_log`, which is created (with its directory)
   now. Following a container twice is a no-op. */
int ds_log_manager_follow (ds_log_manager_t *m, const char *id, const char *docker_log,
                           const char *cri_log, kl_error_t *err);

/* Copies everything Docker has written so far for `id` now; a container
   that is not followed is fine. */
int ds_log_manager_flush (ds_log_manager_t *m, const char *id, kl_error_t *err);

/* Closes and reopens the CRI log file of `id` (after the kubelet rotated
   it); KL_ERROR_NOT_FOUND if `id` is not followed. */
int ds_log_manager_reopen (ds_log_manager_t *m, const char *id, kl_error_t *err);

/* Stops following `id` and deletes its saved state. */
void ds_log_manager_forget (ds_log_manager_t *m, const char *id);

bool ds_log_manager_following (ds_log_manager_t *m, const char *id);

#ifdef __cplusplus
}
#endif

#endif
