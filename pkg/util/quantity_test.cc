#include <gtest/gtest.h>

#include <stdint.h>

#include <string>

extern "C" {
#include "pkg/util/quantity.h"
}

namespace {

struct GoodCase
{
  const char *in;
  int64_t value;
  int64_t milli;
  kl_quantity_format format;
};

const kl_quantity_format kDec = KL_QUANTITY_DECIMAL_SI;
const kl_quantity_format kBin = KL_QUANTITY_BINARY_SI;
const kl_quantity_format kExp = KL_QUANTITY_DECIMAL_EXPONENT;

const GoodCase kGood[] = {
  /* Plain numbers, signs and fractions. */
  { "0", 0, 0, kDec },
  { "-0", 0, 0, kDec },
  { "+0", 0, 0, kDec },
  { "0.0", 0, 0, kDec },
  { "-0.000", 0, 0, kDec },
  { "000", 0, 0, kDec },
  { "0Mi", 0, 0, kBin },
  { "0e9223372036854775807", 0, 0, kExp },
  { "1", 1, 1000, kDec },
  { "+1", 1, 1000, kDec },
  { "-1", -1, -1000, kDec },
  { "00012", 12, 12000, kDec },
  { "1.5", 2, 1500, kDec },
  { "-1.5", -2, -1500, kDec },
  { "0.5", 1, 500, kDec },
  { ".5", 1, 500, kDec },
  { "+.5", 1, 500, kDec },
  { "-.5", -1, -500, kDec },
  { "5.", 5, 5000, kDec },
  { "0000.5", 1, 500, kDec },
  { "0.1", 1, 100, kDec },
  { "2.000", 2, 2000, kDec },
  { "1.0001", 2, 1001, kDec },
  /* Decimal SI suffixes. */
  { "1n", 1, 1, kDec },
  { "999n", 1, 1, kDec },
  { "1000000n", 1, 1, kDec },
  { "1000001n", 1, 2, kDec },
  { "-1n", -1, -1, kDec },
  { "1u", 1, 1, kDec },
  { "100u", 1, 1, kDec },
  { "1000u", 1, 1, kDec },
  { "1500u", 1, 2, kDec },
  { "250m", 1, 250, kDec },
  { "-250m", -1, -250, kDec },
  { "100m", 1, 100, kDec },
  { "1000m", 1, 1000, kDec },
  { "1500m", 2, 1500, kDec },
  { "0.5m", 1, 1, kDec },
  { "1k", 1000, 1000000, kDec },
  { "1.5k", 1500, 1500000, kDec },
  { "1M", 1000000, 1000000000, kDec },
  { "1G", 1000000000, 1000000000000, kDec },
  { "1.G", 1000000000, 1000000000000, kDec },
  { "1T", 1000000000000, 1000000000000000, kDec },
  { "1P", 1000000000000000, 1000000000000000000, kDec },
  { "9P", 9000000000000000, 9000000000000000000, kDec },
  { "0.001E", 1000000000000000, 1000000000000000000, kDec },
  /* Binary SI suffixes. */
  { "1Ki", 1024, 1024000, kBin },
  { "100Mi", 104857600, 104857600000, kBin },
  { "1.5Gi", 1610612736, 1610612736000, kBin },
  { "1Ti", 1099511627776, 1099511627776000, kBin },
  { "1Pi", 1125899906842624, 1125899906842624000, kBin },
  { "8Pi", 9007199254740992, 9007199254740992000, kBin },
  { "-8Pi", -9007199254740992, -9007199254740992000, kBin },
  { "0.5Ki", 512, 512000, kBin },
  { "0.3Ki", 308, 307200, kBin },
  { "-0.3Ki", -308, -307200, kBin },
  { "0.001Ki", 2, 1024, kBin },
  { "0.0000001Ki", 1, 1, kBin },
  { "0.000000000001Ki", 1, 1, kBin },
  { "0.0001Ei", 115292150460685, 115292150460684698, kBin },
  /* Exponents. */
  { "1e3", 1000, 1000000, kExp },
  { "1E3", 1000, 1000000, kExp },
  { "1e+3", 1000, 1000000, kExp },
  { "1e0", 1, 1000, kExp },
  { "1e-0", 1, 1000, kExp },
  { "1e003", 1000, 1000000, kExp },
  { "1e-3", 1, 1, kExp },
  { "1.5e-3", 1, 2, kExp },
  { "12e-1", 2, 1200, kExp },
  { "-12e-1", -2, -1200, kExp },
  { "1E-9", 1, 1, kExp },
  { "1e-10", 1, 1, kExp },
  { "1e-9223372036854775808", 1, 1, kExp },
  { "0.5e1", 5, 5000, kExp },
  { "123456789012345678901234567890e-20", 1234567891, 1234567890124, kExp },
  { "9.223372036854775807e15", 9223372036854776, INT64_MAX, kExp },
  /* Rounding below a nano-unit is up, as ParseQuantity rounds. */
  { "0.0000000001", 1, 1, kDec },
  { "0.1n", 1, 1, kDec },
  /* int64 limits of the milli-unit value. */
  { "9223372036854775807m", 9223372036854776, INT64_MAX, kDec },
  { "9223372036854775.807", 9223372036854776, INT64_MAX, kDec },
  { "9223372036854775807000000n", 9223372036854776, INT64_MAX, kDec },
  { "-9223372036854775807m", -9223372036854776, -INT64_MAX, kDec },
  { "-9223372036854775808m", -9223372036854776, INT64_MIN, kDec },
  { "-9223372036854775807000001n", -9223372036854776, INT64_MIN, kDec },
  { "-9223372036854775808000000n", -9223372036854776, INT64_MIN, kDec },
};

TEST (QuantityTest, ParsesGoodInputs)
{
  for (const GoodCase &c : kGood)
    {
      SCOPED_TRACE (c.in);
      kl_error_t err = NULL;
      kl_quantity_t q;
      ASSERT_EQ (kl_quantity_parse (c.in, &q, &err), 0) << kl_error_message (err);
      EXPECT_EQ (err, nullptr);
      EXPECT_EQ (kl_quantity_value (&q), c.value);
      EXPECT_EQ (kl_quantity_milli_value (&q), c.milli);
      EXPECT_EQ (q.format, c.format);
    }
}

TEST (QuantityTest, KeepsNanoUnits)
{
  struct
  {
    const char *in;
    int64_t milli;
    int32_t nano;
  } cases[] = {
    { "1n", 0, 1 },
    { "-1n", 0, -1 },
    { "1.5u", 0, 1500 },
    { "250m", 250, 0 },
    { "1.000000001", 1000, 1 },
    { "-1.000000001", -1000, -1 },
    { "0.3Ki", 307200, 0 },
    { "0.0000000001Ki", 0, 103 }, /* 102.4n rounds up */
    { "123456789012345678901234567890e-20", 1234567890123, 456790 },
  };
  for (const auto &c : cases)
    {
      SCOPED_TRACE (c.in);
      kl_quantity_t q;
      ASSERT_EQ (kl_quantity_parse (c.in, &q, NULL), 0);
      EXPECT_EQ (q.milli, c.milli);
      EXPECT_EQ (q.nano, c.nano);
    }
}

TEST (QuantityTest, LongInputs)
{
  kl_quantity_t q;

  std::string tiny = "0." + std::string (10000, '0') + "1";
  ASSERT_EQ (kl_quantity_parse (tiny.c_str (), &q, NULL), 0);
  EXPECT_EQ (q.milli, 0);
  EXPECT_EQ (q.nano, 1);

  std::string trailing = "1." + std::string (10000, '0') + "Ki";
  ASSERT_EQ (kl_quantity_parse (trailing.c_str (), &q, NULL), 0);
  EXPECT_EQ (kl_quantity_value (&q), 1024);
  EXPECT_EQ (q.nano, 0);

  std::string shifted = "1" + std::string (10000, '0') + "e-10000";
  ASSERT_EQ (kl_quantity_parse (shifted.c_str (), &q, NULL), 0);
  EXPECT_EQ (kl_quantity_milli_value (&q), 1000);

  std::string huge = "1" + std::string (10000, '0');
  kl_error_t err = NULL;
  EXPECT_LT (kl_quantity_parse (huge.c_str (), &q, &err), 0);
  EXPECT_TRUE (kl_error_is (err, KL_ERROR_INVALID));
  kl_error_release (&err);
}

struct BadCase
{
  const char *in;
  const char *message;
};

const BadCase kBad[] = {
  { "", "invalid quantity \"\": empty string" },
  { "Mi", "invalid quantity \"Mi\": expected a number" },
  { "--1", "invalid quantity \"--1\": expected a number" },
  { "+-1", "invalid quantity \"+-1\": expected a number" },
  { "+", "invalid quantity \"+\": expected a number" },
  { "-", "invalid quantity \"-\": expected a number" },
  { ".", "invalid quantity \".\": expected a number" },
  { "+.", "invalid quantity \"+.\": expected a number" },
  { ".Ki", "invalid quantity \".Ki\": expected a number" },
  { "e3", "invalid quantity \"e3\": expected a number" },
  { " 1", "invalid quantity \" 1\": expected a number" },
  { "\xe2\x88\x9e", "invalid quantity \"\\xe2\\x88\\x9e\": expected a number" },
  { "1.2.3", "invalid quantity \"1.2.3\": unknown suffix \".3\"" },
  { "1..5", "invalid quantity \"1..5\": unknown suffix \".5\"" },
  { "1 Mi", "invalid quantity \"1 Mi\": unknown suffix \" Mi\"" },
  { "1 ", "invalid quantity \"1 \": unknown suffix \" \"" },
  { "1mi", "invalid quantity \"1mi\": unknown suffix \"mi\"" },
  { "1MiB", "invalid quantity \"1MiB\": unknown suffix \"MiB\"" },
  { "1Kib", "invalid quantity \"1Kib\": unknown suffix \"Kib\"" },
  { "1K", "invalid quantity \"1K\": unknown suffix \"K\"" },
  { "1ki", "invalid quantity \"1ki\": unknown suffix \"ki\"" },
  { "1KI", "invalid quantity \"1KI\": unknown suffix \"KI\"" },
  { "1b", "invalid quantity \"1b\": unknown suffix \"b\"" },
  { "1e", "invalid quantity \"1e\": unknown suffix \"e\"" },
  { "1i", "invalid quantity \"1i\": unknown suffix \"i\"" },
  { "0x10", "invalid quantity \"0x10\": unknown suffix \"x10\"" },
  { "1,5", "invalid quantity \"1,5\": unknown suffix \",5\"" },
  { "1_000", "invalid quantity \"1_000\": unknown suffix \"_000\"" },
  { "1\n", "invalid quantity \"1\\x0a\": unknown suffix \"\\x0a\"" },
  { "1\"", "invalid quantity \"1\\\"\": unknown suffix \"\\\"\"" },
  { "1\xff", "invalid quantity \"1\\xff\": unknown suffix \"\\xff\"" },
  { "1e+", "invalid quantity \"1e+\": invalid exponent \"e+\"" },
  { "1e-", "invalid quantity \"1e-\": invalid exponent \"e-\"" },
  { "1e1.5", "invalid quantity \"1e1.5\": invalid exponent \"e1.5\"" },
  { "1e3Mi", "invalid quantity \"1e3Mi\": invalid exponent \"e3Mi\"" },
  { "1e3 ", "invalid quantity \"1e3 \": invalid exponent \"e3 \"" },
  { "1E+-3", "invalid quantity \"1E+-3\": invalid exponent \"E+-3\"" },
  { "1Ee3", "invalid quantity \"1Ee3\": invalid exponent \"Ee3\"" },
  { "1e9223372036854775808", "invalid quantity \"1e9223372036854775808\": invalid exponent "
                             "\"e9223372036854775808\"" },
  { "1Mie3", "invalid quantity \"1Mie3\": unknown suffix \"Mie3\"" },
  /* The milli-unit value must fit in int64. */
  { "1E", "invalid quantity \"1E\": out of range" },
  { "10P", "invalid quantity \"10P\": out of range" },
  { "1Ei", "invalid quantity \"1Ei\": out of range" },
  { "-1Ei", "invalid quantity \"-1Ei\": out of range" },
  { "8.2Pi", "invalid quantity \"8.2Pi\": out of range" },
  { "1e19", "invalid quantity \"1e19\": out of range" },
  { "1e9223372036854775807", "invalid quantity \"1e9223372036854775807\": out of range" },
  { "9223372036854775808m", "invalid quantity \"9223372036854775808m\": out of range" },
  { "9223372036854775.8071", "invalid quantity \"9223372036854775.8071\": out of range" },
  { "9223372036854775807000001n", "invalid quantity \"9223372036854775807000001n\": out of range" },
  { "-9223372036854775809m", "invalid quantity \"-9223372036854775809m\": out of range" },
  { "-9223372036854775808000001n",
    "invalid quantity \"-9223372036854775808000001n\": out of range" },
  { "99999999999999999999999999999999999999999",
    "invalid quantity \"99999999999999999999999999999999999999999\": out of range" },
};

TEST (QuantityTest, RejectsBadInputs)
{
  for (const BadCase &c : kBad)
    {
      SCOPED_TRACE (c.in);
      kl_error_t err = NULL;
      kl_quantity_t q = { 42, 7, KL_QUANTITY_BINARY_SI };
      EXPECT_LT (kl_quantity_parse (c.in, &q, &err), 0);
      ASSERT_NE (err, nullptr);
      EXPECT_STREQ (kl_error_message (err), c.message);
      EXPECT_TRUE (kl_error_is (err, KL_ERROR_INVALID));
      EXPECT_EQ (q.milli, 42) << "output written on failure";
      EXPECT_EQ (q.nano, 7);
      kl_error_release (&err);
    }
}

TEST (QuantityTest, NullErrIsAllowed)
{
  kl_quantity_t q;
  EXPECT_LT (kl_quantity_parse ("1MiB", &q, NULL), 0);
}

TEST (QuantityTest, CallersPrefixTheFieldName)
{
  kl_error_t err = NULL;
  kl_quantity_t q;
  ASSERT_LT (kl_quantity_parse ("1mi", &q, &err), 0);
  kl_error_wrap (&err, "spec.containers[0].resources.limits[memory]");
  EXPECT_STREQ (kl_error_message (err), "spec.containers[0].resources.limits[memory]: "
                                        "invalid quantity \"1mi\": unknown suffix \"mi\"");
  kl_error_release (&err);
}

TEST (QuantityTest, EquivalentSpellingsAgree)
{
  const char *groups[][6] = {
    { "1", "1000m", "1000000u", "0.001k", "1e0", "1000000000n" },
    { "1Ki", "1024", "1.024k", "1024e0", "0.0009765625Mi", "1024000m" },
    { "1.5Gi", "1536Mi", "1572864Ki", "1610612736", "1.610612736G", "1610612736e0" },
    { "250m", "0.25", ".25", "250000u", "2.5e-1", "25e-2" },
  };
  for (const auto &group : groups)
    {
      kl_quantity_t first;
      ASSERT_EQ (kl_quantity_parse (group[0], &first, NULL), 0) << group[0];
      for (const char *s : group)
        {
          SCOPED_TRACE (s);
          kl_quantity_t q;
          ASSERT_EQ (kl_quantity_parse (s, &q, NULL), 0);
          EXPECT_EQ (q.milli, first.milli);
          EXPECT_EQ (q.nano, first.nano);
        }
    }
}

} // namespace
