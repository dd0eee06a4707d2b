"""oci_image: a reproducible single-layer OCI image archive (oci-archive tarball).

The archive is an OCI image layout (`oci-layout`, `index.json`,
`blobs/sha256/...`) holding one gzip-compressed layer, an image config for
linux/amd64 and a manifest; `index.json` names the manifest by `tag` with the
`org.opencontainers.image.ref.name` annotation. Same inputs give a
byte-identical archive: every timestamp is the epoch, owners are 0:0, entries
are sorted, and gzip stores no name or time. `skopeo copy
oci-archive:<name>.tar docker://...` pushes it.
"""

def _image_path(path, what):
    """Validates an absolute in-image path; returns it without the leading "/"."""
    if not path.startswith("/"):
        fail("%s %r: must be an absolute path" % (what, path))
    rel = path.lstrip("/").rstrip("/")
    if not rel:
        fail("%s %r: names the root directory" % (what, path))
    for part in rel.split("/"):
        if part in ("", ".", ".."):
            fail("%s %r: empty, \".\" or \"..\" component" % (what, path))
    for c in ("\t", "\n"):
        if c in path:
            fail("%s %r: tabs and newlines are not allowed" % (what, path))
    return rel

def _mode(modes, path, default):
    mode = modes.get(path, default)
    if len(mode) not in (3, 4) or not all([c in "01234567" for c in mode.elems()]):
        fail("modes[%r] = %r: want octal like \"0644\"" % (path, mode))
    return mode

def _oci_image_impl(ctx):
    entries = []  # "kind\tpath\tmode\tsource": the layer spec the builder reads
    inputs = []
    seen = {}
    modes = ctx.attr.modes

    for target, paths in ctx.attr.files.items():
        files = target.files.to_list()
        if len(files) != 1:
            fail("files: %s gives %d files, want exactly one" % (target.label, len(files)))
        src = files[0]

        # A source file counts as its own executable: only built ones qualify.
        executable = target[DefaultInfo].files_to_run.executable
        is_executable = not src.is_source and executable != None and executable.path == src.path
        default_mode = "0755" if is_executable else "0644"
        inputs.append(src)
        for path in paths.split("\n"):
            rel = _image_path(path, "files")
            if rel in seen:
                fail("files: %r is given twice" % path)
            seen[rel] = True
            entries.append("file\t%s\t%s\t%s" % (rel, _mode(modes, path, default_mode), src.path))

    for path in ctx.attr.directories:
        rel = _image_path(path, "directories")
        if rel in seen:
            fail("directories: %r is given twice" % path)
        seen[rel] = True
        entries.append("dir\t%s\t%s\t" % (rel, _mode(modes, path, "0755")))

    for path, target in ctx.attr.symlinks.items():
        rel = _image_path(path, "symlinks")
        if rel in seen:
            fail("symlinks: %r is given twice" % path)
        if not target or "\t" in target or "\n" in target:
            fail("symlinks[%r] = %r: want a non-empty target without tabs or newlines" % (path, target))
        seen[rel] = True
        entries.append("symlink\t%s\t0777\t%s" % (rel, target))

    for path in modes:
        if path.lstrip("/").rstrip("/") not in seen:
            fail("modes: %r is not a file or directory of this image" % path)

    # The builder never writes through a symlink: nothing may live under one.
    for link in ctx.attr.symlinks:
        prefix = link.lstrip("/").rstrip("/") + "/"
        for rel in seen:
            if rel.startswith(prefix):
                fail("symlinks: %r would hold /%s; name the real directory instead" % (link, rel))

    layer_spec = ctx.actions.declare_file(ctx.label.name + ".layer.tsv")
    ctx.actions.write(layer_spec, "\n".join(sorted(entries)) + "\n")

    # Everything of the image config but rootfs, which the builder fills in.
    container_config = {}
    if ctx.attr.user:
        container_config["User"] = ctx.attr.user
    if ctx.attr.env:
        container_config["Env"] = ["%s=%s" % (k, v) for k, v in ctx.attr.env.items()]
    if ctx.attr.entrypoint:
        container_config["Entrypoint"] = ctx.attr.entrypoint
    if ctx.attr.cmd:
        container_config["Cmd"] = ctx.attr.cmd
    if ctx.attr.workdir:
        container_config["WorkingDir"] = ctx.attr.workdir
    if ctx.attr.labels:
        container_config["Labels"] = ctx.attr.labels
    if ctx.attr.stop_signal:
        container_config["StopSignal"] = ctx.attr.stop_signal
    config = {
        "created": "1970-01-01T00:00:00Z",
        "architecture": ctx.attr.architecture,
        "os": ctx.attr.os,
        "config": container_config,
        "rootfs": {"type": "layers", "diff_ids": []},
    }
    config_spec = ctx.actions.declare_file(ctx.label.name + ".config-spec.json")
    ctx.actions.write(config_spec, json.encode(config))

    out = ctx.actions.declare_file(ctx.label.name + ".tar")
    digest = ctx.actions.declare_file(ctx.label.name + ".digest")
    args = ctx.actions.args()
    args.add("--layer-spec", layer_spec)
    args.add("--config-spec", config_spec)
    args.add("--tag", ctx.attr.tag)
    args.add("--architecture", ctx.attr.architecture)
    args.add("--os", ctx.attr.os)
    args.add("--out", out)
    args.add("--digest-out", digest)
    ctx.actions.run(
        executable = ctx.executable._builder,
        arguments = [args],
        inputs = inputs + [layer_spec, config_spec],
        outputs = [out, digest],
        mnemonic = "OciImage",
        progress_message = "Building OCI image %s" % ctx.label,
        use_default_shell_env = True,
    )
    return [
        DefaultInfo(
            files = depset([out]),
            runfiles = ctx.runfiles(files = [out]),
        ),
        OutputGroupInfo(digest = depset([digest])),
    ]

