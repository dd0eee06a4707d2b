/* Fuzzes kl_duration_parse and kl_duration_format: any text parses or fails
   cleanly, and what parses formats to text that parses back to the same value. */
#include <string.h>

#include "pkg/util/duration.h"
#include "pkg/util/utils.h"
#include "test/fuzz/fuzz.h"

#define UNTOUCHED ((int64_t) 0x5eed5eed5eed5eed)

static void
check_round_trip (int64_t ns)
{
  cleanup_free char *text = kl_duration_format (ns);
  int64_t back = UNTOUCHED;
  kl_error_t err = NULL;
  int ret = kl_duration_parse (text, &back, &err);
  KL_FUZZ_CHECK (ret == 0, "%s does not parse back: %s", text, kl_error_message (err));
  KL_FUZZ_CHECK (back == ns, "%s parses back to %lld, not %lld", text, (long long) back,
                 (long long) ns);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  /* The text up to the first NUL, as a manifest or flag would carry it. */
  cleanup_free char *s = xstrndup ((const char *) data, size);
  int64_t ns = UNTOUCHED;
  kl_error_t err = NULL;
  if (kl_duration_parse (s, &ns, &err) == 0)
    {
      KL_FUZZ_CHECK (err == NULL, "success with an error set");
      check_round_trip (ns);
    }
  else
    {
      KL_FUZZ_CHECK (kl_error_is (err, KL_ERROR_INVALID), "failure of kind %d",
                     err ? (int) err->kind : -1);
      KL_FUZZ_CHECK (strncmp (kl_error_message (err), "invalid duration ", 17) == 0, "message %s",
                     kl_error_message (err));
      KL_FUZZ_CHECK (ns == UNTOUCHED, "failure wrote the output");
      kl_error_release (&err);
    }

  /* The first 8 bytes as a value: every int64 formats and parses back. */
  if (size >= sizeof (int64_t))
    {
      int64_t v;
      memcpy (&v, data, sizeof v);
      check_round_trip (v);
    }
  return 0;
}
