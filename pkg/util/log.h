/* klog-style logging: "I1128 18:32:32.123456    4242 file.c:42] message". */
#ifndef KL_UTIL_LOG_H
#define KL_UTIL_LOG_H

#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Sets the --v level and where lines go (stderr when out is NULL). The only
   process-wide setting, as klog's; read with relaxed atomics from any thread. */
void kl_log_init (int verbosity, FILE *out);

/* True if messages at verbosity `level` are printed. */
int kl_log_enabled (int level);

void kl_log_write (char severity, const char *file, int line, const char *fmt, ...)
    __attribute__ ((format (printf, 4, 5)));

#define KL_LOG_INFO(...) kl_log_write ('I', __FILE__, __LINE__, __VA_ARGS__)
#define KL_LOG_WARN(...) kl_log_write ('W', __FILE__, __LINE__, __VA_ARGS__)
#define KL_LOG_ERROR(...) kl_log_write ('E', __FILE__, __LINE__, __VA_ARGS__)
#define KL_LOG_V(level, ...)                                                                       \
  do                                                                                               \
    {                                                                                              \
      if (kl_log_enabled (level))                                                                  \
        kl_log_write ('I', __FILE__, __LINE__, __VA_ARGS__);                                       \
    }                                                                                              \
  while (0)

#ifdef __cplusplus
}
#endif

#endif
