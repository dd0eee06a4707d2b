"""cc_fuzz_target: a libFuzzer binary and the unit test that replays its inputs."""

load("@rules_cc//cc:defs.bzl", "cc_binary", "cc_test")

def cc_fuzz_target(name, srcs, deps = [], max_len = 4096, size = "small", visibility = None):
    """Declares the fuzz target `name` and `name`_regression_test.

    `name` is the libFuzzer binary: srcs define LLVMFuzzerTestOneInput
    (//test/fuzz:fuzz.h). It links with -fsanitize=fuzzer, so it only builds
    with clang and --config=fuzz (hack/fuzz.sh); the `manual` tag keeps
    `bazel build //...` with gcc away from it. hack/fuzz.sh finds targets by
    the `fuzz_target` tag and passes -max_len from the `fuzz_max_len=` tag.

    `name`_regression_test replays the seed corpus testdata/fuzz/`name`/ and
    the crash reproducers testdata/fuzz/`name`_regressions/ through the same
    entry point in every normal `bazel test //...`.

    Args:
      name: the target's name, also its corpus directory's.
      srcs: the harness sources.
      deps: what they fuzz.
      max_len: the longest input libFuzzer generates.
      size: the regression test's size.
      visibility: of both targets.
    """
    seeds = "testdata/fuzz/" + name
    regressions = "testdata/fuzz/" + name + "_regressions"
    cc_binary(
        name = name,
        testonly = True,
        srcs = srcs,
        linkopts = ["-fsanitize=fuzzer"],
        tags = [
            "fuzz_target",
            "fuzz_max_len=%d" % max_len,
            "manual",
        ],
        visibility = visibility,
        deps = deps + ["//test/fuzz"],
    )
    cc_test(
        name = name + "_regression_test",
        size = size,
        srcs = srcs,
        args = [
            "%s/%s" % (native.package_name(), seeds),
            "%s/%s" % (native.package_name(), regressions),
        ],
        data = native.glob([seeds + "/**", regressions + "/**"]),
        visibility = visibility,
        deps = deps + [
            "//test/fuzz",
            "//test/fuzz:replay_main",
        ],
    )