_oci_image = rule(
    implementation = _oci_image_impl,
    attrs = {
        "architecture": attr.string(default = "amd64"),
        "cmd": attr.string_list(),
        "directories": attr.string_list(),
        "entrypoint": attr.string_list(),
        "env": attr.string_dict(),
        # label -> newline-separated in-image paths (see the oci_image macro).
        "files": attr.label_keyed_string_dict(allow_files = True),
        "labels": attr.string_dict(),
        "modes": attr.string_dict(),
        "os": attr.string(default = "linux"),
        "stop_signal": attr.string(),
        "symlinks": attr.string_dict(),
        "tag": attr.string(default = "latest"),
        "user": attr.string(),
        "workdir": attr.string(),
        "_builder": attr.label(
            default = Label("//bazel:oci_image.sh"),
            allow_single_file = True,
            executable = True,
            cfg = "exec",
        ),
    },
)

def oci_image(
        name,
        files = {},
        symlinks = {},
        directories = [],
        modes = {},
        entrypoint = [],
        cmd = [],
        env = {},
        user = "",
        workdir = "",
        labels = {},
        stop_signal = "",
        tag = "latest",
        architecture = "amd64",
        os = "linux",
        **kwargs):
    """An OCI image archive `<name>.tar` with one layer.

    The digest of its manifest ("sha256:...") is in `<name>.digest`, output
    group "digest".

    Args:
      name: target name; the archive is `<name>.tar`.
      files: {path in image: label of exactly one file}. Files are 0755 when
        the label is a built executable (cc_binary, executable genrule),
        else 0644 (source files too), unless `modes` says otherwise.
      symlinks: {link path in image: target, absolute or relative}.
      directories: directories to create, e.g. "/tmp"; parents of every
        entry are created 0755 anyway.
      modes: {path in image: octal mode string} for files and directories.
      entrypoint: config Entrypoint.
      cmd: config Cmd.
      env: {NAME: value}, config Env in the given order.
      user: config User, e.g. "65534:65534".
      workdir: config WorkingDir.
      labels: config Labels.
      stop_signal: config StopSignal, e.g. "SIGTERM".
      tag: the index.json annotation org.opencontainers.image.ref.name.
      architecture: image architecture.
      os: image OS.
      **kwargs: common attributes (visibility, tags, testonly, ...).
    """
    by_label = {}
    for path, label in files.items():
        by_label[label] = by_label[label] + "\n" + path if label in by_label else path
    _oci_image(
        name = name,
        files = by_label,
        symlinks = symlinks,
        directories = directories,
        modes = modes,
        entrypoint = entrypoint,
        cmd = cmd,
        env = env,
        user = user,
        workdir = workdir,
        labels = labels,
        stop_signal = stop_signal,
        tag = tag,
        architecture = architecture,
        os = os,
        **kwargs
    )
