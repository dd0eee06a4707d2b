/* Table-driven command-line flags in the style of spf13/pflag, as the Go kubelet parses them. */
#ifndef KL_UTIL_FLAGS_H
#define KL_UTIL_FLAGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pkg/util/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The type of a flag and, in brackets, the C type its value has in the table's
   struct. Owned pointers are freed by kl_flag_values_free. */
enum kl_flag_type
{
  KL_FLAG_BOOL = 0,    /* bool; "--x", "--x=true|false" (never "--x false") */
  KL_FLAG_STRING,      /* char * (owned, never NULL once set) */
  KL_FLAG_IP,          /* char * (owned): "" or an IPv4/IPv6 address; shown as "ip" */
  KL_FLAG_QUANTITY,    /* char * (owned): text kl_quantity_parse accepts, e.g. "10Mi" */
  KL_FLAG_INT,         /* int */
  KL_FLAG_INT32,       /* int32_t */
  KL_FLAG_PORT,        /* int32_t in [0, 65535]; shown as "int32" */
  KL_FLAG_DURATION,    /* int64_t nanoseconds, written as Go durations ("1m30s") */
  KL_FLAG_STRING_LIST, /* char ** (owned, NULL-terminated, NULL when empty): pflag's
                          stringSlice: comma-separated and repeatable */
  KL_FLAG_MULTIMAP,    /* kl_string_multimap_t: cliflag's ColonSeparatedMultimapStringString,
                          the Go kubelet's --manifest-url-header (map[string][]string):
                          "k:v,k2:v2", split at the first ':', key and value trimmed,
                          repeatable, a repeated key appends a value */
};

/* One key of a kl_string_multimap_t with its values in the order given. */
struct kl_string_multimap_entry_s
{
  char *key;
  char **values; /* NULL-terminated, at least one value */
  size_t n_values;
};
typedef struct kl_string_multimap_entry_s kl_string_multimap_entry_t;

/* map[string][]string with keys kept in first-insertion order (HTTP headers). */
struct kl_string_multimap_s
{
  kl_string_multimap_entry_t *entries;
  size_t n_entries;
};
typedef struct kl_string_multimap_s kl_string_multimap_t;

/* Appends `value` to the values of `key`, adding the key if it is new. */
void kl_string_multimap_add (kl_string_multimap_t *m, const char *key, const char *value);

/* The entry for `key`, or NULL. */
const kl_string_multimap_entry_t *kl_string_multimap_get (const kl_string_multimap_t *m,
                                                          const char *key);

/* Frees every entry and leaves `m` empty. */
void kl_string_multimap_clear (kl_string_multimap_t *m);

/* One flag of a table; its value lives at `offset` from the base address the
   table is added with, so a `static const` table can describe a struct. */
struct kl_flag_s
{
  const char *name; /* long name, used as "--name" */
  char shorthand;   /* one-letter alias used as "-x", or 0 */
  enum kl_flag_type type;
  size_t offset;          /* offsetof (struct, field) of the value */
  const char *usage;      /* help text; a `word` in backquotes names the value in --help */
  const char *value_name; /* the value's name in --help instead of the type's, or NULL */
};
typedef struct kl_flag_s kl_flag_t;

/* A table of flags together with the struct that holds their values. */
struct kl_flag_table_s
{
  const kl_flag_t *flags;
  size_t n_flags;
  void *base;
};
typedef struct kl_flag_table_s kl_flag_table_t;

/* A set of flag tables parsed together; not thread-safe. */
typedef struct kl_flag_set_s kl_flag_set_t;

kl_flag_set_t *kl_flag_set_new (void);

void kl_flag_set_free (kl_flag_set_t *set);

void kl_flag_set_freep (kl_flag_set_t **set);
#define cleanup_flag_set __attribute__ ((cleanup (kl_flag_set_freep)))

/* Adds every flag of `table`, remembering the current values as the defaults
   --help shows; fails with KL_ERROR_ALREADY_EXISTS on a name or shorthand the
   set already has ("flag redefined: max-pods"). */
int kl_flag_set_add_table (kl_flag_set_t *set, const kl_flag_table_t *table, kl_error_t *err);

/* Parses argv[1..argc-1] as pflag does: "--name=value", "--name value",
   "-x value", "-xvalue", grouped boolean shorthands, "--" ends the flags and
   other arguments are kept as positional (pointing into argv). A list or
   multimap flag's first occurrence replaces its default, later ones append.
   Errors read `unknown flag: --foo` or `invalid value "abc" for flag
   --max-pods: ...`. */
int kl_flag_set_parse (kl_flag_set_t *set, int argc, char **argv, kl_error_t *err);

/* True if flag `name` was given on the command line of the last parse. */
bool kl_flag_set_changed (const kl_flag_set_t *set, const char *name);

/* The positional arguments of the last parse. */
size_t kl_flag_set_n_args (const kl_flag_set_t *set);
const char *kl_flag_set_arg (const kl_flag_set_t *set, size_t i);

/* The flags' help as pflag's FlagUsages prints it, sorted by name, e.g.
   "      --read-only-port int32   The read-only port ... (default 10255)\n";
   the caller frees it. */
char *kl_flag_set_usages (const kl_flag_set_t *set);

/* Frees the owned values (strings, lists, multimaps) of every flag in `table`
   and resets them to empty. */
void kl_flag_values_free (const kl_flag_table_t *table);

/* Frees a NULL-terminated string list. */
void kl_strv_free (char **strv);

/* The number of strings in a NULL-terminated list (0 for NULL). */
size_t kl_strv_length (char *const *strv);

#ifdef __cplusplus
}
#endif

#endif
