#include "pkg/util/log.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static atomic_int log_verbosity;
static FILE *_Atomic log_out;

void
kl_log_init (int verbosity, FILE *out)
{
  atomic_store_explicit (&log_verbosity, verbosity, memory_order_relaxed);
  atomic_store_explicit (&log_out, out, memory_order_relaxed);
}

int
kl_log_enabled (int level)
{
  return level <= atomic_load_explicit (&log_verbosity, memory_order_relaxed);
}

void
kl_log_write (char severity, const char *file, int line, const char *fmt, ...)
{
  FILE *out = atomic_load_explicit (&log_out, memory_order_relaxed);
  if (out == NULL)
    out = stderr;
  struct timeval tv;
  gettimeofday (&tv, NULL);
  struct tm tm;
  gmtime_r (&tv.tv_sec, &tm);
  const char *base = strrchr (file, '/');
  base = base ? base + 1 : file;

  char msg[4096];
  va_list ap;
  va_start (ap, fmt);
  vsnprintf (msg, sizeof msg, fmt, ap);
  va_end (ap);

  flockfile (out);
  fprintf (out, "%c%02d%02d %02d:%02d:%02d.%06ld %7ld %s:%d] %s\n", severity, tm.tm_mon + 1,
           tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (long) tv.tv_usec,
           (long) syscall (SYS_gettid), base, line, msg);
  fflush (out);
  funlockfile (out);
}
