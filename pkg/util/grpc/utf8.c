/* Proto3 strings must be valid UTF-8, as Go's protobuf runtime enforces when unmarshalling. */
#include <stdbool.h>
#include <string.h>

#include "pkg/util/grpc/grpc.h"

/* Go's utf8.Valid: no overlong forms, surrogates or code points past U+10FFFF. */
static bool
valid_utf8 (const unsigned char *s)
{
  while (*s)
    {
      unsigned char c = *s;
      size_t n;
      unsigned lo = 0x80, hi = 0xbf;
      if (c < 0x80)
        {
          s++;
          continue;
        }
      else if (c >= 0xc2 && c <= 0xdf)
        n = 1;
      else if (c >= 0xe0 && c <= 0xef)
        {
          n = 2;
          if (c == 0xe0)
            lo = 0xa0;
          else if (c == 0xed)
            hi = 0x9f;
        }
      else if (c >= 0xf0 && c <= 0xf4)
        {
          n = 3;
          if (c == 0xf0)
            lo = 0x90;
          else if (c == 0xf4)
            hi = 0x8f;
        }
      else
        return false;
      if (s[1] < lo || s[1] > hi)
        return false;
      for (size_t i = 2; i <= n; i++)
        if (s[i] < 0x80 || s[i] > 0xbf)
          return false;
      s += n + 1;
    }
  return true;
}

/* Whether the field is present: a oneof member counts only when selected. */
static bool
field_present (const ProtobufCMessage *m, const ProtobufCFieldDescriptor *f)
{
  if (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF)
    return *(const uint32_t *) ((const char *) m + f->quantifier_offset) == f->id;
  return true;
}

int
kl_grpc_check_utf8 (const ProtobufCMessage *m, kl_error_t *err)
{
  const ProtobufCMessageDescriptor *d = m->descriptor;
  for (unsigned i = 0; i < d->n_fields; i++)
    {
      const ProtobufCFieldDescriptor *f = &d->fields[i];
      if ((f->type != PROTOBUF_C_TYPE_STRING && f->type != PROTOBUF_C_TYPE_MESSAGE)
          || !field_present (m, f))
        continue;
      const void *member = (const char *) m + f->offset;
      size_t n = 1;
      const void *const *values = member;
      if (f->label == PROTOBUF_C_LABEL_REPEATED)
        {
          n = *(const size_t *) ((const char *) m + f->quantifier_offset);
          values = *(const void *const *const *) member;
        }
      for (size_t j = 0; j < n; j++)
        {
          if (values[j] == NULL)
            continue;
          if (f->type == PROTOBUF_C_TYPE_STRING && !valid_utf8 (values[j]))
            return kl_make_error_kind (err, KL_ERROR_INVALID, KL_GRPC_INVALID_ARGUMENT,
                                       "%s.%s: string field contains invalid UTF-8", d->name,
                                       f->name);
          if (f->type == PROTOBUF_C_TYPE_MESSAGE)
            {
              int ret = kl_grpc_check_utf8 (values[j], err);
              if (ret < 0)
                return ret;
            }
        }
    }
  return 0;
}
