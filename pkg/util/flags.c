#include "pkg/util/flags.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pkg/util/duration.h"
#include "pkg/util/quantity.h"
#include "pkg/util/utils.h"

struct flag_entry
{
  const kl_flag_t *flag;
  void *base;
  char *default_text; /* the value when the table was added, as --help shows it */
  bool changed;       /* given on the command line of the current parse */
};

struct kl_flag_set_s
{
  struct flag_entry *entries;
  size_t n_entries;
  char **args; /* positional arguments of the last parse, borrowed from argv */
  size_t n_args;
};

static void *
value_ptr (const kl_flag_t *flag, void *base)
{
  return (char *) base + flag->offset;
}

void
kl_strv_free (char **strv)
{
  if (strv == NULL)
    return;
  for (char **p = strv; *p; p++)
    free (*p);
  free (strv);
}

size_t
kl_strv_length (char *const *strv)
{
  size_t n = 0;
  while (strv && strv[n])
    n++;
  return n;
}

static void
strv_append (char ***strv, const char *s, size_t len)
{
  size_t n = kl_strv_length (*strv);
  *strv = xrealloc (*strv, (n + 2) * sizeof (char *));
  (*strv)[n] = xstrndup (s, len);
  (*strv)[n + 1] = NULL;
}

void
kl_string_multimap_add (kl_string_multimap_t *m, const char *key, const char *value)
{
  kl_string_multimap_entry_t *e = (kl_string_multimap_entry_t *) kl_string_multimap_get (m, key);
  if (e == NULL)
    {
      m->entries = xrealloc (m->entries, (m->n_entries + 1) * sizeof *m->entries);
      e = &m->entries[m->n_entries++];
      e->key = xstrdup (key);
      e->values = NULL;
      e->n_values = 0;
    }
  strv_append (&e->values, value, strlen (value));
  e->n_values++;
}

const kl_string_multimap_entry_t *
kl_string_multimap_get (const kl_string_multimap_t *m, const char *key)
{
  for (size_t i = 0; i < m->n_entries; i++)
    if (strcmp (m->entries[i].key, key) == 0)
      return &m->entries[i];
  return NULL;
}

void
kl_string_multimap_clear (kl_string_multimap_t *m)
{
  for (size_t i = 0; i < m->n_entries; i++)
    {
      free (m->entries[i].key);
      kl_strv_free (m->entries[i].values);
    }
  free (m->entries);
  m->entries = NULL;
  m->n_entries = 0;
}

/* Go's strconv.ParseBool. */
static int
parse_bool (const char *text, bool *out, kl_error_t *err)
{
  static const char *const truths[] = { "1", "t", "T", "TRUE", "true", "True" };
  static const char *const falsehoods[] = { "0", "f", "F", "FALSE", "false", "False" };
  for (size_t i = 0; i < KL_ARRAY_SIZE (truths); i++)
    if (strcmp (text, truths[i]) == 0)
      {
        *out = true;
        return 0;
      }
  for (size_t i = 0; i < KL_ARRAY_SIZE (falsehoods); i++)
    if (strcmp (text, falsehoods[i]) == 0)
      {
        *out = false;
        return 0;
      }
  return kl_make_error_kind (err, KL_ERROR_INVALID, 0, "expected true or false");
}

/* An integer in [min, max] written as strconv.ParseInt with base 0 reads it:
   decimal, 0x hexadecimal or 0-prefixed octal, with an optional sign. */
static int
parse_integer (const char *text, long long min, long long max, const char *range_name,
               long long *out, kl_error_t *err)
{
  const char *digits = text[0] == '+' || text[0] == '-' ? text + 1 : text;
  if (!isdigit ((unsigned char) digits[0]))
    return kl_make_error_kind (err, KL_ERROR_INVALID, 0, "not an integer");
  char *end = NULL;
  errno = 0;
  long long v = strtoll (text, &end, 0);
  if (end == text || *end != '\0')
    return kl_make_error_kind (err, KL_ERROR_INVALID, 0, "not an integer");
  if (errno == ERANGE || v < min || v > max)
    {
      if (range_name)
        return kl_make_error_kind (err, KL_ERROR_INVALID, 0, "out of range for %s", range_name);
      return kl_make_error_kind (err, KL_ERROR_INVALID, 0, "must be between %lld and %lld", min,
                                 max);
    }
  *out = v;
  return 0;
}

