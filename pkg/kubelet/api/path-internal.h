/* Field paths ("spec.containers[0].ports[1].containerPort") and quoted values for errors. */
#ifndef KL_KUBELET_API_PATH_INTERNAL_H
#define KL_KUBELET_API_PATH_INTERNAL_H

#include <stddef.h>

/* A path grown and shrunk as a walk descends and returns. */
struct kl_path_s
{
  char *buf;
  size_t len;
  size_t cap;
};
typedef struct kl_path_s kl_path_t;

/* Starts at `prefix` ("" or NULL for the root). */
void kl_path_init (kl_path_t *path, const char *prefix);
void kl_path_release (kl_path_t *path);

/* Each appends one step and returns a mark for kl_path_pop (). Names and keys
   come from manifests: control bytes are escaped and long ones cut short. */
size_t kl_path_field (kl_path_t *path, const char *name, size_t len);
size_t kl_path_index (kl_path_t *path, size_t index);
size_t kl_path_key (kl_path_t *path, const char *key, size_t len);

/* Returns to the path as it was when `mark` was taken. */
void kl_path_pop (kl_path_t *path, size_t mark);

/* The path so far ("" at the root). */
const char *kl_path_str (const kl_path_t *path);

/* `s` in double quotes as Go's %q shows it (control bytes escaped, UTF-8
   kept), cut after KL_QUOTE_MAX bytes with "..." appended so a huge manifest
   value cannot make a huge message (unlike utils.h's kl_quote); the caller
   frees it. */
#define KL_QUOTE_MAX 1024
char *kl_quote_value (const char *s, size_t len);

#endif
