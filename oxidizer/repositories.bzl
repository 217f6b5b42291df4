"""WORKSPACE front-end: repositories rules_oxidizer needs.

```
load("@rules_oxidizer//oxidizer:repositories.bzl", "rules_oxidizer_dependencies")
rules_oxidizer_dependencies()
```
"""

load("@bazel_tools//tools/build_defs/repo:utils.bzl", "maybe")
load("//oxidizer/private:bazel4_compat.bzl", "copied_repository")
load("//oxidizer/private:python_distribution_repo.bzl", _oxidizer_python_distribution = "oxidizer_python_distribution")
load("//oxidizer/private:python_source_repo.bzl", _oxidizer_python_source = "oxidizer_python_source")
load("//oxidizer/private:tool_deps_repo.bzl", "oxidizer_tool_deps")
load("//oxidizer/private:zstd_repo.bzl", "oxidizer_zstd_repository")

oxidizer_python_distribution = _oxidizer_python_distribution
oxidizer_python_source = _oxidizer_python_source

# Debian's source packages of CPython: the upstream tarballs `apt-get source` downloads
# (scripts/setup.sh puts them in third_party/cpython/distdir, which .bazelrc names as --distdir).
CPYTHON_SOURCES = {
    "3.11": struct(
        urls = ["https://deb.debian.org/debian/pool/main/p/python3.11/python3.11_3.11.2.orig.tar.gz"],
        sha256 = "2411c74bda5bbcfcddaf4531f66d1adc73f247f529aee981b029513aefdbf849",
        strip_prefix = "Python-3.11.2",
    ),
    "3.13": struct(
        urls = ["https://deb.debian.org/debian/pool/main/p/python3.13/python3.13_3.13.5.orig.tar.xz"],
        sha256 = "93e583f243454e6e9e4588ca2c2662206ad961659863277afcdb96801647d640",
        strip_prefix = "Python-3.13.5",
    ),
}

def oxidizer_python_from_debian_source(name, python_version, **kwargs):
    """`oxidizer_python_source` for Debian's pinned CPython source (`CPYTHON_SOURCES`).

    Args:
      name: repository name.
      python_version: `3.11` or `3.13`.
      **kwargs: further `oxidizer_python_source` attributes (`pgo`, `lto`, `enable_modules`).
    """
    source = CPYTHON_SOURCES[python_version]
    maybe(
        oxidizer_python_source,
        name = name,
        urls = source.urls,
        sha256 = source.sha256,
        strip_prefix = source.strip_prefix,
        python_version = python_version,
        **kwargs
    )

def rules_oxidizer_dependencies(python_version = "3.11", local_interpreter = None, tool_interpreter = "/usr/bin/python3.11"):
    """Declares the default Python distribution (`@oxidizer_python`) and the tools' PyPI deps.

    By default `@oxidizer_python` is CPython built from Debian's pinned source by Bazel
    (`oxidizer_python_source`: every extension built in, PGO and LTO, shared through caches).

    Args:
      python_version: `3.11` or `3.13`, the version built from source.
      local_interpreter: instead of a source build, the CPython installation at this path
        (`oxidizer_python_distribution`, e.g. Debian's `/usr/bin/python3.11` with
        `libpython3.11-dev`); it must exist at the same path on every machine that builds.
      tool_interpreter: the interpreter whose pip installs the tools' wheels at fetch time;
        its version must be that of the distribution `//oxidizer:tool_python` names, which
        runs the tools in actions (wheels with C extensions: grpcio-tools, protobuf).
    """
    if local_interpreter:
        maybe(
            oxidizer_python_distribution,
            name = "oxidizer_python",
            interpreter = local_interpreter,
        )
    else:
        oxidizer_python_from_debian_source(name = "oxidizer_python", python_version = python_version)
    maybe(
        oxidizer_tool_deps,
        name = "oxidizer_tool_deps",
        interpreter = tool_interpreter,
        requirements_lock = Label("//third_party/tool_deps:requirements_lock.txt"),
    )

    # Debian's static libzstd: the runtime decompresses compressed module sources.
    maybe(oxidizer_zstd_repository, name = "oxidizer_zstd")

# Debian's packages of Bazel's own rule repositories (bazel-rules-java, bazel-platforms,
# bazel-skylib).
_DEBIAN_REPOSITORIES = {
    "bazel_skylib": "/usr/share/bazel/tools/skylib",
    "platforms": "/usr/share/bazel/tools/platforms",
    "rules_java": "/usr/share/bazel/rules/java",
}

# A WORKSPACE setup function (like rules_oxidizer_dependencies), not a BUILD macro: it has no name.
# buildifier: disable=unnamed-macro
def rules_oxidizer_bazel4_compat():
    """Lets Debian's offline Bazel 4.2.3 build rules_oxidizer (call before anything else).

    Declares `@rules_cc` and `@rules_python` as small shims re-exporting Bazel 4's native
    rules at the load paths of the real modules, a stub `@remote_coverage_tools`, Debian's
    rule repositories, and registers `/usr/bin/python3.11` as the Python toolchain (its
    stub shebang is `python3`: Debian has no `python`). Not needed on Bazel 7+ (bzlmod).
    """
    for name in ["rules_cc", "rules_python", "remote_coverage_tools"]:
        maybe(
            copied_repository,
            name = name,
            marker = Label("//third_party/bazel4/%s:WORKSPACE" % name),
        )
    for name, path in _DEBIAN_REPOSITORIES.items():
        maybe(native.local_repository, name = name, path = path)
    native.register_toolchains(str(Label("//third_party/bazel4/python_toolchain:toolchain")))
