/* YAML streams into document trees with libyaml's event parser: plain scalars
   resolve as go-yaml v2 (what Kubernetes uses) resolves them, aliases expand
   within a budget, nesting is bounded. */
#include "pkg/kubelet/api/tree-internal.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "pkg/util/utils.h"

#define TAG_PREFIX "tag:yaml.org,2002:"

/* Anchors by name: open addressing, later definitions replace earlier ones. */
struct anchor
{
  char *name;
  kl_node_t *node;
};

struct anchors
{
  struct anchor *slots;
  size_t n;
  size_t cap; /* a power of two */
};

/* An open collection; `key` is a map's pending key, NULL when none, and
   `merges` the values of its merge keys ("<<"). */
struct frame
{
  kl_node_t *node;
  yaml_mark_t start;
  char *anchor;
  const char *key;
  size_t key_len;
  bool key_is_merge;
  kl_node_t **merges;
  size_t n_merges;
};

struct builder
{
  kl_tree_t *tree;
  struct frame stack[KL_TREE_MAX_DEPTH];
  size_t depth;
  kl_node_t *root;
  bool have_root;
  struct anchors anchors;
  uint64_t alias_budget;
};

static uint64_t
hash_name (const char *s)
{
  uint64_t h = 0xcbf29ce484222325ULL;
  for (; *s; s++)
    {
      h ^= (unsigned char) *s;
      h *= 0x100000001b3ULL;
    }
  return h;
}

static void anchors_put (struct anchors *a, char *name, kl_node_t *node);

static void
anchors_grow (struct anchors *a)
{
  struct anchors bigger = { xmalloc0 ((a->cap ? a->cap * 2 : 16) * sizeof (struct anchor)), 0,
                            a->cap ? a->cap * 2 : 16 };
  for (size_t i = 0; i < a->cap; i++)
    if (a->slots[i].name)
      anchors_put (&bigger, a->slots[i].name, a->slots[i].node);
  free (a->slots);
  *a = bigger;
}

/* Takes ownership of `name`. */
static void
anchors_put (struct anchors *a, char *name, kl_node_t *node)
{
  if ((a->n + 1) * 2 > a->cap)
    anchors_grow (a);
  size_t i = hash_name (name) & (a->cap - 1);
  while (a->slots[i].name && strcmp (a->slots[i].name, name) != 0)
    i = (i + 1) & (a->cap - 1);
  if (a->slots[i].name)
    free (name);
  else
    {
      a->slots[i].name = name;
      a->n++;
    }
  a->slots[i].node = node;
}

static kl_node_t *
anchors_get (const struct anchors *a, const char *name)
{
  if (a->cap == 0)
    return NULL;
  size_t i = hash_name (name) & (a->cap - 1);
  while (a->slots[i].name)
    {
      if (strcmp (a->slots[i].name, name) == 0)
        return a->slots[i].node;
      i = (i + 1) & (a->cap - 1);
    }
  return NULL;
}

static void
anchors_release (struct anchors *a)
{
  for (size_t i = 0; i < a->cap; i++)
    free (a->slots[i].name);
  free (a->slots);
  a->slots = NULL;
  a->n = a->cap = 0;
}

static int
yaml_error_at (kl_error_t *err, yaml_mark_t mark, const char *problem)
{
  return kl_make_error_kind (err, KL_ERROR_INVALID, 0, "yaml: line %zu, column %zu: %s",
                             mark.line + 1, mark.column + 1, problem);
}

static int
parser_error (yaml_parser_t *parser, kl_error_t *err)
{
  const char *problem = parser->problem ? parser->problem : "invalid YAML";
  if (parser->error == YAML_READER_ERROR)
    return kl_make_error_kind (err, KL_ERROR_INVALID, 0, "yaml: byte %zu: %s",
                               parser->problem_offset, problem);
  if (parser->error == YAML_MEMORY_ERROR)
    kl_oom ();
  if (parser->context)
    return kl_make_error_kind (err, KL_ERROR_INVALID, 0, "yaml: line %zu, column %zu: %s %s",
                               parser->problem_mark.line + 1, parser->problem_mark.column + 1,
                               problem, parser->context);
  return yaml_error_at (err, parser->problem_mark, problem);
}

static bool
is_any_of (const char *s, const char *const *list, size_t n)
{
  for (size_t i = 0; i < n; i++)
    if (strcmp (s, list[i]) == 0)
      return true;
  return false;
}

static int
digit_value (char c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return 99;
}