static int
parse_ip (const char *text, kl_error_t *err)
{
  unsigned char buf[sizeof (struct in6_addr)];
  if (text[0] == '\0' || inet_pton (AF_INET, text, buf) == 1
      || inet_pton (AF_INET6, text, buf) == 1)
    return 0;
  return kl_make_error_kind (err, KL_ERROR_INVALID, 0, "not a valid IP address");
}

static void
replace_string (char **dst, const char *text)
{
  free (*dst);
  *dst = xstrdup (text);
}

/* pflag's stringSlice.Set: the comma-separated items, kept verbatim. */
static void
set_string_list (char ***dst, const char *text, bool append)
{
  if (!append)
    {
      kl_strv_free (*dst);
      *dst = NULL;
    }
  if (text[0] == '\0')
    return;
  const char *p = text;
  for (;;)
    {
      const char *comma = strchr (p, ',');
      size_t len = comma ? (size_t) (comma - p) : strlen (p);
      strv_append (dst, p, len);
      if (comma == NULL)
        break;
      p = comma + 1;
    }
}

static char *
trimmed (const char *s, size_t len)
{
  while (len > 0 && isspace ((unsigned char) s[0]))
    s++, len--;
  while (len > 0 && isspace ((unsigned char) s[len - 1]))
    len--;
  return xstrndup (s, len);
}

/* cliflag's ColonSeparatedMultimapStringString.Set: "k:v,k2:v2", each key and
   value trimmed, empty pairs skipped. */
static int
set_multimap (kl_string_multimap_t *dst, const char *text, bool append, kl_error_t *err)
{
  kl_string_multimap_t parsed = { NULL, 0 };
  const char *p = text;
  for (;;)
    {
      const char *comma = strchr (p, ',');
      size_t len = comma ? (size_t) (comma - p) : strlen (p);
      if (len > 0)
        {
          const char *colon = memchr (p, ':', len);
          if (colon == NULL)
            {
              kl_string_multimap_clear (&parsed);
              return kl_make_error_kind (err, KL_ERROR_INVALID, 0,
                                         "malformed pair, expect string:string");
            }
          cleanup_free char *key = trimmed (p, (size_t) (colon - p));
          cleanup_free char *value = trimmed (colon + 1, len - (size_t) (colon - p) - 1);
          kl_string_multimap_add (&parsed, key, value);
        }
      if (comma == NULL)
        break;
      p = comma + 1;
    }
  if (!append)
    kl_string_multimap_clear (dst);
  for (size_t i = 0; i < parsed.n_entries; i++)
    for (size_t j = 0; j < parsed.entries[i].n_values; j++)
      kl_string_multimap_add (dst, parsed.entries[i].key, parsed.entries[i].values[j]);
  kl_string_multimap_clear (&parsed);
  return 0;
}

/* Sets the value of `flag` from `text`; `append` is false for the first
   occurrence of a list or multimap flag, which replaces the default. */
