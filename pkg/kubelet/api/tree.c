/* The document tree's arena and helpers shared by the YAML and JSON parsers. */
#include "pkg/kubelet/api/tree-internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pkg/util/utils.h"

static size_t
grow (size_t cap, size_t need)
{
  size_t n = cap ? cap : 4;
  while (n < need)
    n *= 2;
  return n;
}

kl_node_t *
kl_tree_new_node (kl_tree_t *tree, enum kl_node_kind kind)
{
  if (tree->n_arena == tree->cap_arena)
    {
      tree->cap_arena = grow (tree->cap_arena, tree->n_arena + 1);
      tree->arena = xrealloc (tree->arena, tree->cap_arena * sizeof *tree->arena);
    }
  kl_node_t *node = xmalloc0 (sizeof *node);
  node->kind = kind;
  node->weight = 1;
  tree->arena[tree->n_arena++] = node;
  return node;
}

void
kl_tree_add_root (kl_tree_t *tree, kl_node_t *root)
{
  tree->roots = xrealloc (tree->roots, (tree->n_roots + 1) * sizeof *tree->roots);
  tree->roots[tree->n_roots++] = root;
}

void
kl_node_account_child (kl_node_t *parent, const kl_node_t *child, size_t key_len)
{
  if (child->height + 1 > parent->height)
    parent->height = child->height + 1;
  parent->weight = kl_weight_add (parent->weight, kl_weight_add (child->weight, key_len + 1));
}

void
kl_node_append_item (kl_node_t *seq, kl_node_t *item)
{
  if (seq->n == seq->cap)
    {
      seq->cap = grow (seq->cap, seq->n + 1);
      seq->items = xrealloc (seq->items, seq->cap * sizeof *seq->items);
    }
  seq->items[seq->n++] = item;
  kl_node_account_child (seq, item, 0);
}

void
kl_node_append_entry (kl_node_t *map, const char *key, size_t key_len, kl_node_t *value)
{
  if (map->n == map->cap)
    {
      map->cap = grow (map->cap, map->n + 1);
      map->entries = xrealloc (map->entries, map->cap * sizeof *map->entries);
    }
  map->entries[map->n].key = key;
  map->entries[map->n].key_len = key_len;
  map->entries[map->n].value = value;
  map->n++;
  kl_node_account_child (map, value, key_len);
}

/* An entry considered for a merged map, `seq` its place in document order. */
struct candidate
{
  struct kl_node_entry_s entry;
  size_t seq;
  bool explicit_;
  bool keep;
};

static int
compare_key_then_seq (const void *a, const void *b)
{
  const struct candidate *x = a, *y = b;
  size_t n = x->entry.key_len < y->entry.key_len ? x->entry.key_len : y->entry.key_len;
  int c = memcmp (x->entry.key, y->entry.key, n);
  if (c == 0 && x->entry.key_len != y->entry.key_len)
    c = x->entry.key_len < y->entry.key_len ? -1 : 1;
  if (c == 0)
    c = x->seq < y->seq ? -1 : x->seq > y->seq;
  return c;
}

static int
compare_seq (const void *a, const void *b)
{
  const struct candidate *x = a, *y = b;
  return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static bool
same_key (const struct candidate *a, const struct candidate *b)
{
  return a->entry.key_len == b->entry.key_len
         && memcmp (a->entry.key, b->entry.key, a->entry.key_len) == 0;
}

static size_t
add_candidates (struct candidate *c, size_t n, const kl_node_t *map, bool explicit_)
{
  for (size_t i = 0; i < map->n; i++, n++)
    {
      c[n].entry = map->entries[i];
      c[n].seq = n;
      c[n].explicit_ = explicit_;
      c[n].keep = false;
    }
  return n;
}

void
kl_node_merge (kl_node_t *map, kl_node_t *const *sources, size_t n_sources)
{
  size_t total = map->n;
  for (size_t i = 0; i < n_sources; i++)
    if (sources[i]->kind == KL_NODE_MAP)
      total += sources[i]->n;
    else
      for (size_t j = 0; j < sources[i]->n; j++)
        total += sources[i]->items[j]->n;

  struct candidate *c = xmalloc ((total + 1) * sizeof *c);
  size_t n = add_candidates (c, 0, map, true);
  for (size_t i = 0; i < n_sources; i++)
    if (sources[i]->kind == KL_NODE_MAP)
      n = add_candidates (c, n, sources[i], false);
    else
      for (size_t j = 0; j < sources[i]->n; j++)
        n = add_candidates (c, n, sources[i]->items[j], false);

  /* Explicit keys stay, duplicates too (the decoder reports those); a merged
     key stays only if no explicit one and no earlier merged one has it. */
  qsort (c, n, sizeof *c, compare_key_then_seq);
  for (size_t start = 0; start < n;)
    {
      size_t end = start + 1;
      while (end < n && same_key (&c[start], &c[end]))
        end++;
      bool any_explicit = false;
      for (size_t i = start; i < end; i++)
        if (c[i].explicit_)
          any_explicit = c[i].keep = true;
      if (!any_explicit)
        c[start].keep = true;
      start = end;
    }
  qsort (c, n, sizeof *c, compare_seq);

  map->n = 0;
  map->height = 1;
  map->weight = 1;
  for (size_t i = 0; i < n; i++)
    if (c[i].keep)
      kl_node_append_entry (map, c[i].entry.key, c[i].entry.key_len, c[i].entry.value);
  free (c);
}

void
kl_tree_release (kl_tree_t *tree)
{
  for (size_t i = 0; i < tree->n_arena; i++)
    {
      kl_node_t *node = tree->arena[i];
      free (node->text);
      free (node->entries);
      free (node->items);
      free (node);
    }
  for (size_t i = 0; i < tree->n_strings; i++)
    free (tree->strings[i]);
  free (tree->arena);
  free (tree->strings);
  free (tree->roots);
  tree->arena = NULL;
  tree->strings = NULL;
  tree->roots = NULL;
  tree->n_arena = tree->cap_arena = tree->n_strings = tree->cap_strings = tree->n_roots = 0;
}

const char *
kl_node_kind_name (enum kl_node_kind kind)
{
  switch (kind)
    {
    case KL_NODE_NULL:
      return "null";
    case KL_NODE_BOOL:
      return "boolean";
    case KL_NODE_INT:
      return "integer";
    case KL_NODE_FLOAT:
      return "number";
    case KL_NODE_STRING:
      return "string";
    case KL_NODE_MAP:
      return "object";
    case KL_NODE_SEQ:
      return "array";
    }
  return "unknown";
}

void
kl_format_double (double v, char *buf, size_t size)
{
  for (int precision = 1; precision <= 17; precision++)
    {
      snprintf (buf, size, "%.*g", precision, v);
      if (strtod (buf, NULL) == v)
        return;
    }
}
