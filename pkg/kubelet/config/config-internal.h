/* Pieces the configuration loader shares between its files; not for other packages. */
#ifndef KL_KUBELET_CONFIG_CONFIG_INTERNAL_H
#define KL_KUBELET_CONFIG_CONFIG_INTERNAL_H

#include "pkg/kubelet/config/config.h"

/* The kubelet's own flags, bound to a kl_kubelet_config_t. */
extern const kl_flag_t kl_kubelet_flags[];
extern const size_t kl_kubelet_n_flags;

/* A configuration holding the command-line defaults. */
kl_kubelet_config_t *kl_kubelet_config_new_default (void);

/* Overlays the KubeletConfiguration file at `path` on `config`, which holds
   the defaults; errors read "<path>: <field>: <reason>". */
int kl_kubelet_config_apply_file (kl_kubelet_config_t *config, const char *path, kl_error_t *err);

/* As kl_kubelet_config_apply_file with the file's `len` bytes already read;
   `path` names them in errors and anchors relative paths. */
int kl_kubelet_config_apply_data (kl_kubelet_config_t *config, const char *path, const char *text,
                                  size_t len, kl_error_t *err);

/* Checks the merged configuration and fills in the derived byte size; errors
   read "invalid configuration: maxPods (--max-pods) 0 must be greater than 0". */
int kl_kubelet_config_validate (kl_kubelet_config_t *config, kl_error_t *err);

#endif