static int
set_value (const kl_flag_t *flag, void *base, const char *text, bool append, kl_error_t *err)
{
  void *v = value_ptr (flag, base);
  long long n = 0;
  int ret;
  switch (flag->type)
    {
    case KL_FLAG_BOOL:
      return parse_bool (text, (bool *) v, err);

    case KL_FLAG_STRING:
      replace_string ((char **) v, text);
      return 0;

    case KL_FLAG_IP:
      ret = parse_ip (text, err);
      if (ret < 0)
        return ret;
      replace_string ((char **) v, text);
      return 0;

    case KL_FLAG_QUANTITY:
      {
        kl_quantity_t q;
        ret = kl_quantity_parse (text, &q, err);
        if (ret < 0)
          return ret;
        replace_string ((char **) v, text);
        return 0;
      }

    case KL_FLAG_INT:
      ret = parse_integer (text, INT_MIN, INT_MAX, "int", &n, err);
      if (ret < 0)
        return ret;
      *(int *) v = (int) n;
      return 0;

    case KL_FLAG_INT32:
      ret = parse_integer (text, INT32_MIN, INT32_MAX, "int32", &n, err);
      if (ret < 0)
        return ret;
      *(int32_t *) v = (int32_t) n;
      return 0;

    case KL_FLAG_PORT:
      ret = parse_integer (text, 0, 65535, NULL, &n, err);
      if (ret < 0)
        return ret;
      *(int32_t *) v = (int32_t) n;
      return 0;

    case KL_FLAG_DURATION:
      return kl_duration_parse (text, (int64_t *) v, err);

    case KL_FLAG_STRING_LIST:
      set_string_list ((char ***) v, text, append);
      return 0;

    case KL_FLAG_MULTIMAP:
      return set_multimap ((kl_string_multimap_t *) v, text, append, err);
    }
  return kl_make_error_kind (err, KL_ERROR_INVALID, 0, "flag --%s has an unknown type %d",
                             flag->name, (int) flag->type);
}

void
kl_flag_values_free (const kl_flag_table_t *table)
{
  for (size_t i = 0; i < table->n_flags; i++)
    {
      const kl_flag_t *flag = &table->flags[i];
      void *v = value_ptr (flag, table->base);
      switch (flag->type)
        {
        case KL_FLAG_STRING:
        case KL_FLAG_IP:
        case KL_FLAG_QUANTITY:
          free (*(char **) v);
          *(char **) v = NULL;
          break;
        case KL_FLAG_STRING_LIST:
          kl_strv_free (*(char ***) v);
          *(char ***) v = NULL;
          break;
        case KL_FLAG_MULTIMAP:
          kl_string_multimap_clear ((kl_string_multimap_t *) v);
          break;
        default:
          break;
        }
    }
}

/* The value as pflag's Value.String() renders it; *is_zero tells whether
   --help leaves the default out. */
static char *
format_value (const kl_flag_t *flag, void *base, bool *is_zero)
{
  void *v = value_ptr (flag, base);
  switch (flag->type)
    {
    case KL_FLAG_BOOL:
      *is_zero = !*(bool *) v;
      return xstrdup (*(bool *) v ? "true" : "false");

    case KL_FLAG_STRING:
    case KL_FLAG_IP:
    case KL_FLAG_QUANTITY:
      {
        const char *s = *(char **) v ? *(char **) v : "";
        *is_zero = s[0] == '\0';
        return xstrdup (s);
      }

    case KL_FLAG_INT:
      *is_zero = *(int *) v == 0;
      return xasprintf ("%d", *(int *) v);

    case KL_FLAG_INT32:
    case KL_FLAG_PORT:
      *is_zero = *(int32_t *) v == 0;
      return xasprintf ("%d", (int) *(int32_t *) v);

    case KL_FLAG_DURATION:
      *is_zero = *(int64_t *) v == 0;
      return kl_duration_format (*(int64_t *) v);

    case KL_FLAG_STRING_LIST:
      {
        char **strv = *(char ***) v;
        *is_zero = kl_strv_length (strv) == 0;
        size_t len = 3;
        for (size_t i = 0; strv && strv[i]; i++)
          len += strlen (strv[i]) + 1;
        char *out = xmalloc (len);
        strcpy (out, "[");
        for (size_t i = 0; strv && strv[i]; i++)
          {
            if (i > 0)
              strcat (out, ",");
            strcat (out, strv[i]);
          }
        strcat (out, "]");
        return out;
      }

    case KL_FLAG_MULTIMAP:
      {
        const kl_string_multimap_t *m = (const kl_string_multimap_t *) v;
        *is_zero = m->n_entries == 0;
        size_t len = 1;
        for (size_t i = 0; i < m->n_entries; i++)
          for (size_t j = 0; j < m->entries[i].n_values; j++)
            len += strlen (m->entries[i].key) + strlen (m->entries[i].values[j]) + 2;
        char *out = xmalloc (len);
        out[0] = '\0';
        for (size_t i = 0; i < m->n_entries; i++)
          for (size_t j = 0; j < m->entries[i].n_values; j++)
            {
              if (out[0])
                strcat (out, ",");
              strcat (out, m->entries[i].key);
              strcat (out, ":");
              strcat (out, m->entries[i].values[j]);
            }
        return out;
      }
    }
  *is_zero = true;
  return xstrdup ("");
}