/* Go's strconv.ParseInt (s, 0, 64): [+-] then 0x, 0o, 0b, a leading 0
   (octal) or decimal digits. False on syntax errors and overflow. */
static bool
parse_int (const char *s, size_t len, int64_t *out)
{
  const char *end = s + len;
  bool neg = false;
  if (s < end && (*s == '+' || *s == '-'))
    neg = *s++ == '-';
  int base = 10;
  if (end - s >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
    base = 16, s += 2;
  else if (end - s >= 2 && s[0] == '0' && (s[1] == 'o' || s[1] == 'O'))
    base = 8, s += 2;
  else if (end - s >= 2 && s[0] == '0' && (s[1] == 'b' || s[1] == 'B'))
    base = 2, s += 2;
  else if (end - s >= 2 && s[0] == '0')
    base = 8, s += 1;
  if (s == end)
    return false;
  uint64_t limit = neg ? (uint64_t) INT64_MAX + 1 : (uint64_t) INT64_MAX;
  uint64_t v = 0;
  for (; s < end; s++)
    {
      int d = digit_value (*s);
      if (d >= base)
        return false;
      if (v > (limit - (uint64_t) d) / (uint64_t) base)
        return false;
      v = v * (uint64_t) base + (uint64_t) d;
    }
  *out = neg ? (int64_t) (0 - v) : (int64_t) v;
  return true;
}

/* go-yaml's float syntax: [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)? */
static bool
is_float_syntax (const char *s, size_t len)
{
  const char *end = s + len;
  if (s < end && (*s == '+' || *s == '-'))
    s++;
  size_t int_digits = 0, frac_digits = 0;
  while (s < end && *s >= '0' && *s <= '9')
    s++, int_digits++;
  if (s < end && *s == '.')
    {
      s++;
      while (s < end && *s >= '0' && *s <= '9')
        s++, frac_digits++;
    }
  if (int_digits == 0 && frac_digits == 0)
    return false;
  if (s < end && (*s == 'e' || *s == 'E'))
    {
      s++;
      if (s < end && (*s == '+' || *s == '-'))
        s++;
      size_t exp_digits = 0;
      while (s < end && *s >= '0' && *s <= '9')
        s++, exp_digits++;
      if (exp_digits == 0)
        return false;
    }
  return s == end;
}

/* Resolves a plain scalar: null, bool (YAML 1.1 spellings, as go-yaml v2),
   int, float, or else a string. */
static void
resolve_plain (kl_node_t *node)
{
  static const char *const nulls[] = { "", "~", "null", "Null", "NULL" };
  static const char *const trues[]
      = { "y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON" };
  static const char *const falses[]
      = { "n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF" };
  const char *s = node->text;
  node->kind = KL_NODE_STRING;
  if (strlen (s) != node->len)
    return;
  /* Most scalars are words: only these first characters can start anything else. */
  if (node->len > 0 && strchr ("~nNyYtTfFoO+-.0123456789", s[0]) == NULL)
    return;
  if (is_any_of (s, nulls, KL_ARRAY_SIZE (nulls)))
    node->kind = KL_NODE_NULL;
  else if (is_any_of (s, trues, KL_ARRAY_SIZE (trues)))
    node->kind = KL_NODE_BOOL, node->bool_value = true;
  else if (is_any_of (s, falses, KL_ARRAY_SIZE (falses)))
    node->kind = KL_NODE_BOOL, node->bool_value = false;
  else if (parse_int (s, node->len, &node->int_value))
    node->kind = KL_NODE_INT;
  else if (is_float_syntax (s, node->len))
    node->kind = KL_NODE_FLOAT, node->float_value = strtod (s, NULL);
  else if (strcmp (s, ".inf") == 0 || strcmp (s, ".Inf") == 0 || strcmp (s, ".INF") == 0
           || strcmp (s, "+.inf") == 0 || strcmp (s, "+.Inf") == 0 || strcmp (s, "+.INF") == 0)
    node->kind = KL_NODE_FLOAT, node->float_value = INFINITY;
  else if (strcmp (s, "-.inf") == 0 || strcmp (s, "-.Inf") == 0 || strcmp (s, "-.INF") == 0)
    node->kind = KL_NODE_FLOAT, node->float_value = -INFINITY;
  else if (strcmp (s, ".nan") == 0 || strcmp (s, ".NaN") == 0 || strcmp (s, ".NAN") == 0)
    node->kind = KL_NODE_FLOAT, node->float_value = NAN;
}

/* Resolves a scalar with an explicit tag (!!str, !!int, ...). */
static int
resolve_tagged (kl_node_t *node, const char *tag, yaml_mark_t mark, kl_error_t *err)
{
  if (strcmp (tag, "!") == 0 || strcmp (tag, TAG_PREFIX "str") == 0)
    {
      node->kind = KL_NODE_STRING;
      return 0;
    }
  resolve_plain (node);
  const char *want = NULL;
  if (strcmp (tag, TAG_PREFIX "int") == 0)
    want = node->kind == KL_NODE_INT ? NULL : "!!int";
  else if (strcmp (tag, TAG_PREFIX "float") == 0)
    {
      if (node->kind == KL_NODE_INT)
        node->kind = KL_NODE_FLOAT, node->float_value = (double) node->int_value;
      want = node->kind == KL_NODE_FLOAT ? NULL : "!!float";
    }
  else if (strcmp (tag, TAG_PREFIX "bool") == 0)
    want = node->kind == KL_NODE_BOOL ? NULL : "!!bool";
  else if (strcmp (tag, TAG_PREFIX "null") == 0)
    want = node->kind == KL_NODE_NULL ? NULL : "!!null";
  else
    return yaml_error_at (err, mark,
                          "unsupported tag (only !!str, !!int, !!float, !!bool, !!null)");
  if (want)
    {
      cleanup_free char *msg = xasprintf ("cannot decode scalar as %s", want);
      return yaml_error_at (err, mark, msg);
    }
  return 0;
}

static bool
is_map_or_maps (const kl_node_t *node)
{
  if (node->kind == KL_NODE_MAP)
    return true;
  if (node->kind != KL_NODE_SEQ)
    return false;
  for (size_t i = 0; i < node->n; i++)
    if (node->items[i]->kind != KL_NODE_MAP)
      return false;
  return true;
}

/* Adds a finished node to the open collection, or makes it the root;
   `merge_key` says the node is a plain "<<". */
static int
attach (struct builder *b, kl_node_t *node, yaml_mark_t mark, bool merge_key, kl_error_t *err)
{
  if (b->depth == 0)
    {
      b->root = node;
      b->have_root = true;
      return 0;
    }
  struct frame *top = &b->stack[b->depth - 1];
  if (top->node->kind == KL_NODE_SEQ)
    {
      kl_node_append_item (top->node, node);
      return 0;
    }
  if (top->key == NULL)
    {
      if (node->kind == KL_NODE_MAP || node->kind == KL_NODE_SEQ)
        return yaml_error_at (err, mark, "mapping keys must be scalars");
      top->key = node->text ? node->text : "";
      top->key_len = node->text ? node->len : 0;
      top->key_is_merge = merge_key;
      return 0;
    }
  if (top->key_is_merge)
    {
      if (!is_map_or_maps (node))
        return yaml_error_at (err, mark, "map merge requires map or sequence of maps as the value");
      top->merges = xrealloc (top->merges, (top->n_merges + 1) * sizeof *top->merges);
      top->merges[top->n_merges++] = node;
      top->key = NULL;
      return 0;
    }
  kl_node_append_entry (top->node, top->key, top->key_len, node);
  top->key = NULL;
  return 0;
}

static void
register_anchor (struct builder *b, const yaml_char_t *anchor, kl_node_t *node)
{
  if (anchor)
    anchors_put (&b->anchors, xstrdup ((const char *) anchor), node);
}

static int
on_scalar (struct builder *b, yaml_event_t *event, kl_error_t *err)
{
  kl_node_t *node = kl_tree_new_node (b->tree, KL_NODE_STRING);
  node->len = event->data.scalar.length;
  node->text = xmalloc (node->len + 1);
  memcpy (node->text, event->data.scalar.value, node->len);
  node->text[node->len] = '\0';
  node->weight = kl_weight_add (1, node->len);
  const char *tag = (const char *) event->data.scalar.tag;
  if (tag)
    {
      int ret = resolve_tagged (node, tag, event->start_mark, err);
      if (ret < 0)
        return ret;
    }
  else if (event->data.scalar.style == YAML_PLAIN_SCALAR_STYLE)
    resolve_plain (node);
  register_anchor (b, event->data.scalar.anchor, node);
  bool merge_key = tag == NULL && event->data.scalar.style == YAML_PLAIN_SCALAR_STYLE
                   && node->len == 2 && memcmp (node->text, "<<", 2) == 0;
  return attach (b, node, event->start_mark, merge_key, err);
}

static int
on_collection_start (struct builder *b, yaml_event_t *event, enum kl_node_kind kind,
                     kl_error_t *err)
{
  if (b->depth >= KL_TREE_MAX_DEPTH)
    return kl_make_error_kind (err, KL_ERROR_INVALID, 0, "nesting deeper than %d levels",
                               KL_TREE_MAX_DEPTH);
  const yaml_char_t *anchor
      = kind == KL_NODE_MAP ? event->data.mapping_start.anchor : event->data.sequence_start.anchor;
  struct frame *f = &b->stack[b->depth++];
  f->node = kl_tree_new_node (b->tree, kind);
  f->node->height = 1;
  f->start = event->start_mark;
  f->anchor = anchor ? xstrdup ((const char *) anchor) : NULL;
  f->key = NULL;
  f->key_len = 0;
  f->key_is_merge = false;
  f->merges = NULL;
  f->n_merges = 0;
  return 0;
}

static int
on_collection_end (struct builder *b, yaml_event_t *event, kl_error_t *err)
{
  if (b->depth == 0)
    return yaml_error_at (err, event->start_mark, "unbalanced collection end");
  struct frame f = b->stack[--b->depth];
  if (f.n_merges)
    kl_node_merge (f.node, f.merges, f.n_merges);
  free (f.merges);
  if (f.anchor)
    anchors_put (&b->anchors, f.anchor, f.node);
  return attach (b, f.node, f.start, false, err);
}

static int
on_alias (struct builder *b, yaml_event_t *event, kl_error_t *err)
{
  const char *name = (const char *) event->data.alias.anchor;
  kl_node_t *node = name ? anchors_get (&b->anchors, name) : NULL;
  if (node == NULL)
    return yaml_error_at (err, event->start_mark, "unknown anchor referenced");
  if (b->depth + node->height > KL_TREE_MAX_DEPTH)
    return kl_make_error_kind (err, KL_ERROR_INVALID, 0, "nesting deeper than %d levels",
                               KL_TREE_MAX_DEPTH);
  if (node->weight > b->alias_budget)
    return yaml_error_at (err, event->start_mark, "aliases expand the document too much");
  b->alias_budget -= node->weight;
  return attach (b, node, event->start_mark, false, err);
}

static int
on_event (struct builder *b, yaml_event_t *event, kl_error_t *err)
{
  switch (event->type)
    {
    case YAML_DOCUMENT_START_EVENT:
      b->root = NULL;
      b->have_root = false;
      b->depth = 0;
      return 0;
    case YAML_DOCUMENT_END_EVENT:
      /* A document that is only a null scalar ("---" alone, "~") is empty. */
      kl_tree_add_root (b->tree, b->have_root && b->root->kind != KL_NODE_NULL ? b->root : NULL);
      return 0;
    case YAML_SCALAR_EVENT:
      return on_scalar (b, event, err);
    case YAML_MAPPING_START_EVENT:
      return on_collection_start (b, event, KL_NODE_MAP, err);
    case YAML_SEQUENCE_START_EVENT:
      return on_collection_start (b, event, KL_NODE_SEQ, err);
    case YAML_MAPPING_END_EVENT:
    case YAML_SEQUENCE_END_EVENT:
      return on_collection_end (b, event, err);
    case YAML_ALIAS_EVENT:
      return on_alias (b, event, err);
    case YAML_NO_EVENT:
    case YAML_STREAM_START_EVENT:
    case YAML_STREAM_END_EVENT:
      return 0;
    }
  return 0;
}

int
kl_tree_parse_yaml (const char *data, size_t len, kl_tree_t *tree, kl_error_t *err)
{
  yaml_parser_t parser;
  if (!yaml_parser_initialize (&parser))
    kl_oom ();
  yaml_parser_set_input_string (&parser, (const unsigned char *) data, len);
  struct builder b = { .tree = tree, .alias_budget = KL_TREE_ALIAS_BUDGET + len };
  int ret = 0;
  for (bool done = false; !done && ret == 0;)
    {
      yaml_event_t event;
      if (!yaml_parser_parse (&parser, &event))
        {
          ret = parser_error (&parser, err);
          break;
        }
      done = event.type == YAML_STREAM_END_EVENT;
      ret = on_event (&b, &event, err);
      yaml_event_delete (&event);
    }
  for (size_t i = 0; i < b.depth; i++)
    {
      free (b.stack[i].anchor);
      free (b.stack[i].merges);
    }
  anchors_release (&b.anchors);
  yaml_parser_delete (&parser);
  return ret;
}
