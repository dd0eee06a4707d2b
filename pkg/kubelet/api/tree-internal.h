/* A format-neutral document tree that YAML (libyaml) and JSON (jansson) both parse into.

   The Pod decoder thus sees one model and words its errors one way. */
#ifndef KL_KUBELET_API_TREE_INTERNAL_H
#define KL_KUBELET_API_TREE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pkg/util/error.h"

enum kl_node_kind
{
  KL_NODE_NULL,
  KL_NODE_BOOL,
  KL_NODE_INT,
  KL_NODE_FLOAT,
  KL_NODE_STRING,
  KL_NODE_MAP,
  KL_NODE_SEQ,
};

struct kl_node_s;

struct kl_node_entry_s
{
  const char *key; /* owned by the tree; may hold NUL bytes */
  size_t key_len;
  struct kl_node_s *value;
};

/* One node. With YAML aliases a node can have several parents: the tree owns
   every node through its arena, never through a parent. */
struct kl_node_s
{
  enum kl_node_kind kind;
  bool bool_value;
  int64_t int_value;
  double float_value;
  char *text; /* STRING: the value; YAML scalars: the text as written */
  size_t len;
  struct kl_node_entry_s *entries; /* MAP */
  struct kl_node_s **items;        /* SEQ */
  size_t n;                        /* entries or items */
  size_t cap;
  unsigned height; /* collection levels at and below this node */
  uint64_t weight; /* size of the subtree with aliases expanded */
};
typedef struct kl_node_s kl_node_t;

/* The documents of one input, in order; a NULL root is an empty document. */
struct kl_tree_s
{
  kl_node_t **roots;
  size_t n_roots;
  kl_node_t **arena;
  size_t n_arena;
  size_t cap_arena;
  char **strings; /* JSON object keys */
  size_t n_strings;
  size_t cap_strings;
};
typedef struct kl_tree_s kl_tree_t;

/* Collections may nest at most this deep, counting expanded aliases. */
#define KL_TREE_MAX_DEPTH 64

/* YAML aliases may add at most this much expanded weight beyond the input's
   own size: enough for anchors reused a few times, not for "billion laughs". */
#define KL_TREE_ALIAS_BUDGET ((uint64_t) 1 << 20)

/* Parses a YAML stream (one or more documents) into *tree; on failure sets a
   KL_ERROR_INVALID error "yaml: line L, column C: problem". */
int kl_tree_parse_yaml (const char *data, size_t len, kl_tree_t *tree, kl_error_t *err);

/* Parses a stream of JSON values into *tree, one document each. */
int kl_tree_parse_json (const char *data, size_t len, kl_tree_t *tree, kl_error_t *err);

/* Frees the tree's nodes and leaves it empty. */
void kl_tree_release (kl_tree_t *tree);

/* Arena helpers for the two parsers. */
kl_node_t *kl_tree_new_node (kl_tree_t *tree, enum kl_node_kind kind);
void kl_tree_add_root (kl_tree_t *tree, kl_node_t *root);
void kl_node_append_item (kl_node_t *seq, kl_node_t *item);
void kl_node_append_entry (kl_node_t *map, const char *key, size_t key_len, kl_node_t *value);

/* Adds a child's height and weight to its parent's. */
void kl_node_account_child (kl_node_t *parent, const kl_node_t *child, size_t key_len);

/* Applies YAML merge keys ("<<: *base") to `map`: the entries of each source
   (a map, or a sequence of maps, earlier ones winning) are added unless the
   map has the key already, as go-yaml merges them. */
void kl_node_merge (kl_node_t *map, kl_node_t *const *sources, size_t n_sources);

/* Type names for messages: "string", "integer", "number", "boolean", "null",
   "object", "array". */
const char *kl_node_kind_name (enum kl_node_kind kind);

/* The shortest "%.*g" rendering of `v` that reads back as `v`. */
void kl_format_double (double v, char *buf, size_t size);

/* A saturating add for weights. */
static inline uint64_t
kl_weight_add (uint64_t a, uint64_t b)
{
  return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

#define cleanup_tree __attribute__ ((cleanup (kl_tree_release)))

#endif