static const char *
type_name (enum kl_flag_type type)
{
  switch (type)
    {
    case KL_FLAG_BOOL:
      return "";
    case KL_FLAG_STRING:
      return "string";
    case KL_FLAG_IP:
      return "ip";
    case KL_FLAG_QUANTITY:
      return "quantity";
    case KL_FLAG_INT:
      return "int";
    case KL_FLAG_INT32:
    case KL_FLAG_PORT:
      return "int32";
    case KL_FLAG_DURATION:
      return "duration";
    case KL_FLAG_STRING_LIST:
      return "strings";
    case KL_FLAG_MULTIMAP:
      return "colonSeparatedMultimapStringString";
    }
  return "value";
}

kl_flag_set_t *
kl_flag_set_new (void)
{
  return xmalloc0 (sizeof (kl_flag_set_t));
}

void
kl_flag_set_free (kl_flag_set_t *set)
{
  if (set == NULL)
    return;
  for (size_t i = 0; i < set->n_entries; i++)
    free (set->entries[i].default_text);
  free (set->entries);
  free (set->args);
  free (set);
}

void
kl_flag_set_freep (kl_flag_set_t **set)
{
  kl_flag_set_free (*set);
  *set = NULL;
}

static struct flag_entry *
lookup_name (const kl_flag_set_t *set, const char *name, size_t len)
{
  for (size_t i = 0; i < set->n_entries; i++)
    {
      const char *n = set->entries[i].flag->name;
      if (strlen (n) == len && memcmp (n, name, len) == 0)
        return &set->entries[i];
    }
  return NULL;
}

static struct flag_entry *
lookup_shorthand (const kl_flag_set_t *set, char c)
{
  for (size_t i = 0; i < set->n_entries; i++)
    if (set->entries[i].flag->shorthand == c)
      return &set->entries[i];
  return NULL;
}

int
kl_flag_set_add_table (kl_flag_set_t *set, const kl_flag_table_t *table, kl_error_t *err)
{
  for (size_t i = 0; i < table->n_flags; i++)
    {
      const kl_flag_t *flag = &table->flags[i];
      if (flag->name == NULL || flag->name[0] == '\0' || flag->name[0] == '-')
        return kl_make_error_kind (err, KL_ERROR_INVALID, 0, "flag %zu has an invalid name", i);
      bool clash = lookup_name (set, flag->name, strlen (flag->name)) != NULL;
      bool short_clash = flag->shorthand && lookup_shorthand (set, flag->shorthand) != NULL;
      for (size_t j = 0; j < i; j++)
        {
          clash = clash || strcmp (table->flags[j].name, flag->name) == 0;
          short_clash
              = short_clash || (flag->shorthand && table->flags[j].shorthand == flag->shorthand);
        }
      if (clash)
        return kl_make_error_kind (err, KL_ERROR_ALREADY_EXISTS, 0, "flag redefined: %s",
                                   flag->name);
      if (short_clash)
        return kl_make_error_kind (err, KL_ERROR_ALREADY_EXISTS, 0,
                                   "unable to redefine %c shorthand for flag %s", flag->shorthand,
                                   flag->name);
    }
  set->entries = xrealloc (set->entries, (set->n_entries + table->n_flags) * sizeof *set->entries);
  for (size_t i = 0; i < table->n_flags; i++)
    {
      struct flag_entry *e = &set->entries[set->n_entries++];
      bool is_zero = false;
      e->flag = &table->flags[i];
      e->base = table->base;
      e->default_text = format_value (e->flag, e->base, &is_zero);
      if (is_zero)
        {
          free (e->default_text);
          e->default_text = NULL;
        }
      e->changed = false;
    }
  return 0;
}

