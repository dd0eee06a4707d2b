"""protoc_c_library: .proto -> C with protobuf-c's protoc-c, as a cc_library."""

def _protoc_c_gen_impl(ctx):
    outs = []
    for src in ctx.files.srcs:
        if src.dirname != ctx.label.package and not src.short_path.startswith(ctx.label.package + "/"):
            fail("%s: protos must live in this package" % src.short_path)
        base = src.basename[:-len(".proto")]
        c = ctx.actions.declare_file(base + ".pb-c.c")
        h = ctx.actions.declare_file(base + ".pb-c.h")
        ctx.actions.run_shell(
            inputs = [src],
            outputs = [c, h],
            command = "protoc-c --proto_path=%s --c_out=%s %s" % (
                src.dirname,
                c.dirname,
                src.path,
            ),
            mnemonic = "ProtocC",
            progress_message = "protoc-c %s" % src.short_path,
            use_default_shell_env = True,
        )
        outs += [c, h]
    return [DefaultInfo(files = depset(outs))]

_protoc_c_gen = rule(
    implementation = _protoc_c_gen_impl,
    attrs = {"srcs": attr.label_list(allow_files = [".proto"], mandatory = True)},
)

def protoc_c_library(name, srcs, visibility = None, **kwargs):
    """A cc_library of the protobuf-c code generated from `srcs`.

    Users include "<package>/<file>.pb-c.h".
    """
    _protoc_c_gen(name = name + "_gen", srcs = srcs)
    native.cc_library(
        name = name,
        srcs = [":" + name + "_gen"],
        hdrs = [":" + name + "_gen"],
        # protoc-c output trips -Wextra in its own tables.
        copts = ["-Wno-unused-parameter"],
        deps = ["//third_party:protobuf_c"],
        visibility = visibility,
        **kwargs
    )
