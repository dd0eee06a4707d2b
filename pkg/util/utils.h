/* Allocation wrappers that abort on OOM and cleanup attributes (crun's utils.h). */
#ifndef KL_UTIL_UTILS_H
#define KL_UTIL_UTILS_H

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Prints "out of memory" and aborts: allocation failure is not recoverable. */
void kl_oom (void) __attribute__ ((noreturn));

void *xmalloc (size_t size);
void *xmalloc0 (size_t size);
void *xrealloc (void *ptr, size_t size);
char *xstrdup (const char *s);
char *xstrndup (const char *s, size_t n);
char *xasprintf (const char *fmt, ...) __attribute__ ((format (printf, 1, 2)));

/* `s` (len bytes) in double quotes with '"' and '\\' escaped and bytes outside
   printable ASCII as \xNN (as Go quotes input in errors), so hostile input
   prints safely. */
char *kl_quote (const char *s, size_t len);

void cleanup_freep (void *p);
void cleanup_closep (int *fd);
void cleanup_fclosep (FILE **f);

#define cleanup_free __attribute__ ((cleanup (cleanup_freep)))
#define cleanup_close __attribute__ ((cleanup (cleanup_closep)))
#define cleanup_file __attribute__ ((cleanup (cleanup_fclosep)))

/* Returns *p and sets *p to NULL: hands ownership to the caller. */
static inline void *
steal_pointer_ (void *pp)
{
  void **p = (void **) pp;
  void *v = *p;
  *p = NULL;
  return v;
}
#define steal_pointer(pp) steal_pointer_ (pp)

#define KL_ARRAY_SIZE(a) (sizeof (a) / sizeof ((a)[0]))

#ifdef __cplusplus
}
#endif

#endif