static int
set_entry (struct flag_entry *e, const char *text, kl_error_t *err)
{
  int ret = set_value (e->flag, e->base, text, e->changed, err);
  if (ret < 0)
    {
      cleanup_free char *q = kl_quote (text, strlen (text));
      return kl_error_wrap (err, "invalid value %s for flag --%s", q, e->flag->name);
    }
  e->changed = true;
  return 0;
}

/* "--name[=value]" at argv[*i - 1]; may consume argv[*i] as the value. */
static int
parse_long (kl_flag_set_t *set, const char *arg, int argc, char **argv, int *i, kl_error_t *err)
{
  const char *name = arg + 2;
  if (name[0] == '-' || name[0] == '=')
    return kl_make_error_kind (err, KL_ERROR_INVALID, 0, "bad flag syntax: %s", arg);
  const char *eq = strchr (name, '=');
  size_t len = eq ? (size_t) (eq - name) : strlen (name);
  struct flag_entry *e = lookup_name (set, name, len);
  if (e == NULL)
    return kl_make_error_kind (err, KL_ERROR_INVALID, 0, "unknown flag: --%.*s", (int) len, name);
  if (eq)
    return set_entry (e, eq + 1, err);
  if (e->flag->type == KL_FLAG_BOOL)
    return set_entry (e, "true", err);
  if (*i < argc)
    return set_entry (e, argv[(*i)++], err);
  return kl_make_error_kind (err, KL_ERROR_INVALID, 0, "flag needs an argument: %s", arg);
}

/* "-x", "-xvalue", "-x=value", "-x value" or grouped booleans "-abc". */
static int
parse_short (kl_flag_set_t *set, const char *arg, int argc, char **argv, int *i, kl_error_t *err)
{
  const char *shorthands = arg + 1;
  while (*shorthands)
    {
      char c = *shorthands;
      struct flag_entry *e = lookup_shorthand (set, c);
      if (e == NULL)
        return kl_make_error_kind (err, KL_ERROR_INVALID, 0, "unknown shorthand flag: '%c' in %s",
                                   c, arg);
      if (shorthands[1] == '=')
        return set_entry (e, shorthands + 2, err);
      if (e->flag->type == KL_FLAG_BOOL)
        {
          int ret = set_entry (e, "true", err);
          if (ret < 0)
            return ret;
          shorthands++;
          continue;
        }
      if (shorthands[1] != '\0')
        return set_entry (e, shorthands + 1, err);
      if (*i < argc)
        return set_entry (e, argv[(*i)++], err);
      return kl_make_error_kind (err, KL_ERROR_INVALID, 0, "flag needs an argument: '%c' in %s", c,
                                 arg);
    }
  return 0;
}

int
kl_flag_set_parse (kl_flag_set_t *set, int argc, char **argv, kl_error_t *err)
{
  for (size_t j = 0; j < set->n_entries; j++)
    set->entries[j].changed = false;
  free (set->args);
  set->args = xmalloc0 ((argc > 0 ? (size_t) argc : 1) * sizeof (char *));
  set->n_args = 0;
  int i = 1;
  while (i < argc)
    {
      const char *arg = argv[i++];
      int ret = 0;
      if (arg[0] != '-' || arg[1] == '\0')
        set->args[set->n_args++] = (char *) arg;
      else if (strcmp (arg, "--") == 0)
        {
          while (i < argc)
            set->args[set->n_args++] = argv[i++];
        }
      else if (arg[1] == '-')
        ret = parse_long (set, arg, argc, argv, &i, err);
      else
        ret = parse_short (set, arg, argc, argv, &i, err);
      if (ret < 0)
        return ret;
    }
  return 0;
}

