#include <gtest/gtest.h>

#include <stdint.h>
#include <stdlib.h>

#include <string>

extern "C" {
#include "pkg/util/duration.h"
}

namespace {

const int64_t kNs = KL_NANOSECOND;
const int64_t kUs = KL_MICROSECOND;
const int64_t kMs = KL_MILLISECOND;
const int64_t kS = KL_SECOND;
const int64_t kMin = KL_MINUTE;
const int64_t kH = KL_HOUR;

std::string
Format (int64_t ns)
{
  char *s = kl_duration_format (ns);
  std::string out (s);
  free (s);
  return out;
}

struct GoodCase
{
  const char *in;
  int64_t want;
};

/* Go's parseDurationTests plus kubelet flag values. */
const GoodCase kGood[] = {
  { "0", 0 },
  { "5s", 5 * kS },
  { "30s", 30 * kS },
  { "1478s", 1478 * kS },
  { "-5s", -5 * kS },
  { "+5s", 5 * kS },
  { "-0", 0 },
  { "+0", 0 },
  { "0s", 0 },
  { "-0s", 0 },
  { "0.0s", 0 },
  { "000s", 0 },
  { "5.0s", 5 * kS },
  { "5.6s", 5 * kS + 600 * kMs },
  { "5.s", 5 * kS },
  { ".5s", 500 * kMs },
  { "-.5s", -500 * kMs },
  { "1.0s", 1 * kS },
  { "1.00s", 1 * kS },
  { "1.004s", 1 * kS + 4 * kMs },
  { "1.0040s", 1 * kS + 4 * kMs },
  { "100.00100s", 100 * kS + 1 * kMs },
  { "10ns", 10 * kNs },
  { "11us", 11 * kUs },
  { "12\xc2\xb5s", 12 * kUs }, /* U+00B5 */
  { "12\xce\xbcs", 12 * kUs }, /* U+03BC */
  { "13ms", 13 * kMs },
  { "14s", 14 * kS },
  { "15m", 15 * kMin },
  { "16h", 16 * kH },
  { "3h30m", 3 * kH + 30 * kMin },
  { "10.5s4m", 4 * kMin + 10 * kS + 500 * kMs },
  { "-2m3.4s", -(2 * kMin + 3 * kS + 400 * kMs) },
  { "1h2m3s4ms5us6ns", 1 * kH + 2 * kMin + 3 * kS + 4 * kMs + 5 * kUs + 6 * kNs },
  { "39h9m14.425s", 39 * kH + 9 * kMin + 14 * kS + 425 * kMs },
  { "1s1s", 2 * kS },
  { "1m30s", 90 * kS },
  { "1.5h", 90 * kMin },
  { "2h45m", 2 * kH + 45 * kMin },
  { "300ms", 300 * kMs },
  { "4h0m0s", 4 * kH },
  { "52763797000ns", 52763797000 * kNs },
  /* More than nine digits after the point (golang.org/issue/6617). */
  { "0.3333333333333333333h", 20 * kMin },
  /* 2^53 + 1 is not exact in a double. */
  { "9007199254740993ns", ((int64_t) 1 << 53) + 1 },
  { "1.000000001s", 1 * kS + 1 },
  { "0.000000001s", 1 },
  { "0.0000000009s", 0 },
  { "9223372036854775807ns", INT64_MAX },
  { "9223372036854775.807us", INT64_MAX },
  { "9223372036s854ms775us807ns", INT64_MAX },
  { "2562047h47m16.854775807s", INT64_MAX },
  { "-9223372036854775808ns", INT64_MIN },
  { "-9223372036854775.808us", INT64_MIN },
  { "-9223372036s854ms775us808ns", INT64_MIN },
  { "-2562047h47m16.854775808s", INT64_MIN },
  /* A long fraction (golang.org/issue/15011). */
  { "0.100000000000000000000h", 6 * kMin },
  /* The first overflow check in the fraction scanner. */
  { "0.830103483285477580700h", 49 * kMin + 48 * kS + 372539827 * kNs },
  { "1.00000000000000000000000000000000000000000000000000001s", 1 * kS },
};

TEST (DurationTest, ParsesGoodInputs)
{
  for (const GoodCase &c : kGood)
    {
      SCOPED_TRACE (c.in);
      kl_error_t err = NULL;
      int64_t got = 12345;
      ASSERT_EQ (kl_duration_parse (c.in, &got, &err), 0) << kl_error_message (err);
      EXPECT_EQ (err, nullptr);
      EXPECT_EQ (got, c.want);
    }
}

struct BadCase
{
  const char *in;
  const char *message;
};

const BadCase kBad[] = {
  { "", "invalid duration \"\": empty string" },
  { "3", "invalid duration \"3\": missing unit" },
  { "1", "invalid duration \"1\": missing unit" },
  { "00", "invalid duration \"00\": missing unit" },
  { "-1", "invalid duration \"-1\": missing unit" },
  { "1s1", "invalid duration \"1s1\": missing unit" },
  { "1.5.3s", "invalid duration \"1.5.3s\": missing unit" },
  { "-", "invalid duration \"-\": expected a number" },
  { "+", "invalid duration \"+\": expected a number" },
  { "s", "invalid duration \"s\": expected a number" },
  { ".", "invalid duration \".\": expected a number" },
  { "-.", "invalid duration \"-.\": expected a number" },
  { ".s", "invalid duration \".s\": expected a number" },
  { "+.s", "invalid duration \"+.s\": expected a number" },
  { "1s.s", "invalid duration \"1s.s\": expected a number" },
  { "--1s", "invalid duration \"--1s\": expected a number" },
  { "+-1s", "invalid duration \"+-1s\": expected a number" },
  { " 1s", "invalid duration \" 1s\": expected a number" },
  { "1x", "invalid duration \"1x\": unknown unit \"x\"" },
  { "1S", "invalid duration \"1S\": unknown unit \"S\"" },
  { "1sec", "invalid duration \"1sec\": unknown unit \"sec\"" },
  { "1d", "invalid duration \"1d\": unknown unit \"d\"" },
  { "1 s", "invalid duration \"1 s\": unknown unit \" s\"" },
  { "1s ", "invalid duration \"1s \": unknown unit \"s \"" },
  { "1hm", "invalid duration \"1hm\": unknown unit \"hm\"" },
  { "1e3s", "invalid duration \"1e3s\": unknown unit \"e\"" },
  { "1\xce\xbc", "invalid duration \"1\\xce\\xbc\": unknown unit \"\\xce\\xbc\"" },
  { "1\"s", "invalid duration \"1\\\"s\": unknown unit \"\\\"s\"" },
  { "\x85\x85", "invalid duration \"\\x85\\x85\": expected a number" },
  { "\xff"
    "ff",
    "invalid duration \"\\xffff\": expected a number" },
  { "hello \xffworld", "invalid duration \"hello \\xffworld\": expected a number" },
  { "\xef\xbf\xbd", "invalid duration \"\\xef\\xbf\\xbd\": expected a number" },
  { "1\ts", "invalid duration \"1\\x09s\": unknown unit \"\\x09s\"" },
  /* Overflow. */
  { "9223372036854775810ns", "invalid duration \"9223372036854775810ns\": out of range" },
  { "9223372036854775808ns", "invalid duration \"9223372036854775808ns\": out of range" },
  { "-9223372036854775809ns", "invalid duration \"-9223372036854775809ns\": out of range" },
  { "9223372036854776us", "invalid duration \"9223372036854776us\": out of range" },
  { "3000000h", "invalid duration \"3000000h\": out of range" },
  { "9223372036854775.808us", "invalid duration \"9223372036854775.808us\": out of range" },
  { "9223372036854ms775us808ns", "invalid duration \"9223372036854ms775us808ns\": out of range" },
  { "2562047h47m16.854775808s", "invalid duration \"2562047h47m16.854775808s\": out of range" },
  { "99999999999999999999s", "invalid duration \"99999999999999999999s\": out of range" },
  { "2562048h", "invalid duration \"2562048h\": out of range" },
  /* Go wraps 2^63 + 2^63 to 0 here; this parser rejects it. */
  { "9223372036854775808ns9223372036854775808ns",
    "invalid duration \"9223372036854775808ns9223372036854775808ns\": out of range" },
  { "-9223372036854775808ns9223372036854775808ns",
    "invalid duration \"-9223372036854775808ns9223372036854775808ns\": out of range" },
};

TEST (DurationTest, RejectsBadInputs)
{
  for (const BadCase &c : kBad)
    {
      SCOPED_TRACE (c.in);
      kl_error_t err = NULL;
      int64_t got = 12345;
      EXPECT_LT (kl_duration_parse (c.in, &got, &err), 0);
      ASSERT_NE (err, nullptr);
      EXPECT_STREQ (kl_error_message (err), c.message);
      EXPECT_TRUE (kl_error_is (err, KL_ERROR_INVALID));
      EXPECT_EQ (got, 12345) << "output written on failure";
      kl_error_release (&err);
    }
}

TEST (DurationTest, NullErrIsAllowed)
{
  int64_t got = 7;
  EXPECT_LT (kl_duration_parse ("1x", &got, NULL), 0);
  EXPECT_EQ (got, 7);
}

TEST (DurationTest, CallersPrefixTheFieldName)
{
  kl_error_t err = NULL;
  int64_t got;
  ASSERT_LT (kl_duration_parse ("10", &got, &err), 0);
  kl_error_wrap (&err, "--sync-frequency");
  EXPECT_STREQ (kl_error_message (err), "--sync-frequency: invalid duration \"10\": missing unit");
  kl_error_release (&err);
}

struct FormatCase
{
  int64_t ns;
  const char *want;
};

/* Go's durationTests plus the values the kubelet prints. */
const FormatCase kFormat[] = {
  { 0, "0s" },
  { 1, "1ns" },
  { 999, "999ns" },
  { -1, "-1ns" },
  { 1000, "1\xc2\xb5s" },
  { 1100, "1.1\xc2\xb5s" },
  { 1001, "1.001\xc2\xb5s" },
  { 999999, "999.999\xc2\xb5s" },
  { 2200 * kUs, "2.2ms" },
  { 100 * kMs, "100ms" },
  { 999999999, "999.999999ms" },
  { -100 * kMs, "-100ms" },
  { 1 * kS, "1s" },
  { 1500 * kMs, "1.5s" },
  { 3300 * kMs, "3.3s" },
  { 59 * kS, "59s" },
  { 60 * kS, "1m0s" },
  { 90 * kS, "1m30s" },
  { 4 * kMin + 5 * kS, "4m5s" },
  { 4 * kMin + 5001 * kMs, "4m5.001s" },
  { 5 * kH + 6 * kMin + 7001 * kMs, "5h6m7.001s" },
  { 8 * kMin + 1, "8m0.000000001s" },
  { 2 * kH, "2h0m0s" },
  { 1 * kH + 1 * kS, "1h0m1s" },
  { -(2 * kMin + 3 * kS + 400 * kMs), "-2m3.4s" },
  { 24 * kH, "24h0m0s" },
  { INT64_MAX, "2562047h47m16.854775807s" },
  { INT64_MIN, "-2562047h47m16.854775808s" },
  { INT64_MIN + 1, "-2562047h47m16.854775807s" },
};

TEST (DurationTest, FormatsLikeGo)
{
  for (const FormatCase &c : kFormat)
    {
      SCOPED_TRACE (c.want);
      EXPECT_EQ (Format (c.ns), c.want);
    }
}

void
ExpectRoundTrip (int64_t ns)
{
  std::string text = Format (ns);
  SCOPED_TRACE (text);
  kl_error_t err = NULL;
  int64_t back = 0;
  ASSERT_EQ (kl_duration_parse (text.c_str (), &back, &err), 0) << kl_error_message (err);
  EXPECT_EQ (back, ns);
}

TEST (DurationTest, FormatRoundTrips)
{
  for (const FormatCase &c : kFormat)
    ExpectRoundTrip (c.ns);
  for (const GoodCase &c : kGood)
    ExpectRoundTrip (c.want);

  /* Every magnitude from 1ns to 2^62ns with a spread of low digits, from a
     fixed-seed linear congruential generator so failures reproduce. */
  uint64_t state = 0x2545F4914F6CDD1DULL;
  for (int shift = 0; shift < 63; shift++)
    for (int i = 0; i < 64; i++)
      {
        state = state * 6364136223846793005ULL + 1442695040888963407ULL;
        int64_t ns = (int64_t) ((state >> 1) >> (62 - shift));
        ExpectRoundTrip (ns);
        ExpectRoundTrip (-ns);
      }
}

TEST (DurationTest, ParseOfFormatIsIdentityOnText)
{
  const char *canonical[] = { "0s",   "1ns",   "1.5\xc2\xb5s", "100ms",
                              "1.5s", "1m30s", "2h0m0s",       "-2562047h47m16.854775808s" };
  for (const char *text : canonical)
    {
      SCOPED_TRACE (text);
      int64_t ns = 0;
      ASSERT_EQ (kl_duration_parse (text, &ns, NULL), 0);
      EXPECT_EQ (Format (ns), text);
    }
}

} // namespace

