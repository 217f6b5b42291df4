"""The oxidizer C runtime as a `cc_library`: one definition, used by every distribution.

Each distribution repository (`oxidizer_python_distribution`, and the source-built one)
instantiates `oxidizer_runtime` against its own `:libpython`, and `//runtime:runtime`
instantiates it against `@oxidizer_python//:libpython`, so `bazel build //runtime/...`
compiles the runtime with warnings as errors.
"""

load("@rules_cc//cc:defs.bzl", "cc_library")

# Warnings are errors: the runtime is compiled against every distribution's headers.
RUNTIME_COPTS = [
    "-std=c11",
    "-Wall",
    "-Wextra",
    "-Werror",
]

def oxidizer_runtime(name, libpython, **kwargs):
    """The runtime linked into every `py_oxidized_binary`, compiled against `libpython`.

    Args:
      name: name of the `cc_library`.
      libpython: label of a `cc_library` giving the Python headers, the static libpython
        and its link flags.
      **kwargs: other `cc_library` attributes (e.g. `visibility`, `tags`).
    """
    cc_library(
        name = name,
        srcs = [Label("//runtime:srcs")],
        copts = RUNTIME_COPTS,
        deps = [
            Label("//runtime:headers"),
            Label("//runtime:zstd_frame"),
            libpython,
        ],
        **kwargs
    )