bool
kl_flag_set_changed (const kl_flag_set_t *set, const char *name)
{
  struct flag_entry *e = lookup_name (set, name, strlen (name));
  return e != NULL && e->changed;
}

size_t
kl_flag_set_n_args (const kl_flag_set_t *set)
{
  return set->n_args;
}

const char *
kl_flag_set_arg (const kl_flag_set_t *set, size_t i)
{
  return i < set->n_args ? set->args[i] : NULL;
}

static int
compare_entries (const void *a, const void *b)
{
  const struct flag_entry *const *x = a;
  const struct flag_entry *const *y = b;
  return strcmp ((*x)->flag->name, (*y)->flag->name);
}

/* pflag's UnquoteUsage: the name of the value and the usage without the
   backquotes around it. */
static void
unquote_usage (const kl_flag_t *flag, char **value_name, char **usage)
{
  const char *u = flag->usage ? flag->usage : "";
  const char *open = strchr (u, '`');
  const char *close = open ? strchr (open + 1, '`') : NULL;
  if (open && close)
    {
      *value_name = xstrndup (open + 1, (size_t) (close - open - 1));
      *usage = xasprintf ("%.*s%.*s%s", (int) (open - u), u, (int) (close - open - 1), open + 1,
                          close + 1);
      return;
    }
  *value_name = xstrdup (flag->value_name ? flag->value_name : type_name (flag->type));
  *usage = xstrdup (u);
}

char *
kl_flag_set_usages (const kl_flag_set_t *set)
{
  size_t n = set->n_entries;
  cleanup_free const struct flag_entry **sorted = xmalloc ((n ? n : 1) * sizeof *sorted);
  for (size_t i = 0; i < n; i++)
    sorted[i] = &set->entries[i];
  qsort (sorted, n, sizeof *sorted, compare_entries);

  /* Left column ("  -v, --v Level") and right column (usage and default). */
  char **left = xmalloc0 ((n ? n : 1) * sizeof (char *));
  char **right = xmalloc0 ((n ? n : 1) * sizeof (char *));
  size_t width = 0;
  for (size_t i = 0; i < n; i++)
    {
      const kl_flag_t *flag = sorted[i]->flag;
      cleanup_free char *value_name = NULL;
      cleanup_free char *usage = NULL;
      unquote_usage (flag, &value_name, &usage);
      if (flag->shorthand)
        left[i] = xasprintf ("  -%c, --%s%s%s", flag->shorthand, flag->name,
                             value_name[0] ? " " : "", value_name);
      else
        left[i] = xasprintf ("      --%s%s%s", flag->name, value_name[0] ? " " : "", value_name);
      if (strlen (left[i]) > width)
        width = strlen (left[i]);
      const char *def = sorted[i]->default_text;
      if (def == NULL)
        right[i] = xstrdup (usage);
      else if (flag->type == KL_FLAG_STRING)
        {
          cleanup_free char *q = kl_quote (def, strlen (def));
          right[i] = xasprintf ("%s (default %s)", usage, q);
        }
      else
        right[i] = xasprintf ("%s (default %s)", usage, def);
    }

  char *out = NULL;
  size_t out_len = 0;
  FILE *f = open_memstream (&out, &out_len);
  if (f == NULL)
    kl_oom ();
  for (size_t i = 0; i < n; i++)
    {
      /* Three spaces past the widest left column; continuation lines of a
         multi-line usage are indented to the usage column. */
      fprintf (f, "%-*s   ", (int) width, left[i]);
      for (const char *p = right[i]; *p; p++)
        {
          fputc (*p, f);
          if (*p == '\n')
            fprintf (f, "%*s", (int) width + 3, "");
        }
      fputc ('\n', f);
      free (left[i]);
      free (right[i]);
    }
  free (left);
  free (right);
  if (fclose (f) != 0)
    kl_oom ();
  return out;
}
