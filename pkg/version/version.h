/* The kubelet's release version, printed by --version and reported to callers. */
#ifndef KL_VERSION_VERSION_H
#define KL_VERSION_VERSION_H

#define KL_KUBELET_VERSION "v0.1.0"

#endif
