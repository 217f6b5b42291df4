"""The oxidizer runtime, compiled against one Python distribution's headers."""

load("@rules_cc//cc:defs.bzl", "cc_library")

# The runtime is warning-clean: every distribution repository compiles it with these.
RUNTIME_COPTS = ["-std=c11", "-Wall", "-Wextra", "-Werror"]

def oxidizer_runtime(name, libpython, **kwargs):
    """The runtime `cc_library` (start-up, packed-resources parser, OxidizedFinder).

    Args:
      name: target name.
      libpython: a `cc_library` with the distribution's headers, static libpython and link flags.
      **kwargs: passed to `cc_library` (e.g. `visibility`).
    """
    cc_library(
        name = name,
        srcs = [Label("//runtime:srcs")],
        copts = RUNTIME_COPTS,
        deps = [
            Label("//runtime:headers"),
            libpython,
        ],
        **kwargs
    )
