#include "test/e2e_node/sanitizer_report.h"

#include <ctype.h>

#include <algorithm>

namespace e2e {

namespace {

const size_t kMaxReport = 8192;

// UBSan's "<file>:<line>:<column>: runtime error: ...": digits, a colon and
// digits right before the marker, so a log line merely quoting the words
// "runtime error" does not count.
size_t
FindUbsan (const std::string &log)
{
  const std::string marker = ": runtime error: ";
  for (size_t at = log.find (marker); at != std::string::npos; at = log.find (marker, at + 1))
    {
      size_t i = at;
      size_t column_digits = 0, line_digits = 0;
      while (i > 0 && isdigit ((unsigned char) log[i - 1]))
        i--, column_digits++;
      if (column_digits == 0 || i == 0 || log[i - 1] != ':')
        continue;
      i--;
      while (i > 0 && isdigit ((unsigned char) log[i - 1]))
        i--, line_digits++;
      if (line_digits > 0)
        return at;
    }
  return std::string::npos;
}

} // namespace

std::string
SanitizerReport (const std::string &log)
{
  size_t at = std::string::npos;
  for (const char *marker : { "ERROR: AddressSanitizer", "ERROR: LeakSanitizer" })
    at = std::min (at, log.find (marker));
  at = std::min (at, FindUbsan (log));
  if (at == std::string::npos)
    return "";
  size_t begin = log.rfind ('\n', at);
  begin = begin == std::string::npos ? 0 : begin + 1;
  size_t end = log.find ("SUMMARY: ", at);
  end = end == std::string::npos ? log.size () : log.find ('\n', end);
  if (end == std::string::npos)
    end = log.size ();
  return log.substr (begin, std::min (end - begin, kMaxReport));
}

} // namespace e2e
