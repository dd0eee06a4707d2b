"""Sanitizer builds (.bazelrc configs asan and ubsan): selects and a transition.

What runs inside a container image (the pause binary) must stay a static,
uninstrumented binary whatever the build is checked with: `unsanitized`
builds its `src` with every -fsanitize flag taken off --copt and --linkopt,
and `if_asan` lets a static binary link dynamically under ASan (gcc refuses
-static with -fsanitize=address) so the rest of //... still builds and tests.
"""

def if_asan(value, otherwise):
    """Returns `value` under --config=asan and `otherwise` in other builds."""
    return select({
        "//bazel:asan": value,
        "//conditions:default": otherwise,
    })

def _strip_sanitizers(opts):
    return [o for o in opts if not o.startswith("-fsanitize") and not o.startswith("-fno-sanitize")]

def _unsanitized_transition_impl(settings, _attr):
    return {
        "//command_line_option:copt": _strip_sanitizers(settings["//command_line_option:copt"]),
        "//command_line_option:linkopt": _strip_sanitizers(settings["//command_line_option:linkopt"]),
    }

_unsanitized_transition = transition(
    implementation = _unsanitized_transition_impl,
    inputs = ["//command_line_option:copt", "//command_line_option:linkopt"],
    outputs = ["//command_line_option:copt", "//command_line_option:linkopt"],
)

def _unsanitized_impl(ctx):
    src = ctx.files.src
    if len(src) != 1:
        fail("src: %s gives %d files, want exactly one" % (ctx.attr.src[0].label, len(src)))
    out = ctx.actions.declare_file(ctx.label.name)
    ctx.actions.run(
        executable = "cp",
        arguments = [src[0].path, out.path],
        inputs = src,
        outputs = [out],
        mnemonic = "CopyUnsanitized",
    )
    return [DefaultInfo(files = depset([out]), executable = out)]

unsanitized = rule(
    doc = "The one file of `src`, built without sanitizers, as an executable.",
    implementation = _unsanitized_impl,
    executable = True,
    attrs = {
        "src": attr.label(mandatory = True, allow_files = True, cfg = _unsanitized_transition),
        "_allowlist_function_transition": attr.label(
            default = "@bazel_tools//tools/allowlists/function_transition_allowlist",
        ),
    },
)
