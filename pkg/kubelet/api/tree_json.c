/* JSON streams (one or more values) into document trees with jansson. */
#include "pkg/kubelet/api/tree-internal.h"

#include <jansson.h>
#include <string.h>

#include "pkg/util/utils.h"

/* json_decrefp is jansson's own (2.14). */
#define cleanup_json __attribute__ ((cleanup (json_decrefp)))

/* The deepest nesting of objects and arrays, outside strings; rejecting deep
   input before jansson (whose own limit is 2048) gives YAML's message. */
static size_t
max_depth (const char *data, size_t len)
{
  size_t depth = 0, deepest = 0;
  bool in_string = false;
  for (size_t i = 0; i < len; i++)
    {
      char c = data[i];
      if (in_string)
        {
          if (c == '\\')
            i++;
          else if (c == '"')
            in_string = false;
        }
      else if (c == '"')
        in_string = true;
      else if (c == '{' || c == '[')
        {
          if (++depth > deepest)
            deepest = depth;
        }
      else if ((c == '}' || c == ']') && depth > 0)
        depth--;
    }
  return deepest;
}

static char *
tree_string (kl_tree_t *tree, const char *s, size_t len)
{
  if (tree->n_strings == tree->cap_strings)
    {
      tree->cap_strings = tree->cap_strings ? tree->cap_strings * 2 : 16;
      tree->strings = xrealloc (tree->strings, tree->cap_strings * sizeof *tree->strings);
    }
  char *copy = xmalloc (len + 1);
  memcpy (copy, s, len);
  copy[len] = '\0';
  tree->strings[tree->n_strings++] = copy;
  return copy;
}

static kl_node_t *
convert (kl_tree_t *tree, json_t *json, unsigned depth, kl_error_t *err)
{
  kl_node_t *node;
  switch (json_typeof (json))
    {
    case JSON_OBJECT:
    case JSON_ARRAY:
      if (depth >= KL_TREE_MAX_DEPTH)
        {
          kl_make_error_kind (err, KL_ERROR_INVALID, 0, "nesting deeper than %d levels",
                              KL_TREE_MAX_DEPTH);
          return NULL;
        }
      break;
    default:
      break;
    }
  switch (json_typeof (json))
    {
    case JSON_OBJECT:
      {
        node = kl_tree_new_node (tree, KL_NODE_MAP);
        node->height = 1;
        for (void *it = json_object_iter (json); it; it = json_object_iter_next (json, it))
          {
            size_t key_len = json_object_iter_key_len (it);
            const char *key = tree_string (tree, json_object_iter_key (it), key_len);
            kl_node_t *value = convert (tree, json_object_iter_value (it), depth + 1, err);
            if (value == NULL)
              return NULL;
            kl_node_append_entry (node, key, key_len, value);
          }
        return node;
      }
    case JSON_ARRAY:
      {
        node = kl_tree_new_node (tree, KL_NODE_SEQ);
        node->height = 1;
        for (size_t i = 0; i < json_array_size (json); i++)
          {
            kl_node_t *item = convert (tree, json_array_get (json, i), depth + 1, err);
            if (item == NULL)
              return NULL;
            kl_node_append_item (node, item);
          }
        return node;
      }
    case JSON_STRING:
      node = kl_tree_new_node (tree, KL_NODE_STRING);
      node->len = json_string_length (json);
      node->text = xmalloc (node->len + 1);
      memcpy (node->text, json_string_value (json), node->len);
      node->text[node->len] = '\0';
      node->weight = kl_weight_add (1, node->len);
      return node;
    case JSON_INTEGER:
      node = kl_tree_new_node (tree, KL_NODE_INT);
      node->int_value = json_integer_value (json);
      return node;
    case JSON_REAL:
      node = kl_tree_new_node (tree, KL_NODE_FLOAT);
      node->float_value = json_real_value (json);
      return node;
    case JSON_TRUE:
    case JSON_FALSE:
      node = kl_tree_new_node (tree, KL_NODE_BOOL);
      node->bool_value = json_is_true (json);
      return node;
    case JSON_NULL:
      return kl_tree_new_node (tree, KL_NODE_NULL);
    }
  return kl_tree_new_node (tree, KL_NODE_NULL);
}

static bool
is_space (char c)
{
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* jansson's message with the line and column of byte `offset` in `data`. */
static int
syntax_error (const char *data, size_t offset, const char *text, kl_error_t *err)
{
  size_t line = 1, column = 1;
  for (size_t i = 0; i < offset; i++)
    {
      if (data[i] == '\n')
        line++, column = 1;
      else
        column++;
    }
  return kl_make_error_kind (err, KL_ERROR_INVALID, 0, "json: line %zu, column %zu: %s", line,
                             column, text);
}

int
kl_tree_parse_json (const char *data, size_t len, kl_tree_t *tree, kl_error_t *err)
{
  if (max_depth (data, len) > KL_TREE_MAX_DEPTH)
    return kl_make_error_kind (err, KL_ERROR_INVALID, 0, "nesting deeper than %d levels",
                               KL_TREE_MAX_DEPTH);
  const size_t flags
      = JSON_DISABLE_EOF_CHECK | JSON_DECODE_ANY | JSON_ALLOW_NUL | JSON_REJECT_DUPLICATES;
  size_t offset = 0;
  while (offset < len && is_space (data[offset]))
    offset++;
  while (offset < len)
    {
      json_error_t jerr;
      cleanup_json json_t *json = json_loadb (data + offset, len - offset, flags, &jerr);
      if (json == NULL)
        {
          size_t at = jerr.position > 0 ? (size_t) jerr.position : 0;
          return syntax_error (data, offset + (at <= len - offset ? at : len - offset), jerr.text,
                               err);
        }
      if (jerr.position <= 0 || (size_t) jerr.position > len - offset)
        return syntax_error (data, offset, "parser made no progress", err);
      kl_node_t *root = convert (tree, json, 0, err);
      if (root == NULL)
        return -1;
      kl_tree_add_root (tree, root->kind == KL_NODE_NULL ? NULL : root);
      offset += (size_t) jerr.position;
      while (offset < len && is_space (data[offset]))
        offset++;
    }
  return 0;
}
