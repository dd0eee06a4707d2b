"""Named select() helpers for the build variants (envoy_select.bzl style)."""

def if_docker(deps):
    """Returns `deps` in the full build and nothing in the dockerless one."""
    return select({
        "//:dockerless_enabled": [],
        "//conditions:default": deps,
    })

def if_dockerless(value, otherwise):
    """Returns `value` in the dockerless build and `otherwise` in the full one."""
    return select({
        "//:dockerless_enabled": value,
        "//conditions:default": otherwise,
    })
