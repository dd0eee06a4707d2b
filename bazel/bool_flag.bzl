"""A boolean Starlark build setting (what bazel_skylib's bool_flag does)."""

BoolFlagInfo = provider(
    doc = "The value of a boolean build setting.",
    fields = {"value": "bool"},
)

def _bool_flag_impl(ctx):
    return BoolFlagInfo(value = ctx.build_setting_value)

bool_flag = rule(
    implementation = _bool_flag_impl,
    build_setting = config.bool(flag = True),
    doc = "A command-line settable boolean, e.g. --//:dockerless.",
)
