/* What every libFuzzer target shares: the entry point and an invariant check that crashes. */
#ifndef KL_TEST_FUZZ_FUZZ_H
#define KL_TEST_FUZZ_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The one function each target defines: runs one input; returns 0. libFuzzer
   calls it (hack/fuzz.sh) and so does the replay test under gcc. */
int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

/* An invariant the code under test must keep whatever the input: when it
   does not, print where and abort, which libFuzzer reports as a crash and
   the replay test as a failure. */
#define KL_FUZZ_CHECK(cond, ...)                                                                   \
  do                                                                                               \
    {                                                                                              \
      if (!(cond))                                                                                 \
        {                                                                                          \
          fprintf (stderr, "%s:%d: invariant %s broken: ", __FILE__, __LINE__, #cond);             \
          fprintf (stderr, __VA_ARGS__);                                                           \
          fputc ('\n', stderr);                                                                    \
          abort ();                                                                                \
        }                                                                                          \
    }                                                                                              \
  while (0)

#ifdef __cplusplus
}
#endif

#endif