TEST (DurationTest, FromSecondsSaturates)
{
  EXPECT_EQ (kl_duration_from_seconds (0), 0);
  EXPECT_EQ (kl_duration_from_seconds (2), 2 * KL_SECOND);
  EXPECT_EQ (kl_duration_from_seconds (-3), -3 * KL_SECOND);
  EXPECT_EQ (kl_duration_from_seconds (INT64_MAX / KL_SECOND), INT64_MAX / KL_SECOND * KL_SECOND);
  EXPECT_EQ (kl_duration_from_seconds (INT64_MAX / KL_SECOND + 1), INT64_MAX);
  EXPECT_EQ (kl_duration_from_seconds (INT64_MAX), INT64_MAX);
  EXPECT_EQ (kl_duration_from_seconds (INT64_MIN), INT64_MIN);
}

TEST (DurationTest, AddSaturates)
{
  EXPECT_EQ (kl_duration_add (2, 3), 5);
  EXPECT_EQ (kl_duration_add (-2, 3), 1);
  EXPECT_EQ (kl_duration_add (INT64_MAX - 1, 1), INT64_MAX);
  EXPECT_EQ (kl_duration_add (22207371894879, INT64_MAX), INT64_MAX);
  EXPECT_EQ (kl_duration_add (-5, INT64_MIN), INT64_MIN);
  EXPECT_EQ (kl_duration_add (INT64_MAX, INT64_MIN), -1);
}
